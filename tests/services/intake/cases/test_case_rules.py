"""The statuses of a case and the actions allowed in each (pure)."""

from __future__ import annotations

import pytest

from dutyline.grpckit.errors import FailedPrecondition
from services.intake.cases.rules import next_status

LIFECYCLE = [
    ("accepted", "assign", "assigned"),
    ("assigned", "acknowledge", "in_progress"),
    ("in_progress", "note", "in_progress"),
    ("in_progress", "answer", "answered"),
    ("answered", "feedback", "feedback_given"),
    ("feedback_given", "visit_satisfied", "feedback_given"),
    ("feedback_given", "close", "closed"),
]


@pytest.mark.parametrize(("status", "action", "expected"), LIFECYCLE)
def test_the_lifecycle_of_a_case(status: str, action: str, expected: str) -> None:
    assert next_status(status, action) == expected


def test_a_reassignment_waits_for_the_receivers_acknowledgement() -> None:
    assert next_status("in_progress", "assign") == "assigned"
    assert next_status("assigned", "assign") == "assigned"


def test_a_dissatisfied_caller_or_a_reopening_puts_the_case_back_in_progress() -> None:
    assert next_status("feedback_given", "visit_dissatisfied") == "in_progress"
    assert next_status("closed", "reopen") == "in_progress"


def test_closing_without_feedback_to_the_caller_is_refused() -> None:
    with pytest.raises(FailedPrecondition, match="feedback first"):
        next_status("answered", "close")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("accepted", "acknowledge"),
        ("assigned", "answer"),
        ("accepted", "feedback"),
        ("in_progress", "close"),
        ("in_progress", "visit_satisfied"),
        ("answered", "reopen"),
        ("closed", "note"),
        ("closed", "assign"),
        ("closed", "close"),
    ],
)
def test_illegal_transitions_fail_the_precondition(status: str, action: str) -> None:
    with pytest.raises(FailedPrecondition):
        next_status(status, action)
