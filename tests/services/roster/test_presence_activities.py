"""The presence check's activities against the real roster schema and NotifyService: the check is
sent to the person; at the deadline it is unanswered unless its message was acknowledged in time
(then confirmed "by notification"), once, with its event; the duty leader's alerts use notify's
templates for early leave and an unanswered check."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.notifier import NotifyClient
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from services.roster import presence_store, rules, schedule_store
from services.roster.presence_activities import PresenceActivities
from tests.e2e.test_emergency_call_slice import stream_events
from tests.support import notifications_about, service_token_for, token_for
from workflows.presence.types import SettleRequest
from workflows.shift.types import ShiftNotice

pytestmark = pytest.mark.stack

OFFICER = "p-hz-officer-3"


@pytest.fixture
async def activities(platform: Any) -> AsyncIterator[PresenceActivities]:
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    yield PresenceActivities(pool=pool, notifier=notifier)
    await notifier.close()
    await pool.close()


async def new_check(pool: asyncpg.Pool, due_in: timedelta) -> presence_store.PresenceCheckRow:
    """A check of an officer's assignment at hz-01 (one that ended: it changes nobody's duty now)."""
    now = datetime.now(UTC)
    start = now - timedelta(hours=5)
    assignment = rules.Assignment(
        f"a-test-{uuid.uuid4()}", "hz-01", OFFICER, "officer", "extra", start.date(), start, start + timedelta(hours=4)
    )
    check = presence_store.PresenceCheckRow(
        id=f"pc-test-{uuid.uuid4().hex}",
        site_id="hz-01",
        assignment_id=assignment.id,
        person_id=OFFICER,
        requested_by="p-hz-leader-1",
        requested_at=now,
        due_at=now + due_in,
    )
    async with pool.acquire() as conn:
        await schedule_store.add_assignment(conn, assignment=assignment)
        await presence_store.insert_check(conn, check=check)
    return check


async def test_an_unacknowledged_check_is_unanswered_once(platform: Any, activities: PresenceActivities) -> None:
    check = await new_check(activities._pool, due_in=-timedelta(seconds=1))
    await activities.send_check(check.id)
    await activities.send_check(check.id)  # activities run at least once: one message
    [sent] = await notifications_about(platform, check.id)
    assert (sent.person_id, sent.template, sent.ref_kind) == (OFFICER, "presence_check", "presence_check")
    assert f"dutyline roster presence confirm {check.id}" in sent.body

    assert await activities.settle_check(SettleRequest(check.id, final=True)) == "unanswered"
    assert await activities.settle_check(SettleRequest(check.id, final=True)) == "unanswered"
    events = await stream_events(platform, aggregate_ids={check.id}, count=1)
    assert [e.type for _, e in events] == ["presence.unanswered"]
    async with activities._pool.acquire() as conn:
        settled = await presence_store.get_check(conn, check_id=check.id)
    assert settled is not None and (settled.status, settled.confirmed_at) == ("unanswered", None)

    # The duty leader's alerts: notify knows both templates.
    for kind in ("presence_unanswered", "early_leave"):
        await activities.alert_leader(ShiftNotice(check.assignment_id, "hz-01", kind, f"{kind} {check.id}"))
    told = await notifications_about(platform, check.assignment_id, at_least=2)
    assert {n.template for n in told} == {"presence_unanswered", "early_leave"}
    assert all(n.person_id.startswith("p-hz-leader") for n in told)


async def test_acknowledging_the_checks_message_in_time_confirms_it(
    platform: Any, activities: PresenceActivities
) -> None:
    check = await new_check(activities._pool, due_in=timedelta(minutes=5))
    await activities.send_check(check.id)
    [sent] = await notifications_about(platform, check.id)
    # Before the deadline nothing is settled.
    assert await activities.settle_check(SettleRequest(check.id, final=False)) == "pending"
    async with channel(platform.address("notify"), token_for(OFFICER, ["officer"], ["hz-01"])) as ch:
        await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
            notify_pb2.AcknowledgeRequest(idempotency_key=str(uuid.uuid4()), notification_id=sent.id)
        )
    assert await activities.settle_check(SettleRequest(check.id, final=True)) == "confirmed"
    async with activities._pool.acquire() as conn:
        settled = await presence_store.get_check(conn, check_id=check.id)
    assert settled is not None and (settled.status, settled.confirmed_via) == ("confirmed", "notification")
    assert settled.confirmed_at is not None and settled.confirmed_at <= check.due_at
