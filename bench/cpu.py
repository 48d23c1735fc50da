"""Where the CPU goes during a phase: the cores each platform process (with its children) and the
benchmark client itself used, sampled so that short-lived children are counted too.

The samples are taken by a process of their own (``python -m bench.cpu``), not by a thread of the
benchmark: walking /proc holds the GIL for milliseconds, and a thread doing it every half second
delayed the client's own calls by as much (GetOnDuty p99 6.1-6.4 ms measured with the thread,
3.4-3.6 ms without it, on the same platform)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Mapping

import psutil

SAMPLE_SECONDS = 0.5
CLIENT = "bench client"


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


def sample(pids: Mapping[str, int]) -> dict[tuple[str, int], float]:
    """CPU seconds so far of each named process and its children (the client's without them, as the
    echo server it starts is its own row), by (name, pid)."""
    out: dict[tuple[str, int], float] = {}
    for name, pid in pids.items():
        for proc in _tree(pid, children=name != CLIENT):
            seconds = _cpu_seconds(proc)
            if seconds is not None:
                out[(name, proc.pid)] = seconds
    return out


def _serve() -> None:
    """The sampler process: for each line of JSON {name: pid} on stdin, one line of the sample's
    [name, pid, seconds] rows on stdout."""
    for line in sys.stdin:
        rows = [[name, pid, seconds] for (name, pid), seconds in sample(json.loads(line)).items()]
        sys.stdout.write(json.dumps(rows) + "\n")
        sys.stdout.flush()


class _Sampler:
    """The benchmark's end of the sampler process."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc
        assert proc.stdin is not None and proc.stdout is not None
        self._stdin, self._stdout = proc.stdin, proc.stdout

    @classmethod
    async def start(cls) -> _Sampler:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.cpu", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        return cls(proc)

    async def sample(self, pids: Mapping[str, int]) -> dict[tuple[str, int], float]:
        self._stdin.write(json.dumps(dict(pids)).encode() + b"\n")
        await self._stdin.drain()
        line = await self._stdout.readline()
        if not line:
            raise RuntimeError(f"the CPU sampler exited ({self._proc.returncode})")
        return {(name, pid): seconds for name, pid, seconds in json.loads(line)}

    async def close(self) -> None:
        self._stdin.close()
        with contextlib.suppress(ProcessLookupError):
            await asyncio.wait_for(self._proc.wait(), 5.0)


class CpuMonitor:
    """``async with monitor.phase("name"):`` records cores used per process in ``phases[name]``."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        # The benchmark process itself, without its children (the echo server is its own row).
        self._pids = {**pids, CLIENT: os.getpid()}
        self.phases: dict[str, dict[str, float]] = {}
        # Seconds each phase lasted.
        self.seconds: dict[str, float] = {}
        # Cores the whole machine was busy (including the kernel and anything not listed).
        self.machine: dict[str, float] = {}

    def watch(self, name: str, pid: int) -> None:
        """Count a process started after the monitor (a phase's own worker) from the next phase on."""
        self._pids[name] = pid

    @contextlib.asynccontextmanager
    async def phase(self, name: str) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        sampler = await _Sampler.start()
        first = await sampler.sample(self._pids)
        last = dict(first)
        busy_before = _machine_busy_seconds()
        began = loop.time()
        stop = asyncio.Event()

        async def every_half_second() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
                last.update(await sampler.sample(self._pids))

        task = asyncio.create_task(every_half_second())
        try:
            yield
        finally:
            stop.set()
            try:
                await task
            finally:
                await sampler.close()
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
        platform = sum(max(0.0, v - floor.get(k, 0.0)) for k, v in cores.items() if k != CLIENT)
        return platform * self.seconds[phase] / ops * 1000.0


if __name__ == "__main__":
    _serve()
