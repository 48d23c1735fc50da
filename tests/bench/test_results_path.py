"""A partial run or the replicas profile does not overwrite the full run's figures (bench/results/latest.json,
what docs/operations.md shows)."""

from __future__ import annotations

from bench.__main__ import results_path
from bench.report import RESULTS_DIR, Report


def test_each_kind_of_run_has_its_own_results_file() -> None:
    assert results_path("", 1) == RESULTS_DIR / "latest.json"
    assert results_path("", 2) == RESULTS_DIR / "replicas-2.json"
    assert results_path("calls", 1) == RESULTS_DIR / "only-calls.json"
    assert results_path("skeleton,emergency", 2) == RESULTS_DIR / "only-skeleton+emergency-replicas-2.json"


def test_the_results_say_how_many_processes_of_each_service_ran() -> None:
    assert Report(replicas=2).to_json()["replicas"] == 2
    assert Report().to_json()["replicas"] == 1
