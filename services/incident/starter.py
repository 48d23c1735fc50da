"""Starting the IncidentWorkflow (workflow id = incident id) of each committed incident, with a
reconciler for the starts that failed (see dutyline.temporal_start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.common import SearchAttributePair

from dutyline.temporal_start import reconcile_forever, start_once
from services.incident import store
from workflows.incident.types import INCIDENT_REVISION, IncidentInput
from workflows.incident.workflow import SEVERITY, SITE, STAGE, IncidentWorkflow

log = structlog.get_logger(__name__)

RECONCILE_AFTER = timedelta(seconds=10)


class WorkflowStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue

    async def ensure_started(self, incident: store.IncidentRow) -> bool:
        if incident.workflow_started_at is not None:
            return True
        started = await start_once(
            self._client,
            IncidentWorkflow.run,
            IncidentInput(
                incident_id=incident.id,
                site_id=incident.site_id,
                title=incident.title,
                first_responder_id=incident.first_responder_id,
                drill=incident.drill,
                registered_at=incident.registered_at.astimezone(UTC).isoformat(),
                jurisdiction=incident.jurisdiction,
                time_zone=incident.time_zone,
                clock_from=incident.clock_from.astimezone(UTC).isoformat() if incident.clock_from else "",
                revision=INCIDENT_REVISION,
            ),
            workflow_id=incident.id,
            task_queue=self._task_queue,
            search_attributes=[
                SearchAttributePair(SITE, incident.site_id),
                SearchAttributePair(SEVERITY, incident.severity),
                SearchAttributePair(STAGE, incident.stage),
            ],
        )
        if started:
            async with self._pool.acquire() as conn:
                await store.mark_workflow_started(conn, incident_id=incident.id)
        return started

    async def _pending(self) -> list[store.IncidentRow]:
        async with self._pool.acquire() as conn:
            return await store.incidents_without_workflow(conn, older_than=datetime.now(UTC) - RECONCILE_AFTER)

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started)
