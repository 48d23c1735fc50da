"""The call ceilings are measured again at the end of a run, and a host that changed speed in between is
said so (bench.report): a ratio is only as good as the ceiling it is taken against."""

from __future__ import annotations

import pytest

from bench.report import Ceiling, Report


def commits(rate: float | None, at_end: float | None = None) -> Ceiling:
    return Ceiling("postgres_two_insert_commits", "PostgreSQL commits", rate, "commits/s", 3500.0, rate_at_end=at_end)


def test_the_drift_is_the_change_from_the_start_of_the_run_to_its_end() -> None:
    assert commits(3000.0, 2400.0).drift == pytest.approx(-0.2)
    assert commits(3000.0).drift is None  # not measured again
    assert commits(None, 2400.0).drift is None  # the first measurement failed


def test_a_ceiling_that_moved_more_than_fifteen_per_cent_is_named_in_a_warning() -> None:
    report = Report()
    report.ceilings["postgres_two_insert_commits"] = commits(3000.0, 2400.0)
    report.ceilings["grpc_echo"] = Ceiling("grpc_echo", "gRPC echo", 3600.0, "calls/s", 3900.0, rate_at_end=3300.0)
    (warning,) = report.drift_warnings()
    assert "PostgreSQL commits 3,000 → 2,400 commits/s (-20%)" in warning
    report.ceilings["postgres_two_insert_commits"] = commits(3000.0, 2700.0)
    assert report.drift_warnings() == []


def test_the_results_keep_both_measurements_and_the_drift() -> None:
    report = Report()
    report.ceilings["postgres_two_insert_commits"] = commits(3000.0, 2400.0)
    saved = report.to_json()["raw_ceilings"]["postgres_two_insert_commits"]
    assert (saved["rate"], saved["rate_at_end"], saved["drift"]) == (3000.0, 2400.0, -0.2)
