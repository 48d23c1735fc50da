"""`dutyline inbox …`: a duty office's report inbox (报告收件箱) — the reports its subordinate offices
submitted, delivered here: list them (`dutyline inbox --site east`), sign for one (签收:
`dutyline inbox receive ITEM`), or return one with a reason (退回: `dutyline inbox return ITEM --reason …
[--wrong]`; as wrong it is 错报, charged to the report's author).

Every error is one line with exit code 2 ("Refused …" for a step not allowed now); every change sends an
idempotency key (``--idempotency-key`` to retry safely); times are in the office's zone.
"""

from __future__ import annotations

from typing import Annotated

import grpc
import typer
from rich.markup import escape

from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
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
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import when
from dutyline.cli.inbox.text import FMT, status_name
from dutyline.cli.incident.views import report_kind
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import inbox_pb2, inbox_pb2_grpc, incident_pb2

TIMEOUT = 15.0
# Of the incident's title in the list (the content is what the office reads).
TITLE_SHOWN = 24
STATUSES: dict[str, incident_pb2.DeliveryStatus] = {
    "delivered": incident_pb2.DELIVERY_STATUS_DELIVERED,
    "escalated": incident_pb2.DELIVERY_STATUS_ESCALATED,
    "received": incident_pb2.DELIVERY_STATUS_RECEIVED,
    "returned": incident_pb2.DELIVERY_STATUS_RETURNED,
}

inbox_app = typer.Typer(
    help="报告收件箱 A duty office's report inbox: list, sign for (签收), return (退回).", no_args_is_help=False
)


class Inbox(RosterLookups):
    """The ReportInboxService (hosted by the incident process), with the roster for the offices' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = inbox_pb2_grpc.ReportInboxServiceStub(ch)


@inbox_app.callback(invoke_without_command=True)
def inbox_main(
    ctx: typer.Context,
    site: SiteOpt = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="状态 only items delivered | escalated | received | returned"),
    ] = None,
    no_drills: Annotated[bool, typer.Option("--no-drills", help="不含演练 hide drills")] = False,
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page")] = "",
    lang: LangOpt = None,
    token: TokenOpt = None,
    state_dir: StateDirOpt = DEFAULT_STATE_DIR,
) -> None:
    """报告收件箱 The reports delivered to an office, newest first (without a command: list them)."""
    start_session(ctx, "incident", lang, token, state_dir)
    if ctx.invoked_subcommand is not None:
        return
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(" | ".join(STATUSES), param_hint="--status")
    site_id = site_or_default(site, session(ctx).target())
    request = inbox_pb2.ListInboxRequest(
        site_id=site_id,
        status=STATUSES[status] if status else incident_pb2.DELIVERY_STATUS_UNSPECIFIED,
        hide_drills=no_drills,
        page=common_pb2.PageRequest(page_token=page_token),
    )

    async def work(ix: Inbox) -> tuple[inbox_pb2.ListInboxResponse, dict[str, str]]:
        found = await ix.stub.ListInbox(request, timeout=TIMEOUT)
        zone = await ix.zone(site_id)
        return found, {i.id: when(i, "delivered_at", zone, FMT) for i in found.items}

    found, delivered = run_with_roster(ctx, Inbox, work)
    out = session(ctx).out
    if not found.items:
        out.print(t("inbox.none"))
        return
    table = list_table(
        t("inbox.title", site=site_id, count=len(found.items)),
        Ids(t("inbox.col.id")),
        t("inbox.col.from"),
        t("inbox.col.report"),
        Ids(t("inbox.col.incident")),
        t("inbox.col.delivered"),
        t("inbox.col.status"),
        t("inbox.col.content"),
    )
    for i in found.items:
        state = label("inbox_status", status_name(i.status))
        if i.status == incident_pb2.DELIVERY_STATUS_RECEIVED:
            state += f"\n{i.received_by.display_name or i.received_by.person_id}"
        elif i.status == incident_pb2.DELIVERY_STATUS_RETURNED:
            state += f"\n{i.return_reason}"
        table.add_row(
            i.id,
            escape(i.sender_site_id),
            escape(report_kind(i.report.kind, i.report.number)),
            escape(f"{i.report.incident_id}\n{'【演练】' if i.drill else ''}{i.incident_title[:TITLE_SHOWN]}"),
            delivered[i.id],
            escape(state),
            escape(i.report.content),
        )
    out.print(table)
    if found.page.next_page_token:
        out.print(t("inbox.more", token=found.page.next_page_token))


@inbox_app.command()
def receive(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="收件编号 inbox item id")],
    idempotency_key: KeyOpt = None,
) -> None:
    """签收 Sign for a report (an officer of the receiving office); its first opens this office's incident."""
    key = new_key(idempotency_key)
    request = inbox_pb2.ReceiveReportRequest(idempotency_key=key, item_id=item)

    async def work(ix: Inbox) -> tuple[inbox_pb2.ReportInboxItem, str]:
        done = await ix.stub.ReceiveReport(request, timeout=TIMEOUT)
        return done, when(done, "received_at", await ix.zone(done.recipient_site_id), FMT)

    done, at = run_with_roster(ctx, Inbox, work, key=key)
    line = t("inbox.received", id=done.id, site=done.sender_site_id, at=at, incident=done.receiving_incident_id)
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


@inbox_app.command("return")
def return_(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="收件编号 inbox item id")],
    reason: Annotated[str, typer.Option("--reason", help="退回原因 why; - reads standard input")],
    wrong: Annotated[bool, typer.Option("--wrong", help="错报 returned as wrong (a violation of its author)")] = False,
    idempotency_key: KeyOpt = None,
) -> None:
    """退回 Return a report with the reason (e.g. to ask for a correction); --wrong: as wrong (错报)."""
    key = new_key(idempotency_key)
    request = inbox_pb2.ReturnReportRequest(idempotency_key=key, item_id=item, reason=read_text(reason), wrong=wrong)

    async def work(ix: Inbox) -> inbox_pb2.ReportInboxItem:
        return await ix.stub.ReturnReport(request, timeout=TIMEOUT)

    done = run_with_roster(ctx, Inbox, work, key=key)
    line = t("inbox.returned_wrong" if done.returned_wrong else "inbox.returned", id=done.id, reason=done.return_reason)
    session(ctx).out.print(f"[yellow]{escape(line)}[/]", soft_wrap=True)
