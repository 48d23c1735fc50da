"""Starting the CaseWorkflow of each committed case, waking it after each change, and a reconciler
for the starts that failed (see dutyline.temporal_start)."""

from __future__ import annotations

import asyncpg
from temporalio.client import Client

from dutyline.temporal_start import reconcile_forever, signal_best_effort, start_once
from services.intake.cases import store
from workflows.case.types import CHANGED_SIGNAL, CaseInput, case_workflow_id
from workflows.case.workflow import CaseWorkflow


class CaseStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue

    async def ensure_started(self, case: store.CaseRow) -> bool:
        started = await start_once(
            self._client,
            CaseWorkflow.run,
            CaseInput(case_id=case.id, site_id=case.site_id),
            workflow_id=case_workflow_id(case.id),
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await store.mark_workflow_started(conn, case_id=case.id)
        return started

    async def changed(self, case_id: str) -> None:
        await signal_best_effort(self._client, case_workflow_id(case_id), CHANGED_SIGNAL)

    async def _pending(self) -> list[store.CaseRow]:
        async with self._pool.acquire() as conn:
            return await store.cases_without_workflow(conn)

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started)
