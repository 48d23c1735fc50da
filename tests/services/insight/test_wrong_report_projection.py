"""A report corrected too late (错报) reaches the assessment: the wrong_report violation that
incident.report_corrected carries is a fact of its author, priced by the scoring rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.insight import scoring
from services.insight.projections import violations
from tests.services.insight import events as ev

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_a_late_correction_is_a_wrong_report_of_its_author_worth_minus_three() -> None:
    current = ev.incident("inc-1", registered=T0)
    corrected = ev.incident_changed(
        "incident.report_corrected",
        current,
        version=7,
        at=T0 + timedelta(days=31),
        violations=[ev.violation("vio-9", "inc-1", "wrong_report", T0 + timedelta(days=31), person="p-author")],
    )
    [row] = violations.violations_of(corrected)
    assert (row.kind, row.person_id, row.record_id) == ("wrong_report", "p-author", "vio-9")
    fact = scoring.Fact(row.kind, row.site_id, row.person_id, row.occurred_at, scoring.SourceRef("violation", "vio-9"))
    cards = scoring.scorecards(
        [fact],
        rules_versions=[scoring.DEFAULT_RULES],
        annotations=[],
        duties=[],
        period=scoring.Period.parse("2026-04"),
        zones={"hz-01": ZoneInfo("Asia/Shanghai")},
        as_of=T0 + timedelta(days=40),
    )
    author = next(c for c in cards if c.person_id == "p-author")
    assert [(line.kind, line.points) for line in author.lines if line.source.record_id == "vio-9"] == [
        (scoring.ViolationKind.WRONG_REPORT, -3)
    ]


def test_a_correction_in_time_records_no_fact() -> None:
    current = ev.incident("inc-1", registered=T0)
    assert violations.violations_of(ev.incident_changed("incident.report_corrected", current, version=3, at=T0)) == []
