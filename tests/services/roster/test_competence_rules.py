"""Qualifications as pure rules (值班资格): who lacks a required qualification for a duty, the state of what
a person holds, and the warnings due 30 days before expiry."""

from __future__ import annotations

from datetime import date

from services.roster.competence_rules import (
    Duty,
    Missing,
    Requirement,
    due_warnings,
    missing_qualifications,
    state_of,
    valid_until_of,
)

CERT = "值班员培训合格证"
OFFICERS_NEED_CERT = [Requirement("officer", CERT, 730)]
DAY = date(2026, 6, 1)


def test_two_years_from_a_training_end_the_day_before_its_anniversary() -> None:
    assert valid_until_of(date(2026, 1, 1), 730) == date(2027, 12, 31)
    assert valid_until_of(DAY, 1) == DAY


def test_a_person_without_the_certificate_is_named_with_it() -> None:
    missing = missing_qualifications([Duty("p-1", "officer", DAY)], OFFICERS_NEED_CERT, {})
    assert missing == [Missing("p-1", "officer", CERT, DAY, None)]
    assert "p-1" in missing[0].describe() and CERT in missing[0].describe()


def test_the_certificate_counts_through_its_last_day_and_not_after() -> None:
    held = {("p-1", CERT): DAY}
    assert missing_qualifications([Duty("p-1", "officer", DAY)], OFFICERS_NEED_CERT, held) == []
    later = date(2026, 6, 2)
    assert missing_qualifications([Duty("p-1", "officer", later)], OFFICERS_NEED_CERT, held) == [
        Missing("p-1", "officer", CERT, later, DAY)
    ]


def test_only_the_roles_that_require_it_and_each_person_once() -> None:
    duties = [Duty("p-l", "leader", DAY), Duty("p-1", "officer", date(2026, 6, 3)), Duty("p-1", "officer", DAY)]
    missing = missing_qualifications(duties, OFFICERS_NEED_CERT, {})
    # The earliest duty names it.
    assert [(m.person_id, m.on) for m in missing] == [("p-1", DAY)]
    assert missing_qualifications(duties, [], {}) == [], "a site requiring nothing refuses nobody"


def test_state_and_warnings_thirty_days_ahead() -> None:
    assert state_of(None, DAY) == "missing"
    assert state_of(date(2026, 5, 31), DAY) == "expired"
    assert state_of(date(2026, 6, 30), DAY) == "expiring"
    assert state_of(date(2026, 7, 1), DAY) == "valid"
    held = {("p-1", CERT): date(2026, 6, 30), ("p-2", CERT): date(2026, 7, 1), ("p-3", CERT): date(2026, 5, 31)}
    assert due_warnings(held, DAY) == [("p-1", CERT, date(2026, 6, 30))]
