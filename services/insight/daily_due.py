"""Which daily reports (值班日报) are due to the superior duty offices (上级值班室) now. Pure: the sites,
the time of day, the instant and what was sent already are arguments.

Every site and region that has a parent reports its previous local day to the parent's duty office once
its own clock has passed ``send_at``; a region's report is the roll-up of its sites. Headquarters has no
superior office: its report is not sent (it is read with ``dutyline report daily``).

Nothing expires silently: a report claimed but not yet sent stays due, whatever its age (one that
reached nobody, not before its ``retry_at``). A day never claimed at all (no replica of insight ran
between its sending time and the next day's) is caught up for ``catch_up_days``, but never from before
the site's first report, so that a new site, or the first start of the service, sends no reports of
days it did not run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class ReportingSite:
    """A site or region of the organisation as roster lists it: its superior office is its parent's."""

    id: str
    parent_id: str
    time_zone: str
    name: str = ""


@dataclass(frozen=True)
class SendRecord:
    """A report claimed for sending (daily_report_sends), and whether notify took it."""

    site_id: str
    report_date: date
    sent: bool
    # Not to be tried again before (the superior office had nobody to reach).
    retry_at: datetime | None = None


@dataclass(frozen=True)
class DueReport:
    site_id: str
    superior_id: str
    report_date: date
    time_zone: str
    name: str = ""


def latest_due_day(now: datetime, *, time_zone: str, send_at: time) -> date:
    """The last local day whose report is due at ``now``: yesterday once the site's clock has passed
    ``send_at``, the day before until then."""
    local = now.astimezone(ZoneInfo(time_zone))
    return local.date() - timedelta(days=1 if local.time() >= send_at else 2)


def due_reports(
    sites: Iterable[ReportingSite],
    *,
    send_at: time,
    now: datetime,
    records: Iterable[SendRecord],
    catch_up_days: int = CATCH_UP_DAYS,
) -> list[DueReport]:
    """The reports to send now, oldest day first."""
    by_site: dict[str, list[SendRecord]] = defaultdict(list)
    for record in records:
        by_site[record.site_id].append(record)
    due: list[DueReport] = []
    for site in sites:
        if not site.parent_id:
            continue
        latest = latest_due_day(now, time_zone=site.time_zone, send_at=send_at)
        mine = by_site.get(site.id, [])
        sent = {r.report_date for r in mine if r.sent}
        # A site never reported starts with yesterday's report (none before its time has come).
        yesterday = now.astimezone(ZoneInfo(site.time_zone)).date() - timedelta(days=1)
        first = min((r.report_date for r in mine), default=yesterday)
        start = max(first, latest - timedelta(days=catch_up_days - 1))
        days = {start + timedelta(days=n) for n in range((latest - start).days + 1)}
        days |= {r.report_date for r in mine if not r.sent and r.report_date <= latest}
        waiting = {r.report_date for r in mine if not r.sent and r.retry_at is not None and r.retry_at > now}
        due.extend(
            DueReport(site.id, site.parent_id, day, site.time_zone, site.name) for day in sorted(days - sent - waiting)
        )
    return sorted(due, key=lambda d: (d.report_date, d.site_id))
