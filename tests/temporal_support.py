"""Waiting, in real time, for a workflow worker to catch up with the test server's skipped clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

ATTEMPTS = 250
PAUSE = 0.02


async def until(predicate: Callable[[], bool], what: str) -> None:
    for _ in range(ATTEMPTS):
        if predicate():
            return
        await asyncio.sleep(PAUSE)
    raise AssertionError(f"timed out waiting for {what}")


async def until_state(handle: Any, query: Any, **expected: str) -> dict[str, str]:
    """The workflow's ``query`` result once it has the ``expected`` values."""
    state: dict[str, str] = {}
    for _ in range(ATTEMPTS):
        state = await handle.query(query)
        if all(state.get(key) == value for key, value in expected.items()):
            return state
        await asyncio.sleep(PAUSE)
    raise AssertionError(f"state {state} never matched {expected}")
