"""Starting the IncidentWorkflow (workflow id = incident id) of each committed incident, with a
reconciler for the starts that failed (see dutyline.temporal_start).

A new incident's workflow is started in the background of ``OpenIncident`` (``start_soon``): the
officer's answer does not wait for Temporal (a start took 50-100 ms of the 150 ms an emergency call's
reply took at 20 a second), the duty leader is told at once without it (``LeaderAtOnce``), and a start
that fails or is cut short by a crash is the reconciler's. When incidents open faster than Temporal
starts their workflows, the starts wait their turn here, STARTS_IN_FLIGHT at a time and in order: more
at once only queued in the server until they timed out, each tried again by the reconciler
(docs/operations.md, "What scales how"). A step asked of the incident before its workflow runs starts
it first (``ProcessRpcs._update``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.common import SearchAttributePair

from dutyline.background import Background
from dutyline.temporal_start import reconcile_forever, start_once
from dutyline.temporal_worker import polled_revision
from services.incident import store
from workflows.incident.types import INCIDENT_REVISION, INCIDENT_REVISION_EVERY_WORKER_RUNS, IncidentInput
from workflows.incident.workflow import SEVERITY, SITE, STAGE, IncidentWorkflow

log = structlog.get_logger(__name__)

RECONCILE_AFTER = timedelta(seconds=10)
# Background starts at once, at most; and starts waiting their turn, at most (beyond, the reconciler's).
STARTS_IN_FLIGHT = 32
STARTS_WAITING = 5_000
# How often the revision the workers run is asked again: seldom once they all run the newest, often
# while they do not (workers still rolling out, or none polling yet).
REVISION_ASKED_EVERY_SECONDS = 30.0
REVISION_ASKED_WHILE_OLDER_SECONDS = 5.0


class WorkflowStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue
        self._starting = Background(limit=STARTS_WAITING)
        self._turns = asyncio.Semaphore(STARTS_IN_FLIGHT)
        # Incidents whose start waits its turn or is under way here: the reconciler leaves them alone.
        self._waiting: set[str] = set()
        # Until the workers are asked, what every worker runs.
        self.revision = INCIDENT_REVISION_EVERY_WORKER_RUNS

    def start_soon(self, incident: store.IncidentRow) -> None:
        """Start the workflow of an incident just committed, without waiting for it."""
        if self._starting.spawn(self._start_in_turn(incident)):
            self._waiting.add(incident.id)
        else:
            log.info("incident workflow left to the reconciler", incident_id=incident.id)

    async def _start_in_turn(self, incident: store.IncidentRow) -> None:
        try:
            async with self._turns:
                await self.ensure_started(incident)
        except Exception as exc:  # the reconciler starts it
            log.warning("incident workflow not started yet", incident_id=incident.id, error=repr(exc))
        finally:
            self._waiting.discard(incident.id)

    async def close(self) -> None:
        """Stop the starts in flight (the reconciler of whichever process runs next takes them over)."""
        await self._starting.close()

    async def ask_revision(self) -> int:
        """Ask which input revision new incidents start with: the newest every worker on the queue runs.
        Asked in the background (``follow_revision_forever``), so that no start waits for it."""
        try:
            polled = await polled_revision(self._client, self._task_queue, INCIDENT_REVISION)
        except Exception as exc:  # keep the last known and ask again: this loop must not end unseen
            log.warning("worker revisions not known", error=repr(exc))
            return self.revision
        self.revision = max(polled, INCIDENT_REVISION_EVERY_WORKER_RUNS)
        return self.revision

    async def follow_revision_forever(self) -> None:
        while True:
            newest = await self.ask_revision() == INCIDENT_REVISION
            await asyncio.sleep(REVISION_ASKED_EVERY_SECONDS if newest else REVISION_ASKED_WHILE_OLDER_SECONDS)

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
                revision=self.revision,
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
            rows = await store.incidents_without_workflow(conn, older_than=datetime.now(UTC) - RECONCILE_AFTER)
        return [row for row in rows if row.id not in self._waiting]

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started)
