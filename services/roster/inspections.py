"""The duty leader's inspection (带班领导查岗), pure: what a checklist and an inspection are, and whether
an inspection answers its checklist and falls in the inspected shift. No I/O; every time an argument."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to check (查岗项目), e.g. ("on_post", "值班人员在岗 / officer on post")."""

    code: str
    label: str


@dataclass(frozen=True)
class ItemResult:
    code: str
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class Checklist:
    site_id: str
    items: tuple[ChecklistItem, ...]
    version: int
    updated_by: str
    updated_by_name: str
    updated_at: datetime


@dataclass(frozen=True)
class InspectionRow:
    id: str
    site_id: str
    assignment_id: str
    shift_name: str
    local_date: str
    inspector_id: str
    inspector_name: str
    inspected_at: datetime
    checklist_version: int
    results: tuple[ItemResult, ...]
    note: str
    recorded_at: datetime

    @property
    def all_ok(self) -> bool:
        return all(r.ok for r in self.results)


def result_problems(items: Sequence[ChecklistItem], results: Sequence[ItemResult]) -> list[str]:
    """Why ``results`` do not answer the checklist: each item exactly once, nothing else (empty: they do)."""
    expected = [i.code for i in items]
    given = [r.code for r in results]
    problems = [f"{code!r} is not on the checklist" for code in given if code not in expected]
    problems += [f"{code!r} is not answered" for code in expected if code not in given]
    return problems


def time_problem(*, inspected_at: datetime, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """Why an inspection at ``inspected_at`` cannot be of the shift [starts_at, ends_at) ("" if it can)."""
    if inspected_at > now:
        return "an inspection cannot be recorded ahead of time"
    if not starts_at <= inspected_at < ends_at:
        return f"the shift runs from {starts_at.isoformat()} to {ends_at.isoformat()}"
    return ""
