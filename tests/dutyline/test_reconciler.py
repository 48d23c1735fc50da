"""The reconciler drains the backlog of an outage (dutyline.temporal_start.reconcile_forever): pages of
pending starts go one after the other while every start succeeds, a few starts at a time; it pauses only
when nothing is pending or a start fails (Temporal still away)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from dutyline import temporal_start


async def test_a_backlog_drains_in_one_go_and_a_failure_waits_for_the_next_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_sleep = asyncio.sleep
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(temporal_start.asyncio, "sleep", sleep)
    backlog = [f"incident-{n}" for n in range(250)]
    started: set[str] = set()
    in_flight, most_in_flight = 0, 0
    temporal_away = asyncio.Event()

    async def pending() -> list[str]:
        return [i for i in backlog if i not in started][:100]  # a page, as the stores read them

    async def start(item: str) -> bool:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await real_sleep(0)
        in_flight -= 1
        if temporal_away.is_set():
            return False
        started.add(item)
        return True

    task = asyncio.create_task(temporal_start.reconcile_forever(pending, start, every=5.0, concurrency=8))
    try:
        async with asyncio.timeout(5):
            while len(started) < len(backlog):
                await real_sleep(0)
        # Three pages after one pause, not one page per pause; eight starts at a time.
        assert pauses == [5.0]
        assert most_in_flight == 8
        temporal_away.set()
        backlog.extend(f"late-{n}" for n in range(20))
        async with asyncio.timeout(5):
            while len(pauses) < 4:
                await real_sleep(0)
        assert not any(i.startswith("late-") for i in started), "nothing starts while Temporal is away"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_round_waits_for_every_start_of_its_batch_even_when_one_raises() -> None:
    """A start that raises (Temporal timing out) ends the round only once the others of its batch have
    ended too: their own failures are retrieved, not left to be reported as 'never retrieved'."""
    finished: list[str] = []
    released = asyncio.Event()

    async def start(item: str) -> bool:
        if item == "first":
            raise TimeoutError("Temporal did not answer")
        await released.wait()
        finished.append(item)
        raise RuntimeError(f"{item} failed later")

    round_ = asyncio.create_task(temporal_start._reconcile_round(["first", "second", "third"], start, 8))
    await asyncio.sleep(0.01)
    assert not round_.done(), "the round ended before the rest of its batch"
    released.set()
    assert await round_ is False
    assert sorted(finished) == ["second", "third"]
