"""Emergency plans (应急预案) as pure rules: which plan fits an incident, when its tasks are due, what a
plan must hold. No I/O; every time is an argument."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Contact:
    """Someone a plan tells when it is activated: exactly one of a person, a role at the incident's
    site, a directory entry (通讯录) or the superior duty office (上级值班室)."""

    name: str
    person_id: str = ""
    role: str = ""
    directory_entry_id: str = ""
    superior_office: bool = False


@dataclass(frozen=True)
class TaskSpec:
    """A task of the plan's checklist (任务清单): its owner (a person, or a role at the incident's
    site) and how long after the activation it is due."""

    key: str
    title: str
    due_after: timedelta
    owner_person_id: str = ""
    owner_role: str = ""


@dataclass(frozen=True)
class Plan:
    id: str
    version: int
    name: str
    # "" = any category; () = any sub-type, any severity.
    category: str
    sub_types: tuple[str, ...]
    severities: tuple[str, ...]
    response_level: str
    contacts: tuple[Contact, ...]
    tasks: tuple[TaskSpec, ...]


@dataclass(frozen=True)
class TaskDue:
    key: str
    title: str
    due_at: datetime
    owner_person_id: str
    owner_role: str


def fits(plan: Plan, *, category: str, sub_type: str, severity: str) -> bool:
    """Whether ``plan`` is for an incident of this category, sub-type and severity."""
    return (
        (not plan.category or plan.category == category)
        and (not plan.sub_types or sub_type in plan.sub_types)
        and (not plan.severities or severity in plan.severities)
    )


def select_plan(plans: Iterable[Plan], *, category: str, sub_type: str, severity: str) -> Plan | None:
    """The plan for an incident: of those that fit, the most specific (its sub-type named before its
    category, its category before its severity); among equals the smallest id, so the choice is stable."""
    fitting = [p for p in plans if fits(p, category=category, sub_type=sub_type, severity=severity)]
    if not fitting:
        return None
    return min(fitting, key=lambda p: (not p.sub_types, not p.category, not p.severities, p.id))


def task_deadlines(plan: Plan, *, activated_at: datetime) -> list[TaskDue]:
    """The plan's tasks with their deadlines, counted from the activation, soonest first."""
    dues = [
        TaskDue(
            key=t.key,
            title=t.title,
            due_at=activated_at + t.due_after,
            owner_person_id=t.owner_person_id,
            owner_role=t.owner_role,
        )
        for t in plan.tasks
    ]
    return sorted(dues, key=lambda d: (d.due_at, d.key))


def plan_problems(plan: Plan) -> list[tuple[str, str]]:
    """What is wrong with a plan beyond the proto's limits: (field, description) each."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, task in enumerate(plan.tasks):
        if task.key in seen:
            problems.append((f"plan.tasks[{i}].key", f"task {task.key!r} appears twice"))
        seen.add(task.key)
    if len({c.name for c in plan.contacts}) != len(plan.contacts):
        problems.append(("plan.contacts", "each contact once (their names differ)"))
    return problems


def response_problem(current: str, *, declare: str | None, stage: str) -> str:
    """Why a response level cannot be declared (``declare`` a level) or lifted (None) now; "" when it can."""
    if stage == "closed":
        return "the incident is closed"
    if declare is None and not current:
        return "no response level is declared"
    if declare is not None and declare == current:
        return f"a level {declare} response is declared already"
    return ""


def level_label(level: str) -> str:
    """A response level in both languages, e.g. "Ⅲ级响应 Level III response"."""
    roman = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}.get(level, level)
    return f"{roman}级响应 Level {level} response"
