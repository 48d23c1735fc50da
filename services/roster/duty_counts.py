"""Duty counts per person (值班统计), for fairness: shifts, nights (夜班), weekends (周末) and holidays
(节假日) over a period, in the time zone of the shift's site. Pure: the assignments, the period and
the calendar are arguments.

- A shift belongs to the period its start falls in ([start, end)), so adjacent periods never count a
  shift twice and a shift cut by the period's end counts whole in the period it began in.
- A night is a shift on duty at 03:00 local time (an instant that exists on every day, across DST
  changes): a 20:00–08:00 or 00:00–08:00 shift is one, a 16:00–24:00 or 08:00–20:00 one is not.
- A weekend is a shift whose local date (its start's) is a Saturday or Sunday, unless the calendar
  lists that day as a make-up working day (调休上班); a holiday is one whose local date the calendar
  lists as a holiday (法定节假日). A holiday on a weekend counts as both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.roster.rules import Assignment

NIGHT_MARK = time(3, 0)


@dataclass(frozen=True)
class Calendar:
    """A site's days off and days on beyond the weekend (节假日, 调休上班日), as local dates."""

    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()


@dataclass
class Counts:
    person_id: str
    site_id: str
    shifts: int = 0
    nights: int = 0
    weekends: int = 0
    holidays: int = 0
    leader_shifts: int = 0
    hours: float = 0.0


def is_night(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> bool:
    """On duty at 03:00 local time on some day of the shift."""
    day = starts_at.astimezone(zone).date()
    while True:
        mark = datetime.combine(day, NIGHT_MARK, tzinfo=zone)
        if mark >= ends_at:
            return False
        if mark >= starts_at:
            return True
        day += timedelta(days=1)


def is_weekend(day: date, calendar: Calendar) -> bool:
    return day.weekday() >= 5 and day not in calendar.working_days


def duty_counts(
    assignments: Iterable[Assignment],
    *,
    start: datetime,
    end: datetime,
    zones: dict[str, ZoneInfo],
    calendars: dict[str, Calendar],
) -> list[Counts]:
    """The counts of each (person, site) with a shift starting in [start, end): by site, then most
    shifts first, then person. ``zones`` and ``calendars`` are per site (no calendar: no holidays)."""
    counts: dict[tuple[str, str], Counts] = {}
    for a in assignments:
        if not start <= a.starts_at < end:
            continue
        zone = zones[a.site_id]
        calendar = calendars.get(a.site_id, Calendar())
        day = a.starts_at.astimezone(zone).date()
        c = counts.setdefault((a.person_id, a.site_id), Counts(person_id=a.person_id, site_id=a.site_id))
        c.shifts += 1
        c.nights += is_night(a.starts_at, a.ends_at, zone)
        c.weekends += is_weekend(day, calendar)
        c.holidays += day in calendar.holidays
        c.leader_shifts += a.role == "leader"
        c.hours += (a.ends_at - a.starts_at).total_seconds() / 3600
    return sorted(counts.values(), key=lambda c: (c.site_id, -c.shifts, c.person_id))
