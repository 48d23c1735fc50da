"""Each service runs its own processes on its own task queue (DESIGN.md §2): with the incident and
notify workers in separate processes, each polls only its service's queue, and an emergency call
still becomes an incident whose duty leader is escalated to — the incident process's activities
run in the incident worker, the escalation's in notify's."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.client import Client

from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.stack.process import ManagedProcess
from dutyline.temporal_worker import LEGACY_TASK_QUEUE, task_queue_of, task_queue_pollers
from tests.e2e.test_emergency_call_slice import emergency_call
from workflows.escalation.types import escalation_workflow_id
from workflows.incident.types import IncidentInput
from workflows.incident.workflow import IncidentWorkflow

pytestmark = pytest.mark.stack
QUEUE_KINDS = (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)


@pytest.fixture
async def split_workers(platform: Any) -> AsyncIterator[dict[str, ManagedProcess]]:
    """The platform's one worker process replaced by one for incident and one for notify."""
    combined = platform.processes["worker"]
    await asyncio.to_thread(combined.stop)
    names = [platform.add_worker("incident"), platform.add_worker("notify")]
    try:
        for name in names:
            platform.processes[name].start()
        await asyncio.gather(*(platform.wait_worker(name) for name in names))
        yield {name.removeprefix("worker-"): platform.processes[name] for name in names}
    finally:
        for name in names:
            await asyncio.to_thread(platform.remove_worker, name)
        combined.start()
        await platform.wait_worker("worker")


async def pollers(client: Client, queue: str) -> set[str]:
    """The identities polling ``queue`` for workflow and activity tasks (pid@host by default)."""
    return {identity for kind in QUEUE_KINDS for identity in await task_queue_pollers(client, queue, kind)}


async def task_workers(client: Client, workflow_id: str, *, activities: bool) -> set[str]:
    """Who ran the activity tasks (``activities``) or else the workflow tasks of a workflow, from its history."""
    started = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED if activities else EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
    identities: set[str] = set()
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == started:
            attributes = (
                event.activity_task_started_event_attributes
                if activities
                else event.workflow_task_started_event_attributes
            )
            identities.add(attributes.identity)
    return identities


async def test_each_worker_polls_only_its_queue_and_an_incident_still_reaches_its_escalation(
    platform: Any,
    split_workers: dict[str, ManagedProcess],
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
) -> None:
    client = await Client.connect(platform.temporal.address)
    pid = {service: f"{process.pid}@" for service, process in split_workers.items()}

    def of(identities: set[str]) -> set[str]:
        return {service for service, prefix in pid.items() for i in identities if i.startswith(prefix)}

    # Pollers are remembered a minute after they stop: the combined worker may still be listed.
    assert of(await pollers(client, task_queue_of("incident"))) == {"incident"}
    assert of(await pollers(client, task_queue_of("notify"))) == {"notify"}
    for service in ("intake", "roster"):
        assert of(await pollers(client, task_queue_of(service))) == set()

    reply = await intake.RegisterCall(emergency_call(), timeout=30)
    assert reply.incident_id

    async def escalation_id() -> str:
        while True:
            timeline = await incidents.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=reply.incident_id))
            for entry in timeline.entries:
                found = re.search(r"\(escalation (\S+)\)", entry.text) if entry.kind == "leader_notified" else None
                if found:
                    return found.group(1)
            await asyncio.sleep(0.2)

    escalation = await asyncio.wait_for(escalation_id(), 60)
    # The incident's workflow tasks, and with them its local activities (the leader's notice, the time
    # to verify), ran in the incident worker only ...
    assert of(await task_workers(client, reply.incident_id, activities=False)) == {"incident"}
    assert of(await task_workers(client, reply.incident_id, activities=True)) <= {"incident"}

    # ... and the escalation that notified the duty leader in notify's, on notify's queue.
    handle = client.get_workflow_handle(escalation_workflow_id(escalation))
    description = await handle.describe()
    assert description.task_queue == task_queue_of("notify")

    # Its first step was sent by Escalate itself: until the leader's time to acknowledge runs out its
    # workflow runs tasks, not activities.
    async def escalation_ran() -> set[str]:
        for _ in range(300):
            if ran := await task_workers(client, handle.id, activities=False):
                return ran
            await asyncio.sleep(0.2)
        return set()

    assert of(await escalation_ran()) == {"notify"}
    incident = await client.get_workflow_handle(reply.incident_id).describe()
    assert incident.task_queue == task_queue_of("incident")


async def test_a_workflow_started_on_the_queue_of_before_is_still_served(
    platform: Any, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    """`dutyline up` runs every worker in one process, which also polls the one queue of before
    issue 13: a workflow started there gets its workflow tasks and its activities served."""
    client = await Client.connect(platform.temporal.address)
    reply = await intake.RegisterCall(emergency_call(), timeout=30)
    handle = await client.start_workflow(
        IncidentWorkflow.run,
        IncidentInput(
            incident_id=reply.incident_id,
            site_id=reply.call.site_id,
            title="registered before the change",
            first_responder_id=reply.call.officer_id,
            drill=False,
            registered_at=datetime.now(UTC).isoformat(),
        ),
        id=f"legacy-{reply.incident_id}",
        task_queue=LEGACY_TASK_QUEUE,
    )
    try:
        # Its first step (the leader notice, the incident's own: same key, no second escalation)
        # done, it waits for verification.
        for _ in range(300):
            if await handle.query(IncidentWorkflow.stage) == "verify":
                break
            await asyncio.sleep(0.2)
        assert await handle.query(IncidentWorkflow.stage) == "verify"
        ran = await task_workers(client, handle.id, activities=True)
        combined = f"{platform.processes['worker'].pid}@"
        assert ran and all(identity.startswith(combined) for identity in ran)
    finally:
        await handle.terminate("test over")
