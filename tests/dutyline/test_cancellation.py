"""A loop that talks to NATS stops when its task is cancelled, even when nats-py swallowed the
cancellation (it does so while flushing a publish): a service's shutdown must not wait forever."""

from __future__ import annotations

import asyncio
import contextlib

from dutyline.outbox import keep_running


async def test_keep_running_stops_when_an_attempt_swallowed_the_cancellation() -> None:
    attempts = 0

    async def swallowing_attempt() -> None:
        nonlocal attempts
        attempts += 1
        with contextlib.suppress(asyncio.CancelledError):  # what nats-py's _flush_pending does
            await asyncio.sleep(10)

    task = asyncio.create_task(keep_running(swallowing_attempt, "interrupted"))
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    if not task.done():
        task.cancel()  # the next swallow is not honoured either: this only ends the failed test
    assert task.cancelled()
    assert attempts == 1
