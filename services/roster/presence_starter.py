"""Starting the presence workflows after their rows committed (a presence check; an early check-out's
alert), with a reconciler for the starts that failed (see dutyline.temporal_start)."""

from __future__ import annotations

from datetime import UTC

import asyncpg
from temporalio.client import Client

from dutyline.temporal_start import reconcile_forever, signal_best_effort, start_once
from services.roster import presence_store, schedule_store
from workflows.common import iso_z
from workflows.presence.types import (
    CONFIRMED_SIGNAL,
    PresenceCheckInput,
    early_leave_workflow_id,
    presence_check_workflow_id,
)
from workflows.presence.workflow import EarlyLeaveWorkflow, PresenceCheckWorkflow
from workflows.shift.types import ShiftNotice


class PresenceStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue

    async def check_requested(self, check: presence_store.PresenceCheckRow) -> bool:
        started = await start_once(
            self._client,
            PresenceCheckWorkflow.run,
            PresenceCheckInput(
                check_id=check.id,
                assignment_id=check.assignment_id,
                site_id=check.site_id,
                due_at=check.due_at.astimezone(UTC).isoformat(),
            ),
            workflow_id=presence_check_workflow_id(check.id),
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await presence_store.mark_workflow_started(conn, check_id=check.id)
        return started

    async def confirmed(self, check_id: str) -> None:
        await signal_best_effort(self._client, presence_check_workflow_id(check_id), CONFIRMED_SIGNAL)

    async def left_early(self, check_out: presence_store.CheckOutRow) -> bool:
        async with self._pool.acquire() as conn:
            row = await schedule_store.get_assignment(conn, assignment_id=check_out.assignment_id)
        if row is None:  # deleted since: nobody to alert about
            async with self._pool.acquire() as conn:
                await presence_store.mark_alert_started(conn, assignment_id=check_out.assignment_id)
            return True
        a = row.assignment
        notice = ShiftNotice(
            assignment_id=a.id,
            site_id=a.site_id,
            kind="early_leave",
            detail=f"checked out at {iso_z(check_out.checked_out_at.astimezone(UTC))}, "
            f"{round(check_out.early_seconds / 60)} min before the end ({iso_z(a.ends_at.astimezone(UTC))})",
        )
        started = await start_once(
            self._client,
            EarlyLeaveWorkflow.run,
            notice,
            workflow_id=early_leave_workflow_id(a.id),
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await presence_store.mark_alert_started(conn, assignment_id=a.id)
        return started

    async def _pending_checks(self) -> list[presence_store.PresenceCheckRow]:
        async with self._pool.acquire() as conn:
            return await presence_store.checks_without_workflow(conn)

    async def _pending_alerts(self) -> list[presence_store.CheckOutRow]:
        async with self._pool.acquire() as conn:
            return await presence_store.early_leaves_without_alert(conn)

    async def reconcile_checks_forever(self) -> None:
        await reconcile_forever(self._pending_checks, self.check_requested)

    async def reconcile_alerts_forever(self) -> None:
        await reconcile_forever(self._pending_alerts, self.left_early)
