"""Starting the ShiftWorkflow of every published assignment and telling it about check-ins and
handovers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from temporalio.client import Client

from dutyline.cancellation import wait_until_set
from dutyline.temporal_start import signal_best_effort, start_once
from services.roster import schedule_store, store
from workflows.shift.types import (
    CHECK_IN_RECORDED_SIGNAL,
    HANDOVER_ACCEPTED_SIGNAL,
    HANDOVER_SUBMITTED_SIGNAL,
    HandoverRef,
    ShiftInput,
    shift_workflow_id,
)
from workflows.shift.workflow import ShiftWorkflow

log = structlog.get_logger(__name__)

RECONCILE_SECONDS = 5.0


class ShiftStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue
        self._kick = asyncio.Event()

    def kick(self) -> None:
        """Start the workflows of a fresh publication now rather than at the next round."""
        self._kick.set()

    async def start_pending(self) -> int:
        async with self._pool.acquire() as conn:
            rows = await schedule_store.assignments_without_workflow(conn, not_after=datetime.now(UTC))
            # One lookup per site, not per assignment (a round holds up to 200 of a few sites).
            site_ids = {r.assignment.site_id for r in rows}
            sites = {site_id: await store.get_site(conn, site_id=site_id) for site_id in site_ids}
        started: list[str] = []
        for row in rows:
            a, site = row.assignment, sites[row.assignment.site_id]
            assert site is not None
            shift = ShiftInput(
                assignment_id=a.id,
                site_id=a.site_id,
                starts_at=a.starts_at.astimezone(UTC).isoformat(),
                ends_at=a.ends_at.astimezone(UTC).isoformat(),
                reminder_minutes=site.reminder_minutes,
                check_in_lead_minutes=site.check_in_lead_minutes,
                absent_after_minutes=site.absent_after_minutes,
                handover_accept_minutes=site.handover_accept_minutes,
                role=a.role,
                supervise_check_in=row.published_at is not None
                and row.published_at < a.starts_at - timedelta(minutes=site.check_in_lead_minutes),
            )
            if not await start_once(
                self._client, ShiftWorkflow.run, shift, workflow_id=shift_workflow_id(a.id), task_queue=self._task_queue
            ):
                break  # Temporal is away: the next round retries
            started.append(a.id)
        if started:
            async with self._pool.acquire() as conn:
                await schedule_store.mark_workflow_started(conn, assignment_ids=started)
        return len(started)

    async def run_forever(self) -> None:
        while True:
            await wait_until_set(self._kick, RECONCILE_SECONDS)
            self._kick.clear()
            try:
                while await self.start_pending():
                    pass
            except Exception as exc:
                log.warning("shift workflows not started yet", error=repr(exc))

    async def check_in_recorded(self, assignment_id: str) -> None:
        await signal_best_effort(self._client, shift_workflow_id(assignment_id), CHECK_IN_RECORDED_SIGNAL)

    async def handover_submitted(self, outgoing_assignment_id: str, handover_id: str) -> None:
        await signal_best_effort(
            self._client, shift_workflow_id(outgoing_assignment_id), HANDOVER_SUBMITTED_SIGNAL, HandoverRef(handover_id)
        )

    async def handover_accepted(self, outgoing_assignment_id: str, handover_id: str) -> None:
        await signal_best_effort(
            self._client, shift_workflow_id(outgoing_assignment_id), HANDOVER_ACCEPTED_SIGNAL, HandoverRef(handover_id)
        )
