"""Work a request sets going without waiting for it (dutyline.background)."""

from __future__ import annotations

import asyncio
import warnings

from dutyline.background import Background


async def test_work_runs_beyond_the_limit_is_dropped_unrun_and_close_cancels_the_rest() -> None:
    ran: list[str] = []
    release = asyncio.Event()

    async def work(name: str) -> None:
        ran.append(name)
        await release.wait()
        ran.append(f"{name} done")

    background = Background(limit=2)
    assert background.spawn(work("a")) and background.spawn(work("b"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a dropped coroutine is closed, not left "never awaited"
        assert not background.spawn(work("c"))
    await asyncio.sleep(0)
    assert ran == ["a", "b"] and len(background) == 2

    release.set()
    for _ in range(2):  # the tasks end, then their done callbacks run
        await asyncio.sleep(0)
    assert ran == ["a", "b", "a done", "b done"] and len(background) == 0  # done tasks are let go

    release.clear()
    background.spawn(work("d"))
    await asyncio.sleep(0)
    await background.close()
    assert ran[-1] == "d" and len(background) == 0  # cancelled, not finished
