"""A start asked again while it is under way in this process waits for it rather than asking Temporal a
second time (dutyline.temporal_start.StartsInFlight)."""

from __future__ import annotations

import asyncio

import pytest

from dutyline.temporal_start import StartsInFlight


class Starts:
    """A start that waits until released, counting how often it ran."""

    def __init__(self) -> None:
        self.ran = 0
        self.release = asyncio.Event()

    async def __call__(self) -> bool:
        self.ran += 1
        await self.release.wait()
        return True


async def test_a_repeat_waits_for_the_start_under_way() -> None:
    in_flight, starts = StartsInFlight(), Starts()
    first = asyncio.create_task(in_flight.start("escalation-1", starts))
    repeat = asyncio.create_task(in_flight.start("escalation-1", starts))
    other = asyncio.create_task(in_flight.start("escalation-2", starts))
    await asyncio.sleep(0)
    starts.release.set()
    assert await asyncio.gather(first, repeat, other) == [True, True, True]
    assert starts.ran == 2  # one for each workflow id
    # Once done, a later request starts again (start_once makes that a no-op for a started workflow).
    assert await in_flight.start("escalation-1", starts)
    assert starts.ran == 3


async def test_a_caller_that_gives_up_does_not_cancel_the_start_another_waits_for() -> None:
    in_flight, starts = StartsInFlight(), Starts()
    first = asyncio.create_task(in_flight.start("incident-1", starts))
    repeat = asyncio.create_task(in_flight.start("incident-1", starts))
    await asyncio.sleep(0)
    first.cancel()
    starts.release.set()
    assert await repeat
    with pytest.raises(asyncio.CancelledError):
        await first
    assert starts.ran == 1


async def test_a_failed_start_reaches_every_waiter_and_the_next_request_tries_again() -> None:
    in_flight = StartsInFlight()
    gate = asyncio.Event()

    async def failing() -> bool:
        await gate.wait()
        raise ConnectionError("PostgreSQL away")

    first = asyncio.create_task(in_flight.start("incident-1", failing))
    repeat = asyncio.create_task(in_flight.start("incident-1", failing))
    await asyncio.sleep(0)
    gate.set()
    for waiter in (first, repeat):
        with pytest.raises(ConnectionError):
            await waiter
    starts = Starts()
    starts.release.set()
    assert await in_flight.start("incident-1", starts)
    assert starts.ran == 1
