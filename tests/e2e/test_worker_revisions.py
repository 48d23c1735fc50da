"""New incidents start with the newest input revision only once every worker polling their queue runs
it (a worker from before it would write their histories in the older shape, which the newer code
cannot replay); on the platform, whose workers announce it, an emergency's duty leader is then told
in the incident's first workflow task, with no activity task (a real Temporal dev server)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, cast

import asyncpg
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Worker

from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.temporal_sandbox import worker_runner
from dutyline.temporal_worker import WorkerPlan, polled_revision, poller_revision, worker_identity
from services.incident.starter import REVISION_ASKED_WHILE_OLDER_SECONDS, WorkflowStarter
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import until
from workflows.incident.types import (
    INCIDENT_REVISION,
    INCIDENT_REVISION_EVERY_WORKER_RUNS,
    NOTIFY_DUTY_LEADER,
    IncidentInput,
)
from workflows.incident.workflow import IncidentWorkflow

pytestmark = pytest.mark.stack


def test_a_worker_announces_the_revision_its_plan_runs_in_its_identity() -> None:
    plan = WorkerPlan(service="incident", workflows=[IncidentWorkflow], activities=[], revision=2)
    assert worker_identity("12@host", plan) == "12@host incident rev=2"
    assert poller_revision(worker_identity("12@host", plan)) == 2
    # A worker from before announcing, and a plan without a revision.
    assert poller_revision("12@host") == 0
    assert poller_revision(worker_identity("12@host", WorkerPlan("notify", [], []))) == 0
    assert poller_revision("12@host incident rev=x") == 0


async def test_the_newest_revision_only_once_every_worker_polling_the_queue_runs_it(platform: Any) -> None:
    client = await Client.connect(platform.temporal.address)

    # Each worker on a client of its own, as each release's process has (one client refuses two
    # workers of one queue).
    async def worker(queue: str, revision: int) -> Worker:
        plan = WorkerPlan("incident", [IncidentWorkflow], [], task_queue=queue, revision=revision)
        return Worker(
            await Client.connect(platform.temporal.address),
            task_queue=queue,
            workflows=[IncidentWorkflow],
            workflow_runner=worker_runner(),
            identity=worker_identity(f"{uuid.uuid4().hex[:6]}@test", plan),
        )

    def polled(queue: str) -> Callable[[], Awaitable[int]]:
        return lambda: polled_revision(client, queue, INCIDENT_REVISION)

    def starter(queue: str) -> WorkflowStarter:
        return WorkflowStarter(pool=cast(asyncpg.Pool, None), client=client, task_queue=queue)

    queue = f"revisions-{uuid.uuid4().hex[:8]}"
    # No worker polls yet: the starter keeps to what every worker runs.
    assert await polled(queue)() == 0
    assert await starter(queue).ask_revision() == INCIDENT_REVISION_EVERY_WORKER_RUNS
    async with await worker(queue, INCIDENT_REVISION):
        await until(polled(queue), INCIDENT_REVISION)
        assert await starter(queue).ask_revision() == INCIDENT_REVISION
        # A worker from before revisions were announced joins (a rolling deploy): back to the oldest.
        async with await worker(queue, 0):
            await until(polled(queue), 0)
            assert await starter(queue).ask_revision() == INCIDENT_REVISION_EVERY_WORKER_RUNS

    # A worker announcing a newer revision than the starter knows does not raise it.
    newer = f"revisions-{uuid.uuid4().hex[:8]}"
    async with await worker(newer, INCIDENT_REVISION + 1):
        await until(polled(newer), INCIDENT_REVISION)


async def test_an_emergency_s_leader_is_told_in_its_incident_s_first_workflow_task(
    platform: Any,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
) -> None:
    client = await Client.connect(platform.temporal.address)

    async def started_revision(incident_id: str) -> int:
        async def started() -> bool:
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(incident_id).describe()
                return True
            return False

        await until(started, True)
        history = await client.get_workflow_handle(incident_id).fetch_history()
        attributes = history.events[0].workflow_execution_started_event_attributes
        (given,) = await client.data_converter.decode(attributes.input.payloads, [IncidentInput])
        return cast(IncidentInput, given).revision

    # The incident service asks which revision the workers run in the background; a platform that
    # has just started may still start the first incidents with the older one, for a few seconds.
    deadline = asyncio.get_running_loop().time() + REVISION_ASKED_WHILE_OLDER_SECONDS + 10
    while True:
        reply = await intake.RegisterCall(emergency_call(), timeout=30)
        if await started_revision(reply.incident_id) == INCIDENT_REVISION:
            break
        assert asyncio.get_running_loop().time() < deadline, "new incidents still start with an older revision"
        await asyncio.sleep(0.5)

    async def told() -> bool:
        timeline = await incidents.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=reply.incident_id))
        return any(e.kind == "leader_notified" and re.search(r"\(escalation \S+\)", e.text) for e in timeline.entries)

    await until(told, True)

    # Told by a local activity, whose marker the history gets when the workflow task that ran it completes
    # (a moment after the notice is on the timeline), not by an activity task.
    async def recorded() -> bool:
        history = await client.get_workflow_handle(reply.incident_id).fetch_history()
        return any(e.HasField("marker_recorded_event_attributes") for e in history.events)

    await until(recorded, True)
    history = await client.get_workflow_handle(reply.incident_id).fetch_history()
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    assert NOTIFY_DUTY_LEADER not in scheduled
