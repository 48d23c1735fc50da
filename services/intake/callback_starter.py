"""Starting the CallbackWorkflow of each committed message or promised callback, with a
reconciler for the starts that failed (see dutyline.temporal_start)."""

from __future__ import annotations

from datetime import UTC

import asyncpg
import structlog
from temporalio.client import Client

from dutyline.temporal_start import reconcile_forever, signal_best_effort, start_once
from services.intake import store
from workflows.callback.types import COMPLETED_SIGNAL, CallbackInput, callback_workflow_id
from workflows.callback.workflow import CallbackWorkflow

log = structlog.get_logger(__name__)


class CallbackStarter:
    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue

    async def ensure_started(self, callback: store.CallbackRow) -> bool:
        started = await start_once(
            self._client,
            CallbackWorkflow.run,
            CallbackInput(
                callback_id=callback.id,
                site_id=callback.site_id,
                recipient_id=callback.recipient_id,
                due_at=callback.due_at.astimezone(UTC).isoformat(),
                urgent=callback.urgent,
                kind=callback.kind,
            ),
            workflow_id=callback_workflow_id(callback.id),
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await store.mark_callback_workflow_started(conn, callback_id=callback.id)
        return started

    async def completed(self, callback_id: str) -> None:
        await signal_best_effort(self._client, callback_workflow_id(callback_id), COMPLETED_SIGNAL)

    async def _pending(self) -> list[store.CallbackRow]:
        async with self._pool.acquire() as conn:
            return list(await store.callbacks_without_workflow(conn))

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started)
