"""Load drivers: a closed loop (N callers back to back) and an open loop (a fixed arrival rate).

Both are bounded in time and count; every operation must carry its own timeout.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

Op = Callable[[], Awaitable[object]]


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    elapsed: float = 0.0
    # Seconds per successful operation, from the moment it was sent.
    latencies: list[float] = field(default_factory=list)
    first_error: str = ""
    # Open loop only: how far behind its schedule each operation left (the client's own delay).
    send_lags: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    def record_error(self, exc: BaseException) -> None:
        self.errors += 1
        if not self.first_error:
            self.first_error = f"{type(exc).__name__}: {exc}"[:300]

    def latency_ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000.0

    def send_lag_ms(self, q: float) -> float:
        return percentile(self.send_lags, q) * 1000.0

    def summary(self) -> dict[str, float | int | str]:
        out: dict[str, float | int | str] = {
            "ok": self.ok,
            "errors": self.errors,
            "elapsed_s": round(self.elapsed, 3),
            "rate_per_s": round(self.rate, 1),
        }
        if self.latencies:
            for q in (50, 95, 99):
                out[f"p{q}_ms"] = round(self.latency_ms(q), 2)
            out["max_ms"] = round(max(self.latencies) * 1000.0, 2)
        if self.send_lags:
            out["send_lag_p99_ms"] = round(self.send_lag_ms(99), 2)
            out["max_send_lag_ms"] = round(max(self.send_lags) * 1000.0, 2)
        if self.first_error:
            out["first_error"] = self.first_error
        return out


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def closed_loop(
    op: Op, *, concurrency: int, duration: float, max_ops: int = 1_000_000, grace: float = 15.0
) -> LoadResult:
    """``concurrency`` callers run ``op`` back to back for ``duration`` seconds (or ``max_ops``)."""
    loop = asyncio.get_running_loop()
    result = LoadResult()
    started = loop.time()
    deadline = started + duration
    issued = 0

    async def caller() -> None:
        nonlocal issued
        while loop.time() < deadline and issued < max_ops:
            issued += 1
            began = loop.time()
            try:
                await op()
            except Exception as exc:
                result.record_error(exc)
            else:
                result.ok += 1
                result.latencies.append(loop.time() - began)

    tasks = [asyncio.create_task(caller()) for _ in range(concurrency)]
    _, pending = await asyncio.wait(tasks, timeout=duration + grace)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        result.record_error(TimeoutError(f"{len(pending)} callers still busy after {duration + grace:.0f}s"))
    result.elapsed = loop.time() - started
    return result


async def open_loop(op: Op, *, rate: float, duration: float, timeout: float) -> LoadResult:
    """Fire ``op`` every 1/``rate`` seconds regardless of completions, each in a task of its own: a
    stalled server cannot hide queueing (no coordinated omission), since the sends go on meanwhile
    and each waits out the stall. Latency is measured from each send. How late a send left its
    schedule is the client's own delay, kept apart (``send_lags``): the event loop's timers wake up
    to a millisecond late (epoll's resolution), and a busy client later still."""
    loop = asyncio.get_running_loop()
    result = LoadResult()
    count = max(1, int(rate * duration))
    started = loop.time() + 0.05

    async def fire(scheduled: float) -> None:
        sent = loop.time()
        result.send_lags.append(sent - scheduled)
        try:
            await asyncio.wait_for(op(), timeout)
        except Exception as exc:
            result.record_error(exc)
        else:
            result.ok += 1
            result.latencies.append(loop.time() - sent)

    tasks: list[asyncio.Task[None]] = []
    for i in range(count):
        scheduled = started + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(scheduled)))
    _, pending = await asyncio.wait(tasks, timeout=timeout + 5.0)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        result.errors += len(pending)
    result.elapsed = loop.time() - started
    return result
