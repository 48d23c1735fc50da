"""Which daily reports (值班日报) are due to the superior duty offices: each site's own clock against the
time of day, headquarters never, what was sent never again, what was claimed and not sent always, and
days missed caught up from the site's first report on."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from services.insight.daily_due import CATCH_UP_DAYS, DueReport, ReportingSite, SendRecord, due_reports

HQ = ReportingSite("hq", "", "Asia/Shanghai")
EAST = ReportingSite("east", "hq", "Asia/Shanghai")
HZ = ReportingSite("hz-01", "east", "Asia/Shanghai")
# A site on another clock: 08:00 in Urumqi is 02:00 UTC, in Shanghai 00:00 UTC.
URUMQI = ReportingSite("xj-01", "east", "Asia/Urumqi")
ORG = (HQ, EAST, HZ, URUMQI)
AT_EIGHT = time(8, 0)


def due(
    now: datetime, records: tuple[SendRecord, ...] = (), sites: tuple[ReportingSite, ...] = ORG
) -> set[tuple[str, date]]:
    return {(d.site_id, d.report_date) for d in due_reports(sites, send_at=AT_EIGHT, now=now, records=records)}


def utc(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_each_site_reports_yesterday_once_its_own_clock_passes_the_time() -> None:
    # 23:59 UTC on the 4th: 07:59 on the 5th in Shanghai, 05:59 in Urumqi: nothing yet.
    assert due(utc(23, 59, day=4)) == set()
    # 00:00 UTC: 08:00 in Shanghai, 06:00 in Urumqi.
    assert due(utc(0)) == {("east", date(2026, 12, 4)), ("hz-01", date(2026, 12, 4))}
    # 02:00 UTC: 08:00 in Urumqi too.
    assert due(utc(2)) == {("east", date(2026, 12, 4)), ("hz-01", date(2026, 12, 4)), ("xj-01", date(2026, 12, 4))}


def test_headquarters_has_no_superior_office() -> None:
    assert all(site != "hq" for site, _ in due(utc(12)))


def test_the_superior_office_is_the_parents_and_the_zone_the_sites() -> None:
    [report] = due_reports((URUMQI,), send_at=AT_EIGHT, now=utc(3), records=())
    assert report == DueReport("xj-01", "east", date(2026, 12, 4), "Asia/Urumqi")


def test_a_report_sent_is_not_due_again() -> None:
    sent = (SendRecord("hz-01", date(2026, 12, 4), sent=True), SendRecord("east", date(2026, 12, 4), sent=True))
    assert due(utc(1), sent) == set()


def test_a_report_claimed_but_not_sent_stays_due_whatever_its_age() -> None:
    failed = SendRecord("hz-01", date(2026, 10, 1), sent=False)
    week = tuple(SendRecord("hz-01", date(2026, 12, 4) - timedelta(days=n), sent=True) for n in range(CATCH_UP_DAYS))
    assert due(utc(1), (failed, *week), sites=(HZ,)) == {("hz-01", date(2026, 10, 1))}


def test_days_missed_are_caught_up_from_the_sites_first_report_on() -> None:
    first = SendRecord("hz-01", date(2026, 12, 1), sent=True)
    # Nobody ran on the 2nd, 3rd and 4th at 08:00: on the 5th after 08:00 the 2nd to the 4th are due.
    assert due(utc(1), (first,), sites=(HZ,)) == {("hz-01", date(2026, 12, d)) for d in (2, 3, 4)}


def test_catching_up_goes_back_a_week_at_most() -> None:
    first = SendRecord("hz-01", date(2026, 9, 1), sent=True)
    days = {day for _, day in due(utc(1), (first,), sites=(HZ,))}
    assert days == {date(2026, 12, 4) - timedelta(days=n) for n in range(CATCH_UP_DAYS)}


def test_a_new_site_starts_with_yesterday() -> None:
    other = SendRecord("east", date(2026, 11, 1), sent=True)
    assert due(utc(1), (other,), sites=(HZ,)) == {("hz-01", date(2026, 12, 4))}


def test_before_the_time_the_day_before_yesterday_is_still_due_if_never_sent() -> None:
    first = SendRecord("hz-01", date(2026, 12, 2), sent=True)
    # 07:00 in Shanghai on the 5th: the 3rd's report (due yesterday at 08:00) was missed, the 4th's is not due yet.
    assert due(utc(23, day=4), (first,), sites=(HZ,)) == {("hz-01", date(2026, 12, 3))}


def test_oldest_day_first() -> None:
    records = (SendRecord("hz-01", date(2026, 12, 2), sent=False), SendRecord("east", date(2026, 12, 4), sent=False))
    reports = due_reports((EAST, HZ), send_at=AT_EIGHT, now=utc(1), records=records)
    assert [(r.report_date.day, r.site_id) for r in reports] == [(2, "hz-01"), (3, "hz-01"), (4, "east"), (4, "hz-01")]


def test_a_report_that_reached_nobody_waits_for_its_retry_time() -> None:
    nobody = SendRecord("hz-01", date(2026, 12, 4), sent=False, retry_at=utc(2))
    assert due(utc(1), (nobody,), sites=(HZ,)) == set()
    assert due(utc(2), (nobody,), sites=(HZ,)) == {("hz-01", date(2026, 12, 4))}
