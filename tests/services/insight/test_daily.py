"""The daily report's arithmetic, without servers: a site's figures out of a day's statistics, a region's
rolled up from its sites, and the local day's bounds (a DST day is 23 hours)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2
from services.insight import daily

BUCKET = ts(datetime(2026, 12, 3, 16, 0, tzinfo=UTC))


def stats() -> insight_pb2.Statistics:
    return insight_pb2.Statistics(
        calls_by_category=[
            insight_pb2.CallCountRow(bucket_start=BUCKET, site_id="hz-01", key="emergency", calls=2),
            insight_pb2.CallCountRow(bucket_start=BUCKET, site_id="hz-01", key="notice", calls=1),
            insight_pb2.CallCountRow(bucket_start=BUCKET, site_id="nb-01", key="emergency", calls=5),
        ],
        calls_by_channel=[insight_pb2.CallCountRow(bucket_start=BUCKET, site_id="hz-01", key="phone", calls=3)],
        answer_times_by_site=[
            insight_pb2.AnswerTimeRow(
                bucket_start=BUCKET, site_id="hz-01", answered=3, within_limit=2, seconds_mean=10.0, seconds_max=25.0
            ),
            insight_pb2.AnswerTimeRow(
                bucket_start=BUCKET, site_id="nb-01", answered=1, within_limit=1, seconds_mean=2.0, seconds_max=2.0
            ),
        ],
        missed_calls=[
            insight_pb2.MissedCallRow(bucket_start=BUCKET, site_id="hz-01", missed=2, callbacks_due=1, callbacks_late=1)
        ],
        incidents=[
            insight_pb2.IncidentCountRow(bucket_start=BUCKET, site_id="hz-01", category="fire", incidents=1),
            insight_pb2.IncidentCountRow(bucket_start=BUCKET, site_id="hz-01", category="fire", incidents=2),
        ],
        reports=[insight_pb2.ReportRow(bucket_start=BUCKET, site_id="hz-01", on_time=1, late=2, missed=1)],
        violations=[
            insight_pb2.ViolationCountRow(
                bucket_start=BUCKET, site_id="hz-01", person_id="p-a", kind="late_report", violations=2
            ),
            insight_pb2.ViolationCountRow(
                bucket_start=BUCKET, site_id="hz-01", person_id="p-b", kind="late_report", violations=1
            ),
        ],
    )


def test_a_sites_figures_are_its_rows_summed() -> None:
    hz = daily.site_figures(stats(), "hz-01", {"case_opened": 4, "escalation": 1, "acknowledgement": 1})
    assert (hz.calls, hz.notices, hz.answered, hz.answered_late) == (3, 1, 3, 1)
    assert hz.answer_seconds_mean == 10.0 and hz.answer_seconds_max == 25.0
    assert (hz.missed, hz.callbacks_due, hz.callbacks_late) == (2, 1, 1)
    assert hz.incidents == 3 and [(c.key, c.count) for c in hz.incidents_by_category] == [("fire", 3)]
    assert (hz.reports_on_time, hz.reports_late, hz.reports_missed) == (1, 2, 1)
    assert [(c.key, c.count) for c in hz.violations_by_kind] == [("late_report", 3)]
    assert (hz.cases_opened, hz.cases_answered, hz.escalations, hz.escalations_acknowledged) == (4, 0, 1, 1)
    nb = daily.site_figures(stats(), "nb-01")
    assert (nb.calls, nb.answered, nb.incidents, nb.cases_opened) == (5, 1, 0, 0)


def test_a_region_sums_its_sites_and_weighs_the_mean_answer_time() -> None:
    sites = [daily.site_figures(stats(), "hz-01"), daily.site_figures(stats(), "nb-01")]
    region = daily.rolled_up(sites)
    assert (region.calls, region.answered, region.answered_late, region.missed) == (8, 4, 1, 2)
    assert region.answer_seconds_mean == pytest.approx((3 * 10.0 + 2.0) / 4)
    assert region.answer_seconds_max == 25.0
    assert {c.key: c.count for c in region.calls_by_category} == {"emergency": 7, "notice": 1}
    assert daily.rolled_up([]) == insight_pb2.DutyFigures()


def test_the_day_is_local_midnight_to_midnight() -> None:
    start, end = daily.day_bounds(date(2026, 12, 4), "Asia/Shanghai")
    assert start == datetime(2026, 12, 3, 16, tzinfo=UTC) and end - start == timedelta(hours=24)
    spring, after = daily.day_bounds(date(2026, 3, 8), "America/New_York")
    assert after - spring == timedelta(hours=23)
