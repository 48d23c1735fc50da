"""Starting the EscalationWorkflow of each committed escalation (workflow id escalation-<id>), with a
reconciler for the starts that failed while Temporal was away (see dutyline.temporal_start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from temporalio.client import Client

from dutyline.temporal_start import StartsInFlight, reconcile_forever, start_once
from services.notify.people import store
from workflows.escalation.types import ESCALATION_REVISION, EscalationInput, StepSent
from workflows.escalation.workflow import EscalationWorkflow

RECONCILE_AFTER = timedelta(seconds=10)


class EscalationStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue
        # Every escalation of a new incident is asked twice (services/incident/leader.py); the repeat
        # usually comes while the first request is still starting the workflow.
        self._in_flight = StartsInFlight()

    async def ensure_started(self, escalation: store.EscalationRow, *, first_sent: StepSent | None = None) -> bool:
        """``first_sent``: the first step's notifications, when the caller sent them (the workflow does not)."""
        if escalation.workflow_started_at is not None:
            return True
        return await self._in_flight.start(escalation.workflow_id, lambda: self._start(escalation, first_sent))

    async def _start(self, escalation: store.EscalationRow, first_sent: StepSent | None) -> bool:
        started = await start_once(
            self._client,
            EscalationWorkflow.run,
            EscalationInput(
                escalation_id=escalation.id,
                site_id=escalation.site_id,
                steps=escalation.steps,
                repeat=escalation.repeat,
                first_step=escalation.first_step,
                drill=escalation.drill,
                first_sent=first_sent,
                revision=ESCALATION_REVISION,
            ),
            workflow_id=escalation.workflow_id,
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await store.mark_escalation_started(conn, escalation_id=escalation.id)
        return started

    async def _pending(self) -> list[store.EscalationRow]:
        async with self._pool.acquire() as conn:
            ids = await store.escalations_without_workflow(conn, older_than=datetime.now(UTC) - RECONCILE_AFTER)
            found = [await store.get_escalation(conn, escalation_id=i) for i in ids]
        return [escalation for escalation in found if escalation is not None]

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started)
