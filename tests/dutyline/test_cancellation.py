"""A loop stops when its task is cancelled, even when nats-py swallowed the cancellation (it does so
while flushing a publish) or it lands as the loop's wait for a wake-up ends (Python 3.11's
asyncio.wait_for drops that one): a service's shutdown must not wait forever."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from dutyline.cancellation import wait_until_set
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


@pytest.mark.parametrize("steps", [0, 1, 2])
async def test_a_loop_woken_as_it_is_cancelled_stops(steps: int) -> None:
    """The dispatcher woken by a committed send, the shift starter by a publication, a console stream by
    a change: cancelled within ``steps`` turns of the event loop after the wake-up, each must stop.
    Waiting with asyncio.wait_for, all three cases ran on (the loop went round and waited again)."""
    woken = asyncio.Event()

    async def loop() -> None:
        while True:
            await wait_until_set(woken, 60)
            woken.clear()

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)  # the loop waits
    woken.set()
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    if not task.done():
        task.cancel()  # only ends the failed test
    assert task.cancelled()


async def test_a_wait_ends_when_set_or_when_its_time_is_up() -> None:
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    began = loop.time()
    await wait_until_set(event, 0.05)
    assert 0.04 <= loop.time() - began < 1
    await wait_until_set(event, -1)  # a deadline already passed: no wait
    event.set()
    began = loop.time()
    await wait_until_set(event, 60)
    assert loop.time() - began < 1
