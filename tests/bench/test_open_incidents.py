"""The open-incidents phase's pure parts: the due times it plans, and how its figure is judged (DESIGN §8: a
breach acted on within 2 s, none missing, none twice)."""

from __future__ import annotations

import pytest

from bench.budgets import open_incidents
from bench.open_incidents import BASE_S, POLICIES, STEP_S, OpenIncidents, peak_per_second, policy_index


@pytest.mark.parametrize("seconds_to_target", [BASE_S, BASE_S + 0.5, BASE_S + 95.0, BASE_S + 200.0])
def test_each_incident_falls_due_within_one_step_after_the_target(seconds_to_target: float) -> None:
    due_in = BASE_S + STEP_S * policy_index(seconds_to_target)
    assert seconds_to_target <= due_in < seconds_to_target + STEP_S


def test_a_target_out_of_reach_takes_the_nearest_policy() -> None:
    assert policy_index(0.0) == 0  # verified too late: due as soon as a policy allows
    assert policy_index(10_000.0) == POLICIES - 1


def test_the_peak_is_the_busiest_wall_clock_second() -> None:
    assert peak_per_second([10.1, 10.5, 10.9, 11.0, 12.2]) == 3
    assert peak_per_second([]) == 0


def measured(latencies: list[float], *, missing: int = 0, duplicated: int = 0, failed: int = 0) -> OpenIncidents:
    m = OpenIncidents(latencies=latencies, missing=missing, duplicated=duplicated, failed=failed)
    m.verified = {f"inc-{i}" for i in range(len(latencies) + missing)}
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


def test_no_event_at_all_is_an_error_not_a_pass() -> None:
    assert open_incidents(None, cpu_ms=None).verdict == "ERROR"
    assert open_incidents(measured([], missing=5), cpu_ms=None).verdict == "ERROR"
