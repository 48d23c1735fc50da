"""Work a request sets going and does not wait for (the duty leader told at once, a workflow started
after the commit): its outcome is checked elsewhere (a reconciler, a workflow's activity), so the
request answers sooner. The tasks are kept referenced until they end (asyncio holds only weak ones)
and are cancelled together at shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Background:
    """``limit``: at most that many tasks at once; beyond it ``spawn`` drops the work (the caller's
    durable path does it later)."""

    def __init__(self, *, limit: int | None = None) -> None:
        self._limit = limit
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> bool:
        """Run ``work`` in a task of its own; False (and ``work`` never runs) when at the limit."""
        if self._limit is not None and len(self._tasks) >= self._limit:
            work.close()
            return False
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def __len__(self) -> int:
        return len(self._tasks)

    async def close(self) -> None:
        """Cancel what is still running and wait until it has stopped."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
