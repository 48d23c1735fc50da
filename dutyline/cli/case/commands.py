"""`dutyline case …`: hotline cases (工单) — open a case from a consultation, complaint or request, list
and show them, hand one to its owner (派单) who signs for it (签收), add handling notes, record the
answer, the feedback to the caller (反馈) and the return visit (回访), reopen and close; the handling
times per category (case policies) and the site's holiday calendar.

Every error is one line with exit code 2 ("Refused …" for a step not allowed now); every change sends
an idempotency key (``--idempotency-key`` to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

import dutyline.cli.case.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.call.views import revealed
from dutyline.cli.case.client import TIMEOUT, Cases, run
from dutyline.cli.common.enums import Choices, enum_name, enum_value
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import when
from dutyline.common.v1 import common_pb2
from dutyline.intake.v1 import case_pb2, intake_pb2

case_app = typer.Typer(
    help="工单 Cases: open, list, show, assign, ack, note, answer, feedback, visit, reopen, close, reveal, policy, "
    "calendar.",
    no_args_is_help=True,
)
policy_app = typer.Typer(help="工单时限 Case policies: list, set.", no_args_is_help=True)
calendar_app = typer.Typer(help="节假日日历 A site's holiday calendar: show, set.", no_args_is_help=True)
case_app.add_typer(policy_app, name="policy")
case_app.add_typer(calendar_app, name="calendar")

CATEGORIES = Choices.of_enum(case_pb2.CaseCategory)
STATUSES = Choices.of_enum(case_pb2.CaseStatus)
VISITS = Choices.of_enum(case_pb2.ReturnVisitResult)

CaseArg = Annotated[str, typer.Argument(metavar="CASE", help="工单编号 case id")]
TextArg = Annotated[str, typer.Argument(metavar="TEXT", help="内容 text; - reads standard input")]
FMT = "%Y-%m-%d %H:%M"


@case_app.callback()
def case_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """工单 Hotline cases: followed by their owner to the deadline, until the caller is told and visited."""
    start_session(ctx, "intake", lang, token, state_dir)


# -- showing ----------------------------------------------------------------------------------------


def _status(case: case_pb2.Case) -> str:
    text = label("case_status", enum_name(case_pb2.CaseStatus, case.status))
    return f"{text} ({t('case.overdue')})" if case.overdue else text


def _category(case: case_pb2.Case) -> str:
    text = label("case_category", enum_name(case_pb2.CaseCategory, case.category))
    return f"{text} ({t('case.urgent')})" if case.urgent else text


def _caller(caller: intake_pb2.Caller) -> str:
    return " ".join(v for v in (caller.name, caller.phone, caller.unit) if v)


def _print_case(ctx: typer.Context, case: case_pb2.Case, zone: ZoneInfo) -> None:
    visit = enum_name(case_pb2.ReturnVisitResult, case.return_visit)
    rows = [
        (t("case.col.site"), case.site_id),
        (t("case.col.category"), _category(case)),
        (t("case.col.status"), _status(case)),
        (t("case.col.subject"), case.subject),
        (t("case.col.caller"), _caller(case.caller)),
        (t("case.col.call"), case.call_id),
        (t("case.col.owner"), case.owner_id),
        (t("case.col.pending"), case.pending_owner_id),
        (t("case.col.due"), when(case, "due_at", zone, FMT)),
        (t("case.col.policy"), str(case.policy_version) if case.policy_version else t("case.built_in")),
        (t("case.col.answer"), case.answer),
        (t("case.col.feedback"), case.feedback),
        (t("case.col.visit"), " ".join(v for v in (label("case_visit", visit), case.return_visit_comment) if v)),
        (t("case.col.reopened"), str(case.reopened) if case.reopened else ""),
        (t("case.col.opened"), f"{when(case, 'opened_at', zone, FMT)} {case.opened_by}"),
        (t("case.col.closed"), when(case, "closed_at", zone, FMT)),
    ]
    title = t("case.title", id=case.id) + (" 【演练 DRILL】" if case.drill else "")
    out = session(ctx).out
    out.print(record_table(title, rows))
    if case.notes:
        notes = list_table(
            t("case.col.notes"), t("case.col.at"), Ids(t("case.col.by")), t("case.col.step"), t("case.col.text")
        )
        for note in case.notes:
            notes.add_row(
                when(note, "at", zone, FMT), escape(note.by), label("case_note", note.kind), escape(note.text)
            )
        out.print(notes)


def _changed(ctx: typer.Context, case: case_pb2.Case, zone: ZoneInfo) -> None:
    due = when(case, "due_at", zone, FMT)
    line = t("case.changed", id=case.id, status=_status(case), due=due)
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


# -- cases --------------------------------------------------------------------------------------------


@case_app.command("open")
def open_(
    ctx: typer.Context,
    category: Annotated[str, CATEGORIES.option("--category", help="类别 category")],
    subject: Annotated[str, typer.Option("--subject", help="诉求 what the caller asks; - reads standard input")],
    site: SiteOpt = None,
    caller_name: Annotated[str, typer.Option("--caller-name", help="来电人姓名 caller's name")] = "",
    caller_phone: Annotated[str, typer.Option("--caller-phone", help="来电号码 caller's number")] = "",
    caller_unit: Annotated[str, typer.Option("--caller-unit", help="来电人单位 caller's unit")] = "",
    caller_address: Annotated[str, typer.Option("--caller-address", help="来电人住址 caller's address")] = "",
    call: Annotated[str, typer.Option("--call", help="来电编号 the call it came from")] = "",
    owner: Annotated[str, typer.Option("--owner", help="承办人或部门 owner: a person or a directory entry")] = "",
    urgent: Annotated[bool, typer.Option("--urgent", help="紧急 urgent (hours, not working days)")] = False,
    drill: Annotated[bool, typer.Option("--drill", help="演练 a drill")] = False,
    idempotency_key: KeyOpt = None,
) -> None:
    """受理工单 Open a case: its deadline comes from the case policy of its category and the site's calendar."""
    site_id = site_or_default(site, session(ctx).target())
    key = new_key(idempotency_key)
    request = case_pb2.OpenCaseRequest(
        idempotency_key=key,
        site_id=site_id,
        category=enum_value(case_pb2.CaseCategory, category),
        subject=read_text(subject),
        caller=intake_pb2.Caller(name=caller_name, phone=caller_phone, unit=caller_unit, address=caller_address),
        call_id=call,
        owner_id=owner,
        urgent=urgent,
        drill=drill,
    )

    async def work(c: Cases) -> tuple[case_pb2.Case, ZoneInfo]:
        return await c.stub.OpenCase(request, timeout=TIMEOUT), await c.zone(site_id)

    case, zone = run(ctx, work, key=key)
    line = t("case.opened", id=case.id, due=when(case, "due_at", zone, FMT))
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


@case_app.command("list")
def list_(
    ctx: typer.Context,
    site: SiteOpt = None,
    status: Annotated[str | None, STATUSES.option("--status", help="状态 status")] = None,
    owner: Annotated[str, typer.Option("--owner", help="承办 owner (or pending owner)")] = "",
    open_only: Annotated[bool, typer.Option("--open", help="未办结 only cases not closed")] = False,
    overdue_only: Annotated[bool, typer.Option("--overdue", help="已超时 only overdue cases")] = False,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 from an earlier list")] = "",
) -> None:
    """工单列表 The cases of a site (or of every site the token acts for), newest first."""
    request = case_pb2.ListCasesRequest(
        site_id=site or "",
        status=enum_value(case_pb2.CaseStatus, status) if status else None,
        owner_id=owner,
        open_only=open_only,
        overdue_only=overdue_only,
        page=common_pb2.PageRequest(page_token=page_token),
    )

    async def work(c: Cases) -> tuple[case_pb2.ListCasesResponse, dict[str, ZoneInfo]]:
        found = await c.stub.ListCases(request, timeout=TIMEOUT)
        return found, {s: await c.zone(s) for s in {x.site_id for x in found.cases}}

    found, zones = run(ctx, work)
    out = session(ctx).out
    if not found.cases:
        out.print(t("case.none"))
        return
    table = list_table(
        t("case.list_title", count=len(found.cases)),
        Ids(t("case.col.id")),
        t("case.col.category"),
        t("case.col.status"),
        Ids(t("case.col.owner")),
        t("case.col.due"),
        t("case.col.subject"),
    )
    for case in found.cases:
        owner_text = case.owner_id or (f"→ {case.pending_owner_id}" if case.pending_owner_id else "")
        table.add_row(
            case.id,
            _category(case),
            _status(case),
            escape(owner_text),
            when(case, "due_at", zones[case.site_id], FMT),
            escape(case.subject[:60]),
        )
    out.print(table)
    if found.page.next_page_token:
        out.print(t("case.more", token=found.page.next_page_token))


@case_app.command()
def show(ctx: typer.Context, case_id: CaseArg) -> None:
    """查看工单 One case with its handling notes."""

    async def work(c: Cases) -> tuple[case_pb2.Case, ZoneInfo]:
        case = await c.stub.GetCase(case_pb2.GetCaseRequest(case_id=case_id), timeout=TIMEOUT)
        return case, await c.zone(case.site_id)

    _print_case(ctx, *run(ctx, work))


def _act(ctx: typer.Context, key: str, send: str, request: object) -> None:
    """Send the change ``request`` through the RPC ``send``; one line saying where the case now is."""

    async def work(c: Cases) -> tuple[case_pb2.Case, ZoneInfo]:
        case: case_pb2.Case = await getattr(c.stub, send)(request, timeout=TIMEOUT)
        return case, await c.zone(case.site_id)

    _changed(ctx, *run(ctx, work, key=key))


@case_app.command()
def assign(
    ctx: typer.Context,
    case_id: CaseArg,
    to: Annotated[str, typer.Option("--to", help="承办人或部门 the owner: a person or a directory entry")],
    reason: Annotated[str, typer.Option("--reason", help="原因 why (for a reassignment)")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """派单 Hand the case to an owner; it counts once they sign for it (dutyline case ack)."""
    key = new_key(idempotency_key)
    request = case_pb2.AssignCaseRequest(idempotency_key=key, case_id=case_id, owner_id=to, reason=reason)
    _act(ctx, key, "AssignCase", request)


@case_app.command()
def ack(ctx: typer.Context, case_id: CaseArg, idempotency_key: KeyOpt = None) -> None:
    """签收 Sign for a case handed to you (a reassignment restarts its handling time)."""
    key = new_key(idempotency_key)
    _act(ctx, key, "AcknowledgeCase", case_pb2.AcknowledgeCaseRequest(idempotency_key=key, case_id=case_id))


@case_app.command()
def note(ctx: typer.Context, case_id: CaseArg, text: TextArg, idempotency_key: KeyOpt = None) -> None:
    """办理记录 Add a handling note."""
    key = new_key(idempotency_key)
    request = case_pb2.AddCaseNoteRequest(idempotency_key=key, case_id=case_id, text=read_text(text))
    _act(ctx, key, "AddCaseNote", request)


@case_app.command()
def answer(ctx: typer.Context, case_id: CaseArg, text: TextArg, idempotency_key: KeyOpt = None) -> None:
    """答复 Record the owner's answer to what the caller asked."""
    key = new_key(idempotency_key)
    request = case_pb2.AnswerCaseRequest(idempotency_key=key, case_id=case_id, answer=read_text(text))
    _act(ctx, key, "AnswerCase", request)


@case_app.command()
def feedback(ctx: typer.Context, case_id: CaseArg, text: TextArg, idempotency_key: KeyOpt = None) -> None:
    """反馈来电人 Record how and what the caller was told (needed before closing)."""
    key = new_key(idempotency_key)
    request = case_pb2.RecordCaseFeedbackRequest(idempotency_key=key, case_id=case_id, feedback=read_text(text))
    _act(ctx, key, "RecordCaseFeedback", request)


@case_app.command()
def visit(
    ctx: typer.Context,
    case_id: CaseArg,
    result: Annotated[str, VISITS.option("--result", help="回访结果 result of the return visit")],
    comment: Annotated[str, typer.Option("--comment", help="说明 what the caller said")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """回访 Record the satisfaction return visit; a dissatisfied caller reopens the case."""
    key = new_key(idempotency_key)
    request = case_pb2.RecordReturnVisitRequest(
        idempotency_key=key,
        case_id=case_id,
        result=enum_value(case_pb2.ReturnVisitResult, result),
        comment=comment,
    )
    _act(ctx, key, "RecordReturnVisit", request)


@case_app.command()
def reopen(
    ctx: typer.Context,
    case_id: CaseArg,
    reason: Annotated[str, typer.Option("--reason", help="原因 why")],
    idempotency_key: KeyOpt = None,
) -> None:
    """重办 Reopen a case (a new handling deadline from the policy)."""
    key = new_key(idempotency_key)
    _act(ctx, key, "ReopenCase", case_pb2.ReopenCaseRequest(idempotency_key=key, case_id=case_id, reason=reason))


@case_app.command()
def close(
    ctx: typer.Context,
    case_id: CaseArg,
    summary: Annotated[str, typer.Option("--summary", help="办结说明 closing summary")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """办结 Close a case (refused until the caller has been given feedback)."""
    key = new_key(idempotency_key)
    _act(ctx, key, "CloseCase", case_pb2.CloseCaseRequest(idempotency_key=key, case_id=case_id, summary=summary))


@case_app.command()
def reveal(
    ctx: typer.Context,
    case_id: CaseArg,
    reason: Annotated[str, typer.Option("--reason", help="理由 why the clear name and number are needed (audited)")],
) -> None:
    """查看来电人明文 The case's caller in clear, to call them back; every reveal is audited."""
    request = case_pb2.RevealCaseCallerRequest(case_id=case_id, reason=reason)

    async def work(c: Cases) -> intake_pb2.RevealCallerResponse:
        return await c.stub.RevealCaseCaller(request, timeout=TIMEOUT)

    reply = run(ctx, work)
    out = session(ctx).out
    out.print(revealed(reply.caller, reply.audit_id))
    out.print(f"[bold yellow]{escape(t('call.reveal_recorded', audit=reply.audit_id))}[/]", soft_wrap=True)


# -- policies and calendars -----------------------------------------------------------------------------


@policy_app.command("list")
def policy_list(
    ctx: typer.Context,
    site: Annotated[str, typer.Option("--site", help="站点 site id (default: the defaults)")] = "",
) -> None:
    """时限列表 The policies in force at a site (its own, else the default, else the built-in one)."""

    async def work(c: Cases) -> case_pb2.ListCasePoliciesResponse:
        return await c.stub.ListCasePolicies(case_pb2.ListCasePoliciesRequest(site_id=site), timeout=TIMEOUT)

    found = run(ctx, work)
    table = list_table(
        t("case.policies", site=site or t("case.default_site")),
        t("case.col.category"),
        t("case.col.site"),
        t("case.col.working_days"),
        t("case.col.urgent_hours"),
        t("case.col.remind"),
        t("case.col.version"),
    )
    for policy in found.policies:
        table.add_row(
            label("case_category", enum_name(case_pb2.CaseCategory, policy.category)),
            policy.site_id or t("case.default_site"),
            str(policy.working_days),
            str(policy.urgent_hours),
            str(policy.remind_before_minutes),
            str(policy.version) if policy.version else t("case.built_in"),
        )
    session(ctx).out.print(table)


@policy_app.command("set")
def policy_set(
    ctx: typer.Context,
    category: Annotated[str, CATEGORIES.option("--category", help="类别 category")],
    working_days: Annotated[int, typer.Option("--working-days", min=1, help="办理工作日 working days")],
    urgent_hours: Annotated[int, typer.Option("--urgent-hours", min=1, help="紧急时限 hours when urgent")] = 2,
    remind_before: Annotated[
        int, typer.Option("--remind-before", min=1, metavar="MINUTES", help="提前督办 remind this long before")
    ] = 240,
    site: Annotated[str, typer.Option("--site", help="站点 site id (default: the default for every site)")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """设置时限 A new version of a category's handling time (a central admin)."""
    key = new_key(idempotency_key)
    request = case_pb2.UpsertCasePolicyRequest(
        idempotency_key=key,
        policy=case_pb2.CasePolicy(
            site_id=site,
            category=enum_value(case_pb2.CaseCategory, category),
            working_days=working_days,
            urgent_hours=urgent_hours,
            remind_before_minutes=remind_before,
        ),
    )

    async def work(c: Cases) -> case_pb2.CasePolicy:
        return await c.stub.UpsertCasePolicy(request, timeout=TIMEOUT)

    saved = run(ctx, work, key=key)
    line = t("case.policy_saved", category=label("case_category", category), version=saved.version)
    session(ctx).out.print(f"[green]{escape(line)}[/]")


def _print_calendar(ctx: typer.Context, calendar: case_pb2.HolidayCalendar) -> None:
    rows = [
        (t("case.holidays"), ", ".join(calendar.holidays) or t("case.none_listed")),
        (t("case.working_days"), ", ".join(calendar.working_days) or t("case.none_listed")),
    ]
    session(ctx).out.print(record_table(t("case.calendar", site=calendar.site_id, version=calendar.version), rows))


@calendar_app.command("show")
def calendar_show(ctx: typer.Context, site: SiteOpt = None) -> None:
    """查看日历 The site's holiday calendar."""
    site_id = site_or_default(site, session(ctx).target())

    async def work(c: Cases) -> case_pb2.HolidayCalendar:
        return await c.stub.GetHolidayCalendar(case_pb2.GetHolidayCalendarRequest(site_id=site_id), timeout=TIMEOUT)

    _print_calendar(ctx, run(ctx, work))


@calendar_app.command("set")
def calendar_set(
    ctx: typer.Context,
    site: SiteOpt = None,
    holiday: Annotated[
        list[str] | None, typer.Option("--holiday", metavar="YYYY-MM-DD", help="节假日 a day off")
    ] = None,
    working_day: Annotated[
        list[str] | None, typer.Option("--working-day", metavar="YYYY-MM-DD", help="调休上班 a weekend day on")
    ] = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """设置日历 Replace the site's holiday calendar (an admin of the site)."""
    site_id = site_or_default(site, session(ctx).target())
    key = new_key(idempotency_key)
    request = case_pb2.UpsertHolidayCalendarRequest(
        idempotency_key=key,
        calendar=case_pb2.HolidayCalendar(site_id=site_id, holidays=holiday or [], working_days=working_day or []),
    )

    async def work(c: Cases) -> case_pb2.HolidayCalendar:
        return await c.stub.UpsertHolidayCalendar(request, timeout=TIMEOUT)

    saved = run(ctx, work, key=key)
    session(ctx).out.print(f"[green]{escape(t('case.calendar_saved', site=site_id, version=saved.version))}[/]")
    _print_calendar(ctx, saved)
