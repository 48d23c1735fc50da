"""Emergency plans as pure rules: the plan that fits an incident (category, sub-type, severity; the
most specific wins), the tasks' deadlines from the activation, what a plan may not hold, when a
response level may be declared or lifted, and when each task is due a notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.incident.plan_rules import (
    Plan,
    TaskSpec,
    plan_problems,
    response_problem,
    select_plan,
    task_deadlines,
)
from workflows.plan_activation.schedule import Notice, pending_notices

T0 = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)


def plan(
    plan_id: str, *, category: str = "", sub_types: tuple[str, ...] = (), severities: tuple[str, ...] = ()
) -> Plan:
    return Plan(
        id=plan_id,
        version=1,
        name=plan_id,
        category=category,
        sub_types=sub_types,
        severities=severities,
        response_level="IV",
        contacts=(),
        tasks=(TaskSpec("t", "task", timedelta(minutes=30), owner_role="officer"),),
    )


PLANS = [
    plan("any-accident", category="accident"),
    plan("gas-leak", category="accident", sub_types=("gas_leak",)),
    plan("gas-leak-major", category="accident", sub_types=("gas_leak",), severities=("I", "II")),
    plan("flood", category="natural_disaster", sub_types=("flood",)),
    plan("general"),
]


@pytest.mark.parametrize(
    ("category", "sub_type", "severity", "expected"),
    [
        ("accident", "gas_leak", "II", "gas-leak-major"),  # sub-type and severity named
        ("accident", "gas_leak", "IV", "gas-leak"),  # the major plan is for I and II only
        ("accident", "road_traffic", "III", "any-accident"),  # no sub-type plan: the category's
        ("natural_disaster", "flood", "I", "flood"),
        ("natural_disaster", "earthquake", "I", "general"),  # nothing for it but the catch-all
        ("public_health", "", "unrated", "general"),
    ],
)
def test_the_most_specific_plan_that_fits_is_chosen(category: str, sub_type: str, severity: str, expected: str) -> None:
    chosen = select_plan(PLANS, category=category, sub_type=sub_type, severity=severity)
    assert chosen is not None and chosen.id == expected


def test_no_plan_fits_without_a_catch_all_and_equals_are_told_apart_by_id() -> None:
    assert select_plan(PLANS[:4], category="social_safety", sub_type="", severity="III") is None
    twins = [plan("b", category="accident"), plan("a", category="accident")]
    chosen = select_plan(twins, category="accident", sub_type="", severity="III")
    assert chosen is not None and chosen.id == "a"


def test_tasks_are_due_after_the_activation_soonest_first() -> None:
    tasks = (
        TaskSpec("report", "上报", timedelta(hours=1), owner_role="leader"),
        TaskSpec("evacuate", "疏散", timedelta(minutes=15), owner_person_id="p-hz-officer-1"),
        TaskSpec("call-gas", "通知燃气公司", timedelta(0), owner_role="officer"),
    )
    dues = task_deadlines(Plan("p", 1, "p", "", (), (), "", (), tasks), activated_at=T0)
    assert [(d.key, d.due_at) for d in dues] == [
        ("call-gas", T0),
        ("evacuate", T0 + timedelta(minutes=15)),
        ("report", T0 + timedelta(hours=1)),
    ]
    assert dues[1].owner_person_id == "p-hz-officer-1" and dues[2].owner_role == "leader"


def test_a_task_key_twice_is_a_problem() -> None:
    twice = (
        TaskSpec("a", "x", timedelta(0), owner_role="officer"),
        TaskSpec("a", "y", timedelta(0), owner_role="officer"),
    )
    assert plan_problems(Plan("p", 0, "p", "", (), (), "", (), twice)) == [
        ("plan.tasks[1].key", "task 'a' appears twice")
    ]
    assert plan_problems(PLANS[0]) == []


@pytest.mark.parametrize(
    ("current", "declare", "stage", "problem"),
    [
        ("", "III", "track", ""),
        ("III", "II", "track", ""),  # raised
        ("III", "III", "track", "a level III response is declared already"),
        ("III", None, "track", ""),
        ("", None, "track", "no response level is declared"),
        ("", "I", "closed", "the incident is closed"),
    ],
)
def test_when_a_response_may_be_declared_or_lifted(current: str, declare: str | None, stage: str, problem: str) -> None:
    assert response_problem(current, declare=declare, stage=stage) == problem


def test_notices_reminder_before_overdue_at_and_escalation_after_the_deadline() -> None:
    dues = {"evacuate": T0 + timedelta(minutes=30), "now": T0, "done": T0 + timedelta(minutes=30)}
    args = {"started_at": T0, "remind_before": timedelta(minutes=10), "escalate_after": timedelta(minutes=15)}
    pending = pending_notices(dues, open_tasks={"evacuate", "now"}, sent=(), now=T0, **args)
    assert pending == [
        Notice(T0, "now", "overdue"),  # due at once: no reminder
        Notice(T0 + timedelta(minutes=15), "now", "escalation"),
        Notice(T0 + timedelta(minutes=20), "evacuate", "reminder"),
        Notice(T0 + timedelta(minutes=30), "evacuate", "overdue"),
        Notice(T0 + timedelta(minutes=45), "evacuate", "escalation"),
    ]
    # Sent ones are not again; a reminder not sent by the deadline is moot.
    late = pending_notices(
        dues, open_tasks={"evacuate"}, sent={("evacuate", "overdue")}, now=T0 + timedelta(minutes=31), **args
    )
    assert late == [Notice(T0 + timedelta(minutes=45), "evacuate", "escalation")]
