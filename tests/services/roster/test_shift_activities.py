"""The shift activities against the real roster schema: what the workflow reads and records."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from dutyline.db.pool import create_pool
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import roster_pb2
from services.roster import convert, duty_store, rules, schedule_store
from services.roster.shift_activities import ShiftActivities
from tests.support import events_about, notifications_about, service_token_for
from workflows.shift.types import HandoverRef, MissedHandover, ShiftNotice

pytestmark = pytest.mark.stack


@pytest.fixture
async def notifier(platform: Any) -> AsyncIterator[NotifyClient]:
    """The real NotifyService, as the worker reaches it."""
    client = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    yield client
    await client.close()


@pytest.fixture
async def roster_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    yield pool
    await pool.close()


async def past_assignment(pool: asyncpg.Pool, person_id: str = "p-hz-officer-3") -> rules.Assignment:
    """An assignment at hz-01 of an officer, which ended an hour ago: over, so that it never changes who
    is on duty there for the tests that follow."""
    start = datetime.now(UTC) - timedelta(hours=5)
    assignment = rules.Assignment(
        id=f"a-test-{uuid.uuid4()}",
        site_id="hz-01",
        person_id=person_id,
        role="officer",
        shift_name="extra",
        local_date=start.date(),
        starts_at=start,
        ends_at=start + timedelta(hours=4),
    )
    async with pool.acquire() as conn:
        await schedule_store.add_assignment(conn, assignment=assignment)
    return assignment


async def test_absence_is_recorded_once_with_its_event(
    platform: Any, roster_pool: asyncpg.Pool, notifier: NotifyClient
) -> None:
    activities = ShiftActivities(pool=roster_pool, notifier=notifier)
    a = await past_assignment(roster_pool)
    assert (await activities.check_in_state(a.id)).status == "pending"
    await activities.record_absence(a.id)
    await activities.record_absence(a.id)  # activities run at least once
    async with roster_pool.acquire() as conn:
        violations = await conn.fetch("SELECT person_id, kind FROM violations WHERE assignment_id = $1", a.id)
        events = await conn.fetchval("SELECT count(*) FROM outbox WHERE subject = 'dutyline.hz-01.absence.recorded'")
        row = await schedule_store.get_assignment(conn, assignment_id=a.id)
    assert [(v["person_id"], v["kind"]) for v in violations] == [("p-hz-officer-3", "absence")]
    assert row is not None and row.check_in_status == "absent"
    # The relay may already have published it; either way there is never a second one queued.
    assert events <= 1
    await activities.alert_leader(ShiftNotice(a.id, "hz-01", "absent"))
    await activities.alert_leader(ShiftNotice(a.id, "hz-01", "absent"))  # one escalation, however often
    # The escalation starts at the duty leader of the site's chain.
    told = await notifications_about(platform, a.id)
    assert told and all(n.person_id.startswith("p-hz-leader") and n.template == "absent" for n in told)
    assert len({n.escalation_id for n in told}) == 1


async def test_a_handover_is_marked_overdue_once_and_never_after_acceptance(
    platform: Any, roster_pool: asyncpg.Pool, notifier: NotifyClient
) -> None:
    activities = ShiftActivities(pool=roster_pool, notifier=notifier)
    outgoing = await past_assignment(roster_pool)
    incoming = await past_assignment(roster_pool, "p-hz-officer-2")
    handover = duty_store.HandoverRow(
        id=f"ho-test-{uuid.uuid4()}",
        site_id="hz-01",
        outgoing_assignment_id=outgoing.id,
        incoming_assignment_id=incoming.id,
        outgoing_person_id=outgoing.person_id,
        incoming_person_id=incoming.person_id,
        shift_log="",
        notes="",
        open_items=(),
        gathering_notes=(),
        status="submitted",
        overdue=False,
        submitted_at=datetime.now(UTC),
        accepted_at=None,
    )
    async with roster_pool.acquire() as conn:
        await duty_store.insert_handover(conn, handover=handover)
    assert await activities.handover_overdue(HandoverRef(handover.id))
    assert await activities.handover_overdue(HandoverRef(handover.id))  # a retry still says overdue
    async with roster_pool.acquire() as conn:
        stored = await duty_store.get_handover(conn, handover_id=handover.id)
        accepted = await duty_store.accept_handover(
            conn, handover_id=handover.id, accepted_at=datetime.now(UTC), remarks="late"
        )
    assert stored is not None and stored.overdue and stored.status == "overdue"
    assert accepted.overdue and accepted.status == "accepted"  # accepted late: it stays on record as overdue
    # Each change carries the next version, whatever the order the changes came in.
    async with roster_pool.acquire() as conn:
        signed = await duty_store.countersign_handover(
            conn, handover_id=handover.id, leader_id="p-hz-leader-1", at=datetime.now(UTC), remarks=""
        )
    assert signed is not None
    assert (stored.version, accepted.version, signed.version) == (2, 3, 4)
    assert not await activities.handover_overdue(HandoverRef(handover.id))
    # handover.overdue names whom it is charged to: the incoming officer, who did not accept in time.
    [event] = [e for e in await events_about(platform, handover.id) if e.type == "handover.overdue"]
    overdue = roster_pb2.Handover()
    assert event.payload.Unpack(overdue)
    assert overdue.charged_person_id == incoming.person_id
    assert event.aggregate_version == 2
    # Accepted late, it stays charged to them wherever it is read.
    assert convert.handover_message(accepted).charged_person_id == incoming.person_id


async def test_a_missed_handover_is_charged_to_the_outgoing_officer_once_and_both_are_told(
    platform: Any, roster_pool: asyncpg.Pool, notifier: NotifyClient
) -> None:
    activities = ShiftActivities(pool=roster_pool, notifier=notifier)
    start = datetime.now(UTC) - timedelta(hours=9)
    outgoing, incoming = (
        rules.Assignment(
            id=f"a-test-{uuid.uuid4()}",
            site_id="hz-01",
            person_id=person,
            role="officer",
            shift_name="extra",
            local_date=begins.date(),
            starts_at=begins,
            ends_at=begins + timedelta(hours=4),
        )
        for person, begins in (("p-hz-officer-3", start), ("p-hz-officer-2", start + timedelta(hours=4)))
    )
    async with roster_pool.acquire() as conn:
        for a in (outgoing, incoming):
            await schedule_store.add_assignment(conn, assignment=a)
    found = await activities.handover_missed(outgoing.id)
    assert found == MissedHandover(handed_over=False, incoming_assignment_id=incoming.id)
    assert await activities.handover_missed(outgoing.id) == found  # a retry records nothing more
    async with roster_pool.acquire() as conn:
        violations = await conn.fetch("SELECT person_id, kind FROM violations WHERE assignment_id = $1", outgoing.id)
    assert [(v["person_id"], v["kind"]) for v in violations] == [("p-hz-officer-3", "handover_missed")]
    [event] = [e for e in await events_about(platform, outgoing.id) if e.type == "handover.missed"]
    missed = event_pb2.HandoverMissed()
    assert event.payload.Unpack(missed)
    assert (missed.person_id, missed.incoming_person_id) == ("p-hz-officer-3", "p-hz-officer-2")
    # The incoming officer is told, the duty leader alerted (notify's templates in both languages).
    await activities.remind(ShiftNotice(incoming.id, "hz-01", "handover_missed_incoming", "no handover"))
    await activities.alert_leader(ShiftNotice(outgoing.id, "hz-01", "handover_missed", "no handover"))
    [told] = await notifications_about(platform, incoming.id)
    assert (told.person_id, told.template) == ("p-hz-officer-2", "handover_missed_incoming")
    alerted = await notifications_about(platform, outgoing.id)
    assert alerted and all(n.person_id.startswith("p-hz-leader") and n.template == "handover_missed" for n in alerted)

    # The last shift rostered has nobody to hand over to: nothing is charged.
    last = await past_assignment(roster_pool)
    assert await activities.handover_missed(last.id) == MissedHandover(handed_over=False)
