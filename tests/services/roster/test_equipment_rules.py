"""The pure rules of equipment checks and supplies: what is due in a shift, per period, in the site's
time zone, and when supplies warn."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.roster.equipment_rules import CheckSpec, checks_due, supply_warnings

TZ = "Asia/Shanghai"  # UTC+8
PHONE = CheckSpec("eq-phone", "值班电话", "dial tone", "shift")
RADIO = CheckSpec("eq-radio", "对讲机", "channel check", "daily")
GENERATOR = CheckSpec("eq-gen", "发电机", "test run", "weekly")
EXTINGUISHER = CheckSpec("eq-gen", "发电机", "fuel level", "monthly")
ALL = [PHONE, RADIO, GENERATOR, EXTINGUISHER]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def names(due: list[CheckSpec]) -> set[str]:
    return {d.name for d in due}


def test_nothing_done_everything_is_due() -> None:
    assert checks_due(ALL, {}, shift_start=utc(2026, 3, 4, 0), time_zone=TZ) == ALL


def test_a_per_shift_check_is_due_again_next_shift() -> None:
    done = {("eq-phone", "dial tone"): utc(2026, 3, 4, 0, 10)}
    assert PHONE not in checks_due(ALL, done, shift_start=utc(2026, 3, 4, 0), time_zone=TZ)
    assert PHONE in checks_due(ALL, done, shift_start=utc(2026, 3, 4, 12), time_zone=TZ)


def test_a_daily_check_follows_the_local_day_not_utc() -> None:
    # Done 2026-03-04 09:00 local (01:00 UTC). The night shift starting 20:00 local the same day
    # (12:00 UTC) finds it done; the next morning's shift (local 03-05 08:00 = 03-05 00:00 UTC) does not.
    done = {("eq-radio", "channel check"): utc(2026, 3, 4, 1)}
    assert RADIO not in checks_due(ALL, done, shift_start=utc(2026, 3, 4, 12), time_zone=TZ)
    assert RADIO in checks_due(ALL, done, shift_start=utc(2026, 3, 5, 0), time_zone=TZ)
    # 17:00 UTC on 03-04 is already 03-05 01:00 local: a new day there, though not in UTC.
    assert RADIO in checks_due(ALL, done, shift_start=utc(2026, 3, 4, 17), time_zone=TZ)


def test_a_weekly_check_holds_for_the_local_iso_week() -> None:
    # 2026-03-02 is a Monday. Done Monday local 00:30 (Sunday 16:30 UTC): counts for that week.
    done = {("eq-gen", "test run"): utc(2026, 3, 1, 16, 30)}
    assert GENERATOR not in checks_due(ALL, done, shift_start=utc(2026, 3, 8, 0), time_zone=TZ)  # Sunday local
    assert GENERATOR in checks_due(ALL, done, shift_start=utc(2026, 3, 8, 16), time_zone=TZ)  # next Monday local
    # In UTC the same instant is the week before: the zone decides.
    assert GENERATOR in checks_due(ALL, done, shift_start=utc(2026, 3, 8, 0), time_zone="UTC")


def test_a_monthly_check_holds_for_the_local_month() -> None:
    done = {("eq-gen", "fuel level"): utc(2026, 3, 1, 2)}
    assert EXTINGUISHER not in checks_due(ALL, done, shift_start=utc(2026, 3, 31, 12), time_zone=TZ)
    assert EXTINGUISHER in checks_due(ALL, done, shift_start=utc(2026, 3, 31, 16), time_zone=TZ)  # April 1 local


def test_supply_warnings() -> None:
    today = date(2026, 3, 4)
    assert supply_warnings(quantity=5, minimum=2, expiry_date=None, today=today) == []
    assert supply_warnings(quantity=1, minimum=2, expiry_date=None, today=today) == ["below_minimum"]
    assert supply_warnings(quantity=2, minimum=2, expiry_date=date(2026, 4, 3), today=today) == ["expiring"]
    assert supply_warnings(quantity=2, minimum=2, expiry_date=date(2026, 4, 4), today=today) == []
    assert supply_warnings(quantity=2, minimum=2, expiry_date=date(2026, 4, 4), today=today, warn_days=31) == [
        "expiring"
    ]
    assert supply_warnings(quantity=2, minimum=2, expiry_date=today, today=today) == ["expiring"]
    assert supply_warnings(quantity=0, minimum=2, expiry_date=date(2026, 3, 3), today=today) == [
        "below_minimum",
        "expired",
    ]
