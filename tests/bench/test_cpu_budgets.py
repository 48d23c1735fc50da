"""DESIGN §8 budgets a rate with the CPU it may cost: the bench fails a figure that reaches its rate by
spending more CPU per operation than that (bench.budgets.within_cpu), and says when the emergency's
same-shape skeleton itself misses an absolute budget."""

from __future__ import annotations

from bench.budgets import CALL_CPU_MS, emergency_throughput, within_cpu
from bench.dutyline_paths import EmergencyTimings
from bench.load import LoadResult
from bench.report import Ceiling, Figure


def figure(cpu_ms: float | None, passed: bool | None = True) -> Figure:
    return Figure("RegisterCall throughput", 1_200.0, "calls/s", "≥ 1,000/s", passed=passed, cpu_ms=cpu_ms)


def test_a_rate_reached_within_the_cpu_budget_passes() -> None:
    judged = within_cpu(figure(1.2), CALL_CPU_MS)
    assert judged.passed is True and judged.budget.endswith("≤ 1.5 ms CPU/op")


def test_a_rate_reached_by_spending_more_cpu_fails_and_an_unknown_cost_does_not_pass() -> None:
    assert within_cpu(figure(2.6), CALL_CPU_MS).passed is False
    assert within_cpu(figure(None), CALL_CPU_MS).passed is False
    assert within_cpu(figure(1.0, passed=False), CALL_CPU_MS).passed is False
    assert within_cpu(figure(1.0, passed=None), CALL_CPU_MS).passed is None  # the phase failed: no verdict


def skeleton(rate: float, cpu_ms: float) -> Ceiling:
    return Ceiling("temporal_skeleton", "skeleton", rate, "incidents/s", 150.0, detail={"cpu_ms_per_op": cpu_ms})


def emergencies(rate: float, starts: Ceiling) -> Figure:
    result = LoadResult(ok=int(rate * 10), elapsed=10.0, latencies=[0.2] * int(rate * 10))
    return emergency_throughput((result, EmergencyTimings([0.05], [0.1], [0.2])), starts, concurrency=32)


def test_an_absolute_emergency_budget_the_skeleton_itself_misses_is_said() -> None:
    """The skeleton is Temporal and a worker with empty bodies: when it alone is slower than 50 incidents a
    second or costs more than 25 ms each, the figure says so (no build of the workflows can pass)."""
    slow = emergencies(30.0, skeleton(42.6, 33.6))
    assert "the skeleton alone: 42.6/s at 33.6 ms CPU each" in slow.note
    assert slow.passed is False
    costly = emergencies(60.0, skeleton(80.0, 30.0))
    assert "the skeleton alone: 80.0/s at 30.0 ms CPU each" in costly.note
    assert "skeleton alone" not in emergencies(60.0, skeleton(80.0, 20.0)).note
    # Judged against raw starts (no skeleton measured): nothing to say.
    starts = Ceiling("temporal_starts", "starts", 250.0, "starts/s", 150.0)
    assert "skeleton alone" not in emergencies(30.0, starts).note
