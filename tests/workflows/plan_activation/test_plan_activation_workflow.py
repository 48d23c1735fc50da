"""PlanActivationWorkflow on Temporal's time-skipping test server, with its activities replaced by fakes
under the same names that record each call (and the server time it was scheduled at) and keep the
tasks' state as the store would: contacts notified at once, a task reminded before its deadline, told
overdue at it and escalated to the duty leader after; the process ends when every task is done or the
incident closes. Every finished workflow's history is replayed on the current code."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from tests.temporal_support import until
from workflows.plan_activation.types import (
    END,
    ESCALATE_AFTER_SECONDS,
    NOTIFY_CONTACTS,
    REMIND_BEFORE_SECONDS,
    STATE,
    TASK_NOTICE,
    PlanActivationInput,
    PlanEnd,
    PlanOutcome,
    PlanState,
    TaskNotice,
    TaskTimes,
    plan_workflow_id,
)
from workflows.plan_activation.workflow import PlanActivationWorkflow

Handle = WorkflowHandle[PlanActivationWorkflow, PlanOutcome]
SLACK = timedelta(seconds=2)


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime


@dataclass
class FakePlanActivities:
    open_tasks: dict[str, list[str]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    @activity.defn(name=NOTIFY_CONTACTS)
    async def notify_contacts(self, activation_id: str) -> None:
        self._record("contacts", activation_id)

    @activity.defn(name=TASK_NOTICE)
    async def task_notice(self, notice: TaskNotice) -> None:
        self._record("notice", notice)

    @activity.defn(name=STATE)
    async def state(self, activation_id: str) -> PlanState:
        return PlanState(incident_closed=activation_id in self.closed, open_tasks=list(self.open_tasks[activation_id]))

    @activity.defn(name=END)
    async def end(self, end: PlanEnd) -> None:
        self._record("end", end)

    def activities(self) -> list[Callable[..., Any]]:
        return [self.notify_contacts, self.task_notice, self.state, self.end]

    def notices(self) -> list[tuple[str, str]]:
        return [(c.arg.task_key, c.arg.kind) for c in self.calls if c.name == "notice"]

    def notice_at(self, key: str, kind: str) -> datetime:
        return next(c.at for c in self.calls if c.name == "notice" and (c.arg.task_key, c.arg.kind) == (key, kind))


@pytest.fixture
def fake() -> FakePlanActivities:
    return FakePlanActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakePlanActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[PlanActivationWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


async def activate(
    env: WorkflowEnvironment, worker: Worker, fake: FakePlanActivities, tasks: dict[str, timedelta]
) -> tuple[Handle, str, datetime]:
    """An activation now with ``tasks`` due as given after it; its handle, id and start."""
    now = await env.get_current_time()
    activation_id = f"pla-{uuid.uuid4()}"
    fake.open_tasks[activation_id] = list(tasks)
    plan = PlanActivationInput(
        activation_id=activation_id,
        incident_id="inc-1",
        site_id="hz-01",
        activated_at=now.isoformat(),
        tasks=[TaskTimes(key, (now + due).isoformat()) for key, due in tasks.items()],
    )
    handle = await env.client.start_workflow(
        PlanActivationWorkflow.run, plan, id=plan_workflow_id(activation_id), task_queue=worker.task_queue
    )
    return handle, activation_id, now


async def finish(handle: Handle) -> PlanOutcome:
    outcome = await handle.result()
    replayer = Replayer(workflows=[PlanActivationWorkflow], workflow_runner=workflow_runner())
    await replayer.replay_workflow(await handle.fetch_history())
    return outcome


def near(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) <= SLACK


async def test_an_overdue_task_is_reminded_then_told_then_escalated_until_done(
    env: WorkflowEnvironment, worker: Worker, fake: FakePlanActivities
) -> None:
    handle, activation_id, started = await activate(
        env, worker, fake, {"evacuate": timedelta(minutes=30), "cordon": timedelta(hours=2)}
    )
    await until(lambda: bool(fake.calls), "the contacts")
    assert fake.calls[0].name == "contacts" and near(fake.calls[0].at, started)

    await env.sleep(timedelta(minutes=30 + ESCALATE_AFTER_SECONDS // 60 + 1))
    await until(lambda: ("evacuate", "escalation") in fake.notices(), "the escalation")
    assert fake.notices() == [("evacuate", "reminder"), ("evacuate", "overdue"), ("evacuate", "escalation")]
    due = started + timedelta(minutes=30)
    assert near(fake.notice_at("evacuate", "reminder"), due - timedelta(seconds=REMIND_BEFORE_SECONDS))
    assert near(fake.notice_at("evacuate", "overdue"), due)
    assert near(fake.notice_at("evacuate", "escalation"), due + timedelta(seconds=ESCALATE_AFTER_SECONDS))

    # Both done before the second task's reminder (CompleteTask records, then signals).
    fake.open_tasks[activation_id] = []
    await handle.signal(PlanActivationWorkflow.task_changed)
    outcome = await finish(handle)
    assert outcome.status == "completed"
    assert [c.arg for c in fake.calls if c.name == "end"] == [PlanEnd(activation_id, "completed")]
    assert ("cordon", "reminder") not in fake.notices()


async def test_a_task_done_in_time_is_only_reminded(
    env: WorkflowEnvironment, worker: Worker, fake: FakePlanActivities
) -> None:
    handle, activation_id, _ = await activate(env, worker, fake, {"report": timedelta(minutes=20)})
    await env.sleep(timedelta(minutes=12))
    await until(lambda: bool(fake.notices()), "the reminder")
    fake.open_tasks[activation_id] = []
    await handle.signal(PlanActivationWorkflow.task_changed)
    assert (await finish(handle)).status == "completed"
    assert fake.notices() == [("report", "reminder")]


async def test_the_incident_closing_ends_the_plan_with_tasks_open(
    env: WorkflowEnvironment, worker: Worker, fake: FakePlanActivities
) -> None:
    handle, activation_id, _ = await activate(env, worker, fake, {"repair": timedelta(minutes=5)})
    await env.sleep(timedelta(minutes=5 + ESCALATE_AFTER_SECONDS // 60 + 1))
    await until(lambda: ("repair", "escalation") in fake.notices(), "the escalation")
    # Nothing more to send: the workflow looks now and then whether the incident has closed.
    fake.closed.add(activation_id)
    outcome = await finish(handle)
    assert outcome.status == "ended"
    assert fake.notices() == [("repair", "overdue"), ("repair", "escalation")]  # due too soon for a reminder
    assert [c.arg for c in fake.calls if c.name == "end"] == [PlanEnd(activation_id, "ended")]
