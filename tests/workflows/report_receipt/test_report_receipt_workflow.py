"""ReportReceiptWorkflow on Temporal's time-skipping test server, its escalation activity replaced by a fake
under the same name that records when it was scheduled: a report signed for (签收) in time is never
escalated; one not signed for escalates once its window has passed. Each finished history is replayed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from workflows.report_receipt.types import ESCALATE_UNRECEIVED, ReceiptInput, workflow_id
from workflows.report_receipt.workflow import ReportReceiptWorkflow

WINDOW = timedelta(minutes=10)
# A timer fires within a moment of its due time on the skipped clock.
SLACK = timedelta(seconds=2)


class FakeEscalation:
    """The escalation activity: records each call and when the server scheduled it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, datetime]] = []

    @activity.defn(name=ESCALATE_UNRECEIVED)
    async def escalate(self, item_id: str) -> str:
        self.calls.append((item_id, activity.info().current_attempt_scheduled_time))
        return "escalated"


@pytest.fixture
def fake() -> FakeEscalation:
    return FakeEscalation()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeEscalation) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[ReportReceiptWorkflow],
        activities=[fake.escalate],
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


async def deliver(
    env: WorkflowEnvironment, worker: Worker
) -> tuple[WorkflowHandle[ReportReceiptWorkflow, str], datetime]:
    delivered_at = await env.get_current_time()
    item_id = f"inb-{uuid.uuid4()}"
    handle = await env.client.start_workflow(
        ReportReceiptWorkflow.run,
        ReceiptInput(item_id, "east", delivered_at.isoformat(), int(WINDOW.total_seconds())),
        id=workflow_id(item_id),
        task_queue=worker.task_queue,
    )
    return handle, delivered_at


async def finish(handle: WorkflowHandle[ReportReceiptWorkflow, str]) -> str:
    result = await handle.result()
    await Replayer(workflows=[ReportReceiptWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        await handle.fetch_history()
    )
    return result


async def test_a_report_received_in_time_is_not_escalated(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalation
) -> None:
    handle, _ = await deliver(env, worker)
    await env.sleep(timedelta(minutes=7))
    await handle.signal(ReportReceiptWorkflow.settled, "received")
    assert await finish(handle) == "received"
    await env.sleep(WINDOW)
    assert fake.calls == []


async def test_an_unreceived_report_escalates_when_its_window_has_passed(
    env: WorkflowEnvironment, worker: Worker, fake: FakeEscalation
) -> None:
    handle, delivered_at = await deliver(env, worker)
    assert await finish(handle) == "escalated"
    assert len(fake.calls) == 1
    item_id, scheduled = fake.calls[0]
    assert handle.id == workflow_id(item_id)
    assert abs(scheduled - (delivered_at + WINDOW)) <= SLACK
