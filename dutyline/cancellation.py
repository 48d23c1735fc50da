"""Cancellation that is not lost on the way.

Python 3.11's ``asyncio.wait_for`` drops a cancellation that lands as the wait ends (the awaited
future done, the task not yet resumed: CPython gh-86296, fixed in 3.12), and nats-py's requests and
fetches use it; nats-py also swallows one that lands while it flushes a publish. A loop that went on
would keep its owner's shutdown waiting forever, or a live feed whose caller left holding its place.
The platform's own code waits with ``asyncio.timeout`` (ruff bans ``wait_for``: TID251); a loop that
talks to NATS also checks ``honour_cancellation`` at each turn.
"""

from __future__ import annotations

import asyncio
import contextlib


def honour_cancellation() -> None:
    """Raise ``CancelledError`` if the current task was asked to stop and the request was lost on the
    way (it stays counted on the task)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def wait_until_set(event: asyncio.Event, seconds: float) -> None:
    """Until ``event`` is set or ``seconds`` have passed, whichever comes first (a loop's wake-up or
    its next round)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max(seconds, 0.0)):
            await event.wait()
