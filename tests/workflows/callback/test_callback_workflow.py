"""CallbackWorkflow on Temporal's time-skipping test server, with its activities replaced by fakes under
the same names that record each call (and the server time it was scheduled at) and keep the callback's
state as the store would; so deadlines of minutes and hours run in well under a second. Every finished
workflow's history is replayed, so a change that would break running callbacks fails the suite.

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

from dutyline.temporal_sandbox import workflow_runner
from tests.temporal_support import until, until_state
from workflows.callback.types import (
    DELIVER,
    ESCALATE,
    RECORD_OVERDUE,
    REMIND,
    STATE,
    CallbackInput,
    CallbackNotice,
    CallbackOutcome,
    CallbackState,
    callback_workflow_id,
)
from workflows.callback.workflow import CallbackWorkflow

Handle = WorkflowHandle[CallbackWorkflow, CallbackOutcome]
HISTORIES = Path(__file__).parent / "histories"
# Callbacks whose recipient notify refuses: the fakes fail as @classified makes INVALID_ARGUMENT, NOT_FOUND… fail.
UNDELIVERABLE = "cb-gone-"
# Scheduled times are the server's; a timer fires within a moment of its due time.
SLACK = timedelta(seconds=2)


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime  # when the server scheduled it (its skipped clock)


@dataclass
class FakeCallbackActivities:
    """The four callback activities for one test: record every call, keep the state as the store would."""

    states: dict[str, CallbackState] = field(default_factory=dict)
    overdue: set[str] = field(default_factory=set)
    # Callbacks the RPC completes (at the given time) just before record_overdue gets to them.
    completed_meanwhile: dict[str, datetime] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    def _refuse(self, notice: CallbackNotice) -> None:
        if notice.callback_id.startswith(UNDELIVERABLE):
            raise ApplicationError("AioRpcError: unknown directory entry", type="AioRpcError", non_retryable=True)

    @activity.defn(name=DELIVER)
    async def deliver(self, notice: CallbackNotice) -> None:
        self._record("deliver", notice)
        self._refuse(notice)

    @activity.defn(name=REMIND)
    async def remind(self, notice: CallbackNotice) -> None:
        self._record("remind", notice)
        self._refuse(notice)

    @activity.defn(name=ESCALATE)
    async def escalate(self, notice: CallbackNotice) -> None:
        self._record("escalate", notice)

    @activity.defn(name=RECORD_OVERDUE)
    async def record_overdue(self, callback_id: str) -> bool:
        self._record("record_overdue", callback_id)
        if callback_id in self.completed_meanwhile:
            self.states[callback_id] = CallbackState("completed", iso(self.completed_meanwhile[callback_id]))
        if self.state_of(callback_id).status != "open":
            return False
        self.overdue.add(callback_id)
        return True

    @activity.defn(name=STATE)
    async def state(self, callback_id: str) -> CallbackState:
        self._record("state", callback_id)
        return self.state_of(callback_id)

    def state_of(self, callback_id: str) -> CallbackState:
        return self.states.get(callback_id, CallbackState("open"))

    def activities(self) -> list[Callable[..., Any]]:
        return [self.deliver, self.remind, self.escalate, self.record_overdue, self.state]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def effects(self) -> list[str]:
        """Everything but the reads, in order: deliver, remind, record_overdue, escalate."""
        return [c.name for c in self.calls if c.name != "state"]


@pytest.fixture
def fake() -> FakeCallbackActivities:
    return FakeCallbackActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeCallbackActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[CallbackWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def start_callback(
    env: WorkflowEnvironment, worker: Worker, due_in: timedelta = timedelta(minutes=30), **options: Any
) -> tuple[Handle, datetime]:
    """A callback due `due_in` from the server's now (CallbackInput `options` as given); its handle and due time."""
    due_at = await env.get_current_time() + due_in
    callback_id = f"{options.pop('callback_id_prefix', 'cb-')}{uuid.uuid4()}"
    callback = CallbackInput(callback_id, "hz-01", recipient_id="p-officer-1", due_at=iso(due_at), **options)
    handle = await env.client.start_workflow(
        CallbackWorkflow.run, callback, id=callback_workflow_id(callback_id), task_queue=worker.task_queue
    )
    return handle, due_at


def callback_of(handle: Handle) -> str:
    return handle.id.removeprefix("callback-")


async def close(env: WorkflowEnvironment, handle: Handle, fake: FakeCallbackActivities, status: str) -> datetime:
    """What the CompleteCallback (or a cancelling) RPC does: record the outcome, then wake the workflow."""
    now = await env.get_current_time()
    fake.states[callback_of(handle)] = CallbackState(status, iso(now) if status == "completed" else None)
    await handle.signal(CallbackWorkflow.completed)
    return now


async def finish(handle: Handle) -> CallbackOutcome:
    """The outcome (skipping time as needed); its history must replay on the current code."""
    outcome = await handle.result()
    replayer = Replayer(workflows=[CallbackWorkflow], workflow_runner=workflow_runner())
    await replayer.replay_workflow(await handle.fetch_history())
    return outcome


async def closed_at(handle: Handle) -> datetime:
    closed = (await handle.describe()).close_time
    assert closed is not None
    return closed


def near(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) <= SLACK


async def test_completed_before_the_reminder_is_not_reminded(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, _ = await start_callback(env, worker)
    await env.sleep(timedelta(minutes=5))
    await until_state(handle, CallbackWorkflow.state, phase="before_reminder", status="open", reminded="false")
    completed = await close(env, handle, fake, "completed")

    assert await finish(handle) == CallbackOutcome(callback_of(handle), "completed", reminded=False, escalations=0)
    assert fake.effects() == []
    assert near(await closed_at(handle), completed)
    assert (await handle.query(CallbackWorkflow.state))["phase"] == "done"


async def test_reminded_then_completed_before_the_deadline(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(env, worker)
    await env.sleep(timedelta(minutes=21))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    reminder = fake.named("remind")[0]
    assert reminder.arg == CallbackNotice(
        callback_of(handle), "hz-01", "reminder", "p-officer-1", f"call back by {iso(due_at).replace('+00:00', 'Z')}"
    )
    assert near(reminder.at, due_at - timedelta(minutes=10))
    await until_state(handle, CallbackWorkflow.state, phase="before_due", status="open", reminded="true")

    await close(env, handle, fake, "completed")
    assert await finish(handle) == CallbackOutcome(callback_of(handle), "completed", reminded=True, escalations=0)
    assert fake.effects() == ["remind"]
    assert await closed_at(handle) < due_at


async def test_overdue_is_recorded_and_escalated_then_completed_late(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(env, worker)
    await env.sleep(timedelta(minutes=31))
    await until(lambda: bool(fake.named("escalate")), "the escalation")
    overdue, escalation = fake.named("record_overdue")[0], fake.named("escalate")[0]
    assert overdue.arg == callback_of(handle)
    assert near(overdue.at, due_at)
    assert (escalation.arg.kind, escalation.arg.recipient_id) == ("overdue", "p-officer-1")
    assert "escalation 1 of 3" in escalation.arg.detail
    assert near(escalation.at, due_at)
    assert callback_of(handle) in fake.overdue
    await until_state(handle, CallbackWorkflow.state, phase="overdue", status="overdue", escalations="1")

    await close(env, handle, fake, "completed")
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "overdue_completed", reminded=True, escalations=1)
    assert fake.effects() == ["remind", "record_overdue", "escalate"]
    assert await closed_at(handle) < due_at + timedelta(minutes=2)


async def test_never_completed_escalates_up_to_the_limit_then_is_abandoned(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(
        env, worker, due_in=timedelta(hours=1), remind_before_seconds=120, repeat_escalation_every_seconds=600
    )
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "abandoned", reminded=True, escalations=3)
    assert fake.effects() == ["remind", "record_overdue", "escalate", "escalate", "escalate"]
    assert near(fake.named("remind")[0].at, due_at - timedelta(minutes=2))
    escalations = fake.named("escalate")
    for n, call in enumerate(escalations):
        assert near(call.at, due_at + n * timedelta(minutes=10))
        assert f"escalation {n + 1} of 3" in call.arg.detail
    # The last escalation gets its interval too before the callback is given up.
    assert near(await closed_at(handle), due_at + timedelta(minutes=30))


async def test_urgent_callback_uses_the_urgent_defaults(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(env, worker, due_in=timedelta(minutes=5), urgent=True)
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "abandoned", reminded=True, escalations=3)
    assert near(fake.named("remind")[0].at, due_at - timedelta(minutes=1))
    escalations = fake.named("escalate")
    assert len(escalations) == 3
    for n, call in enumerate(escalations):
        assert near(call.at, due_at + n * timedelta(minutes=5))
    assert near(await closed_at(handle), due_at + timedelta(minutes=15))


async def test_completed_while_being_marked_overdue_is_not_escalated(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(env, worker)
    # Completed right at the deadline through the RPC, its signal not delivered yet.
    fake.completed_meanwhile[callback_of(handle)] = due_at
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "completed", reminded=True, escalations=0)
    assert fake.effects() == ["remind", "record_overdue"]
    assert callback_of(handle) not in fake.overdue


async def test_completed_late_while_being_marked_overdue_is_overdue_completed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(env, worker)
    fake.completed_meanwhile[callback_of(handle)] = due_at + timedelta(seconds=1)
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "overdue_completed", reminded=True, escalations=0)
    assert fake.effects() == ["remind", "record_overdue"]


async def test_cancelled_callback_ends_the_workflow(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, _ = await start_callback(env, worker)
    await env.sleep(timedelta(minutes=25))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    await close(env, handle, fake, "cancelled")
    outcome = await finish(handle)
    assert (outcome.status, outcome.reminded, outcome.escalations) == ("cancelled", True, 0)
    assert fake.effects() == ["remind"]


async def test_a_wake_up_without_a_recorded_completion_changes_nothing(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, due_at = await start_callback(env, worker)
    await handle.signal(CallbackWorkflow.completed)  # the store still says open: keep waiting
    await until(lambda: bool(fake.named("state")), "the state read")
    await until_state(handle, CallbackWorkflow.state, phase="before_reminder", status="open")
    await env.sleep(timedelta(minutes=21))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    assert near(fake.named("remind")[0].at, due_at - timedelta(minutes=10))
    await close(env, handle, fake, "completed")
    assert (await finish(handle)).status == "completed"


async def test_started_before_the_reminder_time_reminds_at_once(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    started = await env.get_current_time()
    handle, _ = await start_callback(env, worker, due_in=timedelta(minutes=4))  # reminder due 6 min ago
    await until(lambda: bool(fake.named("remind")), "the reminder")
    assert near(fake.named("remind")[0].at, started)
    await close(env, handle, fake, "completed")
    assert (await finish(handle)).status == "completed"


async def test_started_after_the_deadline_skips_the_reminder_and_is_overdue_at_once(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    started = await env.get_current_time()
    handle, _ = await start_callback(env, worker, due_in=-timedelta(minutes=10))
    await until(lambda: bool(fake.named("escalate")), "the escalation")
    assert fake.effects() == ["record_overdue", "escalate"]
    assert near(fake.named("record_overdue")[0].at, started)
    assert near(fake.named("escalate")[0].at, started)

    await close(env, handle, fake, "completed")
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "overdue_completed", reminded=False, escalations=1)


async def test_invalid_due_at_fails_the_workflow_without_retrying(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    callback = CallbackInput(f"cb-{uuid.uuid4()}", "hz-01", recipient_id="p-officer-1", due_at="tomorrow")
    handle = await env.client.start_workflow(
        CallbackWorkflow.run, callback, id=callback_workflow_id(callback.callback_id), task_queue=worker.task_queue
    )
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.type == "InvalidCallbackInput"
    assert failure.value.cause.non_retryable
    assert fake.calls == []


async def test_a_completed_history_replays_on_the_current_code(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    """Most paths in one history (a wake-up too early, remind, overdue, two escalations, completed late)."""
    handle, due_at = await start_callback(env, worker, urgent=True, due_in=timedelta(minutes=5))
    await handle.signal(CallbackWorkflow.completed)
    await env.sleep(timedelta(minutes=16))
    await until(lambda: len(fake.named("escalate")) == 3, "the third escalation")
    await until_state(handle, CallbackWorkflow.state, escalations="3")
    await close(env, handle, fake, "completed")
    assert (await handle.result()).status == "overdue_completed"

    history = await handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose.
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        HISTORIES.mkdir(exist_ok=True)
        (HISTORIES / "callback_overdue_completed.json").write_text(history.to_json())
    replayer = Replayer(workflows=[CallbackWorkflow], workflow_runner=workflow_runner())
    replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None
    assert fake.effects() == ["remind", "record_overdue", "escalate", "escalate", "escalate"]
    assert near(fake.named("escalate")[2].at, due_at + timedelta(minutes=10))


async def test_the_recorded_history_still_replays() -> None:
    """A history recorded from an earlier version: a change that breaks running callbacks fails here."""
    recorded = (HISTORIES / "callback_overdue_completed.json").read_text()
    history = WorkflowHistory.from_json("recorded-callback", recorded)
    await Replayer(workflows=[CallbackWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


# -- delivered when taken ---------------------------------------------------------------------------


async def test_a_message_is_delivered_when_taken_then_reminded_before_the_deadline(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    started = await env.get_current_time()
    handle, due_at = await start_callback(env, worker, kind="message")
    await until(lambda: bool(fake.named("deliver")), "the delivery")
    delivery = fake.named("deliver")[0]
    assert (delivery.arg.kind, delivery.arg.recipient_id) == ("delivery", "p-officer-1")
    assert near(delivery.at, started)  # at once, not at the reminder 20 minutes later
    await until_state(handle, CallbackWorkflow.state, phase="before_reminder", delivery="delivered")
    await env.sleep(timedelta(minutes=21))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    assert near(fake.named("remind")[0].at, due_at - timedelta(minutes=10))
    await close(env, handle, fake, "completed")
    assert await finish(handle) == CallbackOutcome(callback_of(handle), "completed", reminded=True, escalations=0)
    assert fake.effects() == ["deliver", "remind"]


async def test_a_message_that_can_never_be_delivered_alerts_the_leader_at_once_and_is_not_retried(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    started = await env.get_current_time()
    handle, due_at = await start_callback(env, worker, kind="message", callback_id_prefix=UNDELIVERABLE)
    await until(lambda: bool(fake.named("escalate")), "the leader's alert")
    alert = fake.named("escalate")[0]
    assert alert.arg.kind == "undeliverable" and "unknown directory entry" in alert.arg.detail
    assert near(alert.at, started)
    await until_state(handle, CallbackWorkflow.state, delivery="undeliverable", reminded="false")
    # The reminder, which would fail the same way, is skipped; the deadline still holds.
    await env.sleep(timedelta(minutes=31))
    await until(lambda: len(fake.named("escalate")) == 2, "the overdue escalation")
    assert fake.named("escalate")[1].arg.kind == "overdue"
    assert near(fake.named("escalate")[1].at, due_at)
    await close(env, handle, fake, "completed")
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "overdue_completed", reminded=False, escalations=1)
    # Once: a refusal is not retried (the activity said it was final).
    assert fake.effects() == ["deliver", "escalate", "record_overdue", "escalate"]
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        (HISTORIES / "message_undeliverable.json").write_text((await handle.fetch_history()).to_json())


async def test_the_recorded_history_of_an_undeliverable_message_still_replays() -> None:
    recorded = (HISTORIES / "message_undeliverable.json").read_text()
    history = WorkflowHistory.from_json("recorded-message", recorded)
    await Replayer(workflows=[CallbackWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


async def test_a_reminder_refused_for_good_alerts_the_leader_instead_of_failing_the_callback(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, _ = await start_callback(env, worker, due_in=timedelta(minutes=4), callback_id_prefix=UNDELIVERABLE)
    outcome = await finish(handle)
    assert outcome == CallbackOutcome(callback_of(handle), "abandoned", reminded=False, escalations=3)
    assert fake.effects()[:2] == ["remind", "escalate"]
    assert fake.named("escalate")[0].arg.kind == "undeliverable"
    assert [c.arg.kind for c in fake.named("escalate")[1:]] == ["overdue"] * 3


async def test_a_notice_with_missing_elements_is_told_to_the_leader_at_once(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    started = await env.get_current_time()
    handle, _ = await start_callback(env, worker, due_in=timedelta(hours=1), kind="notice")
    await until(lambda: bool(fake.named("deliver")), "the leader's notice")
    assert near(fake.named("deliver")[0].at, started)
    await close(env, handle, fake, "completed")
    assert (await finish(handle)).status == "completed"
    assert fake.effects() == ["deliver"]


async def test_a_promised_callback_is_not_delivered_when_taken(
    env: WorkflowEnvironment, worker: Worker, fake: FakeCallbackActivities
) -> None:
    handle, _ = await start_callback(env, worker, kind="callback")
    await env.sleep(timedelta(minutes=21))
    await until(lambda: bool(fake.named("remind")), "the reminder")
    await close(env, handle, fake, "completed")
    assert (await finish(handle)).status == "completed"
    assert fake.effects() == ["remind"]
