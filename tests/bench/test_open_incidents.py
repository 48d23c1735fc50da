"""The open-incidents phase's pure parts: the peak of its due times, and how its figure is judged (DESIGN §8: a
breach acted on within 2 s, none missing, none twice)."""

from __future__ import annotations

import pytest

from bench.budgets import open_incidents
from bench.open_incidents import OpenIncidents, peak_per_second


def test_the_peak_is_the_busiest_wall_clock_second() -> None:
    assert peak_per_second([10.1, 10.5, 10.9, 11.0, 12.2]) == 3
    assert peak_per_second([]) == 0


def measured(
    latencies: list[float], *, missing: int = 0, duplicated: int = 0, failed: int = 0, unexpected: int = 0
) -> OpenIncidents:
    m = OpenIncidents(latencies=latencies, missing=missing, duplicated=duplicated, failed=failed, unexpected=unexpected)
    m.sampled = {f"inc-{i}" for i in range(len(latencies) + missing)}
    m.verified = m.sampled | {f"pending-{i}" for i in range(4_500)}
    m.memory_before, m.memory_after = {"temporal": 200.0}, {"temporal": 450.0}
    return m


def test_every_breach_within_two_seconds_passes() -> None:
    figure = open_incidents(measured([0.2] * 98 + [1.9, 2.5]), cpu_ms=12.0)
    assert figure.passed is True and figure.value == pytest.approx(1.9)
    assert "99% within 2 s" in figure.note and "temporal 200 → 450 MiB" in figure.note
    assert figure.cpu_ms == 12.0


def test_a_slow_tail_a_missing_or_a_duplicated_event_misses() -> None:
    assert open_incidents(measured([0.2] * 90 + [3.0] * 10), cpu_ms=None).passed is False
    assert open_incidents(measured([0.2] * 100, missing=1), cpu_ms=None).passed is False
    assert open_incidents(measured([0.2] * 100, duplicated=1), cpu_ms=None).passed is False
    assert open_incidents(measured([0.2] * 100, failed=1), cpu_ms=None).passed is False
    # A report still pending said missed is a wrong breach, however fast.
    assert open_incidents(measured([0.2] * 100, unexpected=1), cpu_ms=None).passed is False


def test_no_event_at_all_is_an_error_not_a_pass() -> None:
    assert open_incidents(None, cpu_ms=None).verdict == "ERROR"
    assert open_incidents(measured([], missing=5), cpu_ms=None).verdict == "ERROR"
