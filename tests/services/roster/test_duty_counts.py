"""The duty counts rule (值班统计), pure: nights across midnight, weekends and holidays in the site's zone
(not UTC's), make-up working days (调休), and a period boundary cutting a shift."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.roster.duty_counts import Calendar, Counts, duty_counts, is_night
from services.roster.rules import Assignment

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = {"hz-01": SHANGHAI, "ny-01": NEW_YORK}


def shift(person: str, local_start: datetime, hours: int, *, site: str = "hz-01", role: str = "officer") -> Assignment:
    start = local_start.replace(tzinfo=ZONES[site])
    return Assignment(
        id=f"a-{person}-{start.isoformat()}",
        site_id=site,
        person_id=person,
        role=role,
        shift_name="s",
        local_date=start.date(),
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
    )


def counts_of(
    assignments: list[Assignment], start: datetime, end: datetime, calendars: dict[str, Calendar] | None = None
) -> dict[str, Counts]:
    counted = duty_counts(assignments, start=start, end=end, zones=ZONES, calendars=calendars or {})
    return {c.person_id: c for c in counted}


WHOLE_YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def test_a_night_is_a_shift_on_duty_at_three_in_the_morning_local_time() -> None:
    monday = datetime(2026, 11, 30)
    assert is_night(*_bounds(shift("a", monday.replace(hour=20), 12)), SHANGHAI)  # across midnight
    assert is_night(*_bounds(shift("a", monday.replace(hour=0), 8)), SHANGHAI)
    assert is_night(*_bounds(shift("a", monday.replace(hour=8), 24)), SHANGHAI)  # a 24-hour duty
    assert not is_night(*_bounds(shift("a", monday.replace(hour=16), 8)), SHANGHAI)  # ends at midnight
    assert not is_night(*_bounds(shift("a", monday.replace(hour=8), 12)), SHANGHAI)
    assert not is_night(*_bounds(shift("a", monday.replace(hour=3, minute=1), 5)), SHANGHAI)
    assert not is_night(*_bounds(shift("a", monday.replace(hour=19), 8)), SHANGHAI)  # ends at 03:00
    assert is_night(*_bounds(shift("a", monday.replace(hour=3), 5)), SHANGHAI)  # starts at 03:00
    # 03:00 in Shanghai is 19:00 UTC the day before: a UTC day shift there is a night in Shanghai.
    utc_day = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert is_night(utc_day, utc_day + timedelta(hours=8), SHANGHAI)
    assert not is_night(utc_day, utc_day + timedelta(hours=8), ZoneInfo("UTC"))


def _bounds(a: Assignment) -> tuple[datetime, datetime]:
    return a.starts_at, a.ends_at


def test_nights_weekends_and_holidays_are_counted_per_person() -> None:
    calendar = Calendar(holidays=frozenset({date(2026, 10, 1), date(2026, 10, 3)}))
    shifts = [
        shift("wang", datetime(2026, 9, 30, 20), 12),  # Wednesday night
        shift("wang", datetime(2026, 10, 1, 8), 12),  # Thursday, a holiday (国庆)
        shift("wang", datetime(2026, 10, 3, 20), 12),  # Saturday night and a holiday: both
        shift("li", datetime(2026, 10, 4, 8), 12, role="leader"),  # Sunday
        shift("li", datetime(2026, 10, 5, 8), 12, role="leader"),  # Monday
    ]
    counts = counts_of(shifts, *WHOLE_YEAR, {"hz-01": calendar})
    wang, li = counts["wang"], counts["li"]
    assert (wang.shifts, wang.nights, wang.weekends, wang.holidays, wang.leader_shifts) == (3, 2, 1, 2, 0)
    assert (li.shifts, li.nights, li.weekends, li.holidays, li.leader_shifts) == (2, 0, 1, 0, 2)
    assert wang.hours == 36.0
    # Most shifts first.
    assert [
        c.person_id for c in duty_counts(shifts, start=WHOLE_YEAR[0], end=WHOLE_YEAR[1], zones=ZONES, calendars={})
    ] == [
        "wang",
        "li",
    ]
    # Without the calendar, no holidays (and the caller says so).
    assert counts_of(shifts, *WHOLE_YEAR)["wang"].holidays == 0


def test_a_make_up_working_day_on_a_weekend_is_not_a_weekend() -> None:
    saturday = shift("zhao", datetime(2026, 10, 10, 8), 12)
    assert counts_of([saturday], *WHOLE_YEAR)["zhao"].weekends == 1
    worked = Calendar(working_days=frozenset({date(2026, 10, 10)}))
    assert counts_of([saturday], *WHOLE_YEAR, {"hz-01": worked})["zhao"].weekends == 0


def test_the_weekend_is_the_sites_not_utcs() -> None:
    # Saturday 06:00 in Shanghai is Friday 22:00 UTC; Friday 21:00 in New York is Saturday 02:00 UTC.
    shanghai_saturday = shift("a", datetime(2026, 12, 5, 6), 8)
    new_york_friday = shift("b", datetime(2026, 12, 4, 21), 8, site="ny-01")
    assert shanghai_saturday.starts_at.astimezone(UTC).weekday() == 4
    assert new_york_friday.starts_at.astimezone(UTC).weekday() == 5
    counts = counts_of([shanghai_saturday, new_york_friday], *WHOLE_YEAR)
    assert counts["a"].weekends == 1 and counts["b"].weekends == 0
    # A holiday is the site's local date too.
    calendar = {"hz-01": Calendar(holidays=frozenset({date(2026, 12, 5)}))}
    assert counts_of([shanghai_saturday], *WHOLE_YEAR, calendar)["a"].holidays == 1


def test_a_shift_cut_by_the_period_counts_whole_in_the_period_it_starts_in() -> None:
    # The night of 30 November into 1 December, counted by month (in Shanghai).
    night = shift("qian", datetime(2026, 11, 30, 20), 12)
    november = (datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI))
    december = (datetime(2026, 12, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, tzinfo=SHANGHAI))
    in_november = counts_of([night], *november)["qian"]
    assert (in_november.shifts, in_november.nights, in_november.hours) == (1, 1, 12.0)
    assert counts_of([night], *december) == {}
    # [start, end): a shift starting exactly at the end belongs to the next period.
    at_the_end = shift("qian", datetime(2026, 12, 1, 0), 8)
    assert counts_of([at_the_end], *november) == {}
    assert counts_of([at_the_end], *december)["qian"].shifts == 1


def test_people_are_counted_per_site() -> None:
    counts = duty_counts(
        [shift("a", datetime(2026, 12, 1, 8), 8), shift("a", datetime(2026, 12, 1, 8), 8, site="ny-01")],
        start=WHOLE_YEAR[0],
        end=WHOLE_YEAR[1],
        zones=ZONES,
        calendars={},
    )
    assert [(c.site_id, c.shifts) for c in counts] == [("hz-01", 1), ("ny-01", 1)]
