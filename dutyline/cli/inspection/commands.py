"""`dutyline inspection …`: the duty leader's inspection of each shift (带班领导查岗) — show or set a
site's checklist (the unit head or an admin sets it), record an inspection of a shift (a duty leader
of the site or a region above it: each item ok, or not ok with a note), and list the inspections.
A leader's shift that ends without one is flagged to the unit head and charged as 领导未查岗.

Every error is one line with exit code 2; every change sends an idempotency key
(``--idempotency-key`` to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import grpc
import typer
from rich.markup import escape

import dutyline.cli.inspection.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common.i18n import t
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import at_local, local_period, parse_date, parse_moment, when
from dutyline.common.v1 import common_pb2
from dutyline.roster.v1 import inspections_pb2, inspections_pb2_grpc, roster_pb2, roster_pb2_grpc

TIMEOUT = 15.0
FMT = "%Y-%m-%d %H:%M"

inspection_app = typer.Typer(
    help="带班领导查岗 The duty leader's inspection: checklist, record, list.", no_args_is_help=True
)


class Inspections(RosterLookups):
    """The InspectionService (hosted by the roster process), with the roster for the sites' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = inspections_pb2_grpc.InspectionServiceStub(ch)
        self.roster = roster_pb2_grpc.RosterServiceStub(roster)

    async def assignment_site(self, assignment_id: str) -> str:
        request = roster_pb2.GetAssignmentRequest(assignment_id=assignment_id)
        return str((await self.roster.GetAssignment(request, timeout=TIMEOUT)).site_id)


@inspection_app.callback()
def inspection_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """带班领导查岗 The duty leader's inspection of each shift; a shift without one is flagged to the unit head."""
    start_session(ctx, "roster", lang, token, state_dir)


def _pair(value: str, message: str, option: str) -> tuple[str, str]:
    code, sep, text = value.partition("=")
    if not sep or not code.strip() or not text.strip():
        raise typer.BadParameter(t(message), param_hint=option)
    return code.strip(), text.strip()


@inspection_app.command()
def checklist(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: the token's site)")] = None,
    item: Annotated[
        list[str] | None,
        typer.Option(
            "--item", metavar="CODE=LABEL", help="设置清单：每项一个，如 on_post=值班人员在岗 (sets the list)"
        ),
    ] = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """查岗清单 Show a site's checklist, or set it with --item (the unit head or an admin)."""
    site_id = site_or_default(site, session(ctx).target())
    items = [_pair(i, "inspection.bad_item", "--item") for i in item or []]
    key = new_key(idempotency_key)

    async def work(ix: Inspections) -> inspections_pb2.InspectionChecklist:
        if not items:
            return await ix.stub.GetInspectionChecklist(
                inspections_pb2.GetInspectionChecklistRequest(site_id=site_id), timeout=TIMEOUT
            )
        request = inspections_pb2.UpsertInspectionChecklistRequest(
            idempotency_key=key,
            site_id=site_id,
            items=[inspections_pb2.ChecklistItem(code=c, label=label) for c, label in items],
        )
        return await ix.stub.UpsertInspectionChecklist(request, timeout=TIMEOUT)

    found = run_with_roster(ctx, Inspections, work, key=key if items else None)
    out = session(ctx).out
    if items:
        line = t("inspection.checklist_set", site=site_id, count=len(found.items), version=found.version)
        out.print(f"[green]{escape(line)}[/]", soft_wrap=True)
        return
    table = list_table(
        t("inspection.checklist_title", site=site_id, version=found.version),
        Ids(t("inspection.col.code")),
        t("inspection.col.item"),
    )
    for i in found.items:
        table.add_row(i.code, escape(i.label))
    out.print(table)


@inspection_app.command()
def record(
    ctx: typer.Context,
    assignment: Annotated[str, typer.Argument(metavar="ASSIGNMENT", help="被检查的排班编号 the assignment inspected")],
    ok: Annotated[list[str] | None, typer.Option("--ok", metavar="CODE", help="合格项 an item found ok")] = None,
    fail: Annotated[
        list[str] | None, typer.Option("--fail", metavar="CODE=NOTE", help="不合格项及说明 an item not ok, with why")
    ] = None,
    all_ok: Annotated[
        bool, typer.Option("--all-ok", help="其余各项均合格 every item not given with --fail is ok")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", metavar="ISO", help="查岗时间 when, in the site's zone (default: now)")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="备注 a remark on the whole inspection")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """记录查岗 Record the inspection of a shift: each checklist item ok, or not ok with a note."""
    failed = dict(_pair(f, "inspection.bad_fail", "--fail") for f in fail or [])
    passed = list(ok or [])
    if not (passed or failed or all_ok):
        raise typer.BadParameter(t("inspection.need_results"), param_hint="--ok / --fail / --all-ok")
    moment = parse_moment(at, "--at")
    key = new_key(idempotency_key)

    async def work(ix: Inspections) -> tuple[inspections_pb2.Inspection, str]:
        codes = list(dict.fromkeys([*passed, *failed]))
        request = inspections_pb2.RecordInspectionRequest(idempotency_key=key, assignment_id=assignment, note=note)
        if all_ok or moment is not None:
            # The checklist and the zone are the assignment's site's.
            site_id = await ix.assignment_site(assignment)
            if all_ok:
                listed = await ix.stub.GetInspectionChecklist(
                    inspections_pb2.GetInspectionChecklistRequest(site_id=site_id), timeout=TIMEOUT
                )
                codes += [i.code for i in listed.items if i.code not in codes]
            if moment is not None:
                request.inspected_at.FromDatetime(at_local(moment, await ix.zone(site_id)))
        request.results.extend(
            inspections_pb2.ItemResult(code=c, ok=c not in failed, note=failed.get(c, "")) for c in codes
        )
        made = await ix.stub.RecordInspection(request, timeout=TIMEOUT)
        return made, when(made, "inspected_at", await ix.zone(made.site_id), FMT)

    made, _ = run_with_roster(ctx, Inspections, work, key=key)
    bad = sum(not r.ok for r in made.results)
    verdict = t("inspection.all_ok") if made.all_ok else t("inspection.not_ok", count=bad)
    line = t("inspection.recorded", id=made.id, shift=made.shift_name, date=made.local_date, verdict=verdict)
    session(ctx).out.print(f"[{'green' if made.all_ok else 'yellow'}]{escape(line)}[/]", soft_wrap=True)


@inspection_app.command("list")
def list_(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: the token's site)")] = None,
    assignment: Annotated[
        str,
        typer.Option("--assignment", metavar="ID", help="班次：这个排班所在班次的查岗 the shift of this assignment"),
    ] = "",
    first: Annotated[str | None, typer.Option("--from", metavar="DATE", help="起始日期 from this local date")] = None,
    last: Annotated[str | None, typer.Option("--to", metavar="DATE", help="截止日期 to this local date")] = None,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page")] = "",
) -> None:
    """查岗记录 A site's inspections, newest first."""
    site_id = site_or_default(site, session(ctx).target())
    start, end = parse_date(first, "--from"), parse_date(last, "--to")

    async def work(ix: Inspections) -> tuple[inspections_pb2.ListInspectionsResponse, ZoneInfo]:
        zone = await ix.zone(site_id)
        request = inspections_pb2.ListInspectionsRequest(
            site_id=site_id,
            assignment_id=assignment,
            period=local_period(zone, start, end),
            page=common_pb2.PageRequest(page_token=page_token),
        )
        return await ix.stub.ListInspections(request, timeout=TIMEOUT), zone

    found, zone = run_with_roster(ctx, Inspections, work)
    out = session(ctx).out
    if not found.inspections:
        out.print(t("inspection.none"))
        return
    table = list_table(
        t("inspection.title", count=len(found.inspections)),
        Ids(t("inspection.col.id")),
        t("inspection.col.at"),
        t("inspection.col.shift"),
        t("inspection.col.inspector"),
        t("inspection.col.result"),
        t("inspection.col.note"),
    )
    for i in found.inspections:
        failed = [f"{r.code}: {r.note}" for r in i.results if not r.ok]
        table.add_row(
            i.id,
            when(i, "inspected_at", zone, FMT),
            f"{i.shift_name} {i.local_date}",
            escape(i.inspector.display_name or i.inspector.person_id),
            t("inspection.ok") if i.all_ok else escape("; ".join(failed)),
            escape(i.note),
        )
    out.print(table)
    if found.page.next_page_token:
        out.print(t("inspection.more", token=found.page.next_page_token))
