"""The skeleton's starters wait for each incident's leader to be told, as the worker reports it."""

from __future__ import annotations

import asyncio

import pytest

from bench.skeleton import TOLD, SkeletonWorker


async def test_a_starter_waits_until_the_worker_reports_its_incident_told() -> None:
    output = asyncio.StreamReader()
    worker = SkeletonWorker(0, output, timeout=1.0)
    try:
        waiting = asyncio.create_task(worker.told("inc-2"))
        output.feed_data(f"{TOLD} inc-1\n".encode())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        output.feed_data(f"{TOLD} inc-2\n".encode())
        await asyncio.wait_for(waiting, 1.0)
        # Told before its starter asked: answered at once.
        await asyncio.wait_for(worker.told("inc-1"), 0.1)
    finally:
        worker.reader.cancel()


async def test_an_incident_never_told_fails_its_starter() -> None:
    worker = SkeletonWorker(0, asyncio.StreamReader(), timeout=0.1)
    try:
        with pytest.raises(TimeoutError):
            await worker.told("inc-lost")
    finally:
        worker.reader.cancel()
