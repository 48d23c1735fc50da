"""CPU per operation as bench/ reports it: the platform's processes, above their idle floor, not the client."""

from __future__ import annotations

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
