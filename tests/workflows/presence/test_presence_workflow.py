"""The presence workflows on Temporal's time-skipping test server, their activities replaced by fakes
that record each call (and the server time it was scheduled at): a presence check nobody confirms
alerts the duty leader at its deadline; one confirmed (through the RPC, or by acknowledging its
message) alerts nobody; an early check-out alerts the leader. Every history is replayed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from workflows.presence.types import (
    CONFIRMED,
    PENDING,
    SEND_CHECK,
    SETTLE_CHECK,
    UNANSWERED,
    PresenceCheckInput,
    SettleRequest,
    early_leave_workflow_id,
    presence_check_workflow_id,
)
from workflows.presence.workflow import EarlyLeaveWorkflow, PresenceCheckWorkflow
from workflows.shift.types import ALERT_LEADER, ShiftNotice

SLACK = timedelta(seconds=2)
WORKFLOWS = [PresenceCheckWorkflow, EarlyLeaveWorkflow]


@dataclass
class Call:
    name: str
    arg: Any
    at: datetime


@dataclass
class FakePresenceActivities:
    """What the store says of each check: "confirmed" once confirmed; at the deadline, unanswered
    unless its message was acknowledged (``acknowledged``)."""

    confirmed: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    refuse_send: bool = False
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, arg: Any) -> None:
        self.calls.append(Call(name, arg, activity.info().current_attempt_scheduled_time))

    @activity.defn(name=SEND_CHECK)
    async def send_check(self, check_id: str) -> None:
        self._record("send_check", check_id)
        if self.refuse_send:
            raise ApplicationError("AioRpcError: unknown person", type="AioRpcError", non_retryable=True)

    @activity.defn(name=SETTLE_CHECK)
    async def settle_check(self, request: SettleRequest) -> str:
        self._record("settle_check", request)
        if request.check_id in self.confirmed:
            return CONFIRMED
        if not request.final:
            return PENDING
        return CONFIRMED if request.check_id in self.acknowledged else UNANSWERED

    @activity.defn(name=ALERT_LEADER)
    async def alert_leader(self, notice: ShiftNotice) -> None:
        self._record("alert_leader", notice)

    def activities(self) -> list[Callable[..., Any]]:
        return [self.send_check, self.settle_check, self.alert_leader]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]


@pytest.fixture
def fake() -> FakePresenceActivities:
    return FakePresenceActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakePresenceActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client, task_queue=f"tq-{uuid.uuid4()}", workflows=WORKFLOWS, activities=fake.activities()
    ) as running:
        yield running


async def start_check(env: WorkflowEnvironment, worker: Worker) -> tuple[WorkflowHandle[Any, str], datetime]:
    """A check due in 10 minutes (the default); its handle and deadline."""
    due_at = await env.get_current_time() + timedelta(minutes=10)
    check_id = f"pc-{uuid.uuid4()}"
    handle = await env.client.start_workflow(
        PresenceCheckWorkflow.run,
        PresenceCheckInput(check_id, "a-hz-01-day", "hz-01", due_at.isoformat()),
        id=presence_check_workflow_id(check_id),
        task_queue=worker.task_queue,
    )
    return handle, due_at


async def finish(handle: WorkflowHandle[Any, Any]) -> Any:
    result = await handle.result()
    await Replayer(workflows=WORKFLOWS).replay_workflow(await handle.fetch_history())
    return result


async def test_an_unanswered_check_alerts_the_leader_at_its_deadline(
    env: WorkflowEnvironment, worker: Worker, fake: FakePresenceActivities
) -> None:
    handle, due_at = await start_check(env, worker)
    assert await finish(handle) == UNANSWERED
    assert [c.name for c in fake.calls] == ["send_check", "settle_check", "alert_leader"]
    settle, alert = fake.named("settle_check")[0], fake.named("alert_leader")[0]
    assert settle.arg.final and abs(settle.at - due_at) <= SLACK
    assert (alert.arg.kind, alert.arg.site_id, alert.arg.assignment_id) == (
        "presence_unanswered",
        "hz-01",
        "a-hz-01-day",
    )
    assert handle.id.removeprefix("presence-") in alert.arg.detail


async def test_a_confirmed_check_ends_at_once_and_alerts_nobody(
    env: WorkflowEnvironment, worker: Worker, fake: FakePresenceActivities
) -> None:
    handle, due_at = await start_check(env, worker)
    # What ConfirmPresence does: record the confirmation, then wake the workflow.
    fake.confirmed.add(handle.id.removeprefix("presence-"))
    await handle.signal(PresenceCheckWorkflow.confirmed)
    assert await finish(handle) == CONFIRMED
    assert not fake.named("alert_leader")
    settle = fake.named("settle_check")[-1]
    assert not settle.arg.final and settle.at < due_at - timedelta(minutes=5)


async def test_an_acknowledged_message_counts_at_the_deadline(
    env: WorkflowEnvironment, worker: Worker, fake: FakePresenceActivities
) -> None:
    handle, _ = await start_check(env, worker)
    fake.acknowledged.add(handle.id.removeprefix("presence-"))
    assert await finish(handle) == CONFIRMED
    assert not fake.named("alert_leader")


async def test_a_check_notify_refused_is_still_settled_and_alerted(
    env: WorkflowEnvironment, worker: Worker, fake: FakePresenceActivities
) -> None:
    fake.refuse_send = True
    handle, _ = await start_check(env, worker)
    assert await finish(handle) == UNANSWERED
    assert [c.name for c in fake.calls] == ["send_check", "settle_check", "alert_leader"]


async def test_an_early_check_out_alerts_the_leader(
    env: WorkflowEnvironment, worker: Worker, fake: FakePresenceActivities
) -> None:
    notice = ShiftNotice("a-hz-01-day", "hz-01", "early_leave", "checked out 120 min before the end")
    handle = await env.client.start_workflow(
        EarlyLeaveWorkflow.run, notice, id=early_leave_workflow_id("a-hz-01-day"), task_queue=worker.task_queue
    )
    await finish(handle)
    assert [(c.name, c.arg) for c in fake.calls] == [("alert_leader", notice)]
