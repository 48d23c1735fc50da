"""ShiftWorkflow on Temporal's time-skipping test server, with its activities replaced by fakes that
record each call (and the server time it was scheduled at) and answer the check-in state the test
scripts; so a shift of hours runs in well under a second. Every finished workflow's history is
replayed, so a change that would break running shifts fails the suite.

The time-skipping server suits this workflow: it upserts no custom search attributes."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowHistory
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from tests.temporal_support import until, until_state
from workflows.shift.types import (
    ALERT_LEADER,
    CHECK_IN_STATE,
    HANDOVER_MISSED,
    HANDOVER_OVERDUE,
    INSPECTION_MISSED,
    RECORD_ABSENCE,
    REMIND,
    CheckInState,
    HandoverRef,
    MissedHandover,
    ShiftInput,
    ShiftNotice,
    ShiftOutcome,
    shift_workflow_id,
)
from workflows.shift.workflow import ShiftWorkflow

Handle = WorkflowHandle[ShiftWorkflow, ShiftOutcome]
# Scheduled times are the server's; a timer fires within a moment of its due time.
SLACK = timedelta(seconds=2)


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime  # when the server scheduled it (its skipped clock)


@dataclass
class FakeShiftActivities:
    """The five shift activities for one test: record every call, answer the scripted state."""

    check_ins: dict[str, CheckInState] = field(default_factory=dict)
    overdue_marks: bool = True  # what shift_handover_overdue answers
    # What shift_handover_missed answers: by default someone is rostered next and nothing was submitted.
    missed: MissedHandover = field(default_factory=lambda: MissedHandover(False, "as-next"))
    # Notices notify refuses for good (what @classified makes of INVALID_ARGUMENT, NOT_FOUND…).
    refused: bool = False
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    @activity.defn(name=REMIND)
    async def remind(self, notice: ShiftNotice) -> None:
        self._record("remind", notice)
        self._refuse()

    @activity.defn(name=CHECK_IN_STATE)
    async def check_in_state(self, assignment_id: str) -> CheckInState:
        self._record("check_in_state", assignment_id)
        return self.check_ins.get(assignment_id, CheckInState(status="pending"))

    @activity.defn(name=ALERT_LEADER)
    async def alert_leader(self, notice: ShiftNotice) -> None:
        self._record("alert_leader", notice)
        self._refuse()

    def _refuse(self) -> None:
        if self.refused:
            raise ApplicationError("AioRpcError: unknown person", type="AioRpcError", non_retryable=True)

    @activity.defn(name=RECORD_ABSENCE)
    async def record_absence(self, assignment_id: str) -> None:
        self._record("record_absence", assignment_id)

    @activity.defn(name=HANDOVER_OVERDUE)
    async def handover_overdue(self, ref: HandoverRef) -> bool:
        self._record("handover_overdue", ref)
        return self.overdue_marks

    @activity.defn(name=HANDOVER_MISSED)
    async def handover_missed(self, assignment_id: str) -> MissedHandover:
        self._record("handover_missed", assignment_id)
        return self.missed

    @activity.defn(name=INSPECTION_MISSED)
    async def inspection_missed(self, assignment_id: str) -> bool:
        """A leader's shift was inspected (the real check is in test_leader_inspection)."""
        self._record("inspection_missed", assignment_id)
        return False

    def activities(self) -> list[Callable[..., Any]]:
        return [
            self.handover_missed,
            self.remind,
            self.check_in_state,
            self.alert_leader,
            self.record_absence,
            self.handover_overdue,
        ]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def effects(self) -> list[str]:
        """Everything but the reads, in order: remind, record_absence, alert:<kind>, handover_overdue,
        handover_missed, remind:<kind> (a notice to another assignment than the shift's own)."""
        return [
            f"alert:{c.arg.kind}"
            if c.name == "alert_leader"
            else f"remind:{c.arg.kind}"
            if c.name == "remind" and c.arg.kind != "reminder"
            else c.name
            for c in self.calls
            if c.name != "check_in_state"
        ]


HISTORIES = Path(__file__).parent / "histories"


@pytest.fixture
def fake() -> FakeShiftActivities:
    return FakeShiftActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeShiftActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client, task_queue=f"tq-{uuid.uuid4()}", workflows=[ShiftWorkflow], activities=fake.activities()
    ) as running:
        yield running


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def start_shift(
    env: WorkflowEnvironment,
    worker: Worker,
    fake: FakeShiftActivities,
    starts_in: timedelta = timedelta(hours=2),
    recorded: Callable[[datetime], CheckInState] | None = None,
    supervise_check_in: bool = True,
) -> tuple[Handle, datetime, datetime]:
    """An 8 h shift starting `starts_in` from the server's now, the check-in `recorded` (given the
    start) already there; returns its handle, start and end."""
    now = await env.get_current_time()
    starts_at = now + starts_in
    ends_at = starts_at + timedelta(hours=8)
    assignment_id = f"as-{uuid.uuid4()}"
    if recorded:
        fake.check_ins[assignment_id] = recorded(starts_at)
    shift = ShiftInput(
        assignment_id, "hz-01", starts_at=iso(starts_at), ends_at=iso(ends_at), supervise_check_in=supervise_check_in
    )
    handle = await env.client.start_workflow(
        ShiftWorkflow.run, shift, id=shift_workflow_id(assignment_id), task_queue=worker.task_queue
    )
    return handle, starts_at, ends_at


def assignment(handle: Handle) -> str:
    return handle.id.removeprefix("shift-")


async def check_in(handle: Handle, fake: FakeShiftActivities, state: CheckInState) -> None:
    """What the CheckIn RPC does: record the check-in, then wake the workflow."""
    fake.check_ins[assignment(handle)] = state
    await handle.signal(ShiftWorkflow.check_in_recorded)


async def finish(handle: Handle) -> ShiftOutcome:
    """The outcome (skipping time as needed); its history must replay on the current code."""
    outcome = await handle.result()
    await Replayer(workflows=[ShiftWorkflow]).replay_workflow(await handle.fetch_history())
    return outcome


async def closed_at(handle: Handle) -> datetime:
    closed = (await handle.describe()).close_time
    assert closed is not None
    return closed


def near(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) <= SLACK


async def test_on_time_check_in_is_reminded_and_raises_no_alert(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, starts_at, _ = await start_shift(env, worker, fake)
    # A handover settled before the shift even starts ends the handover wait at once.
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-early"))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-early"))
    await env.sleep(timedelta(hours=1, minutes=1))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    reminder = fake.named("remind")[0]
    assert reminder.arg.kind == "reminder"
    assert near(reminder.at, starts_at - timedelta(minutes=60))
    await until_state(handle, ShiftWorkflow.state, phase="check_in", check_in="pending", handover="accepted")

    await check_in(handle, fake, CheckInState("on_time", iso(starts_at - timedelta(minutes=20))))
    assert await finish(handle) == ShiftOutcome(assignment(handle), check_in="on_time", handover="accepted")
    assert fake.effects() == ["remind"]
    assert (await handle.query(ShiftWorkflow.state))["phase"] == "done"


async def test_no_check_in_at_the_expected_arrival_alerts_the_leader(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, starts_at, _ = await start_shift(env, worker, fake)
    await env.sleep(timedelta(hours=1, minutes=44))  # a minute before the expected arrival
    await until(lambda: bool(fake.named("remind")), "the reminder")
    assert fake.effects() == ["remind"]

    await env.sleep(timedelta(minutes=2))
    await until(lambda: bool(fake.named("alert_leader")), "the not-checked-in alert")
    alert = fake.named("alert_leader")[0]
    assert (alert.arg.kind, alert.arg.site_id) == ("not_checked_in", "hz-01")
    assert near(alert.at, starts_at - timedelta(minutes=15))

    # Still before the start, so on time: nothing more to tell.
    await check_in(handle, fake, CheckInState("on_time", iso(starts_at - timedelta(minutes=5))))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))
    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("on_time", "accepted")
    assert fake.effects() == ["remind", "alert:not_checked_in"]


async def test_late_check_in_alerts_the_leader_once(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, starts_at, _ = await start_shift(env, worker, fake)
    await env.sleep(timedelta(hours=2, minutes=10))
    await until(lambda: "alert:not_checked_in" in fake.effects(), "the not-checked-in alert")

    await check_in(handle, fake, CheckInState("late", iso(starts_at + timedelta(minutes=10)), 600.0))
    await until_state(handle, ShiftWorkflow.state, check_in="late", phase="on_duty")
    await handle.signal(ShiftWorkflow.check_in_recorded)  # a repeated wake-up alerts nothing more
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("late", "accepted")
    assert fake.effects() == ["remind", "alert:not_checked_in", "alert:late"]
    late = fake.named("alert_leader")[1]
    assert near(late.at, starts_at + timedelta(minutes=10))
    assert "10 min late" in late.arg.detail


async def test_no_check_in_at_all_records_the_absence(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, starts_at, ends_at = await start_shift(env, worker, fake)

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("absent", "none")
    assert fake.effects() == ["remind", "alert:not_checked_in", "record_absence", "alert:absent"]
    absence = fake.named("record_absence")[0]
    assert absence.arg == assignment(handle)
    assert near(absence.at, starts_at + timedelta(minutes=30))
    assert near(await closed_at(handle), ends_at + timedelta(hours=6))


async def test_handover_accepted_in_time_is_not_overdue(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, _, ends_at = await start_shift(env, worker, fake)
    # Checked in before the reminder was due: nothing to remind of.
    await check_in(handle, fake, CheckInState("on_time", iso(await env.get_current_time())))
    await until_state(handle, ShiftWorkflow.state, check_in="on_time", phase="on_duty", handover="waiting")

    await env.sleep(ends_at - await env.get_current_time())
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-1"))
    await until_state(handle, ShiftWorkflow.state, phase="handover", handover="submitted", handover_id="ho-1")
    await env.sleep(timedelta(minutes=25))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("on_time", "accepted")
    assert fake.effects() == []
    assert await closed_at(handle) < ends_at + timedelta(minutes=30)


async def test_handover_not_accepted_in_time_is_overdue(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, _, ends_at = await start_shift(
        env, worker, fake, recorded=lambda starts_at: CheckInState("on_time", iso(starts_at))
    )
    await env.sleep(ends_at - await env.get_current_time())
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-1"))
    submitted_at = await env.get_current_time()

    await env.sleep(timedelta(minutes=31))
    await until(lambda: "alert:handover_overdue" in fake.effects(), "the overdue alert")
    overdue = fake.named("handover_overdue")[0]
    assert overdue.arg == HandoverRef("ho-1")
    assert near(overdue.at, submitted_at + timedelta(minutes=30))
    await until_state(handle, ShiftWorkflow.state, phase="handover", handover="overdue")

    # A late acceptance ends the wait early but leaves the outcome overdue.
    await env.sleep(timedelta(hours=1))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))
    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("on_time", "overdue")
    assert fake.effects() == ["handover_overdue", "alert:handover_overdue"]
    assert await closed_at(handle) < ends_at + timedelta(hours=2)


async def test_handover_accepted_while_being_marked_overdue_is_accepted(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    fake.overdue_marks = False  # accepted through the RPC, its signal not delivered yet
    handle, _, ends_at = await start_shift(
        env, worker, fake, recorded=lambda starts_at: CheckInState("on_time", iso(starts_at))
    )
    await env.sleep(ends_at - await env.get_current_time())
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-1"))

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("on_time", "accepted")
    assert fake.effects() == ["handover_overdue"]


async def test_no_handover_by_the_end_of_the_overlap_is_missed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, _, ends_at = await start_shift(
        env, worker, fake, recorded=lambda starts_at: CheckInState("on_time", iso(starts_at))
    )
    await env.sleep(ends_at + timedelta(minutes=29) - await env.get_current_time())
    await until_state(handle, ShiftWorkflow.state, phase="on_duty", handover="waiting")
    assert fake.effects() == []

    await env.sleep(timedelta(minutes=2))
    await until(lambda: "alert:handover_missed" in fake.effects(), "the missed-handover alert")
    missed = fake.named("handover_missed")[0]
    assert missed.arg == assignment(handle)
    assert near(missed.at, ends_at + timedelta(minutes=30))
    told = [c.arg for c in fake.named("remind")]
    assert [(n.assignment_id, n.kind) for n in told] == [("as-next", "handover_missed_incoming")]
    await until_state(handle, ShiftWorkflow.state, phase="handover", handover="missed")

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("on_time", "missed")
    assert fake.effects() == ["handover_missed", "remind:handover_missed_incoming", "alert:handover_missed"]
    assert near(await closed_at(handle), ends_at + timedelta(hours=6))


async def test_a_handover_submitted_after_the_overlap_is_still_followed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, _, ends_at = await start_shift(
        env, worker, fake, recorded=lambda starts_at: CheckInState("on_time", iso(starts_at))
    )
    await env.sleep(ends_at + timedelta(hours=1) - await env.get_current_time())
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-late"))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-late"))

    outcome = await finish(handle)
    # Missed all the same: the violation stands; the late handover is accepted.
    assert (outcome.check_in, outcome.handover) == ("on_time", "accepted")
    assert fake.effects() == ["handover_missed", "remind:handover_missed_incoming", "alert:handover_missed"]


async def test_no_handover_with_nobody_to_take_over_is_not_missed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    fake.missed = MissedHandover(handed_over=False)  # the last shift rostered: nobody to hand over to
    handle, _, ends_at = await start_shift(
        env, worker, fake, recorded=lambda starts_at: CheckInState("on_time", iso(starts_at))
    )
    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("on_time", "none")
    assert fake.effects() == ["handover_missed"]
    assert near(await closed_at(handle), ends_at + timedelta(hours=6))


async def test_a_duty_leaders_shift_has_no_handover_to_miss(
    env: WorkflowEnvironment, fake: FakeShiftActivities
) -> None:
    """The officers hand over and the leader countersigns: a leader's shift without a handover of its
    own is not 未交接班 (only its inspection is checked)."""
    now = await env.get_current_time()
    starts_at, ends_at = now + timedelta(hours=1), now + timedelta(hours=9)
    shift = ShiftInput(
        f"as-{uuid.uuid4()}",
        "hz-01",
        starts_at=iso(starts_at),
        ends_at=iso(ends_at),
        supervise_check_in=False,
        role="leader",
    )
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[ShiftWorkflow],
        activities=[*fake.activities(), fake.inspection_missed],
    ) as worker:
        handle = await env.client.start_workflow(
            ShiftWorkflow.run, shift, id=shift_workflow_id(shift.assignment_id), task_queue=worker.task_queue
        )
        outcome = await finish(handle)
    assert outcome.handover == "none"
    assert fake.effects() == ["inspection_missed"]


async def test_a_handover_submitted_but_not_yet_signalled_is_not_missed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    fake.missed = MissedHandover(handed_over=True)  # SubmitHandover committed, its signal still on the way
    handle, _, _ = await start_shift(
        env, worker, fake, recorded=lambda starts_at: CheckInState("on_time", iso(starts_at))
    )
    outcome = await finish(handle)
    assert outcome.handover == "none"
    assert fake.effects() == ["handover_missed"]


async def test_started_after_the_shift_began_skips_the_reminder(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    # Checked in 5 min late, before the workflow came up 10 min into the shift.
    handle, _, _ = await start_shift(
        env,
        worker,
        fake,
        starts_in=-timedelta(minutes=10),
        recorded=lambda starts_at: CheckInState("late", iso(starts_at + timedelta(minutes=5)), 300.0),
    )
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("late", "accepted")
    assert fake.effects() == ["alert:late"]


async def test_started_after_the_absence_deadline_records_the_absence_at_once(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, starts_at, _ = await start_shift(env, worker, fake, starts_in=-timedelta(hours=2))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))

    outcome = await finish(handle)
    assert (outcome.check_in, outcome.handover) == ("absent", "accepted")
    assert fake.effects() == ["record_absence", "alert:absent"]
    assert near(fake.named("record_absence")[0].at, starts_at + timedelta(hours=2))


async def test_invalid_input_fails_the_workflow_without_retrying(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    now = iso(await env.get_current_time())
    shift = ShiftInput(assignment_id=f"as-{uuid.uuid4()}", site_id="hz-01", starts_at=now, ends_at=now)
    handle = await env.client.start_workflow(
        ShiftWorkflow.run, shift, id=shift_workflow_id(shift.assignment_id), task_queue=worker.task_queue
    )
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.type == "InvalidShiftInput"
    assert fake.calls == []


async def test_a_completed_history_replays_on_the_current_code(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    """Most paths in one history (remind, not checked in, late, overdue, late acceptance), replayed."""
    handle, starts_at, ends_at = await start_shift(env, worker, fake)
    await env.sleep(timedelta(hours=2, minutes=5))
    await until(lambda: "alert:not_checked_in" in fake.effects(), "the not-checked-in alert")
    await check_in(handle, fake, CheckInState("late", iso(starts_at + timedelta(minutes=5)), 300.0))
    await env.sleep(ends_at - await env.get_current_time())
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-1"))
    await env.sleep(timedelta(minutes=45))
    await until(lambda: "alert:handover_overdue" in fake.effects(), "the overdue alert")
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-1"))
    assert (await handle.result()).handover == "overdue"

    history = await handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose.
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        HISTORIES.mkdir(exist_ok=True)
        (HISTORIES / "shift_late_and_overdue.json").write_text(history.to_json())
    replayer = Replayer(workflows=[ShiftWorkflow])
    replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None
    assert fake.effects() == [
        "remind",
        "alert:not_checked_in",
        "alert:late",
        "handover_overdue",
        "alert:handover_overdue",
    ]


async def test_a_shift_published_after_it_began_is_not_held_to_the_check_in(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    handle, _, _ = await start_shift(env, worker, fake, starts_in=-timedelta(hours=1), supervise_check_in=False)
    outcome = await finish(handle)
    assert outcome.check_in == "unsupervised"
    # Held to the handover all the same.
    assert fake.effects() == ["handover_missed", "remind:handover_missed_incoming", "alert:handover_missed"]


async def test_the_recorded_history_still_replays() -> None:
    """A history recorded from an earlier version: a change that breaks running shifts fails here."""
    recorded = (HISTORIES / "shift_late_and_overdue.json").read_text()
    await Replayer(workflows=[ShiftWorkflow]).replay_workflow(WorkflowHistory.from_json("recorded-shift", recorded))


async def test_notices_refused_for_good_do_not_stop_the_absence_being_recorded(
    env: WorkflowEnvironment, worker: Worker, fake: FakeShiftActivities
) -> None:
    fake.refused = True
    handle, _, _ = await start_shift(env, worker, fake, starts_in=timedelta(minutes=30))
    await handle.signal(ShiftWorkflow.handover_submitted, HandoverRef("ho-refused"))
    await handle.signal(ShiftWorkflow.handover_accepted, HandoverRef("ho-refused"))
    outcome = await finish(handle)
    assert outcome == ShiftOutcome(assignment(handle), check_in="absent", handover="accepted")
    # Each refused once (not retried), and the absence recorded all the same.
    assert fake.effects() == ["remind", "alert:not_checked_in", "record_absence", "alert:absent"]
