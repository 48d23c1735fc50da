"""Where the CPU goes during a phase: the cores each platform process (with its children) and the
benchmark client itself used, sampled so that short-lived children are counted too."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping

import psutil

SAMPLE_SECONDS = 0.5


def _tree(pid: int, *, children: bool) -> list[psutil.Process]:
    try:
        proc = psutil.Process(pid)
        return [proc, *proc.children(recursive=True)] if children else [proc]
    except psutil.Error:
        return []


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (every process and the kernel), all cores."""
    times = psutil.cpu_times()
    # On Linux guest time is already part of user time.
    skip = ("idle", "iowait", "steal", "guest", "guest_nice")
    return float(sum(getattr(times, f) for f in times._fields if f not in skip))


def _cpu_seconds(proc: psutil.Process) -> float | None:
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


class CpuMonitor:
    """``async with monitor.phase("name"):`` records cores used per process in ``phases[name]``."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        # The benchmark process itself, without its children (the echo server is its own row).
        self._pids = {**pids, "bench client": os.getpid()}
        self.phases: dict[str, dict[str, float]] = {}
        # Seconds each phase lasted.
        self.seconds: dict[str, float] = {}
        # Cores the whole machine was busy (including the kernel and anything not listed).
        self.machine: dict[str, float] = {}

    def watch(self, name: str, pid: int) -> None:
        """Count a process started after the monitor (a phase's own worker) from the next phase on."""
        self._pids[name] = pid

    def _sample(self) -> dict[tuple[str, int], float]:
        out: dict[tuple[str, int], float] = {}
        for name, pid in self._pids.items():
            for proc in _tree(pid, children=name != "bench client"):
                seconds = _cpu_seconds(proc)
                if seconds is not None:
                    out[(name, proc.pid)] = seconds
        return out

    @contextlib.asynccontextmanager
    async def phase(self, name: str) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        first = await asyncio.to_thread(self._sample)
        last = dict(first)
        busy_before = _machine_busy_seconds()
        began = loop.time()
        stop = asyncio.Event()

        async def sampler() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
                last.update(await asyncio.to_thread(self._sample))

        task = asyncio.create_task(sampler())
        try:
            yield
        finally:
            stop.set()
            await task
            elapsed = max(loop.time() - began, 1e-6)
            busy = _machine_busy_seconds() - busy_before
            used: dict[str, float] = {}
            for (proc_name, pid), seconds in last.items():
                used[proc_name] = used.get(proc_name, 0.0) + seconds - first.get((proc_name, pid), 0.0)
            self.phases[name] = {k: round(v / elapsed, 3) for k, v in sorted(used.items())}
            self.machine[name] = round(busy / elapsed, 3)
            self.seconds[name] = elapsed

    def cpu_ms_per_op(self, phase: str, ops: int, *, idle: str = "") -> float | None:
        """Milliseconds of CPU the platform's processes (not the benchmark client) spent per operation
        of ``phase``: everything the operations caused while it ran, relays and consumers included;
        less what each process spent in the ``idle`` phase (timers, polls), if given and measured."""
        cores = self.phases.get(phase)
        if not cores or ops <= 0:
            return None
        floor = self.phases.get(idle, {})
        platform = sum(max(0.0, v - floor.get(k, 0.0)) for k, v in cores.items() if k != "bench client")
        return platform * self.seconds[phase] / ops * 1000.0
