"""RosterService end to end on the real stack: organization, publishing with gaps and overrides,
who is on duty, leave and swaps with approval, check-in, handover, and their events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import pytest
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.events_catalog import payload_of
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.intake.v1 import case_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.e2e.test_emergency_call_slice import stream_events
from tests.support import staffed_site, token_for

pytestmark = pytest.mark.stack

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = token_for("p-admin", ["admin"], ["*"])
OFFICER, LEADER = common_pb2.ROLE_OFFICER, common_pb2.ROLE_LEADER

Stub = Callable[[str], Any]


@pytest.fixture
async def roster(platform: Any) -> AsyncIterator[Stub]:
    """roster(token) -> a RosterService stub calling with that token."""
    channels: dict[str, grpc.aio.Channel] = {}

    def stub(token: str) -> roster_pb2_grpc.RosterServiceStub:
        if token not in channels:
            channels[token] = channel(platform.address("roster"), token)
        return roster_pb2_grpc.RosterServiceStub(channels[token])

    yield stub
    for ch in channels.values():
        await ch.close()


def key() -> str:
    return str(uuid.uuid4())


def local_period(first: date, days: int, start_hour: int = 0) -> common_pb2.TimeRange:
    start = datetime.combine(first, time(start_hour), tzinfo=SHANGHAI)
    return common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=days)))


async def expect(code: grpc.StatusCode, call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


async def make_site(
    stub: Any, site_id: str, *, leaders: int = 1, officers: int = 2, officers_per_shift: int = 1
) -> None:
    """A fresh site under the east region with its people, a day/night pattern and rotations."""
    await staffed_site(stub(ADMIN), site_id, leaders=leaders, officers=officers, officers_per_shift=officers_per_shift)


async def add_leader_rotation(stub: Any, site_id: str, leaders: list[str]) -> None:
    await stub(ADMIN).UpsertRotation(
        roster_pb2.UpsertRotationRequest(
            idempotency_key=key(),
            rotation=roster_pb2.Rotation(
                id=f"{site_id}-leaders",
                site_id=site_id,
                pattern_id=f"{site_id}-dn",
                role=LEADER,
                person_ids=leaders,
                period_days=7,
                start_date="2026-01-01",
            ),
        )
    )


async def test_on_duty_now_has_officers_and_a_leader_until_the_next_shift_change(roster: Stub) -> None:
    on_duty = await roster(ADMIN).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))
    assert len(on_duty.officers) == 2 and len(on_duty.leaders) == 1
    until = on_duty.valid_until.ToDatetime(tzinfo=UTC).astimezone(SHANGHAI)
    assert until.time() in (time(8), time(20)) and until > datetime.now(UTC)


async def test_bad_organization_input_is_refused_and_nothing_is_written(roster: Stub, db: asyncpg.Connection) -> None:
    admin = roster(ADMIN)
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        admin.UpsertSite(
            roster_pb2.UpsertSiteRequest(
                idempotency_key=key(),
                site=roster_pb2.Site(
                    id="mars-01",
                    name="Mars",
                    kind=roster_pb2.SITE_KIND_SITE,
                    parent_id="east",
                    time_zone="Mars/Olympus",
                ),
            )
        ),
    )
    assert [v.field for v in field_violations(err)] == ["site.time_zone"]
    assert await db.fetchval("SELECT count(*) FROM roster.sites WHERE id = 'mars-01'") == 0
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        admin.UpsertRotation(
            roster_pb2.UpsertRotationRequest(
                idempotency_key=key(),
                rotation=roster_pb2.Rotation(
                    id="hz-01-x",
                    site_id="hz-01",
                    pattern_id="hz-01-day-night",
                    role=LEADER,
                    person_ids=["p-nobody", "p-hz-officer-1"],
                    start_date="2026-12-01",
                ),
            )
        ),
    )
    assert {v.field for v in field_violations(err)} == {"rotation.person_ids[0]", "rotation.person_ids[1]"}
    # An officer may not change the organization.
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        roster(token_for("p-hz-officer-1", ["officer"], ["hz-01"])).UpsertPerson(
            roster_pb2.UpsertPersonRequest(
                idempotency_key=key(),
                person=roster_pb2.Person(id="p-x", display_name="X", site_id="hz-01", roles=[OFFICER]),
            )
        ),
    )


async def test_overlapping_patterns_are_refused(roster: Stub) -> None:
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        roster(ADMIN).UpsertShiftPattern(
            roster_pb2.UpsertShiftPatternRequest(
                idempotency_key=key(),
                pattern=roster_pb2.ShiftPattern(
                    id="hz-01-evening",
                    site_id="hz-01",
                    name="evening",
                    shifts=[roster_pb2.ShiftDefinition(name="evening", local_start="18:00", duration_minutes=240)],
                ),
            )
        ),
    )
    assert "overlaps" in err.details()


async def test_a_roster_with_a_gap_is_refused_unless_overridden_with_a_reason(
    platform: Any, roster: Stub, db: asyncpg.Connection
) -> None:
    await make_site(roster, "t-gap")
    leader = roster(token_for("t-gap-l1", ["leader"], ["t-gap"]))
    first = date.today() + timedelta(days=10)
    period = local_period(first, 2, start_hour=8)
    refused = await leader.PublishRoster(
        roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id="t-gap", period=period)
    )
    assert not refused.published
    assert refused.gaps and {g.role for g in refused.gaps} == {LEADER}  # no leader rotation yet
    assert {v.rule for v in refused.violations} == {"shift_without_leader"}
    assert await db.fetchval("SELECT count(*) FROM roster.assignments WHERE site_id = 't-gap'") == 0

    overridden = await leader.PublishRoster(
        roster_pb2.PublishRosterRequest(
            idempotency_key=key(), site_id="t-gap", period=period, override_reason="领导外出学习 leaders on training"
        )
    )
    assert overridden.published and overridden.publication_id
    row = await db.fetchrow(
        "SELECT override_reason, gaps FROM roster.publications WHERE id = $1", overridden.publication_id
    )
    assert row["override_reason"] == "领导外出学习 leaders on training" and row["gaps"] != "[]"
    assert await db.fetchval("SELECT count(*) FROM roster.assignments WHERE site_id = 't-gap'") == 4

    await add_leader_rotation(roster, "t-gap", ["t-gap-l1"])
    clean = await leader.PublishRoster(
        roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id="t-gap", period=period)
    )
    assert clean.published and not clean.gaps
    # The leader alone on every shift back to back breaks the consecutive-shift rule, reported not refused.
    assert {v.rule for v in clean.violations} == {"too_many_consecutive_shifts"}
    gaps = await leader.FindCoverageGaps(roster_pb2.FindCoverageGapsRequest(site_id="t-gap", period=period))
    assert not gaps.gaps
    events = await stream_events(platform, aggregate_ids={overridden.publication_id, clean.publication_id}, count=2)
    assert [e.type for _, e in events] == ["roster.published", "roster.published"]
    # Each carries the roster as stored after it, for readers of the stream (insight's duties).
    carried = {e.aggregate_id: payload_of(e) for _, e in events}
    stored = await db.fetch("SELECT id, person_id FROM roster.assignments WHERE site_id = 't-gap'")
    assert isinstance(latest := carried[clean.publication_id], event_pb2.RosterPublished)
    assert {(a.id, a.person_id) for a in latest.roster} == {(r["id"], r["person_id"]) for r in stored}
    assert isinstance(earlier := carried[overridden.publication_id], event_pb2.RosterPublished)
    assert len(earlier.roster) == 4

    # Published assignments each get their ShiftWorkflow.
    client = await Client.connect(platform.temporal.address)
    for _ in range(100):
        pending = await db.fetchval(
            "SELECT count(*) FROM roster.assignments WHERE site_id = 't-gap' AND workflow_started_at IS NULL"
        )
        if pending == 0:
            break
        await asyncio.sleep(0.2)
    assert pending == 0
    some = await db.fetchval("SELECT id FROM roster.assignments WHERE site_id = 't-gap' LIMIT 1")
    description = await client.get_workflow_handle(f"shift-{some}").describe()
    assert description.workflow_type == "ShiftWorkflow"


async def test_publish_refuses_bad_periods(roster: Stub) -> None:
    leader = roster(token_for("p-hz-leader-1", ["leader"], ["hz-01"]))
    backwards = common_pb2.TimeRange(
        start=ts(datetime(2026, 12, 10, tzinfo=UTC)), end=ts(datetime(2026, 12, 1, tzinfo=UTC))
    )
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        leader.PublishRoster(roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id="hz-01", period=backwards)),
    )
    assert [v.field for v in field_violations(err)] == ["period"]
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        roster(token_for("p-hz-officer-1", ["officer"], ["hz-01"])).PublishRoster(
            roster_pb2.PublishRosterRequest(
                idempotency_key=key(), site_id="hz-01", period=local_period(date.today(), 1)
            )
        ),
    )


async def published_site(
    roster: Stub, site_id: str, *, officers: int = 3, officers_per_shift: int = 1
) -> list[roster_pb2.Assignment]:
    """A site with a roster for days 10-12 ahead; returns its assignments."""
    await make_site(roster, site_id, officers=officers, leaders=2, officers_per_shift=officers_per_shift)
    await add_leader_rotation(roster, site_id, [f"{site_id}-l1", f"{site_id}-l2"])
    period = local_period(date.today() + timedelta(days=10), 2, start_hour=8)
    leader = roster(token_for(f"{site_id}-l1", ["leader"], [site_id]))
    reply = await leader.PublishRoster(
        roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id=site_id, period=period, override_reason="test")
    )
    assert reply.published
    listed = await leader.ListAssignments(roster_pb2.ListAssignmentsRequest(site_id=site_id, period=period))
    return list(listed.assignments)


async def test_leave_needs_the_leaders_approval_and_changes_only_that_assignment(
    platform: Any, roster: Stub, db: asyncpg.Connection
) -> None:
    assignments = await published_site(roster, "t-leave")
    mine = next(a for a in assignments if a.role == OFFICER)
    person = mine.person_id
    substitute = next(
        p
        for p in ("t-leave-o1", "t-leave-o2", "t-leave-o3")
        if p != person and not any(a.person_id == p and a.start == mine.start for a in assignments)
    )
    me = roster(token_for(person, ["officer"], ["t-leave"]))
    # A substitute who is not an officer, or who does not exist, is bad input.
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        me.RequestLeave(
            roster_pb2.RequestLeaveRequest(idempotency_key=key(), assignment_id=mine.id, substitute_id="t-leave-l1")
        ),
    )
    assert [v.field for v in field_violations(err)] == ["substitute_id"]
    leave = await me.RequestLeave(
        roster_pb2.RequestLeaveRequest(
            idempotency_key=key(), assignment_id=mine.id, substitute_id=substitute, reason="家中有事 family matter"
        )
    )
    assert leave.status == "requested"
    unchanged = await me.GetAssignment(roster_pb2.GetAssignmentRequest(assignment_id=mine.id))
    assert unchanged.person_id == person, "nothing changes before approval"

    # Another officer cannot decide it; the requester cannot decide their own.
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        roster(token_for(substitute, ["officer"], ["t-leave"])).DecideLeave(
            roster_pb2.DecideLeaveRequest(idempotency_key=key(), leave_id=leave.id, approve=True)
        ),
    )
    leader = roster(token_for("t-leave-l1", ["leader"], ["t-leave"]))
    decided = await leader.DecideLeave(
        roster_pb2.DecideLeaveRequest(idempotency_key=key(), leave_id=leave.id, approve=True, remark="同意 approved")
    )
    assert (decided.status, decided.decided_by) == ("approved", "t-leave-l1") and decided.HasField("decided_at")
    changed = await leader.GetAssignment(roster_pb2.GetAssignmentRequest(assignment_id=mine.id))
    assert (changed.person_id, changed.rostered_person_id) == (substitute, person)
    after = {
        a.id: a.person_id
        for a in (
            await leader.ListAssignments(
                roster_pb2.ListAssignmentsRequest(
                    site_id="t-leave", period=local_period(date.today() + timedelta(days=10), 2, 8)
                )
            )
        ).assignments
    }
    assert {k: v for k, v in after.items() if k != mine.id} == {
        a.id: a.person_id for a in assignments if a.id != mine.id
    }
    # Deciding again is an illegal transition.
    await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        leader.DecideLeave(roster_pb2.DecideLeaveRequest(idempotency_key=key(), leave_id=leave.id, approve=False)),
    )
    events = await stream_events(platform, aggregate_ids={leave.id, mine.id}, count=3)
    assert sorted(e.type for _, e in events) == ["assignment.changed", "leave.decided", "leave.requested"]


async def test_leave_that_would_open_a_gap_is_refused_naming_it(roster: Stub, db: asyncpg.Connection) -> None:
    # Two officers per shift: taking over from the colleague on the same shift leaves one officer.
    assignments = await published_site(roster, "t-gapleave", officers=3, officers_per_shift=2)
    mine = next(a for a in assignments if a.role == OFFICER)
    colleague = next(a for a in assignments if a.role == OFFICER and a.start == mine.start and a.id != mine.id)
    me = roster(token_for(mine.person_id, ["officer"], ["t-gapleave"]))
    err = await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        me.RequestLeave(
            roster_pb2.RequestLeaveRequest(
                idempotency_key=key(), assignment_id=mine.id, substitute_id=colleague.person_id
            )
        ),
    )
    assert "officer 1/2" in err.details(), err.details()
    assert await db.fetchval("SELECT count(*) FROM roster.leave_requests WHERE assignment_id = $1", mine.id) == 0


async def test_a_swap_exchanges_two_people_and_nothing_else(platform: Any, roster: Stub) -> None:
    assignments = await published_site(roster, "t-swap")
    # Daily rotation, one officer per shift: A works day and night of the first day, B of the second.
    officers = sorted((a for a in assignments if a.role == OFFICER), key=lambda a: a.start.seconds)
    first, second = officers[0], officers[3]  # A's day shift and B's night shift: not adjacent
    assert first.person_id != second.person_id
    me = roster(token_for(first.person_id, ["officer"], ["t-swap"]))
    swap = await me.RequestSwap(
        roster_pb2.RequestSwapRequest(idempotency_key=key(), assignment_id=first.id, other_assignment_id=second.id)
    )
    leader = roster(token_for("t-swap-l2", ["leader"], ["t-swap"]))
    decided = await leader.DecideSwap(
        roster_pb2.DecideSwapRequest(idempotency_key=key(), swap_id=swap.id, approve=True)
    )
    assert decided.status == "approved"
    period = local_period(date.today() + timedelta(days=10), 2, 8)
    after = {
        a.id: a.person_id
        for a in (
            await leader.ListAssignments(roster_pb2.ListAssignmentsRequest(site_id="t-swap", period=period))
        ).assignments
    }
    before = {a.id: a.person_id for a in assignments}
    assert after[first.id] == second.person_id and after[second.id] == first.person_id
    assert {k: v for k, v in after.items() if k not in (first.id, second.id)} == {
        k: v for k, v in before.items() if k not in (first.id, second.id)
    }
    events = await stream_events(platform, aggregate_ids={swap.id}, count=2)
    assert [e.type for _, e in events] == ["swap.requested", "swap.decided"]


async def test_check_in_is_recorded_once_by_the_person_on_duty(platform: Any, roster: Stub) -> None:
    admin = roster(ADMIN)
    on_duty = await admin.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="nb-01"))
    officer = on_duty.officers[0]
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        roster(token_for(on_duty.officers[1].person_id, ["officer"], ["nb-01"])).CheckIn(
            roster_pb2.CheckInRequest(idempotency_key=key(), assignment_id=officer.assignment_id)
        ),
    )
    me = roster(token_for(officer.person_id, ["officer"], ["nb-01"]))
    record = await me.CheckIn(roster_pb2.CheckInRequest(idempotency_key=key(), assignment_id=officer.assignment_id))
    # The shift is under way, so the check-in is after the expected arrival (15 min before the start).
    assert record.status == "late" and record.late_seconds >= 15 * 60
    await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        me.CheckIn(roster_pb2.CheckInRequest(idempotency_key=key(), assignment_id=officer.assignment_id)),
    )
    events = await stream_events(platform, aggregate_ids={officer.assignment_id}, count=1)
    assert [e.type for _, e in events] == ["checkin.recorded"]
    # The event names the shift's start, at which insight's statistics count the check-in.
    shift = await admin.GetAssignment(roster_pb2.GetAssignmentRequest(assignment_id=officer.assignment_id))
    published = roster_pb2.CheckInRecord()
    assert events[0][1].payload.Unpack(published)
    assert published.shift_start == record.shift_start == shift.start


async def test_handover_carries_open_incidents_and_cases_and_is_accepted_by_the_incoming_officer(
    platform: Any, roster: Stub, intake: Any
) -> None:
    from tests.e2e.test_emergency_call_slice import emergency_call
    from tests.services.intake.cases.test_case_service import open_request

    admin = roster(ADMIN)
    on_duty = await admin.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))
    officer = on_duty.officers[-1]
    opened = await intake.RegisterCall(emergency_call(), timeout=20)
    me_token = token_for(officer.person_id, ["officer"], ["hz-01"])
    async with channel(platform.address("intake"), me_token) as ch:
        case = await case_pb2_grpc.CaseServiceStub(ch).OpenCase(open_request(), timeout=20)
    me = roster(me_token)
    handover = await me.SubmitHandover(
        roster_pb2.SubmitHandoverRequest(
            idempotency_key=key(),
            outgoing_assignment_id=officer.assignment_id,
            shift_log="夜间接警3起 three calls overnight",
            notes="燃气泄漏处置中 gas leak in progress",
        )
    )
    assert handover.status == "submitted" and handover.incoming_person_id
    assert opened.incident_id in {i.ref_id for i in handover.open_items if i.kind == "incident"}, (
        handover.gathering_notes
    )
    # Gathered as the officer handing over (on their behalf): the site's open cases, each with its due time.
    carried = {i.ref_id: i for i in handover.open_items if i.kind == "case"}
    assert case.id in carried and carried[case.id].HasField("due_at")
    # Every source answered: nothing is missing from the list.
    assert not handover.gathering_notes
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        me.AcceptHandover(roster_pb2.AcceptHandoverRequest(idempotency_key=key(), handover_id=handover.id)),
    )
    incoming = roster(token_for(handover.incoming_person_id, ["officer"], ["hz-01"]))
    accepted = await incoming.AcceptHandover(
        roster_pb2.AcceptHandoverRequest(idempotency_key=key(), handover_id=handover.id, remarks="已阅 received")
    )
    assert accepted.status == "accepted" and accepted.HasField("accepted_at")
    shown = await admin.GetHandover(roster_pb2.GetHandoverRequest(handover_id=handover.id))
    assert shown.remarks == "已阅 received"
    await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        me.SubmitHandover(
            roster_pb2.SubmitHandoverRequest(idempotency_key=key(), outgoing_assignment_id=officer.assignment_id)
        ),
    )
    events = await stream_events(platform, aggregate_ids={handover.id}, count=2)
    assert [e.type for _, e in events] == ["handover.submitted", "handover.accepted"]


async def test_the_directory_finds_departments_of_the_site_and_above(roster: Stub) -> None:
    found = await roster(token_for("p-hz-officer-1", ["officer"], ["hz-01"])).SearchDirectory(
        roster_pb2.SearchDirectoryRequest(site_id="hz-01", query="燃气")
    )
    assert [e.department for e in found.entries] == ["燃气集团 Gas company"]
    found = await roster(token_for("p-hz-officer-1", ["officer"], ["hz-01"])).SearchDirectory(
        roster_pb2.SearchDirectoryRequest(site_id="hz-01", query="119")
    )
    # The desk of the site above, by its number. Other entries may match too: the dev stack's IM addresses
    # carry a port number, which holds "119" now and then.
    assert "dir-hq-fire" in [e.id for e in found.entries]
