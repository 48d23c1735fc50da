"""CaseWorkflow on Temporal's time-skipping test server. Its activities are replaced by fakes under the
same names that keep the case as the store would (the deadline from the real working-day rule where
the test is about it) and record each call with the server time it was scheduled at; what the RPCs do
is done to the fake's state, followed by the changed signal. So deadlines of days run in well under a
second. Every finished workflow's history is replayed on the current code, and a recorded one too."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from services.intake.cases.calendar import Handling, HolidayCalendar, deadline
from tests.temporal_support import until, until_state
from workflows.case.types import (
    ESCALATE,
    ESCALATE_EVERY_SECONDS,
    RECORD_OVERDUE,
    REMIND,
    REOPEN_WINDOW_SECONDS,
    STATE,
    CaseInput,
    CaseNotice,
    CaseOutcome,
    CaseState,
    case_workflow_id,
)
from workflows.case.workflow import CaseWorkflow

Handle = WorkflowHandle[CaseWorkflow, CaseOutcome]
HISTORIES = Path(__file__).parent / "histories"
SLACK = timedelta(seconds=2)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONSULTATION = Handling(working_days=1, urgent_hours=2, remind_before_minutes=120)


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime


@dataclass
class FakeCaseActivities:
    """The four case activities for one test: record every call, keep each case as the store would."""

    states: dict[str, CaseState] = field(default_factory=dict)
    overdue: set[tuple[str, int]] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    @activity.defn(name=STATE)
    async def state(self, case_id: str) -> CaseState:
        self._record("state", case_id)
        return self.states[case_id]

    @activity.defn(name=REMIND)
    async def remind(self, notice: CaseNotice) -> None:
        self._record("remind", notice)

    @activity.defn(name=ESCALATE)
    async def escalate(self, notice: CaseNotice) -> None:
        self._record("escalate", notice)

    @activity.defn(name=RECORD_OVERDUE)
    async def record_overdue(self, notice: CaseNotice) -> bool:
        self._record("record_overdue", notice)
        state = self.states[notice.case_id]
        if state.deadline_round != notice.deadline_round or state.status in ("feedback_given", "closed"):
            return False
        self.overdue.add((notice.case_id, notice.deadline_round))
        return True

    def activities(self) -> list[Callable[..., Any]]:
        return [self.state, self.remind, self.escalate, self.record_overdue]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def effects(self) -> list[str]:
        """Everything but the reads, in order."""
        return [c.name for c in self.calls if c.name != "state"]


@pytest.fixture
def fake() -> FakeCaseActivities:
    return FakeCaseActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeCaseActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[CaseWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def near(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) <= SLACK


async def open_case(
    env: WorkflowEnvironment,
    worker: Worker,
    fake: FakeCaseActivities,
    *,
    due_in: timedelta = timedelta(hours=8),
    remind_before: timedelta = timedelta(hours=2),
    status: str = "in_progress",
) -> tuple[Handle, datetime]:
    """A case due ``due_in`` from the server's now; its handle and deadline."""
    now = await env.get_current_time()
    due_at = now + due_in
    return await start(env, worker, fake, CaseState(status, iso(due_at), iso(due_at - remind_before), 1)), due_at


async def start(env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities, state: CaseState) -> Handle:
    case_id = f"case-{uuid.uuid4()}"
    fake.states[case_id] = state
    return await env.client.start_workflow(
        CaseWorkflow.run, CaseInput(case_id, "hz-01"), id=case_workflow_id(case_id), task_queue=worker.task_queue
    )


def case_of(handle: Handle) -> str:
    return handle.id.removeprefix("case-")


async def change(handle: Handle, fake: FakeCaseActivities, **values: Any) -> None:
    """What an RPC does: record the change, then wake the workflow."""
    fake.states[case_of(handle)] = replace(fake.states[case_of(handle)], **values)
    await handle.signal(CaseWorkflow.changed)


async def finish(handle: Handle) -> CaseOutcome:
    """The outcome; its history must replay on the current code."""
    outcome = await handle.result()
    await Replayer(workflows=[CaseWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        await handle.fetch_history()
    )
    return outcome


async def test_handled_on_time_is_reminded_once_and_never_escalated(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    handle, due_at = await open_case(env, worker, fake)
    await env.sleep(timedelta(hours=6, minutes=30))
    await until(lambda: bool(fake.named("remind")), "the supervision reminder")
    reminder = fake.named("remind")[0]
    assert (reminder.arg.kind, reminder.arg.deadline_round) == ("reminder", 1)
    assert near(reminder.at, due_at - timedelta(hours=2))
    await until_state(handle, CaseWorkflow.state, phase="before_due", reminded="true")

    await change(handle, fake, status="feedback_given")
    await until_state(handle, CaseWorkflow.state, phase="met")
    await env.sleep(timedelta(days=3))  # the deadline passes, met: nothing happens
    await change(handle, fake, status="closed")
    assert await finish(handle) == CaseOutcome(case_of(handle), rounds=1, overdue_rounds=0, escalations=0)
    assert fake.effects() == ["remind"]


async def test_reminded_then_overdue_then_escalated_up_to_the_limit(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    handle, due_at = await open_case(env, worker, fake)
    await env.sleep(timedelta(hours=8, minutes=1))
    await until(lambda: bool(fake.named("escalate")), "the first escalation")
    marked, first = fake.named("record_overdue")[0], fake.named("escalate")[0]
    assert near(marked.at, due_at) and near(first.at, due_at)
    assert (case_of(handle), 1) in fake.overdue
    assert "escalation 1 of 3" in first.arg.detail and first.arg.escalation == 1
    await until_state(handle, CaseWorkflow.state, phase="overdue", escalations="1")

    every = timedelta(seconds=ESCALATE_EVERY_SECONDS)
    await env.sleep(every * 3)
    await until(lambda: len(fake.named("escalate")) == 3, "three escalations")
    assert [c.at - due_at for c in fake.named("escalate")][1:] == pytest.approx([every, every * 2], abs=SLACK)
    await env.sleep(every * 2)
    assert fake.effects() == ["remind", "record_overdue", "escalate", "escalate", "escalate"]

    await change(handle, fake, status="feedback_given")
    await change(handle, fake, status="closed")
    assert await finish(handle) == CaseOutcome(case_of(handle), rounds=1, overdue_rounds=1, escalations=3)


async def test_answered_without_feedback_to_the_caller_is_still_overdue(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    handle, due_at = await open_case(env, worker, fake)
    await env.sleep(timedelta(hours=1))
    await change(handle, fake, status="answered")
    await env.sleep(timedelta(hours=7, minutes=1))
    await until(lambda: bool(fake.named("escalate")), "the escalation")
    assert near(fake.named("record_overdue")[0].at, due_at)

    await change(handle, fake, status="feedback_given")
    await until_state(handle, CaseWorkflow.state, phase="met")
    await change(handle, fake, status="closed")
    outcome = await finish(handle)
    assert (outcome.overdue_rounds, outcome.escalations) == (1, 1)


async def test_a_dissatisfied_return_visit_reopens_with_a_new_deadline(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    handle, _ = await open_case(env, worker, fake)
    await env.sleep(timedelta(hours=1))
    await change(handle, fake, status="feedback_given")
    await until_state(handle, CaseWorkflow.state, phase="met")

    # 回访: dissatisfied. The RPC set the policy's new deadline (round 2) and put it back in progress.
    now = await env.get_current_time()
    new_due = now + timedelta(hours=8)
    await change(
        handle,
        fake,
        status="in_progress",
        due_at=iso(new_due),
        remind_at=iso(new_due - timedelta(hours=2)),
        deadline_round=2,
    )
    await until_state(handle, CaseWorkflow.state, phase="before_reminder", round="2", reminded="false")
    await env.sleep(timedelta(hours=8, minutes=1))
    await until(lambda: bool(fake.named("escalate")), "the escalation of the reopened case")
    reminder, marked = fake.named("remind")[-1], fake.named("record_overdue")[0]
    assert reminder.arg.deadline_round == 2 and near(reminder.at, new_due - timedelta(hours=2))
    assert marked.arg.deadline_round == 2 and near(marked.at, new_due)

    await change(handle, fake, status="closed")
    assert await finish(handle) == CaseOutcome(case_of(handle), rounds=2, overdue_rounds=1, escalations=1)


async def next_friday_morning(env: WorkflowEnvironment) -> datetime:
    """Skips the server's clock to 10:00 on the next Friday, Shanghai time; returns it."""
    now = (await env.get_current_time()).astimezone(SHANGHAI)
    friday = now.date() + timedelta(days=(4 - now.weekday()) % 7 or 7)
    moment = datetime.combine(friday, time(10), tzinfo=SHANGHAI)
    await env.sleep(moment - now)
    return moment


@pytest.mark.parametrize(
    ("listed", "due_day"),
    [
        ({}, 3),  # Friday → Monday, across the weekend
        ({"holidays": [3]}, 4),  # … and a listed holiday Monday → Tuesday
        ({"holidays": [3], "working_days": [2]}, 2),  # … unless Sunday is a make-up working day
    ],
)
async def test_working_day_deadlines_across_a_weekend_a_holiday_and_a_make_up_day(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities, listed: dict[str, list[int]], due_day: int
) -> None:
    friday = await next_friday_morning(env)

    def day(offset: int) -> date:
        return friday.date() + timedelta(days=offset)

    calendar = HolidayCalendar(
        holidays=frozenset(day(n) for n in listed.get("holidays", [])),
        working_days=frozenset(day(n) for n in listed.get("working_days", [])),
    )
    opened = await env.get_current_time()
    due = deadline(opened, CONSULTATION, calendar, SHANGHAI, urgent=False)
    expected = datetime.combine(day(due_day), time(10), tzinfo=SHANGHAI)
    assert near(due.due_at, expected)
    handle = await start(env, worker, fake, CaseState("in_progress", iso(due.due_at), iso(due.remind_at), 1))

    await env.sleep(expected - opened + timedelta(minutes=1))
    await until(lambda: bool(fake.named("escalate")), "the escalation")
    assert near(fake.named("remind")[0].at, expected - timedelta(hours=2))
    assert near(fake.named("record_overdue")[0].at, expected)
    await change(handle, fake, status="closed")
    await finish(handle)


async def test_a_reassignment_acknowledged_restarts_supervision_for_the_new_deadline(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    handle, _ = await open_case(env, worker, fake)
    await env.sleep(timedelta(hours=6, minutes=30))
    await until(lambda: bool(fake.named("remind")), "the first reminder")
    now = await env.get_current_time()
    new_due = now + timedelta(hours=8)
    await change(handle, fake, due_at=iso(new_due), remind_at=iso(new_due - timedelta(hours=2)), deadline_round=2)
    await env.sleep(timedelta(hours=2))  # the first deadline passes: no longer in force
    await until_state(handle, CaseWorkflow.state, phase="before_reminder", round="2")
    assert fake.effects() == ["remind"]
    await change(handle, fake, status="closed")
    assert await finish(handle) == CaseOutcome(case_of(handle), rounds=2, overdue_rounds=0, escalations=0)


async def test_a_completed_history_replays_on_the_current_code(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    """Most paths in one history: reminder, overdue, escalation, told, reopened, closed."""
    handle, _ = await open_case(env, worker, fake, due_in=timedelta(hours=3))
    await env.sleep(timedelta(hours=3, minutes=1))
    await until(lambda: bool(fake.named("escalate")), "the escalation")
    await change(handle, fake, status="feedback_given")
    await until_state(handle, CaseWorkflow.state, phase="met")
    now = await env.get_current_time()
    await change(
        handle, fake, status="in_progress", due_at=iso(now + timedelta(hours=1)), remind_at=iso(now), deadline_round=2
    )
    await until(lambda: len(fake.named("remind")) == 2, "the second reminder")
    await change(handle, fake, status="closed")
    await handle.result()
    history = await handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose.
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        HISTORIES.mkdir(exist_ok=True)
        (HISTORIES / "case_reopened_closed.json").write_text(history.to_json())
    replayed = await Replayer(workflows=[CaseWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert replayed.replay_failure is None


async def test_the_recorded_history_still_replays() -> None:
    """A history recorded from an earlier version: a change that breaks running cases fails here."""
    recorded = (HISTORIES / "case_reopened_closed.json").read_text()
    history = WorkflowHistory.from_json("case-recorded", recorded)
    replayed = await Replayer(workflows=[CaseWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert replayed.replay_failure is None


async def test_a_closed_case_reopened_within_the_window_is_supervised_again(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCaseActivities
) -> None:
    handle, _ = await open_case(env, worker, fake)
    await until_state(handle, CaseWorkflow.state, phase="before_reminder")
    await change(handle, fake, status="feedback_given")
    closed_at = await env.get_current_time()
    await change(handle, fake, status="closed", closed_at=iso(closed_at))
    await until_state(handle, CaseWorkflow.state, phase="closed")
    await env.sleep(timedelta(days=REOPEN_WINDOW_SECONDS // 86400 - 1))
    now = await env.get_current_time()
    new_due = now + timedelta(hours=8)
    await change(
        handle,
        fake,
        status="in_progress",
        due_at=iso(new_due),
        remind_at=iso(new_due - timedelta(hours=2)),
        deadline_round=2,
    )
    await until_state(handle, CaseWorkflow.state, phase="before_reminder", round="2")
    await change(handle, fake, status="closed", closed_at=iso(now))
    outcome = await finish(handle)
    assert outcome == CaseOutcome(case_of(handle), rounds=2, overdue_rounds=0, escalations=0)
    # It ended when the window after the last closing had passed.
    described = (await handle.describe()).close_time
    assert described is not None and near(described, now + timedelta(seconds=REOPEN_WINDOW_SECONDS))
