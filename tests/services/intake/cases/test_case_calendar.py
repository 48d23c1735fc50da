"""Working days and case deadlines (pure): weekends off, listed holidays off, listed make-up working
days on, days off at the start, urgent cases around the clock, the site's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.intake.cases.calendar import (
    Handling,
    HolidayCalendar,
    add_working_days,
    calendar_of,
    deadline,
    is_working_day,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NO_HOLIDAYS = HolidayCalendar()
COMPLAINT = Handling(working_days=5, urgent_hours=2, remind_before_minutes=240)


def local(year: int, month: int, day: int, hour: int = 0, *, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(year, month, day, hour, tzinfo=zone)


def days(*values: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(v) for v in values)


def test_weekdays_are_working_days_unless_listed_and_weekend_days_only_when_listed() -> None:
    calendar = HolidayCalendar(holidays=days("2026-10-01"), working_days=days("2026-09-27"))
    assert is_working_day(date(2026, 9, 25), calendar)  # a Friday
    assert not is_working_day(date(2026, 9, 26), calendar)  # a Saturday
    assert is_working_day(date(2026, 9, 27), calendar)  # a Sunday made a working day (调休)
    assert not is_working_day(date(2026, 10, 1), calendar)  # a Thursday, National Day


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        (NO_HOLIDAYS, local(2026, 9, 28, 10)),  # Friday → Monday, across the weekend
        (HolidayCalendar(holidays=days("2026-09-28")), local(2026, 9, 29, 10)),  # and a holiday Monday
        (HolidayCalendar(working_days=days("2026-09-27")), local(2026, 9, 27, 10)),  # a make-up Sunday
    ],
)
def test_one_working_day_from_a_friday(calendar: HolidayCalendar, expected: datetime) -> None:
    assert add_working_days(local(2026, 9, 25, 10), 1, calendar, SHANGHAI) == expected.astimezone(UTC)


def test_five_working_days_across_the_national_day_holidays_and_their_make_up_days() -> None:
    calendar = HolidayCalendar(
        holidays=days(*(f"2026-10-0{d}" for d in range(1, 8))), working_days=days("2026-09-27", "2026-10-10")
    )
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (on), 10-12 Mon, 10-13 Tue.
    assert add_working_days(local(2026, 9, 30, 10), 5, calendar, SHANGHAI) == local(2026, 10, 13, 10).astimezone(UTC)


def test_a_case_opened_on_a_day_off_starts_at_the_next_working_day() -> None:
    # Saturday afternoon, one working day: all of Monday, so due as Monday ends.
    assert add_working_days(local(2026, 9, 26, 15), 1, NO_HOLIDAYS, SHANGHAI) == local(2026, 9, 29).astimezone(UTC)


def test_the_local_time_of_day_holds_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    due = add_working_days(local(2026, 3, 27, 10, zone=berlin), 1, NO_HOLIDAYS, berlin)
    assert due == datetime(2026, 3, 30, 8, tzinfo=UTC)  # 10:00 CEST; the Friday was 09:00 UTC


def test_the_reminder_comes_before_the_deadline_but_never_before_the_start() -> None:
    opened = local(2026, 9, 25, 10)
    due = deadline(opened, COMPLAINT, NO_HOLIDAYS, SHANGHAI, urgent=False)
    assert due.due_at == local(2026, 10, 2, 10).astimezone(UTC)
    assert due.remind_at == due.due_at - timedelta(hours=4)
    eager = Handling(working_days=1, urgent_hours=2, remind_before_minutes=10080)
    assert deadline(opened, eager, NO_HOLIDAYS, SHANGHAI, urgent=False).remind_at == opened.astimezone(UTC)


def test_an_urgent_case_runs_around_the_clock_through_holidays() -> None:
    opened = local(2026, 10, 1, 23)  # a holiday, at night
    calendar = HolidayCalendar(holidays=days("2026-10-01", "2026-10-02"))
    due = deadline(opened, COMPLAINT, calendar, SHANGHAI, urgent=True)
    assert due.due_at == opened.astimezone(UTC) + timedelta(hours=2)
    assert due.remind_at == due.due_at - timedelta(minutes=30)


def test_a_calendar_with_impossible_or_contradictory_days_is_refused_field_by_field() -> None:
    _, problems = calendar_of(["2026-02-30", "2026-10-01"], ["2026-10-01", "2026-09-30", "2026-09-27"])
    assert [(p.field, p.description) for p in problems] == [
        ("calendar.holidays[0]", "no such day: 2026-02-30"),
        ("calendar.working_days", "2026-10-01 is also listed as a holiday"),
        ("calendar.working_days", "2026-09-30 is a weekday: a working day already"),
        ("calendar.working_days", "2026-10-01 is a weekday: a working day already"),
    ]
    calendar, problems = calendar_of(["2026-10-01"], ["2026-09-27"])
    assert problems == []
    assert calendar == HolidayCalendar(days("2026-10-01"), days("2026-09-27"))
