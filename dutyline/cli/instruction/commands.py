"""`dutyline instruction …`: leaders' instructions (领导批示/指令) — record one (who instructed, what,
for whom, by when; on an incident or on the site's duty work), report it carried out with the result,
and list them (a site's, an incident's, an assignee's, the open ones). The assignee is reminded before
the deadline; an overdue one is escalated to the duty leader and the person who instructed.

Every error is one line with exit code 2 ("Refused …" for a step not allowed now); every change sends
an idempotency key (``--idempotency-key`` to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import grpc
import typer
from rich.markup import escape

import dutyline.cli.instruction.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
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
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import at_local, parse_moment, when
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import instructions_pb2, instructions_pb2_grpc

TIMEOUT = 15.0
FMT = "%Y-%m-%d %H:%M"

instruction_app = typer.Typer(help="领导批示 Leaders' instructions: record, complete, list.", no_args_is_help=True)


class Instructions(RosterLookups):
    """The InstructionService (hosted by the incident process), with the roster for the sites' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = instructions_pb2_grpc.InstructionServiceStub(ch)


@instruction_app.callback()
def instruction_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """领导批示 Leaders' instructions (批示/指令), followed to completion: reminded, escalated when overdue."""
    start_session(ctx, "incident", lang, token, state_dir)


def _status(i: instructions_pb2.Instruction) -> str:
    text = label("instruction_status", i.status)
    return f"{text} ({t('instruction.overdue')})" if i.overdue else text


@instruction_app.command()
def record(
    ctx: typer.Context,
    content: Annotated[
        str, typer.Argument(metavar="TEXT", help="批示内容 what was instructed; - reads standard input")
    ],
    to: Annotated[str, typer.Option("--to", metavar="PERSON", help="承办人 who must carry it out (a person id)")],
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: the token's site)")] = None,
    incident: Annotated[str, typer.Option("--incident", metavar="ID", help="事件编号 the incident it is about")] = "",
    by: Annotated[str, typer.Option("--by", help="批示人 who instructed, e.g. 市应急局张局长")] = "",
    by_person: Annotated[
        str, typer.Option("--by-person", metavar="PERSON", help="批示的带班领导 who instructed, as a person id")
    ] = "",
    due: Annotated[
        str | None, typer.Option("--due", metavar="ISO", help="时限 due, e.g. 2026-12-01T09:30 in the site's zone")
    ] = None,
    within: Annotated[
        int | None, typer.Option("--within", metavar="MINUTES", min=1, help="时限 due this many minutes from now")
    ] = None,
    drill: Annotated[bool, typer.Option("--drill", help="演练 a drill")] = False,
    idempotency_key: KeyOpt = None,
) -> None:
    """记录批示 Record a leader's instruction: who instructed, what, for whom, by when."""
    if not (by.strip() or by_person):
        raise typer.BadParameter(t("instruction.need_by"), param_hint="--by / --by-person")
    if (due is None) == (within is None):
        raise typer.BadParameter(t("instruction.need_due"), param_hint="--due / --within")
    at = parse_moment(due, "--due")
    site_id = site_or_default(site, session(ctx).target())
    text = read_text(content)
    key = new_key(idempotency_key)

    async def work(ix: Instructions) -> tuple[instructions_pb2.Instruction, str]:
        zone = await ix.zone(site_id)
        due_at = at_local(at, zone) if at else datetime.now(UTC) + timedelta(minutes=within or 0)
        made = await ix.stub.RecordInstruction(
            instructions_pb2.RecordInstructionRequest(
                idempotency_key=key,
                site_id=site_id,
                incident_id=incident,
                instructed_by_id=by_person,
                instructed_by=by,
                content=text,
                assignee_id=to,
                due_at=ts(due_at),
                drill=drill,
            ),
            timeout=TIMEOUT,
        )
        return made, when(made, "due_at", zone, f"{FMT} ({zone.key})")

    made, due_text = run_with_roster(ctx, Instructions, work, key=key)
    line = t("instruction.recorded", id=made.id, assignee=made.assignee_id, due=due_text)
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


@instruction_app.command()
def complete(
    ctx: typer.Context,
    instruction: Annotated[str, typer.Argument(metavar="ID", help="批示编号 instruction id")],
    result: Annotated[str, typer.Option("--result", help="落实情况 what was done; - reads standard input")],
    idempotency_key: KeyOpt = None,
) -> None:
    """报告落实 Report an instruction carried out, with the result (the assignee, or a duty leader)."""
    key = new_key(idempotency_key)
    request = instructions_pb2.CompleteInstructionRequest(
        idempotency_key=key, instruction_id=instruction, result=read_text(result)
    )

    async def work(ix: Instructions) -> tuple[instructions_pb2.Instruction, str]:
        done = await ix.stub.CompleteInstruction(request, timeout=TIMEOUT)
        zone = await ix.zone(done.site_id)
        return done, when(done, "completed_at", zone, FMT)

    done, at = run_with_roster(ctx, Instructions, work, key=key)
    line = t("instruction.completed_late" if done.overdue else "instruction.completed", id=done.id, at=at)
    session(ctx).out.print(f"[{'yellow' if done.overdue else 'green'}]{escape(line)}[/]", soft_wrap=True)


@instruction_app.command("list")
def list_(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: every site you may see)")] = None,
    incident: Annotated[str, typer.Option("--incident", metavar="ID", help="事件编号 only this incident's")] = "",
    assignee: Annotated[str, typer.Option("--assignee", metavar="PERSON", help="承办人 only this person's")] = "",
    open_only: Annotated[bool, typer.Option("--open", help="只看未落实的 only those not carried out")] = False,
    drills: Annotated[bool, typer.Option("--drills", help="包括演练 include drills")] = False,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page")] = "",
) -> None:
    """批示列表 Leaders' instructions, earliest deadline first."""
    request = instructions_pb2.ListInstructionsRequest(
        site_id=site or "",
        incident_id=incident,
        assignee_id=assignee,
        open_only=open_only,
        include_drills=drills,
        page=common_pb2.PageRequest(page_token=page_token),
    )

    async def work(ix: Instructions) -> tuple[instructions_pb2.ListInstructionsResponse, dict[str, ZoneInfo]]:
        found = await ix.stub.ListInstructions(request, timeout=TIMEOUT)
        return found, {s: await ix.zone(s) for s in {i.site_id for i in found.instructions}}

    found, zones = run_with_roster(ctx, Instructions, work)
    out = session(ctx).out
    if not found.instructions:
        out.print(t("instruction.none"))
        return
    table = list_table(
        t("instruction.title", count=len(found.instructions)),
        Ids(t("instruction.col.id")),
        t("instruction.col.due"),
        t("instruction.col.status"),
        Ids(t("instruction.col.assignee")),
        t("instruction.col.by"),
        t("instruction.col.content"),
        Ids(t("instruction.col.incident")),
        t("instruction.col.result"),
    )
    for i in found.instructions:
        zone = zones[i.site_id]
        table.add_row(
            i.id,
            when(i, "due_at", zone, FMT),
            _status(i),
            i.assignee_id,
            escape(" ".join(p for p in (i.instructed_by, i.instructed_by_id) if p)),
            escape(("【演练】" if i.drill else "") + i.content),
            i.incident_id,
            escape(i.result),
        )
    out.print(table)
    if found.page.next_page_token:
        out.print(t("instruction.more", token=found.page.next_page_token))
