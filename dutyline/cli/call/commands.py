"""`dutyline call …`: duty calls (来电受理) for officers — registering a call as it is answered (the
site's standard greeting first, then what is missing asked for), the calls of a site, one call with
its classification history and transfers, reclassifying, transferring (转接), messages (留言) and
promised callbacks (承诺回电), linking an emergency to an incident or opening one, the incidents it may
belong to, completing a notice from a superior (上级通知六要素), and revealing a masked caller (audited).

Like `dutyline incident …`: every error is one line with exit code 2 ("Refused …" for a step not
allowed now), every change sends an idempotency key (``--idempotency-key`` to retry safely), times
are in the site's zone (roster GetSite) and drills are labelled 【演练 DRILL】. Sites, names and
incident titles are looked up through the roster and the incident service, and never fail a command.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from dutyline.cli.call import views
from dutyline.cli.call.client import Calls, run
from dutyline.cli.common import connect
from dutyline.cli.common.enums import Choices, enum_value
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.lookups import DEFAULT_ZONE
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
from dutyline.cli.common.times import at_local, local_period, parse_date, parse_moment, when, zone_named
from dutyline.cli.incident.client import MAX_PAGE, STEP_TIMEOUT, TIMEOUT
from dutyline.cli.line.commands import missed
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2
from dutyline.roster.v1 import roster_pb2

T = TypeVar("T")

call_app = typer.Typer(
    help="来电受理 Calls: register, list, show, note, complete, reclassify, transfer, message, callback, callbacks, "
    "link, escalate, suggest, notice, reveal.",
    no_args_is_help=True,
)

# -- choices and options ----------------------------------------------------------------------------


# From the protos: a channel or category added there is a choice here.
CHANNELS = Choices.of_enum(intake_pb2.Channel)
CATEGORIES = Choices.of_enum(intake_pb2.CallCategory)
OUTCOMES = Choices.of_field(intake_pb2.TransferCallRequest, "outcome")
GENDERS = Choices.of_field(intake_pb2.RegisterCallRequest, "caller_gender")

CallArg = Annotated[str, typer.Argument(metavar="CALL", help="来电编号 call id")]
CategoryOpt = Annotated[str | None, CATEGORIES.option("--category", help="来电类别 category of the call")]
NoInputOpt = Annotated[bool, typer.Option("--no-input", help="不提示输入 never ask; say what is missing (for scripts)")]
RecipientOpt = Annotated[str, typer.Option("--to", metavar="RECIPIENT", help="接收人 who must read it or call back")]
ContentOpt = Annotated[str, typer.Option("--content", help="内容 as read back to the caller; - reads standard input")]
UrgentOpt = Annotated[bool, typer.Option("--urgent", help="紧急 urgent (due in 5 min unless --due)")]
DueOpt = Annotated[
    str | None,
    typer.Option("--due", metavar="ISO", help="期限 due, e.g. 2026-12-01T09:30 in the site's zone (default 2 h)"),
]
# The six elements of a notice from a superior (上级通知六要素).
MeetingTimeOpt = Annotated[
    str | None,
    typer.Option("--meeting-time", metavar="ISO", help="时间 when, e.g. 2026-12-01T09:30 in the site's zone"),
]
NoticePlaceOpt = Annotated[str, typer.Option("--notice-place", help="地点 where")]
NoticeContentOpt = Annotated[str, typer.Option("--notice-content", help="内容 what the notice says")]
ParticipantsOpt = Annotated[str, typer.Option("--participants", help="参加人员 who takes part")]
IssuingUnitOpt = Annotated[str, typer.Option("--issuing-unit", help="通知单位 the unit that issued it")]
IssuingPersonOpt = Annotated[str, typer.Option("--issuing-person", help="通知人 the person who gave it")]
# Optional caller details, also for an emergency (the call is not held up for them).
GenderOpt = Annotated[str | None, GENDERS.option("--gender", help="来电人性别 caller's gender (optional)")]
AgeOpt = Annotated[int, typer.Option("--age", min=0, max=130, help="来电人年龄 caller's age (optional; 0: not given)")]
DeclinedOpt = Annotated[
    bool, typer.Option("--declined-number", help="来电人拒绝提供回拨号码 the caller would not give a number")
]


def _notice(
    meeting: datetime | None, zone: ZoneInfo, place: str, content: str, participants: str, unit: str, person: str
) -> intake_pb2.NoticeElements | None:
    """The elements given on the command line; None when none was."""
    if meeting is None and not any((place, content, participants, unit, person)):
        return None
    return intake_pb2.NoticeElements(
        meeting_time=ts(at_local(meeting, zone)) if meeting else None,
        place=place,
        content=content,
        participants=participants,
        issuing_unit=unit,
        issuing_person=person,
    )


def _interactive() -> bool:
    """Whether what is missing can be asked for: standard input is a terminal."""
    return sys.stdin.isatty()


# -- the group and its calls ------------------------------------------------------------------------


@call_app.callback()
def call_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """来电受理 Duty calls: register as answered, classify, transfer, take messages, escalate emergencies."""
    start_session(ctx, "intake", lang, token, state_dir)


def _done(out: Console, call: intake_pb2.Call, message: str, style: str = "green") -> None:
    """A step's confirmation on one line (marked for a drill)."""
    out.print(f"[{style}]{escape(views.titled(message, call))}[/]", soft_wrap=True)


def _how(call: intake_pb2.Call, escalation: str = "") -> str:
    """How an emergency call reached its incident: "opened", "linked" or "pending"."""
    return escalation or {"linked": "linked", "escalated": "opened"}.get(call.status, "pending")


def _now() -> datetime:
    return datetime.now(UTC)


# -- registering ------------------------------------------------------------------------------------


@call_app.command()
def register(
    ctx: typer.Context,
    site: SiteOpt = None,
    channel_: Annotated[str, CHANNELS.option("--channel", help="来电方式 how the call came")] = "phone",
    category: CategoryOpt = None,
    caller_name: Annotated[str, typer.Option("--caller-name", help="来电人姓名 caller's name")] = "",
    caller_unit: Annotated[str, typer.Option("--caller-unit", help="来电人单位 caller's unit")] = "",
    caller_phone: Annotated[
        str | None, typer.Option("--caller-phone", help="来电号码 caller's number (asked for when missing)")
    ] = None,
    caller_address: Annotated[str, typer.Option("--caller-address", help="来电人住址 caller's address")] = "",
    place: Annotated[str, typer.Option("--place", help="地点 where, as the caller said it")] = "",
    lat: Annotated[float | None, typer.Option("--lat", min=-90, max=90, help="纬度 WGS-84 latitude")] = None,
    lon: Annotated[float | None, typer.Option("--lon", min=-180, max=180, help="经度 WGS-84 longitude")] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help="来电事由 what happened; - reads standard input")
    ] = None,
    request: Annotated[str, typer.Option("--request", help="诉求 what the caller asks for")] = "",
    actions: Annotated[str, typer.Option("--actions", help="处理情况 what was done")] = "",
    ring_seconds: Annotated[
        int, typer.Option("--ring-seconds", min=0, metavar="N", help="响铃时长 how long it rang before it was answered")
    ] = 0,
    drill: Annotated[bool, typer.Option("--drill", help="演练 a drill")] = False,
    line_call: Annotated[
        str,
        typer.Option(
            "--line-call",
            metavar="ID",
            help="线路来电 the switch's record of this call (`dutyline line status`): its ring and answer "
            "times and the answering officer come from the switch",
        ),
    ] = "",
    meeting_time: MeetingTimeOpt = None,
    notice_place: NoticePlaceOpt = "",
    notice_content: NoticeContentOpt = "",
    participants: ParticipantsOpt = "",
    issuing_unit: IssuingUnitOpt = "",
    issuing_person: IssuingPersonOpt = "",
    gender: GenderOpt = None,
    age: AgeOpt = 0,
    declined_number: DeclinedOpt = False,
    no_input: NoInputOpt = False,
    idempotency_key: KeyOpt = None,
) -> None:
    """登记来电 Register a call as it is answered: the site's standard greeting first, then what is missing
    (summary, category, the caller's number) is asked for.

    It rang from now − --ring-seconds and was answered now, unless --line-call names the switch's record of
    it; answering later than the site's limit is late.
    An emergency opens an incident, or is linked to the open incident of the same event. A notice from a
    superior (--channel superior_notice) carries six elements; the missing ones are flagged."""
    if (lat is None) != (lon is None):
        raise typer.BadParameter(t("error.lat_lon"), param_hint="--lat / --lon")
    meeting = parse_moment(meeting_time, "--meeting-time")
    answered = _now()
    s = session(ctx)
    target = s.target()
    site_id = site_or_default(site, target)

    found: roster_pb2.Site | None = run(ctx, lambda c: c.look.site(site_id), target=target)
    if found is not None and found.greeting:
        s.out.print(f"[bold cyan]{escape(t('call.greeting', greeting=found.greeting))}[/]", soft_wrap=True)
    else:
        s.out.print(f"[yellow]{escape(t('call.no_greeting', site=site_id))}[/]", soft_wrap=True)

    # What is missing: asked for on a terminal, else named (and nothing is registered).
    ask = not no_input and _interactive()
    missing: list[str] = []
    if caller_phone is None:
        caller_phone = typer.prompt(t("prompt.phone"), default="", show_default=False) if ask else ""
    text = read_text(summary).strip() if summary else ""
    if not text:
        if ask:
            text = str(typer.prompt(t("prompt.summary"))).strip()
        else:
            missing.append("--summary")
    if category is None:
        if ask:
            category = CATEGORIES.prompt(t("prompt.category"))
        else:
            missing.append("--category")
    if missing or category is None:
        why = t("call.no_input") if no_input else t("call.not_a_terminal")
        connect.fail(t("call.missing", fields=", ".join(missing), why=why))

    zone = zone_named(found.time_zone if found else "", DEFAULT_ZONE)
    key = new_key(idempotency_key)
    register_request = intake_pb2.RegisterCallRequest(
        idempotency_key=key,
        site_id=site_id,
        channel=enum_value(intake_pb2.Channel, channel_),
        category=enum_value(intake_pb2.CallCategory, category),
        # Against the switch's record, the switch's times count (the server ignores the officer's).
        ring_started_at=None if line_call else ts(answered - timedelta(seconds=ring_seconds)),
        answered_at=None if line_call else ts(answered),
        line_call_id=line_call,
        caller=intake_pb2.Caller(
            name=caller_name, unit=caller_unit, phone=str(caller_phone).strip(), address=caller_address
        ),
        place=common_pb2.Place(text=place, latitude=lat, longitude=lon),
        summary=text,
        request=request,
        actions_taken=actions,
        drill=drill,
        notice=_notice(meeting, zone, notice_place, notice_content, participants, issuing_unit, issuing_person),
        caller_gender=gender or "",
        caller_age=age,
        caller_declined_number=declined_number,
    )

    async def work(c: Calls) -> tuple[intake_pb2.RegisterCallResponse, views.Seen, dict[str, str]]:
        # An emergency waits for its incident to be opened or linked.
        reply = await c.stub.RegisterCall(register_request, timeout=STEP_TIMEOUT)
        seen, titles = await asyncio.gather(
            c.seen(site_id, [reply.call.officer_id]),
            c.titles([reply.incident_id, *(x.incident_id for x in reply.suggestions)]),
        )
        return reply, seen, titles

    reply, seen, titles = run(ctx, work, key=key, target=target)
    call, out = reply.call, s.out
    if reply.replayed:
        out.print(f"[yellow]{escape(t('call.replayed'))}[/]", soft_wrap=True)
    _done(out, call, t("call.registered", id=call.id))
    out.print(views.record(call, seen))
    out.print(views.answered_line(call, seen.limit), soft_wrap=True)
    out.print(views.duty_line(call, seen.names), soft_wrap=True)
    if call.category == intake_pb2.CALL_CATEGORY_EMERGENCY:
        incident_id = reply.incident_id or call.incident_id
        out.print(views.escalation_line(_how(call, reply.escalation), incident_id, titles.get(incident_id, "")))
        if reply.suggestions:
            out.print(views.suggestions(reply.suggestions, titles))
    if call.HasField("notice") or call.notice_missing:
        out.print(views.notice_line(call), soft_wrap=True)


# -- reading ----------------------------------------------------------------------------------------


@call_app.command("list")
def list_calls(
    ctx: typer.Context,
    site: SiteOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    category: CategoryOpt = None,
    officer: Annotated[str, typer.Option("--officer", help="值班员 person id of the officer who answered")] = "",
    status: Annotated[
        str, typer.Option("--status", help="状态 registered | escalation_pending | escalated | linked | transferred")
    ] = "",
    incident: Annotated[str, typer.Option("--incident", help="事件 only the calls of this incident")] = "",
    notices_incomplete: Annotated[
        bool, typer.Option("--notices-incomplete", help="只看缺要素的上级通知 notices lacking elements")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE - 1, help="最多显示 at most this many")] = 100,
) -> None:
    """来电列表 The calls of a site, newest first (registered between the local dates --from and --to)."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(c: Calls) -> tuple[list[intake_pb2.Call], ZoneInfo, str]:
        zone = await c.look.zone(site_id)
        request = intake_pb2.ListCallsRequest(
            site_id=site_id,
            period=local_period(zone, first, last),
            category=enum_value(intake_pb2.CallCategory, category) if category else None,
            officer_id=officer,
            status=status,
            incident_id=incident,
            notice_incomplete_only=notices_incomplete,
            # One more than shown: the reply has a next page token whenever the page is full.
            page=common_pb2.PageRequest(page_size=limit + 1),
        )
        listed = await c.stub.ListCalls(request, timeout=TIMEOUT)
        return list(listed.calls), zone, await c.look.site_label(site_id)

    found, zone, name = run(ctx, work, target=target)
    out = session(ctx).out
    if not found:
        out.print(t("calls.none"))
        return
    out.print(views.calls(found[:limit], t("calls.title", site=name, zone=zone.key), zone))
    if len(found) > limit:
        out.print(f"[yellow]{escape(t('calls.more', count=limit))}[/]")


@call_app.command()
def show(ctx: typer.Context, call_id: CallArg) -> None:
    """查看来电 One call (the caller masked) with its classification history and transfers."""

    async def work(c: Calls) -> tuple[intake_pb2.Call, views.Seen]:
        found = await c.get(call_id)
        return found, await c.seen(found.site_id, [found.officer_id])

    found, seen = run(ctx, work)
    session(ctx).out.print(views.full(found, seen))


@call_app.command()
def suggest(ctx: typer.Context, call_id: CallArg) -> None:
    """疑似同一事件 The open incidents this call may be about, best first (to `link` it to one)."""

    async def work(c: Calls) -> tuple[list[intake_pb2.IncidentSuggestion], dict[str, str]]:
        reply = await c.stub.SuggestIncidents(intake_pb2.SuggestIncidentsRequest(call_id=call_id), timeout=TIMEOUT)
        return list(reply.suggestions), await c.titles(s.incident_id for s in reply.suggestions)

    found, titles = run(ctx, work)
    session(ctx).out.print(views.suggestions(found, titles))


@call_app.command()
def callbacks(
    ctx: typer.Context,
    site: SiteOpt = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看未完成的 only those not completed")] = False,
) -> None:
    """留言与回电 Messages taken (留言) and callbacks promised (承诺回电) of a site, the soonest due first."""
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(c: Calls) -> tuple[list[intake_pb2.Callback], ZoneInfo, str]:
        request = intake_pb2.ListCallbacksRequest(site_id=site_id, open_only=open_only)
        found: list[intake_pb2.Callback] = []
        while True:  # every page
            listed = await c.stub.ListCallbacks(request, timeout=TIMEOUT)
            found.extend(listed.callbacks)
            if not listed.page.next_page_token:
                break
            request.page.page_token = listed.page.next_page_token
        return found, await c.look.zone(site_id), await c.look.site_label(site_id)

    found, zone, name = run(ctx, work, target=target)
    out = session(ctx).out
    if not found:
        out.print(t("callbacks.none"))
        return
    out.print(views.callbacks(found, t("callbacks.title", site=name, zone=zone.key), zone, _now()))


# -- handling a call --------------------------------------------------------------------------------


@call_app.command()
def reclassify(
    ctx: typer.Context,
    call_id: CallArg,
    category: Annotated[str, CATEGORIES.option("--category", help="新类别 the new category")],
    reason: Annotated[str, typer.Option("--reason", help="理由 why the classification changes")],
    idempotency_key: KeyOpt = None,
) -> None:
    """调整分类 Reclassify a call (the history keeps every change); an emergency now goes to an incident."""
    key = new_key(idempotency_key)
    request = intake_pb2.ReclassifyCallRequest(
        idempotency_key=key,
        call_id=call_id,
        category=enum_value(intake_pb2.CallCategory, category),
        reason=reason,
    )

    async def work(c: Calls) -> tuple[intake_pb2.Call, views.Seen, dict[str, str]]:
        changed = await c.stub.ReclassifyCall(request, timeout=STEP_TIMEOUT)
        seen, titles = await asyncio.gather(c.seen(changed.site_id), c.titles([changed.incident_id]))
        return changed, seen, titles

    changed, seen, titles = run(ctx, work, key=key)
    out = session(ctx).out
    _done(out, changed, t("call.reclassified", id=changed.id, category=views.category(changed.category)))
    if changed.category == intake_pb2.CALL_CATEGORY_EMERGENCY:
        incident_id = changed.incident_id
        out.print(views.escalation_line(_how(changed), incident_id, titles.get(incident_id, "")))
    out.print(views.history(changed, seen.zone))


@call_app.command()
def transfer(
    ctx: typer.Context,
    call_id: CallArg,
    to: Annotated[str, typer.Option("--to", metavar="TARGET", help="转接对象 department or person (通讯录)")],
    briefing: Annotated[str, typer.Option("--briefing", help="情况说明 what the target was told")],
    outcome: Annotated[str, OUTCOMES.option("--outcome", help="结果 connected, or unreachable (a message is taken)")],
    caller_agreed: Annotated[
        bool | None,
        typer.Option(
            "--caller-agreed/--no-caller-agreed", help="来电人同意转接 the caller agreed (asked when not given)"
        ),
    ] = None,
    no_input: NoInputOpt = False,
    idempotency_key: KeyOpt = None,
) -> None:
    """转接 Transfer a call, with the caller's agreement; when the target is unreachable a message is taken
    for it (留言) with a deadline."""
    if caller_agreed is None:
        # Only with the caller's agreement: asked on a terminal; otherwise the service says so.
        caller_agreed = bool(typer.confirm(t("prompt.caller_agreed"))) if not no_input and _interactive() else False
    key = new_key(idempotency_key)
    request = intake_pb2.TransferCallRequest(
        idempotency_key=key,
        call_id=call_id,
        target_id=to,
        caller_agreed=caller_agreed,
        briefing=read_text(briefing),
        outcome=outcome,
    )

    async def work(c: Calls) -> tuple[intake_pb2.Call, intake_pb2.Callback | None, views.Seen]:
        moved = await c.stub.TransferCall(request, timeout=STEP_TIMEOUT)
        made = moved.transfers[-1].callback_id if moved.transfers else ""
        taken = None
        if made:  # There is no GetCallback: the message taken is found among the site's open ones.
            pages = intake_pb2.ListCallbacksRequest(site_id=moved.site_id, open_only=True)
            while taken is None:
                listed = await c.stub.ListCallbacks(pages, timeout=TIMEOUT)
                taken = next((cb for cb in listed.callbacks if cb.id == made), None)
                if not listed.page.next_page_token:
                    break
                pages.page.page_token = listed.page.next_page_token
        return moved, taken, await c.seen(moved.site_id)

    moved, taken, seen = run(ctx, work, key=key)
    out = session(ctx).out
    _done(out, moved, t("call.transferred", id=moved.id, target=to, outcome=label("transfer", outcome)))
    made = moved.transfers[-1].callback_id if moved.transfers else ""
    if made:
        due = when(taken, "due_at", seen.zone, "%H:%M") if taken is not None else ""
        _done(out, moved, t("call.message_taken", target=to, callback=made, due=due), "yellow")
        if taken is not None:
            out.print(views.callback_record(taken, seen.zone, _now()))
    out.print(views.transfers(moved, seen.zone))


def _take(
    ctx: typer.Context, kind: str, call_id: str, to: str, content: str, urgent: bool, due: str | None, key: str | None
) -> None:
    """A message taken (留言) or a callback promised (承诺回电) for a call."""
    at = parse_moment(due, "--due")
    text = read_text(content)
    key = new_key(key)
    is_message = kind == "message"  # else a callback promised

    async def work(c: Calls) -> tuple[intake_pb2.Call, intake_pb2.Callback, ZoneInfo]:
        found = await c.get(call_id)
        zone = await c.look.zone(found.site_id)
        due_at = ts(at_local(at, zone)) if at else None
        request = (intake_pb2.TakeMessageRequest if is_message else intake_pb2.PromiseCallbackRequest)(
            idempotency_key=key, call_id=call_id, recipient_id=to, content=text, urgent=urgent, due_at=due_at
        )
        made = await (c.stub.TakeMessage if is_message else c.stub.PromiseCallback)(request, timeout=TIMEOUT)
        return found, made, zone

    found, made, zone = run(ctx, work, key=key)
    out = session(ctx).out
    line = t("callback.done", kind=label("callback_kind", made.kind), id=made.id, due=when(made, "due_at", zone))
    _done(out, found, line)
    out.print(views.callback_record(made, zone, _now()))


@call_app.command()
def message(
    ctx: typer.Context,
    call_id: CallArg,
    to: RecipientOpt,
    content: ContentOpt,
    urgent: UrgentOpt = False,
    due: DueOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """留言 Take a message for someone (read it back to the caller); tracked until it is completed."""
    _take(ctx, "message", call_id, to, content, urgent, due, idempotency_key)


@call_app.command()
def callback(
    ctx: typer.Context,
    call_id: CallArg,
    to: RecipientOpt,
    content: ContentOpt,
    urgent: UrgentOpt = False,
    due: DueOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """承诺回电 Promise the caller a callback by someone; tracked until it is completed."""
    _take(ctx, "callback", call_id, to, content, urgent, due, idempotency_key)


@call_app.command()
def note(
    ctx: typer.Context,
    call_id: CallArg,
    text: Annotated[str, typer.Option("--text", help="处理记录 what was done or learnt; - reads standard input")],
    idempotency_key: KeyOpt = None,
) -> None:
    """添加处理记录 Append a handling note to a call, at any time after it was registered."""
    key = new_key(idempotency_key)
    request = intake_pb2.AddCallNoteRequest(idempotency_key=key, call_id=call_id, text=read_text(text))

    async def work(c: Calls) -> tuple[intake_pb2.Call, views.Seen]:
        noted = await c.stub.AddCallNote(request, timeout=TIMEOUT)
        return noted, await c.seen(noted.site_id, [noted.officer_id, *(n.by for n in noted.record.notes)])

    noted, seen = run(ctx, work, key=key)
    _done(session(ctx).out, noted, t("record.note_added", id=noted.id))
    session(ctx).out.print(views.record(noted, seen))


@call_app.command()
def complete(
    ctx: typer.Context,
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="来电编号（--result）或留言/回电编号（--outcome） call, or message/callback"),
    ],
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="留言/回电的结果 what came of a message or callback")
    ] = None,
    result: Annotated[str | None, typer.Option("--result", help="来电的处理结果 the result of a call")] = None,
    handling: Annotated[str, typer.Option("--handling", help="处理情况 what was done (when not recorded yet)")] = "",
    caller_name: Annotated[str, typer.Option("--caller-name", help="来电人姓名 caller's name, if missing")] = "",
    caller_phone: Annotated[str, typer.Option("--caller-phone", help="来电号码 caller's number, if missing")] = "",
    caller_unit: Annotated[str, typer.Option("--caller-unit", help="来电人单位 caller's unit, if missing")] = "",
    caller_address: Annotated[
        str, typer.Option("--caller-address", help="来电人住址 caller's address, if missing")
    ] = "",
    place: Annotated[str, typer.Option("--place", help="地点 where, if missing")] = "",
    request_text: Annotated[str, typer.Option("--request", help="诉求 what the caller asks for, if missing")] = "",
    gender: GenderOpt = None,
    age: AgeOpt = 0,
    declined_number: DeclinedOpt = False,
    meeting_time: MeetingTimeOpt = None,
    notice_place: NoticePlaceOpt = "",
    notice_content: NoticeContentOpt = "",
    participants: ParticipantsOpt = "",
    issuing_unit: IssuingUnitOpt = "",
    issuing_person: IssuingPersonOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """完成 Complete a message or callback (--outcome), or a call's record (--result): the handling, the
    result and the required fields still missing (a notice's missing elements too); what was recorded stays."""
    if (outcome is None) == (result is None):
        raise typer.BadParameter(t("record.complete_which"), param_hint="--outcome / --result")
    key = new_key(idempotency_key)
    out = session(ctx).out
    if outcome is not None:
        _complete_callback(ctx, key, item_id, outcome)
        return
    meeting = parse_moment(meeting_time, "--meeting-time")

    async def work(c: Calls) -> tuple[intake_pb2.Call, views.Seen]:
        found = await c.get(item_id)
        seen = await c.seen(found.site_id, [found.officer_id])
        elements = _notice(meeting, seen.zone, notice_place, notice_content, participants, issuing_unit, issuing_person)
        request = intake_pb2.CompleteCallRequest(
            idempotency_key=key,
            call_id=item_id,
            handling=handling,
            result=str(result),
            caller=intake_pb2.Caller(name=caller_name, phone=caller_phone, unit=caller_unit, address=caller_address),
            place=common_pb2.Place(text=place),
            request=request_text,
            caller_gender=gender or "",
            caller_age=age,
            caller_declined_number=declined_number,
            notice=elements,
        )
        done = await c.stub.CompleteCall(request, timeout=TIMEOUT)
        return done, await c.seen(done.site_id, [done.officer_id, done.record.completed_by])

    done, seen = run(ctx, work, key=key)
    _done(out, done, t("record.complete_done", id=done.id, result=done.record.result))
    out.print(views.record(done, seen))


def _complete_callback(ctx: typer.Context, key: str, callback_id: str, outcome: str) -> None:
    request = intake_pb2.CompleteCallbackRequest(idempotency_key=key, callback_id=callback_id, outcome=outcome)

    async def work(c: Calls) -> tuple[intake_pb2.Callback, ZoneInfo]:
        done = await c.stub.CompleteCallback(request, timeout=TIMEOUT)
        return done, await c.look.zone(done.site_id)

    done, zone = run(ctx, work, key=key)
    at = when(done, "completed_at", zone, f"%H:%M:%S ({zone.key})")
    line = t("callback.completed", kind=label("callback_kind", done.kind), id=done.id, at=at, outcome=done.outcome)
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


def _moved(
    ctx: typer.Context, key: str, move: Callable[[Calls], Awaitable[intake_pb2.Call]], done: str
) -> tuple[intake_pb2.Call, str]:
    """Put a call into an incident (``move``) and say so (``done``: the message key); the incident's title."""

    async def work(c: Calls) -> tuple[intake_pb2.Call, dict[str, str]]:
        moved = await move(c)
        return moved, await c.titles([moved.incident_id])

    moved, titles = run(ctx, work, key=key)
    title = titles.get(moved.incident_id, "")
    _done(session(ctx).out, moved, t(done, id=moved.id, incident=moved.incident_id, title=title))
    return moved, title


@call_app.command()
def link(
    ctx: typer.Context,
    call_id: CallArg,
    incident: Annotated[str, typer.Option("--incident", metavar="ID", help="事件编号 the open incident")],
    reason: Annotated[str, typer.Option("--reason", help="理由 why (when it moves from another incident)")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """关联事件 Link an emergency call to an open incident of the same event, or move it there (see `suggest`)."""
    key = new_key(idempotency_key)
    request = intake_pb2.LinkCallRequest(idempotency_key=key, call_id=call_id, incident_id=incident, reason=reason)
    _moved(ctx, key, lambda c: c.stub.LinkCall(request, timeout=STEP_TIMEOUT), "call.link_done")


@call_app.command()
def unlink(
    ctx: typer.Context,
    call_id: CallArg,
    title: Annotated[str, typer.Option("--title", help="新事件标题 title of the new incident")] = "",
    reason: Annotated[str, typer.Option("--reason", help="理由 why it is another event")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """移出事件 Move a wrongly linked call out of its incident into a new incident of its own."""
    key = new_key(idempotency_key)
    request = intake_pb2.UnlinkCallRequest(idempotency_key=key, call_id=call_id, title=title, reason=reason)
    _moved(ctx, key, lambda c: c.stub.UnlinkCall(request, timeout=STEP_TIMEOUT), "call.unlink_done")


@call_app.command()
def escalate(
    ctx: typer.Context,
    call_id: CallArg,
    title: Annotated[str, typer.Option("--title", help="事件标题 title of the incident")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """转为事件 Open a new incident for a call that belongs to none."""
    key = new_key(idempotency_key)
    request = intake_pb2.EscalateCallRequest(idempotency_key=key, call_id=call_id, title=title)
    _, actual = _moved(ctx, key, lambda c: c.stub.EscalateCall(request, timeout=STEP_TIMEOUT), "call.escalate_done")
    out = session(ctx).out
    if title.strip() and actual and actual != title.strip():
        out.print(f"[yellow]{escape(t('call.title_kept', title=actual))}[/]", soft_wrap=True)


@call_app.command()
def notice(
    ctx: typer.Context,
    call_id: CallArg,
    meeting_time: MeetingTimeOpt = None,
    notice_place: NoticePlaceOpt = "",
    notice_content: NoticeContentOpt = "",
    participants: ParticipantsOpt = "",
    issuing_unit: IssuingUnitOpt = "",
    issuing_person: IssuingPersonOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """补全上级通知 Fill in the missing elements of a notice from a superior (上级通知六要素)."""
    meeting = parse_moment(meeting_time, "--meeting-time")
    key = new_key(idempotency_key)

    async def work(c: Calls) -> tuple[intake_pb2.Call, views.Seen]:
        found = await c.get(call_id)
        seen = await c.seen(found.site_id, [found.officer_id])
        elements = _notice(meeting, seen.zone, notice_place, notice_content, participants, issuing_unit, issuing_person)
        request = intake_pb2.CompleteNoticeRequest(idempotency_key=key, call_id=call_id, notice=elements)
        return await c.stub.CompleteNotice(request, timeout=TIMEOUT), seen

    completed, seen = run(ctx, work, key=key)
    out = session(ctx).out
    out.print(views.notice_line(completed), soft_wrap=True)
    out.print(views.record(completed, seen))


@call_app.command()
def reveal(
    ctx: typer.Context,
    call_id: CallArg,
    reason: Annotated[str, typer.Option("--reason", help="理由 why the clear name and number are needed (audited)")],
) -> None:
    """查看来电人明文 The caller's clear name and number, for a stated reason; every reveal is audited."""
    request = intake_pb2.RevealCallerRequest(call_id=call_id, reason=reason)

    async def work(c: Calls) -> intake_pb2.RevealCallerResponse:
        return await c.stub.RevealCaller(request, timeout=TIMEOUT)

    reply = run(ctx, work)
    out = session(ctx).out
    out.print(views.revealed(reply.caller, reply.audit_id))
    out.print(f"[bold yellow]{escape(t('call.reveal_recorded', audit=reply.audit_id))}[/]", soft_wrap=True)


# Missed calls (未接来电) are the TelephonyService's, which intake hosts: `dutyline call missed`.
call_app.command("missed")(missed)
