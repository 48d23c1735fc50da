"""`dutyline roster counts` and `dutyline roster violations`: the duty records (值班记录) of a site or a
region — per person, shifts, nights, weekends and holidays over a period (值班统计, for fairness), and
the violations recorded (违纪记录: absences, late check-ins, handovers missed or late, …), newest first.

Dates on the command line are local dates of the site's (or region's) time zone; times are shown in it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated, TypeVar

import grpc
import typer
from rich.markup import escape

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import MESSAGES, label, t
from dutyline.cli.common.session import FromOpt, SiteOpt, ToOpt, session, site_or_default
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import local_period, parse_date, when
from dutyline.cli.roster import views
from dutyline.cli.roster.client import TIMEOUT, Roster
from dutyline.roster.v1 import duty_records_pb2, duty_records_pb2_grpc, roster_pb2

MESSAGES.update(
    {
        "counts.title": (
            "{site} 值班统计 {first} 至 {last}（{zone}）",
            "Duty counts of {site}, {first} to {last} ({zone})",
        ),
        "counts.empty": ("该时段没有班次。", "No shifts in this period."),
        "counts.caption": (
            "夜班：凌晨 3 点在岗；周末、节假日按班次开始日（站点时区，节假日历）",
            "night: on duty at 03:00; weekend, holiday: by the shift's start date (site's zone and calendar)",
        ),
        "counts.col.site": ("站点", "Site"),
        "counts.col.shifts": ("班次", "Shifts"),
        "counts.col.nights": ("夜班", "Nights"),
        "counts.col.weekends": ("周末", "Weekends"),
        "counts.col.holidays": ("节假日", "Holidays"),
        "counts.col.leader": ("带班", "As leader"),
        "counts.col.hours": ("小时", "Hours"),
        "violations.title": ("{site} 违纪记录", "Violations at {site}"),
        "violations.empty": ("没有违纪记录。", "No violations."),
        "violations.more": ("还有更多：--page-token {token}", "More follow: --page-token {token}"),
        "violations.col.when": ("时间", "When"),
        "violations.col.kind": ("类别", "Kind"),
        "violations.col.person": ("人员", "Person"),
        "violations.col.site": ("站点", "Site"),
        "violations.col.detail": ("说明", "Detail"),
    }
)

T = TypeVar("T")

PersonOpt = Annotated[str | None, typer.Option("--person", help="只看此人 only this person")]


Records = duty_records_pb2_grpc.DutyRecordsServiceStub


def _run(target: connect.Target, work: Callable[[Roster, Records], Awaitable[T]]) -> T:
    """``work`` with the roster (for the site and its zone) and the duty records, on one channel."""

    async def on(ch: grpc.aio.Channel) -> T:
        return await work(Roster(ch), Records(ch))

    return connect.run(target, on)


def _month(today: date) -> tuple[date, date]:
    """This calendar month, first to last day."""
    first = today.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def counts(
    ctx: typer.Context, site: SiteOpt = None, from_: FromOpt = None, to: ToOpt = None, person: PersonOpt = None
) -> None:
    """值班统计 Duty counts per person (fairness): shifts, nights, weekends, holidays; this month unless given."""
    first_given, last_given = parse_date(from_, "--from"), parse_date(to, "--to")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(
        r: Roster, records: Records
    ) -> tuple[roster_pb2.Site, date, date, duty_records_pb2.GetDutyCountsResponse]:
        found = await r.site(site_id)
        month = _month(datetime.now(views.zone_of(found)).date())
        first, last = first_given or month[0], last_given or month[1]
        request = duty_records_pb2.GetDutyCountsRequest(
            site_id=site_id, period=local_period(views.zone_of(found), first, last), person_id=person or ""
        )
        return found, first, last, await records.GetDutyCounts(request, timeout=TIMEOUT)

    found, first, last, reply = _run(target, work)
    out = session(ctx).out
    title = t(
        "counts.title",
        site=views.site_name(found),
        first=first.isoformat(),
        last=last.isoformat(),
        zone=found.time_zone,
    )
    if not reply.counts:
        out.print(title)
        out.print(t("counts.empty"))
    else:
        table = list_table(
            title,
            t("col.name"),
            Ids(t("counts.col.site")),
            t("counts.col.shifts"),
            t("counts.col.nights"),
            t("counts.col.weekends"),
            t("counts.col.holidays"),
            t("counts.col.leader"),
            t("counts.col.hours"),
            caption=t("counts.caption"),
        )
        for c in reply.counts:
            table.add_row(
                f"{escape(c.display_name)}\n[dim]{escape(c.person_id)}[/]",
                escape(c.site_id),
                *(str(n) for n in (c.shifts, c.nights, c.weekends, c.holidays, c.leader_shifts)),
                f"{c.hours:g}",
            )
        out.print(table)
    for note in reply.notes:
        out.print(f"[yellow]{escape(note)}[/]")


def violations(
    ctx: typer.Context,
    site: SiteOpt = None,
    person: PersonOpt = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="类别 kind: absence, late_check_in, handover_missed, handover_overdue, …"),
    ] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=200, help="每页条数 per page")] = 50,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page (from the last one)")] = "",
) -> None:
    """违纪记录 The violations of a site or region (absence, late check-in, handover…), newest first."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster, records: Records) -> tuple[roster_pb2.Site, duty_records_pb2.ListDutyViolationsResponse]:
        found = await r.site(site_id)
        request = duty_records_pb2.ListDutyViolationsRequest(
            site_id=site_id,
            person_id=person or "",
            kind=kind or "",
            period=local_period(views.zone_of(found), first, last),
            page_size=page_size,
            page_token=page_token,
        )
        return found, await records.ListDutyViolations(request, timeout=TIMEOUT)

    found, reply = _run(target, work)
    zone = views.zone_of(found)
    out = session(ctx).out
    title = t("violations.title", site=views.site_name(found))
    if not reply.violations:
        out.print(title)
        out.print(t("violations.empty"))
        return
    table = list_table(
        title,
        t("violations.col.when"),
        t("violations.col.kind"),
        t("violations.col.person"),
        Ids(t("violations.col.site")),
        Ids(t("col.assignment")),
        t("violations.col.detail"),
    )
    for v in reply.violations:
        table.add_row(
            when(v, "occurred_at", zone, "%Y-%m-%d %H:%M"),
            escape(label("score_kind", v.kind)),
            f"{escape(v.display_name)}\n[dim]{escape(v.person_id)}[/]",
            escape(v.site_id),
            escape(v.assignment_id),
            escape(v.detail),
        )
    out.print(table)
    if reply.next_page_token:
        out.print(t("violations.more", token=reply.next_page_token))
