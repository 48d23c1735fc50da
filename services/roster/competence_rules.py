"""Qualifications (值班资格) as pure rules: who lacks a required qualification for a duty, the state of
what a person holds, and which qualifications are due a warning before they expire. Every day is an
argument; no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# Expiring qualifications are warned this far ahead.
WARN_DAYS = 30


@dataclass(frozen=True)
class Requirement:
    """A qualification a role of a site requires, and how long a training grants it."""

    role: str
    qualification: str
    valid_days: int


@dataclass(frozen=True)
class Duty:
    """A person to be on duty in a role on a (local) day: an assignment, a rotation's first day."""

    person_id: str
    role: str
    on: date


@dataclass(frozen=True)
class Missing:
    """A person who would be on duty without a valid required qualification."""

    person_id: str
    role: str
    qualification: str
    on: date
    # The last day of what they held, or None when never trained.
    valid_until: date | None

    def describe(self) -> str:
        held = f"expired {self.valid_until.isoformat()}" if self.valid_until is not None else "never trained / 未取得"
        on = self.on.isoformat()
        return f"{self.person_id} lacks {self.qualification!r} ({held}) for duty as {self.role} on {on}"


# What each person holds: (person_id, qualification) -> the last day it is valid.
Held = Mapping[tuple[str, str], date]


def valid_until_of(completed_on: date, valid_days: int) -> date:
    """The last day a training completed on ``completed_on`` grants a qualification valid ``valid_days``."""
    return completed_on + timedelta(days=valid_days - 1)


def missing_qualifications(duties: Iterable[Duty], requirements: Iterable[Requirement], held: Held) -> list[Missing]:
    """The required qualifications each duty's person does not hold valid on the duty's day, once each
    (person, qualification), earliest day first."""
    by_role: dict[str, list[Requirement]] = {}
    for r in requirements:
        by_role.setdefault(r.role, []).append(r)
    found: dict[tuple[str, str], Missing] = {}
    for duty in sorted(duties, key=lambda d: (d.on, d.person_id)):
        for r in by_role.get(duty.role, ()):
            until = held.get((duty.person_id, r.qualification))
            if (until is None or until < duty.on) and (duty.person_id, r.qualification) not in found:
                found[(duty.person_id, r.qualification)] = Missing(
                    duty.person_id, duty.role, r.qualification, duty.on, until
                )
    return list(found.values())


def state_of(valid_until: date | None, today: date, *, warn_days: int = WARN_DAYS) -> str:
    """ "missing", "expired", "expiring" (valid, but not ``warn_days`` days from now) or "valid"."""
    if valid_until is None:
        return "missing"
    if valid_until < today:
        return "expired"
    if valid_until < today + timedelta(days=warn_days):
        return "expiring"
    return "valid"


def due_warnings(held: Held, today: date, *, warn_days: int = WARN_DAYS) -> list[tuple[str, str, date]]:
    """(person, qualification, valid_until) of what expires within ``warn_days`` and is still valid today."""
    return sorted(
        (person_id, qualification, until)
        for (person_id, qualification), until in held.items()
        if state_of(until, today, warn_days=warn_days) == "expiring"
    )
