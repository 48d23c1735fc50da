"""`dutyline signals …`: signals of concealment (瞒报信号) for supervisors — what happened to a call or an
incident that may hide an emergency, with its evidence and the people involved — and the finding on
each (`dutyline signals decide ID --none | --confirmed --note …`; confirmed charges a concealment
violation to each person involved).

Every error is one line with exit code 2 ("Refused …" for a step not allowed now); a finding sends an
idempotency key (``--idempotency-key`` to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import grpc
import typer
from rich.markup import escape

import dutyline.cli.signals.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    read_text,
    session,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import when
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import oversight_pb2, oversight_pb2_grpc

TIMEOUT = 15.0
FMT = "%Y-%m-%d %H:%M"
KINDS = [name.removeprefix("SIGNAL_KIND_").lower() for name in oversight_pb2.SignalKind.keys()[1:]]
FINDINGS = {
    oversight_pb2.FINDING_UNSPECIFIED: "open",
    oversight_pb2.FINDING_NONE: "none",
    oversight_pb2.FINDING_CONFIRMED: "confirmed",
}

signals_app = typer.Typer(
    help="瞒报信号 Concealment signals for supervisors: list them, record the finding.",
    invoke_without_command=True,
)


class Oversight(RosterLookups):
    """The OversightService (hosted by the incident process), with the roster for the sites' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = oversight_pb2_grpc.OversightServiceStub(ch)


def _kind(value: int) -> str:
    return label("signal_kind", oversight_pb2.SignalKind.Name(value).removeprefix("SIGNAL_KIND_").lower())


def _what(s: oversight_pb2.ConcealmentSignal) -> str:
    lines = [("【演练】" if s.drill else "") + s.summary]
    lines += [f"· {e.label}: {e.value}" for e in s.evidence if e.value]
    if s.note:
        lines.append(f"» {s.note}")
    return escape("\n".join(lines))


@signals_app.callback()
def signals_main(
    ctx: typer.Context,
    site: Annotated[
        str | None, typer.Option("--site", help="站点或区域 a site or region (default: all you oversee)")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=f"信号类型 only this kind: {' | '.join(KINDS)}")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看待认定的 only those not decided")] = False,
    decided: Annotated[bool, typer.Option("--decided", help="只看已认定的 only those decided")] = False,
    drills: Annotated[bool, typer.Option("--drills", help="包括演练 include drills")] = False,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page")] = "",
    lang: LangOpt = None,
    token: TokenOpt = None,
    state_dir: StateDirOpt = DEFAULT_STATE_DIR,
) -> None:
    """瞒报信号 Concealment signals of the sites you oversee, newest first, with their evidence."""
    start_session(ctx, "incident", lang, token, state_dir)
    if ctx.invoked_subcommand is not None:
        return
    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"{kind!r}: {' | '.join(KINDS)}", param_hint="--kind")
    request = oversight_pb2.ListConcealmentSignalsRequest(
        site_id=site or "",
        kind=f"SIGNAL_KIND_{kind.upper()}" if kind else "SIGNAL_KIND_UNSPECIFIED",
        status="open" if open_only and not decided else "decided" if decided and not open_only else "",
        include_drills=drills,
        page=common_pb2.PageRequest(page_token=page_token),
    )

    async def work(ov: Oversight) -> tuple[oversight_pb2.ListConcealmentSignalsResponse, dict[str, ZoneInfo]]:
        found = await ov.stub.ListConcealmentSignals(request, timeout=TIMEOUT)
        return found, {s: await ov.zone(s) for s in {s.site_id for s in found.signals}}

    found, zones = run_with_roster(ctx, Oversight, work)
    out = session(ctx).out
    if not found.signals:
        out.print(t("signals.none"))
        return
    table = list_table(
        t("signals.title", count=len(found.signals)),
        Ids(t("signals.col.id")),
        t("signals.col.raised"),
        t("signals.col.kind"),
        t("signals.col.what"),
        t("signals.col.people"),
        Ids(t("signals.col.incident")),
        t("signals.col.finding"),
    )
    for s in found.signals:
        table.add_row(
            s.id,
            f"{when(s, 'raised_at', zones[s.site_id], FMT)}\n{s.site_id}",
            _kind(s.kind),
            _what(s),
            escape("\n".join(f"{p.person_id} ({label('signal_role', p.role)})" for p in s.people)),
            "\n".join(i for i in (s.incident_id, s.call_id) if i),
            label("signal_finding", FINDINGS[s.finding]),
        )
    out.print(table)
    if found.page.next_page_token:
        out.print(t("signals.more", token=found.page.next_page_token))


@signals_app.command()
def decide(
    ctx: typer.Context,
    signal: Annotated[str, typer.Argument(metavar="ID", help="信号编号 signal id")],
    none: Annotated[bool, typer.Option("--none", help="未发现瞒报 nothing concealed")] = False,
    confirmed: Annotated[bool, typer.Option("--confirmed", help="认定瞒报 concealment confirmed")] = False,
    note: Annotated[str, typer.Option("--note", help="认定说明 why; - reads standard input")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """认定 Record the finding on a signal: --none, or --confirmed with --note (a violation per person)."""
    if none == confirmed:
        raise typer.BadParameter(t("signals.need_finding"), param_hint="--none / --confirmed")
    text = read_text(note) if note else ""
    if confirmed and not text.strip():
        raise typer.BadParameter(t("signals.need_note"), param_hint="--note")
    key = new_key(idempotency_key)
    request = oversight_pb2.RecordFindingRequest(
        idempotency_key=key,
        signal_id=signal,
        finding=oversight_pb2.FINDING_CONFIRMED if confirmed else oversight_pb2.FINDING_NONE,
        note=text,
    )

    async def work(ov: Oversight) -> oversight_pb2.ConcealmentSignal:
        return await ov.stub.RecordFinding(request, timeout=TIMEOUT)

    decided = run_with_roster(ctx, Oversight, work, key=key)
    if decided.finding == oversight_pb2.FINDING_CONFIRMED:
        line, colour = t("signals.decided_confirmed", id=decided.id, count=len(decided.violation_ids)), "yellow"
    else:
        line, colour = t("signals.decided_none", id=decided.id), "green"
    session(ctx).out.print(f"[{colour}]{escape(line)}[/]", soft_wrap=True)
