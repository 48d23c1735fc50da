"""Rows ↔ protobuf messages of NotifyService: notifications, escalation chains and escalations."""

from __future__ import annotations

from dutyline.grpckit.convert import ROLE_NAMES, ROLE_VALUES, ts
from dutyline.notify.v1 import notify_pb2
from services.notify.people import store
from services.notify.people.channels.base import answer_code, mask_address
from workflows.escalation.types import StepData


def notification_message(row: store.NotificationRow, *, addresses: bool = True) -> notify_pb2.Notification:
    """The notification as readers see it: each attempt's address masked (a staff contact, or an IM
    URL with its access token, is personal data); ``addresses=False`` leaves them out, for events
    and the answer to an acknowledgement by token (whoever holds a message learns no contact)."""
    return notify_pb2.Notification(
        id=row.id,
        site_id=row.site_id,
        person_id=row.person_id,
        person_name=row.person_name,
        template=row.template,
        subject=row.subject,
        body=row.body,
        status=row.status,
        attempts=[
            notify_pb2.DeliveryAttempt(
                channel=a.channel,
                at=ts(a.at),
                status=a.status,
                # The code only: the body is whatever the URL's server said (dutyline.outbound).
                provider_answer=answer_code(a.provider_answer),
                address=mask_address(a.address) if addresses else "",
                attempt=a.attempt,
            )
            for a in row.attempts
        ],
        acknowledged_at=ts(row.acknowledged_at),
        acknowledged_by=row.acknowledged_by or "",
        ref_kind=row.ref_kind,
        ref_id=row.ref_id,
        escalation_id=row.escalation_id or "",
        escalation_loop=row.escalation_loop,
        escalation_step=row.escalation_step,
        drill=row.drill,
        locale=row.locale,
        created_at=ts(row.created_at),
        channel=row.attempts[-1].channel if row.attempts else "",
    )


def recipient_of(step: StepData) -> notify_pb2.Recipient:
    if step.recipient_kind == "person":
        return notify_pb2.Recipient(person_id=step.recipient)
    if step.recipient_kind == "superior":
        return notify_pb2.Recipient(superior_of_site=step.recipient)
    if step.recipient_kind == "directory":
        return notify_pb2.Recipient(directory_entry_id=step.recipient)
    site_id, _, role = step.recipient.rpartition(":")
    return notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id=site_id, role=ROLE_VALUES[role]))


def step_messages(steps: list[StepData]) -> list[notify_pb2.EscalationStep]:
    return [
        notify_pb2.EscalationStep(recipient=recipient_of(s), channel=s.channel, wait_seconds=s.wait_seconds)
        for s in steps
    ]


def steps_from(recipients: list[tuple[notify_pb2.Recipient, str, int]], *, site_id: str) -> list[StepData]:
    """Recipients (with a channel and a wait), checked against their proto, into chain steps; a role or
    superior without a site is at ``site_id``."""
    steps: list[StepData] = []
    for recipient, channel, wait in recipients:
        target = recipient.WhichOneof("target")
        if target == "person_id":
            steps.append(StepData("person", recipient.person_id, channel, wait))
        elif target == "directory_entry_id":
            steps.append(StepData("directory", recipient.directory_entry_id, channel, wait))
        elif target == "role":
            role_site = recipient.role.site_id or site_id
            steps.append(StepData("role", f"{role_site}:{ROLE_NAMES[recipient.role.role]}", channel, wait))
        else:
            steps.append(StepData("superior", recipient.superior_of_site or site_id, channel, wait))
    return steps


def chain_message(row: store.ChainRow) -> notify_pb2.EscalationChain:
    return notify_pb2.EscalationChain(
        site_id=row.site_id,
        steps=step_messages(row.steps),
        repeat=row.repeat,
        is_default=row.is_default,
        updated_at=ts(row.updated_at),
    )


def escalation_message(
    row: store.EscalationRow, notifications: list[store.NotificationRow] | None = None, *, addresses: bool = True
) -> notify_pb2.Escalation:
    return notify_pb2.Escalation(
        id=row.id,
        site_id=row.site_id,
        template=row.template,
        data=row.data,
        ref_kind=row.ref_kind,
        ref_id=row.ref_id,
        drill=row.drill,
        locale=row.locale,
        status=row.status,
        steps=step_messages(row.steps),
        repeat=row.repeat,
        first_step=row.first_step,
        acknowledged_by=row.acknowledged_by or "",
        acknowledged_at=ts(row.acknowledged_at),
        created_at=ts(row.created_at),
        workflow_id=row.workflow_id,
        notifications=[notification_message(n, addresses=addresses) for n in notifications or []],
    )
