"""Starting the IncidentWorkflow of a committed incident, exactly once.

The incident row commits first; the workflow (id = incident id) starts after. A start that fails
is retried by the reconciler, and a second start of the same id is a no-op, so an incident never
lacks its process and never gets two.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from services.incident import store
from workflows.incident.types import IncidentInput
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
        try:
            await self._client.start_workflow(
                IncidentWorkflow.run,
                IncidentInput(
                    incident_id=incident.id,
                    site_id=incident.site_id,
                    title=incident.title,
                    first_responder_id=incident.first_responder_id,
                    drill=incident.drill,
                    registered_at=incident.registered_at.astimezone(UTC).isoformat(),
                ),
                id=incident.id,
                task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(SITE, incident.site_id),
                        SearchAttributePair(SEVERITY, incident.severity),
                        SearchAttributePair(STAGE, incident.stage),
                    ]
                ),
            )
        except WorkflowAlreadyStartedError:
            pass
        except Exception as exc:
            log.warning("workflow not started yet; will retry", incident_id=incident.id, error=repr(exc))
            return False
        async with self._pool.acquire() as conn:
            await store.mark_workflow_started(conn, incident_id=incident.id)
        return True

    async def reconcile_forever(self) -> None:
        while True:
            await asyncio.sleep(5.0)
            with contextlib.suppress(Exception):
                async with self._pool.acquire() as conn:
                    ids = await store.incidents_without_workflow(
                        conn, older_than=datetime.now(UTC) - RECONCILE_AFTER
                    )
                for incident_id in ids:
                    async with self._pool.acquire() as conn:
                        incident = await store.get_incident(conn, incident_id=incident_id)
                    if incident is not None:
                        await self.ensure_started(incident)
