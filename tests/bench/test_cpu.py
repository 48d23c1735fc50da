"""CPU per operation as bench/ reports it: the platform's processes, above their idle floor, not the client."""

from __future__ import annotations

import asyncio
import sys

import psutil
import pytest

from bench.cpu import CpuMonitor


def test_cpu_per_operation_is_the_platforms_above_its_idle_floor() -> None:
    monitor = CpuMonitor({})
    monitor.phases["idle"] = {"temporal": 0.05, "intake": 0.01, "bench client": 0.0}
    monitor.phases["calls"] = {"temporal": 0.03, "intake": 0.51, "postgres": 0.2, "bench client": 0.3}
    monitor.seconds["calls"] = 10.0
    # intake 0.50 and postgres 0.20 cores above idle for 10 s; Temporal below its floor counts 0; the client never.
    assert monitor.cpu_ms_per_op("calls", 1000, idle="idle") == pytest.approx(7.0)
    assert monitor.cpu_ms_per_op("calls", 1000) == pytest.approx(7.4)
    assert monitor.cpu_ms_per_op("calls", 0) is None
    assert monitor.cpu_ms_per_op("never ran", 10) is None


BURN = "import time\nend = time.time() + 30\nwhile time.time() < end: pass"


async def test_a_phase_counts_a_busy_process_from_a_sampler_process_of_its_own() -> None:
    """The samples come from a child process (not a thread of the client, whose GIL it would hold)."""

    def children() -> set[int]:
        return {p.pid for p in psutil.Process().children()}

    burner = await asyncio.create_subprocess_exec(sys.executable, "-c", BURN)
    before = children()  # with whatever else the test session runs
    try:
        monitor = CpuMonitor({"burner": burner.pid})
        async with monitor.phase("busy"):
            await asyncio.sleep(1.2)
            during = children() - before
    finally:
        burner.kill()
        await burner.wait()
    assert monitor.phases["busy"]["burner"] > 0.3
    assert "bench client" in monitor.phases["busy"]
    assert monitor.seconds["busy"] >= 1.2
    assert len(during) == 1  # the sampler, while the phase ran
    assert not during & children()  # and gone after it
