"""Working days and handling deadlines of cases (办理时限), as pure functions: every time is an argument.

A site's working days are Monday to Friday, except the holidays its calendar lists (法定节假日), plus
the weekend days it lists as working days (调休上班). A case handled in N working days is due N
working days after it started, at the same local time of day; one started on a day off starts at the
beginning of the next working day (and is due when its Nth working day has ended). Urgent cases run
around the clock: N hours, holidays or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dutyline.grpckit.errors import FieldViolation

SATURDAY = 5
# Looking further than this for the next working day means the calendar is nonsense (a year off).
MAX_DAYS_OFF_IN_A_ROW = 366


@dataclass(frozen=True)
class HolidayCalendar:
    """A site's listed days off and days on (local dates)."""

    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Handling:
    """The handling time of a case policy (one category at one site, one version)."""

    working_days: int
    urgent_hours: int
    remind_before_minutes: int
    version: int = 0


@dataclass(frozen=True)
class Deadline:
    due_at: datetime  # UTC
    remind_at: datetime  # UTC; the supervision reminder (督办), never before the start


def is_working_day(day: date, calendar: HolidayCalendar) -> bool:
    if day in calendar.working_days:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < SATURDAY


def _next_working_day(day: date, calendar: HolidayCalendar) -> date:
    """The first working day after ``day``."""
    for _ in range(MAX_DAYS_OFF_IN_A_ROW):
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            return day
    raise ValueError(f"no working day within a year after {day}")


def add_working_days(start: datetime, days: int, calendar: HolidayCalendar, zone: ZoneInfo) -> datetime:
    """``days`` working days after ``start`` in the site's zone ``zone``, as UTC."""
    local = start.astimezone(zone)
    day, clock = local.date(), local.time()
    if not is_working_day(day, calendar):
        # Started on a day off: the clock starts at the beginning of the next working day.
        day, clock = _next_working_day(day, calendar), time(0)
    for _ in range(days):
        day = _next_working_day(day, calendar)
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def deadline(
    start: datetime, handling: Handling, calendar: HolidayCalendar, zone: ZoneInfo, *, urgent: bool
) -> Deadline:
    """When a case started (opened, reassigned or reopened) at ``start`` is due, and when to remind."""
    if urgent:
        span = timedelta(hours=handling.urgent_hours)
        due_at = start.astimezone(UTC) + span
        return Deadline(due_at, due_at - span / 4)
    due_at = add_working_days(start, handling.working_days, calendar, zone)
    remind_at = max(due_at - timedelta(minutes=handling.remind_before_minutes), start.astimezone(UTC))
    return Deadline(due_at, remind_at)


def parse_dates(values: Iterable[str], field: str) -> tuple[frozenset[date], list[FieldViolation]]:
    """Local dates "YYYY-MM-DD" (the proto checks the shape; here, that the day exists)."""
    found: set[date] = set()
    problems: list[FieldViolation] = []
    for index, value in enumerate(values):
        try:
            found.add(date.fromisoformat(value))
        except ValueError:
            problems.append(FieldViolation(f"{field}[{index}]", f"no such day: {value}"))
    return frozenset(found), problems


def calendar_of(holidays: Iterable[str], working_days: Iterable[str]) -> tuple[HolidayCalendar, list[FieldViolation]]:
    """A calendar from its listed dates, and what is wrong with them: a day that does not exist, a day
    both off and on, a make-up working day that is not on a weekend."""
    off, problems = parse_dates(holidays, "calendar.holidays")
    on, more = parse_dates(working_days, "calendar.working_days")
    problems += more
    for day in sorted(off & on):
        problems.append(FieldViolation("calendar.working_days", f"{day} is also listed as a holiday"))
    for day in sorted(d for d in on if d.weekday() < SATURDAY):
        problems.append(FieldViolation("calendar.working_days", f"{day} is a weekday: a working day already"))
    return HolidayCalendar(off, on), problems
