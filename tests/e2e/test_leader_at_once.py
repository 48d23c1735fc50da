"""The duty leader is told at once (DESIGN §8): the first delivery attempt of an emergency's escalation
does not wait for Temporal's workers. With no worker running, the incident service asks notify to
escalate when the incident opens and notify stores and delivers the first step itself; once the
workers are back, the workflow's activity and the escalation's first step find that escalation and
its notifications, and add neither a second one."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
import pytest
from temporalio.client import Client

from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from tests.e2e.test_emergency_call_slice import emergency_call
from workflows.escalation.types import STATE_QUERY, EscalationState, escalation_workflow_id

pytestmark = pytest.mark.stack

# The escalations about an incident, with their first loop's notifications and delivery attempts.
ESCALATED = """
SELECT e.id AS escalation_id, n.id AS notification_id, n.person_id, n.escalation_step,
       (SELECT count(*) FROM notify.delivery_attempts a WHERE a.notification_id = n.id) AS attempts
  FROM notify.escalations e
  LEFT JOIN notify.notifications n ON n.escalation_id = e.id AND n.escalation_loop = 1
 WHERE e.ref_id = $1
"""


async def until(check: Any, timeout: float) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := await check()):
        if loop.time() > deadline:
            raise AssertionError("never happened")
        await asyncio.sleep(0.2)
    return found


async def test_the_leader_is_told_with_no_worker_and_the_workflow_adds_nothing(
    platform: Any,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
    db: asyncpg.Connection,
) -> None:
    worker = platform.processes["worker"]
    await asyncio.to_thread(worker.stop)
    try:
        reply = await intake.RegisterCall(emergency_call(), timeout=30)

        async def attempted() -> list[asyncpg.Record]:
            rows = await db.fetch(ESCALATED, reply.incident_id)
            return rows if rows and all(r["attempts"] for r in rows) else []

        first = await until(attempted, 60)
    finally:
        worker.start()
        await platform.wait_worker("worker")
    # One escalation, its first step (the chain's duty leader step) notified.
    assert len({(r["escalation_id"], r["escalation_step"]) for r in first}) == 1
    escalation_id, step = first[0]["escalation_id"], first[0]["escalation_step"]

    # The workflow's activity, run now, names the same escalation on the timeline ...
    async def leader_notified() -> str:
        timeline = await incidents.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=reply.incident_id))
        for entry in timeline.entries:
            found = re.search(r"\(escalation (\S+)\)", entry.text) if entry.kind == "leader_notified" else None
            if found:
                return found.group(1)
        return ""

    assert await until(leader_notified, 90) == escalation_id
    # ... and the escalation's first step, run now too, found its notifications.
    handle = (await Client.connect(platform.temporal.address)).get_workflow_handle(
        escalation_workflow_id(escalation_id)
    )

    async def stepped() -> bool:
        state = await handle.query(STATE_QUERY, result_type=EscalationState)
        return bool(state.notified_person_ids)

    await until(stepped, 90)
    after = await db.fetch(ESCALATED, reply.incident_id)
    assert {r["escalation_id"] for r in after} == {escalation_id}
    assert sorted((r["escalation_id"], r["notification_id"]) for r in after if r["escalation_step"] == step) == sorted(
        (r["escalation_id"], r["notification_id"]) for r in first
    )
