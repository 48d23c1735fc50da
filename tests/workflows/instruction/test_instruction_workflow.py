"""InstructionWorkflow (领导批示落实) on Temporal's time-skipping test server. Its activities are replaced by
fakes under the same names that keep the instruction as the store would and record each call with the
server time it was scheduled at; CompleteInstruction is done to the fake's state, followed by the
completed signal. Every finished workflow's history is replayed on the current code, and a recorded
one too."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from tests.temporal_support import until, until_state
from workflows.instruction.types import (
    ESCALATE,
    ESCALATE_EVERY_SECONDS,
    MAX_ESCALATIONS,
    RECORD_OVERDUE,
    REMIND,
    REMIND_BEFORE_SECONDS,
    STATE,
    InstructionInput,
    InstructionNotice,
    InstructionOutcome,
    InstructionState,
    instruction_workflow_id,
)
from workflows.instruction.workflow import InstructionWorkflow, remind_at

Handle = WorkflowHandle[InstructionWorkflow, InstructionOutcome]
HISTORIES = Path(__file__).parent / "histories"
RECORDED = HISTORIES / "instruction_overdue_completed.json"
SLACK = timedelta(seconds=2)
EVERY = timedelta(seconds=ESCALATE_EVERY_SECONDS)


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime


@dataclass
class FakeInstructionActivities:
    """The four instruction activities for one test: record every call, keep each instruction as the
    store would."""

    states: dict[str, InstructionState] = field(default_factory=dict)
    overdue: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    @activity.defn(name=STATE)
    async def state(self, instruction_id: str) -> InstructionState:
        self._record("state", instruction_id)
        return self.states[instruction_id]

    @activity.defn(name=REMIND)
    async def remind(self, notice: InstructionNotice) -> None:
        self._record("remind", notice)

    @activity.defn(name=ESCALATE)
    async def escalate(self, notice: InstructionNotice) -> None:
        self._record("escalate", notice)

    @activity.defn(name=RECORD_OVERDUE)
    async def record_overdue(self, instruction_id: str) -> bool:
        self._record("record_overdue", instruction_id)
        if self.states[instruction_id].status == "completed":
            return False
        self.overdue.add(instruction_id)
        return True

    def activities(self) -> list[Callable[..., Any]]:
        return [self.state, self.remind, self.escalate, self.record_overdue]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def effects(self) -> list[str]:
        """Everything but the reads, in order."""
        return [c.name for c in self.calls if c.name != "state"]


@pytest.fixture
def fake() -> FakeInstructionActivities:
    return FakeInstructionActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeInstructionActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[InstructionWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


def near(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) <= SLACK


async def record(
    env: WorkflowEnvironment, worker: Worker, fake: FakeInstructionActivities, due_in: timedelta
) -> tuple[Handle, datetime]:
    """An instruction due ``due_in`` from the server's now, and its process; the handle and deadline."""
    due_at = await env.get_current_time() + due_in
    instruction_id = f"ins-{uuid.uuid4()}"
    fake.states[instruction_id] = InstructionState("open", due_at.astimezone(UTC).isoformat())
    handle = await env.client.start_workflow(
        InstructionWorkflow.run,
        InstructionInput(instruction_id, "hz-01"),
        id=instruction_workflow_id(instruction_id),
        task_queue=worker.task_queue,
    )
    return handle, due_at


async def complete(env: WorkflowEnvironment, handle: Handle, fake: FakeInstructionActivities) -> None:
    """What CompleteInstruction does: record the completion, then wake the workflow."""
    instruction_id = handle.id.removeprefix("instruction-")
    at = (await env.get_current_time()).astimezone(UTC).isoformat()
    fake.states[instruction_id] = replace(fake.states[instruction_id], status="completed", completed_at=at)
    await handle.signal(InstructionWorkflow.completed)


async def finish(handle: Handle) -> InstructionOutcome:
    """The outcome; its history must replay on the current code."""
    outcome = await handle.result()
    await Replayer(workflows=[InstructionWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        await handle.fetch_history()
    )
    return outcome


def test_the_reminder_comes_ahead_of_the_deadline_or_halfway_to_a_short_one() -> None:
    start = datetime(2026, 12, 5, 8, tzinfo=UTC)
    before = timedelta(seconds=REMIND_BEFORE_SECONDS)
    assert remind_at(start + timedelta(hours=4), start) == start + timedelta(hours=4) - before
    assert remind_at(start + timedelta(minutes=20), start) == start + timedelta(minutes=10)
    assert remind_at(start, start) is None


async def test_completed_in_time_is_reminded_once_and_never_escalated(
    env: WorkflowEnvironment, worker: Worker, fake: FakeInstructionActivities
) -> None:
    handle, due_at = await record(env, worker, fake, timedelta(hours=2))
    await env.sleep(timedelta(hours=1, minutes=40))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    reminder = fake.named("remind")[0]
    assert reminder.arg.kind == "reminder" and near(reminder.at, due_at - timedelta(seconds=REMIND_BEFORE_SECONDS))
    await until_state(handle, InstructionWorkflow.state, phase="before_due", reminded="true")

    await complete(env, handle, fake)
    # Ended by the completion itself, before the deadline (the server's clock does not move meanwhile).
    await until_state(handle, InstructionWorkflow.state, phase="done")
    outcome = await finish(handle)
    assert outcome == InstructionOutcome(handle.id.removeprefix("instruction-"), "completed", True, 0)
    await env.sleep(timedelta(hours=3))  # past the deadline: nothing more happens
    assert fake.effects() == ["remind"]
    assert not fake.overdue


async def test_overdue_is_reminded_then_escalated_until_completed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeInstructionActivities
) -> None:
    handle, due_at = await record(env, worker, fake, timedelta(hours=1))
    await env.sleep(timedelta(hours=1, minutes=1))
    await until(lambda: bool(fake.named("escalate")), "the first escalation")
    reminder, marked, first = fake.named("remind")[0], fake.named("record_overdue")[0], fake.named("escalate")[0]
    assert near(reminder.at, due_at - timedelta(seconds=REMIND_BEFORE_SECONDS))
    assert near(marked.at, due_at) and near(first.at, due_at)
    assert (first.arg.kind, first.arg.escalation) == ("overdue", 1) and "escalation 1 of 3" in first.arg.detail
    await until_state(handle, InstructionWorkflow.state, phase="overdue", escalations="1")

    await env.sleep(EVERY * (MAX_ESCALATIONS + 2))
    await until(lambda: len(fake.named("escalate")) == MAX_ESCALATIONS, "every escalation")
    assert [c.at - due_at for c in fake.named("escalate")] == pytest.approx(
        [EVERY * n for n in range(MAX_ESCALATIONS)], abs=SLACK
    )
    assert fake.effects() == ["remind", "record_overdue", *["escalate"] * MAX_ESCALATIONS]

    await complete(env, handle, fake)
    outcome = await finish(handle)
    assert (outcome.status, outcome.reminded, outcome.escalations) == ("overdue_completed", True, MAX_ESCALATIONS)
    history = await handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose.
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        HISTORIES.mkdir(exist_ok=True)
        RECORDED.write_text(history.to_json())


async def test_due_already_when_recorded_is_escalated_at_once_without_a_reminder(
    env: WorkflowEnvironment, worker: Worker, fake: FakeInstructionActivities
) -> None:
    handle, _ = await record(env, worker, fake, timedelta(minutes=-5))
    await until(lambda: bool(fake.named("escalate")), "the escalation")
    assert fake.effects() == ["record_overdue", "escalate"]
    await complete(env, handle, fake)
    assert (await finish(handle)).status == "overdue_completed"


async def test_a_recorded_history_replays_on_the_current_code() -> None:
    history = WorkflowHistory.from_json("instruction-recorded", RECORDED.read_text())
    replayed = await Replayer(workflows=[InstructionWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert replayed.replay_failure is None
