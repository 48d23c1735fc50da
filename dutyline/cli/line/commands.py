"""`dutyline line …`: the duty lines (值班电话线路) — their status as the switch reports it (up, ringing,
in a call, down) and their configuration (the switch, the extensions and who answers at each, the
limits) — and `dutyline call missed`: the calls that rang and were not answered (未接来电), each with
its call record and the callback of the officer on duty.

Every error is one line with exit code 2; every change sends an idempotency key (``--idempotency-key``
to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

import dutyline.cli.line.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common.enums import enum_name
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.session import (
    FromOpt,
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    ToOpt,
    new_key,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import local_period, parse_date, when
from dutyline.cli.line.client import TIMEOUT, Lines, run
from dutyline.common.v1 import common_pb2
from dutyline.intake.v1 import telephony_pb2

line_app = typer.Typer(help="值班电话线路 Duty lines: status, upsert.", no_args_is_help=True)

LIMIT_HELP = "秒，0 为默认 seconds, 0: the default"


@line_app.callback()
def line_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """值班电话线路 Duty lines: what the telephone switch reports of them."""
    start_session(ctx, "intake", lang, token, state_dir)


def _call_state(call: telephony_pb2.LineCall) -> str:
    return label("line_call_state", call.state)


@line_app.command()
def status(ctx: typer.Context, site: SiteOpt = None) -> None:
    """线路状态 Which lines are up, ringing, in a call or down (silent past their limit)."""
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(c: Lines) -> tuple[list[telephony_pb2.LineStatus], ZoneInfo]:
        listed = await c.stub.ListLines(telephony_pb2.ListLinesRequest(site_id=site_id), timeout=TIMEOUT)
        return list(listed.lines), await c.zone(site_id)

    lines, zone = run(ctx, work)
    out = session(ctx).out
    if not lines:
        out.print(t("line.none"))
        return
    table = list_table(
        t("line.title", site=site_id, zone=zone.key),
        Ids(t("line.col.line")),
        t("line.col.name"),
        t("line.col.state"),
        t("line.col.heard"),
        t("line.col.current"),
        t("line.col.extensions"),
    )
    for x in lines:
        state = enum_name(telephony_pb2.LineState, x.state)
        shown = label("line_state", state)
        current = ""
        if x.HasField("current_call"):
            c = x.current_call
            # Its id is what the officer registers the call against (`dutyline call register --line-call`).
            current = f"{_call_state(c)} {c.caller_number} {when(c, 'ring_started_at', zone)} {c.id}".strip()
        table.add_row(
            x.line.id,
            escape(x.line.display_name),
            f"[red]{escape(shown)}[/]" if state == "down" else escape(shown),
            when(x, "last_seen_at", zone),
            escape(current),
            ", ".join(f"{e.extension}={e.person_id}" for e in x.line.extensions),
        )
    out.print(table)


def _extensions(values: list[str]) -> list[telephony_pb2.Extension]:
    found = []
    for value in values:
        extension, sep, person = value.partition("=")
        if not sep or not extension.strip() or not person.strip():
            raise typer.BadParameter(t("line.bad_extension"), param_hint="--ext")
        found.append(telephony_pb2.Extension(extension=extension.strip(), person_id=person.strip()))
    return found


@line_app.command()
def upsert(
    ctx: typer.Context,
    line_id: Annotated[str, typer.Argument(metavar="LINE", help="线路编号 line id")],
    name: Annotated[str, typer.Option("--name", help="线路名称 display name")],
    switch: Annotated[str, typer.Option("--switch", help="交换机编号 the switch that reports the line")],
    ext: Annotated[
        list[str], typer.Option("--ext", metavar="EXT=PERSON", help="分机=接听人 an extension and its officer")
    ],
    site: SiteOpt = None,
    down_after: Annotated[int, typer.Option("--down-after", min=0, help=f"无信号判定中断 {LIMIT_HELP} (120)")] = 0,
    callback_due: Annotated[
        int, typer.Option("--callback-due", min=0, help=f"未接来电回拨时限 {LIMIT_HELP} (600)")
    ] = 0,
    register_within: Annotated[
        int, typer.Option("--register-within", min=0, help=f"通话结束后登记时限 {LIMIT_HELP} (600)")
    ] = 0,
    idempotency_key: KeyOpt = None,
) -> None:
    """配置线路 Create or change a duty line of a site (admins of the site)."""
    extensions = _extensions(ext)
    target = session(ctx).target()
    key = new_key(idempotency_key)
    request = telephony_pb2.UpsertLineRequest(
        idempotency_key=key,
        line=telephony_pb2.Line(
            id=line_id,
            site_id=site_or_default(site, target),
            display_name=name,
            switch_id=switch,
            extensions=extensions,
            down_after_seconds=down_after,
            callback_due_seconds=callback_due,
            register_within_seconds=register_within,
        ),
    )

    async def work(c: Lines) -> telephony_pb2.Line:
        saved: telephony_pb2.Line = await c.stub.UpsertLine(request, timeout=TIMEOUT)
        return saved

    saved = run(ctx, work, key=key)
    session(ctx).out.print(f"[green]{escape(t('line.saved', id=saved.id, count=len(saved.extensions)))}[/]")


def missed(
    ctx: typer.Context,
    site: SiteOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    unregistered: Annotated[
        bool, typer.Option("--unregistered", help="含未按时登记的已接来电 also answered calls not registered in time")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=499, help="最多显示 at most this many")] = 100,
) -> None:
    """未接来电 The calls that rang and were not answered, newest first, each with its call record and
    the callback of the officer on duty (between the local dates --from and --to)."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    target = session(ctx).target()
    site_id = site_or_default(site, target)

    async def work(c: Lines) -> tuple[list[telephony_pb2.LineCall], ZoneInfo]:
        zone = await c.zone(site_id)
        request = telephony_pb2.ListMissedCallsRequest(
            site_id=site_id,
            period=local_period(zone, first, last),
            include_unregistered=unregistered,
            # One more than shown: a full page says there are more.
            page=common_pb2.PageRequest(page_size=limit + 1),
        )
        listed = await c.stub.ListMissedCalls(request, timeout=TIMEOUT)
        return list(listed.calls), zone

    calls, zone = run(ctx, work)
    out = session(ctx).out
    if not calls:
        out.print(t("missed.none"))
        return
    table = list_table(
        t("missed.title", site=site_id, zone=zone.key),
        t("missed.col.rang"),
        t("line.col.line"),
        t("missed.col.caller"),
        t("missed.col.what"),
        t("missed.col.officer"),
        Ids(t("missed.col.call")),
        Ids(t("missed.col.callback")),
    )
    for c in calls[:limit]:
        what = _call_state(c) + (f" · {t('missed.unregistered')}" if c.registration_overdue else "")
        table.add_row(
            when(c, "ring_started_at", zone),
            c.line_id,
            c.caller_number,
            escape(what),
            c.officer_id,
            c.call_id,
            c.callback_id,
        )
    out.print(table)
    if len(calls) > limit:
        out.print(f"[yellow]{escape(t('missed.more', count=limit))}[/]")
