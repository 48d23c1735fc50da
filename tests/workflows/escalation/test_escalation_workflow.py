"""EscalationWorkflow on Temporal's time-skipping test server, with its activities replaced by fakes under
the same names that record each call (and the server time it was scheduled at), reach the people the test
scripts and keep the acknowledgement as the store would; so a chain of minutes runs in well under a
second. Every finished workflow's history is replayed, so a change that would break running escalations
fails the suite.

The time-skipping server suits this workflow: it upserts no custom search attributes."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
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
from tests.temporal_support import ATTEMPTS, PAUSE, until, with_input_fields
from workflows.escalation.types import (
    ACK_STATE,
    ESCALATION_REVISION,
    NOTIFY_STEP,
    RECORD_ACK,
    RECORD_EXHAUSTED,
    AckNotice,
    Acknowledgement,
    EscalationInput,
    EscalationResult,
    EscalationState,
    ExhaustedNotice,
    StepData,
    StepNotice,
    StepSent,
    escalation_workflow_id,
)
from workflows.escalation.workflow import EscalationWorkflow

Handle = WorkflowHandle[EscalationWorkflow, EscalationResult]
HISTORIES = Path(__file__).parent / "histories"
# Histories recorded from earlier versions, oldest first; running escalations of each must keep replaying.
RECORDED = ("escalation_acknowledged_in_second_loop.json", "escalation_revision_1_acknowledged_in_second_loop.json")
# Scheduled times are the server's; a timer fires within a moment of its due time.
SLACK = timedelta(seconds=2)
OFFICER, LEADER, HEAD = "p-officer-1", "p-leader-1", "p-head-1"
# officer 60 s → leader 300 s → unit head 600 s: a loop lasts 960 s.
CHAIN = [
    StepData("role", "hz-01:officer", "", 60),
    StepData("role", "hz-01:leader", "sms", 300),
    StepData("role", "hz-01:unit_head", "phone", 600),
]


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime  # when the server scheduled it (its skipped clock)


@dataclass
class FakeEscalationActivities:
    """The four escalation activities for one test: record every call, reach whom the test says."""

    reached: dict[int, list[str]] = field(default_factory=lambda: {1: [OFFICER], 2: [LEADER], 3: [HEAD]})
    stored: dict[str, Acknowledgement] = field(default_factory=dict)  # the acknowledgements in the store
    failing_steps: set[int] = field(default_factory=set)
    while_notifying: Callable[[StepNotice], Awaitable[None]] | None = None
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    @activity.defn(name=NOTIFY_STEP)
    async def notify_step(self, notice: StepNotice) -> StepSent:
        self._record("notify", notice)
        if self.while_notifying is not None:
            await self.while_notifying(notice)
        if notice.step in self.failing_steps:
            raise ApplicationError(f"step {notice.step} cannot be resolved", non_retryable=True)
        people = self.reached.get(notice.step, [])
        return StepSent(people, [f"n-{notice.loop}-{notice.step}-{person}" for person in people])

    @activity.defn(name=ACK_STATE)
    async def ack_state(self, escalation_id: str) -> Acknowledgement | None:
        self._record("ack_state", escalation_id)
        return self.stored.get(escalation_id)

    @activity.defn(name=RECORD_ACK)
    async def record_ack(self, notice: AckNotice) -> None:
        self._record("record_ack", notice)

    @activity.defn(name=RECORD_EXHAUSTED)
    async def record_exhausted(self, notice: ExhaustedNotice) -> None:
        self._record("record_exhausted", notice)

    def activities(self) -> list[Callable[..., Any]]:
        return [self.notify_step, self.ack_state, self.record_ack, self.record_exhausted]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def steps(self) -> list[tuple[int, int]]:
        """(loop, step) of every notification, in order."""
        return [(c.arg.loop, c.arg.step) for c in self.named("notify")]

    def effects(self) -> list[str]:
        return [c.name for c in self.calls]


@pytest.fixture
def fake() -> FakeEscalationActivities:
    return FakeEscalationActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeEscalationActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[EscalationWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def start_escalation(
    env: WorkflowEnvironment, worker: Worker, **options: Any
) -> tuple[Handle, datetime, EscalationInput]:
    """The 3-step chain twice from step 1, of the revision notify starts (EscalationInput `options` as
    given); its handle, start and input."""
    escalation = EscalationInput(
        f"esc-{uuid.uuid4()}", "hz-01", CHAIN, repeat=2, first_step=0, revision=ESCALATION_REVISION
    )
    escalation = dataclasses.replace(escalation, **options)
    started = await env.get_current_time()
    handle = await env.client.start_workflow(
        EscalationWorkflow.run,
        escalation,
        id=escalation_workflow_id(escalation.escalation_id),
        task_queue=worker.task_queue,
    )
    return handle, started, escalation


async def finish(handle: Handle) -> EscalationResult:
    """The result (skipping time as needed); its history must replay on the current code."""
    result = await handle.result()
    replayer = Replayer(workflows=[EscalationWorkflow], workflow_runner=workflow_runner())
    await replayer.replay_workflow(await handle.fetch_history())
    return result


async def until_state(handle: Handle, **expected: Any) -> EscalationState:
    state = EscalationState(status="")
    for _ in range(ATTEMPTS):
        state = await handle.query(EscalationWorkflow.state)
        if all(getattr(state, key) == value for key, value in expected.items()):
            return state
        await asyncio.sleep(PAUSE)
    raise AssertionError(f"state {state} never matched {expected}")


async def closed_at(handle: Handle) -> datetime:
    closed = (await handle.describe()).close_time
    assert closed is not None
    return closed


def near(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) <= SLACK


def at(started: datetime, *seconds: int) -> list[datetime]:
    return [started + timedelta(seconds=s) for s in seconds]


def times(calls: list[Call]) -> list[datetime]:
    return [c.at for c in calls]


def all_near(moments: list[datetime], expected: list[datetime]) -> bool:
    return len(moments) == len(expected) and all(near(m, e) for m, e in zip(moments, expected, strict=True))


async def test_acknowledged_during_the_second_wait_stops_the_chain(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    handle, started, escalation = await start_escalation(env, worker)
    await env.sleep(timedelta(seconds=90))
    await until(lambda: len(fake.named("notify")) == 2, "the second step")
    await until_state(handle, status="running", loop=1, step=2, notified_person_ids=[OFFICER, LEADER])

    ack = Acknowledgement(LEADER, f"n-1-2-{LEADER}", iso(started + timedelta(seconds=90)))
    fake.stored[escalation.escalation_id] = ack  # the Acknowledge RPC records it, then signals
    await handle.signal(EscalationWorkflow.acknowledged, ack)
    # A second acknowledgement changes nothing: the first (stored) wins.
    await handle.signal(EscalationWorkflow.acknowledged, Acknowledgement(OFFICER, f"n-1-1-{OFFICER}", ack.at))

    result = await finish(handle)
    assert result == EscalationResult("acknowledged", LEADER, ack.at, steps_taken=2)
    assert fake.steps() == [(1, 1), (1, 2)]
    # The signal woke the workflow, which read the store.
    assert fake.effects() == ["notify", "ack_state", "notify", "ack_state", "record_ack"]
    assert fake.named("record_ack")[0].arg == AckNotice(escalation.escalation_id, ack, [OFFICER, LEADER])
    assert all_near(times(fake.named("notify")), at(started, 0, 60))
    assert all_near(times(fake.named("record_ack")), at(started, 90))
    assert near(await closed_at(handle), started + timedelta(seconds=90))
    state = await handle.query(EscalationWorkflow.state)
    assert (state.status, state.acknowledged_by, state.loop, state.step) == ("acknowledged", LEADER, 1, 2)


async def test_a_signal_the_store_does_not_back_stops_nothing(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    """Whoever reaches Temporal can signal: an acknowledgement no Acknowledge RPC recorded is not one."""
    handle, started, _ = await start_escalation(env, worker, repeat=1)
    await until(lambda: len(fake.named("notify")) == 1, "the first step")
    forged = Acknowledgement(OFFICER, "n-forged", iso(started))
    await handle.signal(EscalationWorkflow.acknowledged, forged)
    assert await finish(handle) == EscalationResult("exhausted", steps_taken=3)
    assert fake.steps() == [(1, 1), (1, 2), (1, 3)]
    assert fake.named("record_ack") == []


async def test_nobody_acknowledging_walks_every_loop_then_is_exhausted(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    handle, started, escalation = await start_escalation(env, worker)
    assert await finish(handle) == EscalationResult("exhausted", steps_taken=6)
    assert fake.steps() == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    assert fake.effects() == ["notify", "ack_state"] * 6 + ["record_exhausted"]
    assert all_near(times(fake.named("notify")), at(started, 0, 60, 360, 960, 1020, 1320))
    assert all_near(times(fake.named("ack_state")), at(started, 60, 360, 960, 1020, 1320, 1920))
    notice = fake.named("record_exhausted")[0]
    assert notice.arg == ExhaustedNotice(escalation.escalation_id, 2, [OFFICER, LEADER, HEAD])
    assert near(notice.at, started + timedelta(seconds=1920))
    assert (await handle.query(EscalationWorkflow.state)).status == "exhausted"


async def test_an_acknowledgement_only_in_the_store_stops_the_chain_after_the_wait(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    handle, started, escalation = await start_escalation(env, worker)
    # Acknowledged through the RPC, its signal lost.
    ack = Acknowledgement(OFFICER, f"n-1-1-{OFFICER}", iso(started + timedelta(seconds=20)))
    fake.stored[escalation.escalation_id] = ack

    assert await finish(handle) == EscalationResult("acknowledged", OFFICER, ack.at, steps_taken=1)
    assert fake.effects() == ["notify", "ack_state", "record_ack"]
    assert fake.named("record_ack")[0].arg == AckNotice(escalation.escalation_id, ack, [OFFICER])
    assert all_near(times(fake.named("record_ack")), at(started, 60))


async def test_acknowledged_while_a_step_is_being_notified_notifies_no_further_step(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    handle, started, escalation = await start_escalation(env, worker)
    ack = Acknowledgement(OFFICER, f"n-1-1-{OFFICER}", iso(started + timedelta(seconds=60)))

    async def acknowledge_during_step_2(notice: StepNotice) -> None:
        if notice.step == 2:
            fake.stored[escalation.escalation_id] = ack
            await handle.signal(EscalationWorkflow.acknowledged, ack)

    fake.while_notifying = acknowledge_during_step_2
    assert await finish(handle) == EscalationResult("acknowledged", OFFICER, ack.at, steps_taken=2)
    # The leader, notified meanwhile, is told as well; nobody waits for step 2 (the store is read at once).
    assert fake.effects() == ["notify", "ack_state", "notify", "ack_state", "record_ack"]
    assert fake.named("record_ack")[0].arg == AckNotice(escalation.escalation_id, ack, [OFFICER, LEADER])
    assert all_near(times(fake.named("record_ack")), at(started, 60))


async def test_acknowledged_before_the_first_step_notifies_nobody(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    escalation = EscalationInput(f"esc-{uuid.uuid4()}", "hz-01", CHAIN, repeat=2, first_step=0)
    ack = Acknowledgement(LEADER, "n-elsewhere", iso(await env.get_current_time()))
    fake.stored[escalation.escalation_id] = ack
    handle = await env.client.start_workflow(
        EscalationWorkflow.run,
        escalation,
        id=escalation_workflow_id(escalation.escalation_id),
        task_queue=worker.task_queue,
        start_signal="acknowledged",
        start_signal_args=[ack],
    )
    assert await finish(handle) == EscalationResult("acknowledged", LEADER, ack.at, steps_taken=0)
    assert fake.effects() == ["ack_state", "record_ack"]
    assert fake.named("record_ack")[0].arg == AckNotice(escalation.escalation_id, ack, [])


async def test_a_step_that_reaches_nobody_is_not_waited_for(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    fake.reached[3] = []  # no unit head on the roster
    handle, started, escalation = await start_escalation(env, worker, repeat=1)
    assert await finish(handle) == EscalationResult("exhausted", steps_taken=3)
    assert fake.effects() == ["notify", "ack_state", "notify", "ack_state", "notify", "record_exhausted"]
    assert all_near(times(fake.named("notify")), at(started, 0, 60, 360))
    notice = fake.named("record_exhausted")[0]
    assert notice.arg == ExhaustedNotice(escalation.escalation_id, 1, [OFFICER, LEADER])
    assert near(notice.at, started + timedelta(seconds=360))


async def test_a_step_that_fails_for_good_is_passed_over(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    fake.failing_steps.add(2)
    handle, started, escalation = await start_escalation(env, worker, repeat=1)
    assert await finish(handle) == EscalationResult("exhausted", steps_taken=3)
    assert fake.steps() == [(1, 1), (1, 2), (1, 3)]
    assert all_near(times(fake.named("notify")), at(started, 0, 60, 60))
    assert fake.named("record_exhausted")[0].arg == ExhaustedNotice(escalation.escalation_id, 1, [OFFICER, HEAD])
    assert near(await closed_at(handle), started + timedelta(seconds=660))


async def test_first_step_skips_the_earlier_steps_in_every_loop(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    handle, started, escalation = await start_escalation(env, worker, first_step=1)
    assert await finish(handle) == EscalationResult("exhausted", steps_taken=4)
    assert fake.steps() == [(1, 2), (1, 3), (2, 2), (2, 3)]
    assert all_near(times(fake.named("notify")), at(started, 0, 300, 900, 1200))
    notice = fake.named("record_exhausted")[0]
    assert notice.arg == ExhaustedNotice(escalation.escalation_id, 2, [LEADER, HEAD])
    assert near(notice.at, started + timedelta(seconds=1800))


async def test_a_first_step_sent_before_the_start_is_not_sent_again(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    """The Escalate RPC told the leader at once: the walk waits on that step and sends the ones after
    it (the next loop's first step too); one sent to nobody is not waited for."""
    sent = StepSent([LEADER], [f"n-1-2-{LEADER}"])
    handle, started, escalation = await start_escalation(env, worker, first_step=1, first_sent=sent)
    assert await finish(handle) == EscalationResult("exhausted", steps_taken=4)
    assert fake.steps() == [(1, 3), (2, 2), (2, 3)]
    assert all_near(times(fake.named("notify")), at(started, 300, 900, 1200))
    assert fake.named("record_exhausted")[0].arg == ExhaustedNotice(escalation.escalation_id, 2, [LEADER, HEAD])
    nobody = FakeEscalationActivities()
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[EscalationWorkflow],
        activities=nobody.activities(),
        workflow_runner=workflow_runner(),
    ) as other:
        handle, started, _ = await start_escalation(env, other, repeat=1, first_sent=StepSent([], []))
        assert await finish(handle) == EscalationResult("exhausted", steps_taken=3)
    assert nobody.steps() == [(1, 2), (1, 3)]
    assert all_near(times(nobody.named("notify")), at(started, 0, 300))


async def test_a_revised_escalation_records_no_patch_marker_and_one_an_older_worker_ran_replays(
    env: WorkflowEnvironment, worker: Worker
) -> None:
    """ESCALATION_REVISION decides ACK_FROM_STORE by the input: no patch marker (nor its search
    attribute upsert) per escalation. A worker from before revisions ignores the field and records
    the marker; that history must replay on the current code too."""
    histories = []
    for revision in (ESCALATION_REVISION, 0):
        handle, _, _ = await start_escalation(env, worker, repeat=1, revision=revision)
        assert (await finish(handle)).status == "exhausted"
        histories.append(await handle.fetch_history())
    revised, older = histories

    def patch_events(history: WorkflowHistory) -> list[str]:
        return [
            e.marker_recorded_event_attributes.marker_name
            for e in history.events
            if e.HasField("marker_recorded_event_attributes")
            or e.HasField("upsert_workflow_search_attributes_event_attributes")
        ]

    assert patch_events(revised) == []
    assert patch_events(older)[:1] == ["core_patch"]
    replayer = Replayer(workflows=[EscalationWorkflow], workflow_runner=workflow_runner())
    await replayer.replay_workflow(with_input_fields(older, revision=ESCALATION_REVISION))


@pytest.mark.parametrize(
    "options",
    [
        {"steps": []},
        {"repeat": 0},
        {"first_step": 3},
        {"first_step": -1},
        {"steps": [*CHAIN[:2], StepData("nobody", "x", "", 60)]},
        {"steps": [StepData("person", "p-1", "", -1)]},
        {"escalation_id": ""},
    ],
)
async def test_invalid_input_fails_the_workflow_without_retrying(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities, options: dict[str, Any]
) -> None:
    handle, _, _ = await start_escalation(env, worker, **options)
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.type == "InvalidEscalationInput"
    assert failure.value.cause.non_retryable
    assert fake.calls == []


async def test_a_completed_history_replays_on_the_current_code(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalationActivities
) -> None:
    """Most paths in one history (two timed-out waits, a step reaching nobody, a second loop, a signal)."""
    fake.reached[3] = []
    handle, started, escalation = await start_escalation(env, worker)
    await env.sleep(timedelta(seconds=400))
    await until(lambda: len(fake.named("notify")) == 4, "the second loop")
    await until_state(handle, loop=2, step=1)
    ack = Acknowledgement(OFFICER, f"n-2-1-{OFFICER}", iso(started + timedelta(seconds=400)))
    fake.stored[escalation.escalation_id] = ack
    await handle.signal(EscalationWorkflow.acknowledged, ack)
    assert (await handle.result()).acknowledged_by == OFFICER

    history = await handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose
    # (with a new file in RECORDED: the older ones stay).
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        (HISTORIES / RECORDED[-1]).write_text(history.to_json())
    replayer = Replayer(workflows=[EscalationWorkflow], workflow_runner=workflow_runner())
    replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None
    assert fake.steps() == [(1, 1), (1, 2), (1, 3), (2, 1)]
    assert all_near(times(fake.named("notify")), at(started, 0, 60, 360, 360))
    assert fake.named("record_ack")[0].arg == AckNotice(escalation.escalation_id, ack, [OFFICER, LEADER])


@pytest.mark.parametrize("recorded", RECORDED)
async def test_the_recorded_history_still_replays(recorded: str) -> None:
    """A history recorded from an earlier version: a change that breaks running escalations fails here."""
    history = WorkflowHistory.from_json(recorded, (HISTORIES / recorded).read_text())
    await Replayer(workflows=[EscalationWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
