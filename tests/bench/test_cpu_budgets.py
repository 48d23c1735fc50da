"""DESIGN §8 budgets a rate with the CPU it may cost: the bench fails a figure that reaches its rate by
spending more CPU per operation than that (bench.budgets.within_cpu)."""

from __future__ import annotations

from bench.budgets import CALL_CPU_MS, within_cpu
from bench.report import Figure


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
