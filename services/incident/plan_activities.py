"""Activities of the plan activation workflow (workflows/plan_activation). They run at least once, so
each is idempotent: notices are keyed by the activation, the task and the kind of notice; timeline
entries by the same, so a repeated one writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import structlog
from temporalio import activity

from dutyline.activity_errors import REFUSALS, classified
from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.grpckit.convert import ROLE_VALUES
from dutyline.incident.v1 import plans_pb2
from dutyline.notifier import NotifyClient, notify_key
from dutyline.notify.v1 import notify_pb2
from services.incident import plan_rules, plan_store, store
from services.incident.plan_convert import activation_message, task_message
from workflows.plan_activation.types import (
    END,
    ESCALATION,
    NOTIFY_CONTACTS,
    OVERDUE,
    REMINDER,
    STATE,
    TASK_NOTICE,
    PlanEnd,
    PlanState,
    TaskNotice,
)

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:plan-workflow", display_name="PlanActivationWorkflow", kind="system")
log = structlog.get_logger(__name__)


def contact_recipient(contact: plan_rules.Contact, *, site_id: str) -> notify_pb2.Recipient:
    if contact.person_id:
        return notify_pb2.Recipient(person_id=contact.person_id)
    if contact.role:
        return notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id=site_id, role=ROLE_VALUES[contact.role]))
    if contact.directory_entry_id:
        return notify_pb2.Recipient(directory_entry_id=contact.directory_entry_id)
    return notify_pb2.Recipient(superior_of_site=site_id)


def owner_recipient(task: plan_store.TaskRow, *, site_id: str) -> notify_pb2.Recipient:
    if task.owner_person_id:
        return notify_pb2.Recipient(person_id=task.owner_person_id)
    return notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id=site_id, role=ROLE_VALUES[task.owner_role]))


def owner_name(task: plan_store.TaskRow) -> str:
    return task.owner_person_id or f"role:{task.owner_role}"


@dataclass
class _Loaded:
    """An activation with its plan, tasks and incident, as the store has them now."""

    activation: plan_store.ActivationRow
    plan: plan_store.StoredPlan
    tasks: list[plan_store.TaskRow]
    incident: store.IncidentRow

    def message(self) -> plans_pb2.PlanActivation:
        return activation_message(
            self.activation,
            plan=self.plan,
            tasks=self.tasks,
            site_id=self.incident.site_id,
            drill=self.incident.drill,
        )

    def data(self, task: plan_store.TaskRow | None = None) -> Mapping[str, str]:
        zone = ZoneInfo(self.incident.time_zone or "Asia/Shanghai")
        level = self.plan.plan.response_level
        data = {
            "incident_id": self.incident.id,
            "title": self.incident.title,
            "place": self.incident.place_text,
            "plan_name": self.plan.plan.name,
            "response_level": plan_rules.level_label(level) if level else "",
        }
        if task is not None:
            data.update(task_title=task.title, due_at=task.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
        return data


async def load(conn: Connection, activation_id: str) -> _Loaded:
    activation = await plan_store.activation(conn, activation_id=activation_id)
    if activation is None:
        raise ValueError(f"plan activation {activation_id} does not exist")
    plan = await plan_store.plan_version(conn, plan_id=activation.plan_id, version=activation.plan_version)
    incident = await store.get_incident(conn, incident_id=activation.incident_id)
    assert plan is not None and incident is not None  # foreign keys
    return _Loaded(activation, plan, await plan_store.tasks(conn, activation_id=activation_id), incident)


class PlanActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def _send(
        self, recipient: notify_pb2.Recipient, loaded: _Loaded, *, template: str, data: Mapping[str, str], key: str
    ) -> str:
        """ "" once sent; else why notify refused it for good (the timeline says so, and the process goes on)."""
        try:
            await self._notifier.send_to(
                recipient,
                site_id=loaded.incident.site_id,
                template=template,
                data=data,
                key=key,
                ref_kind="incident",
                ref_id=loaded.incident.id,
                drill=loaded.incident.drill,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in REFUSALS:
                raise  # notify is away: the activity is retried
            return exc.details() or exc.code().name
        return ""

    @activity.defn(name=NOTIFY_CONTACTS)
    @classified
    async def notify_contacts(self, activation_id: str) -> None:
        """Tell each of the plan's contacts it is activated; who was reached (and who not) on the timeline."""
        async with self._pool.acquire() as conn:
            loaded = await load(conn, activation_id)
        reached: list[str] = []
        missed: list[str] = []
        for i, contact in enumerate(loaded.plan.plan.contacts):
            refused = await self._send(
                contact_recipient(contact, site_id=loaded.incident.site_id),
                loaded,
                template="plan_activated",
                data=loaded.data(),
                key=notify_key(activation_id, "contact", str(i)),
            )
            (missed if refused else reached).append(f"{contact.name} ({refused})" if refused else contact.name)
        text = "已通知预案联系人 Plan contacts notified: " + ("、".join(reached) or "—")
        if missed:
            text += "；未能通知 not reached: " + "、".join(missed)
        async with self._pool.acquire() as conn, conn.transaction():
            await plan_store.publish(
                conn,
                incident_id=loaded.incident.id,
                event_type=None,
                kind="plan_contacts_notified",
                text=text,
                actor=SYSTEM_ACTOR,
                at=datetime.now(UTC),
                dedupe_key=f"{loaded.incident.id}:plan:{activation_id}:contacts",
            )

    @activity.defn(name=TASK_NOTICE)
    @classified
    async def task_notice(self, notice: TaskNotice) -> None:
        """A task's reminder or overdue notice to its owner, or the escalation to the duty leader."""
        async with self._pool.acquire() as conn:
            loaded = await load(conn, notice.activation_id)
        task = next((t for t in loaded.tasks if t.key == notice.task_key), None)
        if task is None or task.status != "open":
            return  # done meanwhile: nobody needs telling
        key = notify_key(notice.activation_id, task.key, notice.kind)
        site_id = loaded.incident.site_id
        if notice.kind == ESCALATION:
            escalation_id = await self._notifier.escalate(
                site_id=site_id,
                template="plan_task_overdue",
                data=loaded.data(task),
                key=key,
                ref_kind="incident",
                ref_id=loaded.incident.id,
                drill=loaded.incident.drill,
                start_at_role="leader",
            )
            text = (
                "预案任务超时，已上报带班领导 Plan task overdue, escalated to the duty leader: "
                f"{task.title} (escalation {escalation_id})"
            )
        else:
            template = "plan_task_reminder" if notice.kind == REMINDER else "plan_task_overdue"
            refused = await self._send(
                owner_recipient(task, site_id=site_id), loaded, template=template, data=loaded.data(task), key=key
            )
            label = "预案任务提醒 Plan task reminder" if notice.kind == REMINDER else "预案任务超时 Plan task overdue"
            text = f"{label}: {task.title} → {owner_name(task)}" + (
                f"（未能通知 not reached: {refused}）" if refused else ""
            )
        async with self._pool.acquire() as conn, conn.transaction():
            if notice.kind == OVERDUE:
                await plan_store.mark_overdue(conn, activation_id=notice.activation_id, key=task.key)
            changed = await plan_store.task(conn, activation_id=notice.activation_id, key=task.key)
            assert changed is not None
            loaded.tasks = [changed if t.key == task.key else t for t in loaded.tasks]
            await plan_store.publish(
                conn,
                incident_id=loaded.incident.id,
                # A reminder changes nothing of the task: on the timeline only.
                event_type=None if notice.kind == REMINDER else "incident.plan_task_changed",
                kind=f"plan_task_{notice.kind}",
                text=text,
                actor=SYSTEM_ACTOR,
                at=datetime.now(UTC),
                dedupe_key=f"{loaded.incident.id}:plan:{notice.activation_id}:{task.key}:{notice.kind}",
                activation=loaded.message(),
                task=task_message(changed),
            )

    @activity.defn(name=STATE)
    @classified
    async def state(self, activation_id: str) -> PlanState:
        async with self._pool.acquire() as conn:
            loaded = await load(conn, activation_id)
        return PlanState(
            incident_closed=loaded.incident.stage == "closed",
            open_tasks=[t.key for t in loaded.tasks if t.status == "open"],
        )

    @activity.defn(name=END)
    @classified
    async def end(self, end: PlanEnd) -> None:
        """The activation over: every task done, or the incident closed with tasks open."""
        at = datetime.now(UTC)
        async with self._pool.acquire() as conn, conn.transaction():
            await plan_store.end_activation(conn, activation_id=end.activation_id, status=end.status, at=at)
            loaded = await load(conn, end.activation_id)
            left = [t.title for t in loaded.tasks if t.status == "open"]
            text = (
                f"预案执行完毕 Plan completed, every task done: {loaded.plan.plan.name}"
                if end.status == "completed"
                else f"事件已结案，预案终止 Incident closed, plan ended: {loaded.plan.plan.name}; "
                f"未完成 open: {'、'.join(left)}"
            )
            await plan_store.publish(
                conn,
                incident_id=loaded.incident.id,
                event_type="incident.plan_task_changed",
                kind=f"plan_{end.status}",
                text=text,
                actor=SYSTEM_ACTOR,
                at=at,
                dedupe_key=f"{loaded.incident.id}:plan:{end.activation_id}:end",
                activation=loaded.message(),
            )
