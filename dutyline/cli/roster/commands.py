"""`dutyline roster …`: the duty roster for officers and duty leaders — who is on duty, the week's
roster, gaps, publishing, leave (请假), swaps (换班), check-in (签到) and handover (交接班).

Dates on the command line are local dates of the site's time zone; every time shown is in that zone.
Every mutating command sends an idempotency key (a fresh UUID unless ``--idempotency-key`` names one,
so that a script can retry safely).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from dutyline.cli.common import connect
from dutyline.cli.common.enums import Choices
from dutyline.cli.common.i18n import Lang, label, language, t, weekday
from dutyline.cli.common.session import (
    FromOpt,
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    ToOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import local_period, parse_date, when
from dutyline.cli.roster import views
from dutyline.cli.roster.client import HANDOVER_TIMEOUT, TIMEOUT, Roster, call
from dutyline.common.v1 import common_pb2
from dutyline.roster.v1 import roster_pb2

T = TypeVar("T")
Request = TypeVar("Request", roster_pb2.LeaveRequest, roster_pb2.SwapRequest)

WEEK = 7

roster_app = typer.Typer(
    help="排班与值班 Duty roster: who is on duty, the roster, gaps, publishing, leave, swaps, check-in, handover.",
    no_args_is_help=True,
)
leave_app = typer.Typer(help="请假 Leave: ask for a substitute, decide, list.", no_args_is_help=True)
swap_app = typer.Typer(help="换班 Swaps: exchange two assignments, decide, list.", no_args_is_help=True)
handover_app = typer.Typer(help="交接班 Handover: submit, accept, countersign, show.", no_args_is_help=True)
roster_app.add_typer(leave_app, name="leave")
roster_app.add_typer(swap_app, name="swap")
roster_app.add_typer(handover_app, name="handover")

# -- options ----------------------------------------------------------------------------------------

RequiredSite = Annotated[str, typer.Option("--site", help="站点 site id")]
AssignmentOpt = Annotated[str, typer.Option("--assignment", help="值班安排编号 assignment id")]
ApproveOpt = Annotated[bool, typer.Option("--approve", help="批准 approve")]
RejectOpt = Annotated[bool, typer.Option("--reject", help="驳回 reject")]
RemarkOpt = Annotated[str, typer.Option("--remark", help="审批意见 remark")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="事由 reason")]
# From the proto: the states leave requests and swaps are listed by.
REQUEST_STATES = Choices.of_field(roster_pb2.ListLeaveRequest, "status")
StatusOpt = Annotated[str | None, REQUEST_STATES.option("--status", help="状态 only in this state")]
HANDOVER_STATES = Choices.of_field(roster_pb2.ListHandoversRequest, "status")


@roster_app.callback()
def roster_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """排班与值班 Duty roster for officers and duty leaders (带班领导)."""
    start_session(ctx, "roster", lang, token, state_dir)


# -- dates and times --------------------------------------------------------------------------------


def _dates(zone: ZoneInfo, first: date | None, last: date | None) -> tuple[date, date]:
    """[first, last] local dates: from today (in ``zone``) and a week long unless given."""
    first = first or datetime.now(zone).date()
    return first, last or first + timedelta(days=WEEK - 1)


# -- who is on duty, the roster, gaps, publishing ---------------------------------------------------


@roster_app.command()
def now(ctx: typer.Context, site: SiteOpt = None) -> None:
    """当前值班 Who is on duty now: the officers and the duty leader (带班领导)."""
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster) -> tuple[roster_pb2.Site, roster_pb2.OnDuty]:
        found = await r.site(site_id)
        if found.kind not in (roster_pb2.SITE_KIND_SITE, roster_pb2.SITE_KIND_UNSPECIFIED):
            connect.fail(t("error.need_site", why=t("error.not_a_site", site=site_id)))
        on_duty = await r.stub.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site_id), timeout=TIMEOUT)
        return found, on_duty

    found, on_duty = call(ctx, work, target=target)
    zone = views.zone_of(found)
    out = session(ctx).out
    table = list_table(
        t("on_duty.title", site=views.site_name(found), at=when(on_duty, "at", zone, f"%Y-%m-%d %H:%M ({zone.key})")),
        t("col.role"),
        t("col.name"),
        t("col.shift"),
        Ids(t("col.assignment")),
        caption=t("on_duty.until", at=when(on_duty, "valid_until", zone)) if on_duty.HasField("valid_until") else None,
    )
    for person in [*on_duty.officers, *on_duty.leaders]:
        table.add_row(
            views.role_label(person.role),
            f"{escape(person.display_name)}\n[dim]{escape(person.person_id)}[/]",
            escape(person.shift_name),
            escape(person.assignment_id),
        )
    out.print(table)
    if not on_duty.officers:
        out.print(f"[bold red]{escape(t('on_duty.nobody'))}[/]")


@roster_app.command()
def show(
    ctx: typer.Context,
    site: SiteOpt = None,
    week: Annotated[bool, typer.Option("--week", help="本周 the week from today (the default)")] = False,
    from_: FromOpt = None,
    to: ToOpt = None,
    person: Annotated[str | None, typer.Option("--person", help="只看此人 only this person's shifts")] = None,
    ids: Annotated[bool, typer.Option("--ids", help="显示编号 show person and assignment ids")] = False,
) -> None:
    """排班表 The roster by date and shift: people per role and their check-in (签到) status."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    if week and (first or last):
        raise typer.BadParameter(t("error.week_or_dates"), param_hint="--week")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster) -> tuple[roster_pb2.Site, date, date, list[roster_pb2.Assignment]]:
        found = await r.site(site_id)
        begin, end = _dates(views.zone_of(found), first, last)
        request = roster_pb2.ListAssignmentsRequest(
            site_id=site_id, period=local_period(views.zone_of(found), begin, end), person_id=person or ""
        )
        listed = await r.stub.ListAssignments(request, timeout=TIMEOUT)
        return found, begin, end, list(listed.assignments)

    found, begin, end, assignments = call(ctx, work, target=target)
    zone = views.zone_of(found)
    out = session(ctx).out
    title = t("roster.title", site=views.site_name(found), first=begin.isoformat(), last=end.isoformat(), zone=zone.key)
    if not assignments:
        out.print(title)
        out.print(t("roster.empty"))
        return
    shifts: dict[tuple[int, str, str], list[roster_pb2.Assignment]] = defaultdict(list)
    for a in assignments:
        shifts[(a.start.seconds, a.local_date, a.shift_name)].append(a)
    now_utc = datetime.now(UTC)
    if ids:
        table = list_table(
            title, f"{t('col.date')} / {t('col.shift')}", t("col.role"), t("col.name"), Ids(t("col.assignment"))
        )
    else:
        table = list_table(title, t("col.date"), t("col.shift"), t("col.time"), t("col.officers"), t("col.leaders"))
    previous_date = ""
    for group_key in sorted(shifts):
        _, local_date, shift_name = group_key
        group = sorted(shifts[group_key], key=lambda a: (a.role, a.id))
        shown_date = f"{local_date} {weekday(date.fromisoformat(local_date))}" if local_date != previous_date else ""
        previous_date = local_date
        if ids:
            for n, a in enumerate(group):
                table.add_row(
                    f"{shown_date}\n{escape(shift_name)}".strip() if n == 0 else "",
                    views.role_label(a.role),
                    f"{views.person_text(a, now_utc)}\n[dim]{escape(a.person_id)}[/]",
                    escape(a.id),
                )
            continue
        by_role: dict[int, list[str]] = defaultdict(list)
        for a in group:
            by_role[a.role].append(views.person_text(a, now_utc))
        table.add_row(
            shown_date,
            escape(shift_name),
            f"{when(group[0], 'start', zone, '%H:%M')}–{when(group[0], 'end', zone, '%H:%M')}",
            "\n".join(by_role[common_pb2.ROLE_OFFICER]),
            "\n".join(by_role[common_pb2.ROLE_LEADER]),
        )
    out.print(table)


@roster_app.command()
def gaps(ctx: typer.Context, site: SiteOpt = None, from_: FromOpt = None, to: ToOpt = None) -> None:
    """缺岗 Coverage gaps: where fewer people are rostered than a shift needs (default: the next 7 days)."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster) -> tuple[roster_pb2.Site, date, date, list[roster_pb2.CoverageGap]]:
        found = await r.site(site_id)
        begin, end = _dates(views.zone_of(found), first, last)
        request = roster_pb2.FindCoverageGapsRequest(
            site_id=site_id, period=local_period(views.zone_of(found), begin, end)
        )
        found_gaps = await r.stub.FindCoverageGaps(request, timeout=TIMEOUT)
        return found, begin, end, list(found_gaps.gaps)

    found, begin, end, found_gaps = call(ctx, work, target=target)
    zone = views.zone_of(found)
    out = session(ctx).out
    span = {"site": views.site_name(found), "first": begin.isoformat(), "last": end.isoformat()}
    if not found_gaps:
        out.print(f"[green]{escape(t('gaps.none', **span))}[/]")
        return
    out.print(views.gaps_table(t("gaps.title", zone=zone.key, **span), found_gaps, zone))


@roster_app.command()
def publish(
    ctx: typer.Context,
    site: RequiredSite,
    from_: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="起始日期 first local date")],
    to: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="截止日期 last local date (inclusive)")],
    override: Annotated[
        str, typer.Option("--override", metavar="REASON", help="有缺岗仍发布的理由 publish despite gaps, because…")
    ] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """发布排班 Publish the roster for the local dates FROM to TO; refused (exit code 1) when it has gaps."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    assert first is not None and last is not None
    key = new_key(idempotency_key)

    async def work(r: Roster) -> tuple[roster_pb2.Site, roster_pb2.PublishRosterResponse]:
        found = await r.site(site)
        request = roster_pb2.PublishRosterRequest(
            idempotency_key=key,
            site_id=site,
            period=local_period(views.zone_of(found), first, last),
            override_reason=override,
        )
        return found, await r.stub.PublishRoster(request, timeout=TIMEOUT)

    found, reply = call(ctx, work, key=key)
    zone = views.zone_of(found)
    out = session(ctx).out
    span = {"site": views.site_name(found), "first": first.isoformat(), "last": last.isoformat()}
    if reply.published:
        out.print(
            f"[green]{escape(t('publish.done', count=len(reply.assignments), id=reply.publication_id, **span))}[/]"
        )
        if reply.gaps:
            out.print(f"[yellow]{escape(t('publish.override', reason=override.strip()))}[/]")
    else:
        out.print(f"[bold red]{escape(t('publish.refused'))}[/]")
    if reply.gaps:
        out.print(views.gaps_table(t("gaps.title", zone=zone.key, **span), list(reply.gaps), zone))
    if reply.violations:
        out.print(views.violations_table(list(reply.violations)))
    if not reply.published:
        raise typer.Exit(1)


# -- leave (请假) ------------------------------------------------------------------------------------


def _submit(
    ctx: typer.Context,
    key: str,
    send: Callable[[Roster], Awaitable[Request]],
    details: Callable[[Request, ZoneInfo], Table],
) -> None:
    """Send a leave or swap request or decision; show it in its site's time zone."""

    async def work(r: Roster) -> tuple[Request, ZoneInfo]:
        message = await send(r)
        return message, await r.zone(message.site_id)

    message, zone = call(ctx, work, key=key)
    session(ctx).out.print(details(message, zone))


def _decision(approve: bool, reject: bool) -> bool:
    if approve == reject:
        raise typer.BadParameter(t("error.approve_or_reject"), param_hint="--approve / --reject")
    return approve


@leave_app.command("request")
def leave_request(
    ctx: typer.Context,
    assignment: AssignmentOpt,
    substitute: Annotated[str, typer.Option("--substitute", help="替班人 person id of the substitute")],
    reason: ReasonOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """申请请假 Ask for leave from an assignment, naming the substitute (替班人)."""
    key = new_key(idempotency_key)
    request = roster_pb2.RequestLeaveRequest(
        idempotency_key=key, assignment_id=assignment, substitute_id=substitute, reason=reason
    )
    _submit(ctx, key, lambda r: r.stub.RequestLeave(request, timeout=TIMEOUT), views.leave_details)


@leave_app.command("decide")
def leave_decide(
    ctx: typer.Context,
    leave: Annotated[str, typer.Option("--leave", help="请假申请编号 leave request id")],
    approve: ApproveOpt = False,
    reject: RejectOpt = False,
    remark: RemarkOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """审批请假 Approve or reject a leave request (duty leader 带班领导 or admin)."""
    approved = _decision(approve, reject)
    key = new_key(idempotency_key)
    request = roster_pb2.DecideLeaveRequest(idempotency_key=key, leave_id=leave, approve=approved, remark=remark)
    _submit(ctx, key, lambda r: r.stub.DecideLeave(request, timeout=TIMEOUT), views.leave_details)


@leave_app.command("list")
def leave_list(
    ctx: typer.Context,
    site: SiteOpt = None,
    status: StatusOpt = None,
) -> None:
    """请假列表 Leave requests of a site."""
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster) -> tuple[list[roster_pb2.LeaveRequest], ZoneInfo]:
        zone = await r.zone(site_id)
        listed = await r.stub.ListLeave(
            roster_pb2.ListLeaveRequest(site_id=site_id, status=status or ""), timeout=TIMEOUT
        )
        return list(listed.requests), zone

    requests, zone = call(ctx, work, target=target)
    out = session(ctx).out
    if not requests:
        out.print(t("leave.none"))
        return
    table = list_table(
        f"{t('leave.title')} · {site_id}",
        Ids(f"{t('col.id')} / {t('col.assignment')}"),
        Ids(f"{t('col.person')} → {t('col.substitute')}"),
        t("col.status"),
        t("col.requested_at"),
    )
    for leave in requests:
        table.add_row(
            f"{escape(leave.id)}\n{escape(leave.assignment_id)}",
            f"{escape(leave.person_id)}\n→ {escape(leave.substitute_id)}",
            escape(label("status", leave.status)),
            when(leave, "requested_at", zone),
            end_section=True,
        )
    out.print(table)


# -- swaps (换班) ------------------------------------------------------------------------------------


@swap_app.command("request")
def swap_request(
    ctx: typer.Context,
    assignment: AssignmentOpt,
    other: Annotated[str, typer.Option("--other", help="对方的值班安排 the other person's assignment id")],
    reason: ReasonOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """申请换班 Ask to exchange your assignment with another person's."""
    key = new_key(idempotency_key)
    request = roster_pb2.RequestSwapRequest(
        idempotency_key=key, assignment_id=assignment, other_assignment_id=other, reason=reason
    )
    _submit(ctx, key, lambda r: r.stub.RequestSwap(request, timeout=TIMEOUT), views.swap_details)


@swap_app.command("decide")
def swap_decide(
    ctx: typer.Context,
    swap: Annotated[str, typer.Option("--swap", help="换班申请编号 swap request id")],
    approve: ApproveOpt = False,
    reject: RejectOpt = False,
    remark: RemarkOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """审批换班 Approve or reject a swap (duty leader 带班领导 or admin)."""
    approved = _decision(approve, reject)
    key = new_key(idempotency_key)
    request = roster_pb2.DecideSwapRequest(idempotency_key=key, swap_id=swap, approve=approved, remark=remark)
    _submit(ctx, key, lambda r: r.stub.DecideSwap(request, timeout=TIMEOUT), views.swap_details)


@swap_app.command("list")
def swap_list(
    ctx: typer.Context,
    site: SiteOpt = None,
    status: StatusOpt = None,
) -> None:
    """换班列表 Swap requests of a site."""
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster) -> tuple[list[roster_pb2.SwapRequest], ZoneInfo]:
        zone = await r.zone(site_id)
        listed = await r.stub.ListSwaps(
            roster_pb2.ListSwapsRequest(site_id=site_id, status=status or ""), timeout=TIMEOUT
        )
        return list(listed.requests), zone

    requests, zone = call(ctx, work, target=target)
    out = session(ctx).out
    if not requests:
        out.print(t("swap.none"))
        return
    table = list_table(
        f"{t('swap.title')} · {site_id}",
        Ids(f"{t('col.id')} / {t('col.assignment')} ⇄ {t('col.other')}"),
        Ids(t("col.requested_by")),
        t("col.status"),
        t("col.requested_at"),
    )
    for swap in requests:
        table.add_row(
            f"{escape(swap.id)}\n{escape(swap.assignment_id)}\n⇄ {escape(swap.other_assignment_id)}",
            escape(swap.requested_by),
            escape(label("status", swap.status)),
            when(swap, "requested_at", zone),
            end_section=True,
        )
    out.print(table)


# -- check-in (签到) ---------------------------------------------------------------------------------


@roster_app.command()
def checkin(ctx: typer.Context, assignment: AssignmentOpt, idempotency_key: KeyOpt = None) -> None:
    """签到 Check in for your assignment: on time, or how many minutes late."""
    key = new_key(idempotency_key)

    async def work(r: Roster) -> tuple[roster_pb2.CheckInRecord, roster_pb2.Assignment, ZoneInfo]:
        record = await r.stub.CheckIn(
            roster_pb2.CheckInRequest(idempotency_key=key, assignment_id=assignment), timeout=TIMEOUT
        )
        # The record names neither the site nor the shift: look the assignment up for them.
        shift = await r.stub.GetAssignment(
            roster_pb2.GetAssignmentRequest(assignment_id=record.assignment_id), timeout=TIMEOUT
        )
        return record, shift, await r.zone(shift.site_id)

    record, shift, zone = call(ctx, work, key=key)
    status = label("status", record.status)
    style = "green"
    if record.status == "late":
        status += " " + t("checkin.late", minutes=math.ceil(record.late_seconds / 60))
        style = "yellow"
    line = t(
        "checkin.done",
        status=status,
        at=when(record, "checked_in_at", zone, f"%Y-%m-%d %H:%M:%S ({zone.key})"),
        shift=shift.shift_name,
        date=shift.local_date,
        assignment=record.assignment_id,
    )
    session(ctx).out.print(f"[{style}]{escape(line)}[/]", soft_wrap=True)


# -- handover (交接班) -------------------------------------------------------------------------------


@handover_app.command("submit")
def handover_submit(
    ctx: typer.Context,
    assignment: Annotated[str, typer.Option("--assignment", help="交班的值班安排 your (outgoing) assignment id")],
    incoming: Annotated[
        str, typer.Option("--incoming", help="接班的值班安排 incoming assignment id (default: the next shift's)")
    ] = "",
    log: Annotated[str, typer.Option("--log", help="值班日志 shift log; - reads standard input")] = "",
    notes: Annotated[str, typer.Option("--notes", help="交班说明 notes for the incoming officer")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """交班 Submit the handover of your shift; shows the open items gathered for the incoming officer."""
    key = new_key(idempotency_key)
    shift_log = read_text(log)

    async def work(r: Roster) -> tuple[roster_pb2.Handover, roster_pb2.Site]:
        request = roster_pb2.SubmitHandoverRequest(
            idempotency_key=key,
            outgoing_assignment_id=assignment,
            incoming_assignment_id=incoming,
            shift_log=shift_log,
            notes=notes,
        )
        handover = await r.stub.SubmitHandover(request, timeout=HANDOVER_TIMEOUT)
        return handover, await r.site(handover.site_id)

    handover, site = call(ctx, work, key=key)
    views.print_handover(session(ctx).out, handover, site, full=False)


@handover_app.command("accept")
def handover_accept(
    ctx: typer.Context,
    handover: Annotated[str, typer.Option("--handover", help="交接班编号 handover id")],
    remarks: Annotated[str, typer.Option("--remarks", help="接班意见 remarks")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """接班 Accept a handover (the incoming officer)."""
    key = new_key(idempotency_key)

    async def work(r: Roster) -> tuple[roster_pb2.Handover, roster_pb2.Site]:
        request = roster_pb2.AcceptHandoverRequest(idempotency_key=key, handover_id=handover, remarks=remarks)
        accepted = await r.stub.AcceptHandover(request, timeout=TIMEOUT)
        return accepted, await r.site(accepted.site_id)

    accepted, site = call(ctx, work, key=key)
    views.print_handover(session(ctx).out, accepted, site, full=False)


@handover_app.command("countersign")
def handover_countersign(
    ctx: typer.Context,
    handover: Annotated[str, typer.Option("--handover", help="交接班编号 handover id")],
    remarks: Annotated[str, typer.Option("--remarks", help="领导意见 remarks")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """带班领导签字 Countersign a handover (the duty leader); signing again changes nothing."""
    key = new_key(idempotency_key)

    async def work(r: Roster) -> tuple[roster_pb2.Handover, roster_pb2.Site]:
        request = roster_pb2.CountersignHandoverRequest(idempotency_key=key, handover_id=handover, remarks=remarks)
        signed = await r.stub.CountersignHandover(request, timeout=TIMEOUT)
        return signed, await r.site(signed.site_id)

    signed, site = call(ctx, work, key=key)
    views.print_handover(session(ctx).out, signed, site, full=False)


@roster_app.command("handovers")
def handovers(
    ctx: typer.Context,
    site: SiteOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    status: Annotated[
        str | None, HANDOVER_STATES.option("--status", help="状态 only these (pending: not accepted yet)")
    ] = None,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page")] = "",
    export: Annotated[
        Path | None,
        typer.Option(
            "--export", help="导出 write the register of the period to this .xlsx (or .csv) file", dir_okay=False
        ),
    ] = None,
) -> None:
    """交接班登记 The handover register of a site, newest first: signatures, countersignature, open items."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(r: Roster) -> tuple[roster_pb2.Site, roster_pb2.ListHandoversResponse | None, int]:
        found = await r.site(site_id)
        period = local_period(views.zone_of(found), first, last)
        if export is not None:
            request = roster_pb2.ExportHandoversRequest(
                site_id=site_id,
                status=status or "",
                period=period,
                format="csv" if export.suffix.lower() == ".csv" else "xlsx",
                language="zh-CN" if language() is Lang.zh else "en",
            )
            exported = await r.stub.ExportHandovers(request, timeout=HANDOVER_TIMEOUT)
            export.write_bytes(exported.content)
            return found, None, exported.count
        listed = await r.stub.ListHandovers(
            roster_pb2.ListHandoversRequest(site_id=site_id, status=status or "", period=period, page_token=page_token),
            timeout=TIMEOUT,
        )
        return found, listed, len(listed.handovers)

    found, listed, count = call(ctx, work, target=target)
    out = session(ctx).out
    if listed is None:
        out.print(t("handover.exported", count=count, path=str(export)))
        return
    views.print_register(out, list(listed.handovers), found, next_page_token=listed.next_page_token)


@handover_app.command("show")
def handover_show(
    ctx: typer.Context, handover: Annotated[str, typer.Option("--handover", help="交接班编号 handover id")]
) -> None:
    """查看交接班 Show a handover: the log, open items, notes and whether it was accepted."""

    async def work(r: Roster) -> tuple[roster_pb2.Handover, roster_pb2.Site]:
        found = await r.stub.GetHandover(roster_pb2.GetHandoverRequest(handover_id=handover), timeout=TIMEOUT)
        return found, await r.site(found.site_id)

    found, site = call(ctx, work)
    views.print_handover(session(ctx).out, found, site, full=True)
