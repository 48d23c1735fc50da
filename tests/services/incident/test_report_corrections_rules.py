"""The pure rules of report corrections (更正, 错报): which material figures differ between two versions,
until when they may be corrected under the shipped policies, and when a correction is 错报."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.incident.rules import (
    Casualties,
    FigureChange,
    ReportFigures,
    correction_allowed_until,
    default_policies,
    describe_changes,
    figure_changes,
    validate_policy,
    wrong_report,
)

CLOCK = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
POLICIES = {p.id: p for p in default_policies(datetime(2020, 1, 1, tzinfo=UTC))}
FIRST = ReportFigures(Casualties(deaths=1, injuries=4, loss_yuan=2_000_000), severity="III", cause="")


def test_every_figure_that_differs_is_listed_in_order_and_nothing_else() -> None:
    after = ReportFigures(
        Casualties(deaths=3, serious_injuries=2, injuries=4, missing=1, loss_yuan=2_500_000),
        severity="II",
        cause="燃气管道老化 an old gas main",
    )
    assert figure_changes(FIRST, after) == [
        FigureChange("deaths", "1", "3", material=True),
        FigureChange("serious_injuries", "0", "2", material=True),
        FigureChange("missing", "0", "1", material=True),
        FigureChange("loss_yuan", "2000000", "2500000", material=True),
        FigureChange("severity", "III", "II", material=True),
        # A cause stated for the first time adds to the report; it corrects nothing.
        FigureChange("cause", "", "燃气管道老化 an old gas main", material=False),
    ]
    assert figure_changes(FIRST, FIRST) == []


def test_a_figure_lowered_is_a_change_too_and_a_stated_cause_changed_is_material() -> None:
    stated = replace(FIRST, cause="电气短路 a short circuit")
    lowered = replace(stated, casualties=replace(FIRST.casualties, deaths=0), cause=" 燃气泄漏 a gas leak ")
    assert figure_changes(stated, lowered) == [
        FigureChange("deaths", "1", "0", material=True),
        FigureChange("cause", "电气短路 a short circuit", "燃气泄漏 a gas leak", material=True),
    ]
    # Only whitespace around the cause differs: no change.
    assert figure_changes(stated, replace(stated, cause=" 电气短路 a short circuit\n")) == []


def test_a_severity_first_given_after_an_unrated_report_is_not_material() -> None:
    unrated = replace(FIRST, severity="unrated")
    assert figure_changes(unrated, FIRST) == [FigureChange("severity", "unrated", "III", material=False)]


@pytest.mark.parametrize(
    ("policy_id", "window"),
    [
        ("national-I", timedelta(days=30)),
        ("national-IV", timedelta(days=30)),
        ("zj-II", timedelta(days=30)),
        ("accident", timedelta(days=30)),
        ("accident-road-fire", timedelta(days=7)),
    ],
)
def test_the_shipped_policies_allow_corrections_for_the_casualty_change_window(
    policy_id: str, window: timedelta
) -> None:
    policy = POLICIES[policy_id]
    assert correction_allowed_until(policy, clock_from=CLOCK) == CLOCK + window
    if policy.category == "accident":
        # One window: the casualty-change follow-up (伤亡变化补报) is due at its end, too.
        follow_up = next(r for r in policy.requirements if r.kind == "follow_up")
        assert follow_up.due_after == window


def test_no_policy_or_no_window_means_no_limit() -> None:
    assert correction_allowed_until(None, clock_from=CLOCK) is None
    unlimited = replace(POLICIES["national-IV"], correction_within=None)
    assert correction_allowed_until(unlimited, clock_from=CLOCK) is None
    assert not wrong_report(
        [FigureChange("deaths", "1", "3", True)], allowed_until=None, at=CLOCK + timedelta(days=900)
    )


def test_a_material_correction_after_the_window_is_wrong_and_not_before() -> None:
    until = CLOCK + timedelta(days=30)
    material = [FigureChange("deaths", "1", "3", True)]
    assert not wrong_report(material, allowed_until=until, at=until)
    assert wrong_report(material, allowed_until=until, at=until + timedelta(seconds=1))
    # Late, but only the wording, or only a figure stated for the first time.
    assert not wrong_report([], allowed_until=until, at=until + timedelta(days=1))
    added = [FigureChange("cause", "", "燃气泄漏", False)]
    assert not wrong_report(added, allowed_until=until, at=until + timedelta(days=1))


def test_a_negative_window_is_refused() -> None:
    policy = replace(POLICIES["national-IV"], correction_within=timedelta(seconds=-1))
    assert ("policy.correction_within_seconds", "must not be negative") in validate_policy(policy)
    assert validate_policy(POLICIES["national-IV"]) == []


def test_the_changes_read_as_one_line() -> None:
    changes = [FigureChange("deaths", "1", "3", True), FigureChange("cause", "", "燃气泄漏", False)]
    assert describe_changes(changes) == "死亡 deaths 1→3; 原因 cause —→燃气泄漏"
    assert describe_changes([]) == ""
