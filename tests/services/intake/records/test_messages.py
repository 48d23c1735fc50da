"""Messages (留言) on the real stack: delivered to the recipient when taken, a department of the
directory through its own contacts; a recipient that can never be reached alerts the duty leader at
once instead of being retried forever."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client

from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.services.intake.records.support import call_request, key, violations
from tests.support import notifications_about, token_for
from workflows.callback.types import STATE_QUERY, callback_workflow_id

pytestmark = pytest.mark.stack


async def department(platform: Any, *contacts: tuple[str, str], site_id: str = "hz-01") -> str:
    """A new directory entry of ``site_id`` (a department outside the roster) with these contacts."""
    entry_id = f"dir-test-{uuid.uuid4().hex[:12]}"
    entry = roster_pb2.DirectoryEntry(
        id=entry_id,
        site_id=site_id,
        department="供热公司 Heating company",
        name="客服 Service desk",
        contacts=[roster_pb2.ContactMethod(channel=c, address=a) for c, a in contacts],
    )
    async with channel(platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).UpsertDirectoryEntry(
            roster_pb2.UpsertDirectoryEntryRequest(idempotency_key=key(), entry=entry)
        )
    return entry_id


async def take_message(intake: Any, recipient_id: str) -> intake_pb2.Callback:
    registered = await intake.RegisterCall(call_request())
    return await intake.TakeMessage(
        intake_pb2.TakeMessageRequest(
            idempotency_key=key(),
            call_id=registered.call.id,
            recipient_id=recipient_id,
            content="请回电告知供暖日期 please call back with the heating date",
            due_at=ts(datetime.now(UTC) + timedelta(hours=1)),  # the reminder would come 50 min from now
        )
    )


async def workflow_state(platform: Any, callback_id: str, **expected: str) -> dict[str, str]:
    """The callback process's state once it shows ``expected`` (or after 20 s)."""
    client = await Client.connect(platform.temporal.address)
    handle = client.get_workflow_handle(callback_workflow_id(callback_id))
    for _ in range(200):
        state: dict[str, str] = await handle.query(STATE_QUERY)
        if all(state.get(k) == v for k, v in expected.items()):
            return state
        await asyncio.sleep(0.1)
    return state


async def test_a_message_for_a_directory_department_is_delivered_through_its_contacts_when_taken(
    platform: Any, intake: Any
) -> None:
    entry_id = await department(platform, ("sms", "0571-87654321"))
    message = await take_message(intake, entry_id)
    told = await notifications_about(platform, message.id)
    assert [(n.person_id, n.template) for n in told] == [(entry_id, "message_taken")]
    assert told[0].HasField("created_at")
    state = await workflow_state(platform, message.id, delivery="delivered")
    assert (state["delivery"], state["reminded"], state["phase"]) == ("delivered", "false", "before_reminder")
    sent = await notifications_about(platform, message.id, at_least=1)
    assert sent[0].status in ("sent", "delivered") and sent[0].attempts[-1].channel == "sms"


async def test_a_message_whose_address_fails_for_good_alerts_the_duty_leader_and_is_not_retried(
    platform: Any, intake: Any
) -> None:
    # The webhook answers 404: a permanent failure, on the only contact the department has.
    entry_id = await department(platform, ("webhook", f"{platform.gateway_url}/nowhere/{uuid.uuid4().hex}"))
    message = await take_message(intake, entry_id)
    told = await notifications_about(platform, message.id, at_least=2, timeout=40)
    templates = sorted(n.template for n in told)
    assert templates == ["message_taken", "message_undeliverable"], templates
    failed = next(n for n in told if n.template == "message_taken")
    assert failed.person_id == entry_id and failed.status == "failed"
    alert = next(n for n in told if n.template == "message_undeliverable")
    assert alert.escalation_id and alert.person_id.startswith("p-hz-leader")
    state = await workflow_state(platform, message.id, delivery="undeliverable")
    assert (state["delivery"], state["reminded"]) == ("undeliverable", "false")
    # Not retried: after a while there is still one delivery, and the process waits for the deadline.
    await asyncio.sleep(3)
    again = await notifications_about(platform, message.id, at_least=2)
    assert sum(n.template == "message_taken" for n in again) == 1
    assert (await workflow_state(platform, message.id))["phase"] == "before_due"


async def test_a_message_for_another_sites_department_is_refused_when_taken(platform: Any, intake: Any) -> None:
    entry_id = await department(platform, ("sms", "0574-12345678"), site_id="nb-01")
    registered = await intake.RegisterCall(call_request())
    request = intake_pb2.TakeMessageRequest(
        idempotency_key=key(), call_id=registered.call.id, recipient_id=entry_id, content="x"
    )
    assert await violations(intake.TakeMessage(request)) == {"recipient_id"}
    listed = await intake.ListCallbacks(intake_pb2.ListCallbacksRequest(site_id="hz-01", open_only=True))
    assert all(c.call_id != registered.call.id for c in listed.callbacks)
