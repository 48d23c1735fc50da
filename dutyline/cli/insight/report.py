"""`dutyline report daily [--site S] [--day D]`: a site's or region's daily report (值班日报), shown as the
document the export makes (services/insight/documents.py), in zh-CN or English.

`dutyline report export --format xlsx|pdf [--what log|daily|stats|scores] … [--out FILE]`: the same reads
as a file (ExportReport), written where ``--out`` says or under the server's file name. A duty log (the
default) is the shift of ``--site`` at ``--at`` (now unless told) or ``--log-id``; a daily report is of ``--day``
(yesterday in ``--zone`` unless told); statistics are of ``--period`` (a day, month, quarter or year) by
``--by``; scorecards of ``--period`` (a month, quarter or year).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

import dutyline.cli.insight.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common import connect
from dutyline.cli.common.i18n import MESSAGES, t
from dutyline.cli.common.session import LangOpt, SiteOpt, StateDirOpt, TokenOpt, session, site_or_default, start_session
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import list_table, record_table
from dutyline.cli.common.times import at_local, parse_date, parse_moment, zone_named
from dutyline.cli.insight.client import TIMEOUT, run
from dutyline.cli.insight.stats import GRANULARITIES, period_bounds
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.labels import Language

if TYPE_CHECKING:
    from services.insight.render import Document

report_app = typer.Typer(help="值班日报与导出 The daily report, and documents as XLSX or PDF.", no_args_is_help=True)

ZoneOpt = Annotated[str, typer.Option("--zone", help="时区 the time zone dates and times are read in")]
# Rendering a month of charts and tables takes a while on the server.
EXPORT_TIMEOUT = 120.0


class Format(StrEnum):
    xlsx = "xlsx"
    pdf = "pdf"


class What(StrEnum):
    log = "log"
    daily = "daily"
    stats = "stats"
    scores = "scores"


MESSAGES.update(
    {
        # The language of the catalogue itself: documents are asked for in the language the CLI speaks.
        "report.lang": ("zh", "en"),
        "report.need_period": ("请给出时段 --period，如 2026-12", "give --period, e.g. 2026-12"),
        "report.written": ("已写入 {path}（{size} 字节）", "Wrote {path} ({size} bytes)"),
        "report.cannot_write": ("无法写入 {path}：{error}", "cannot write {path}: {error}"),
    }
)

FORMATS = {Format.xlsx: insight_pb2.DOCUMENT_FORMAT_XLSX, Format.pdf: insight_pb2.DOCUMENT_FORMAT_PDF}


def document_language() -> Language:
    """The language the CLI speaks now, for the documents it shows or asks for."""
    return "zh" if t("report.lang") == "zh" else "en"


@report_app.callback()
def report_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """值班日报与导出 The daily report, and exports of logs, reports, statistics and scorecards."""
    start_session(ctx, "insight", lang, token, state_dir)


def the_day(day: str | None, zone: str) -> str:
    """The date asked for, or yesterday in the zone."""
    given = parse_date(day, "--day")
    if given is not None:
        return given.isoformat()
    return (datetime.now(zone_named(zone)).date() - timedelta(days=1)).isoformat()


@report_app.command("daily")
def daily(
    ctx: typer.Context,
    site: SiteOpt = None,
    day: Annotated[str | None, typer.Option("--day", metavar="YYYY-MM-DD", help="日期 (default: yesterday)")] = None,
    zone: ZoneOpt = "Asia/Shanghai",
) -> None:
    """值班日报 A site's day, or a region's rolled up from its sites: figures, each site, and the day's
    emergencies and violations."""
    request = insight_pb2.GetDailyReportRequest(
        site_id=site_or_default(site, session(ctx).target()), local_date=the_day(day, zone)
    )

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.DailyReport:
        answer: insight_pb2.DailyReport = await stub.GetDailyReport(request, timeout=TIMEOUT)
        return answer

    report = run(ctx, work)
    # Here, not at the top: the documents bring matplotlib, a second at every start of the CLI.
    from services.insight import documents

    show(ctx, documents.daily_report_document(report, lang=document_language(), generated_at=datetime.now(UTC)))


def show(ctx: typer.Context, document: Document) -> None:
    """A document on the terminal: its meta lines, then each section's tables and lists."""
    from services.insight.render import KeyValues, Paragraph, Table
    from services.insight.render.documents import display

    out, zone = session(ctx).out, document.time_zone
    out.print(
        record_table(
            escape(f"{document.title} · {document.subtitle or ''}"),
            [(f.label, display(f.value, f.resolved_kind, zone, f.decimals)) for f in document.meta],
        )
    )
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, KeyValues):
                rows = [(f.label, display(f.value, f.resolved_kind, zone, f.decimals)) for f in block.fields]
                out.print(record_table(escape(section.heading), rows))
            elif isinstance(block, Table) and block.rows:
                table = list_table(escape(section.heading), *(escape(c.title) for c in block.columns))
                lines = [*block.rows, *([block.totals] if block.totals is not None else [])]
                for line in lines:
                    cells = [
                        display(value, column.kind, zone, column.decimals)
                        for value, column in zip(line, block.columns, strict=True)
                    ]
                    table.add_row(*(escape(c) for c in cells))
                out.print(table)
            elif isinstance(block, Paragraph):
                out.print(escape(block.text))


@report_app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help="格式 xlsx | pdf")],
    what: Annotated[
        What, typer.Option("--what", help="内容 log | daily | stats | scores (default: the current shift's log)")
    ] = What.log,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件 (default: the server's file name here)")] = None,
    site: SiteOpt = None,
    day: Annotated[
        str | None, typer.Option("--day", metavar="YYYY-MM-DD", help="日报日期 (default: yesterday)")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", metavar="PERIOD", help="时段 2026-12, 2026-Q4, 2026 (or a day for stats)")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="统计粒度 day | week | month")] = "day",
    log_id: Annotated[str | None, typer.Option("--log-id", help="值班日志编号 a duty log's id")] = None,
    at: Annotated[
        str | None, typer.Option("--at", metavar="YYYY-MM-DD HH:MM", help="该时刻的班次 the shift at (default: now)")
    ] = None,
    zone: ZoneOpt = "Asia/Shanghai",
) -> None:
    """导出 A duty log, daily report, statistics or scorecards as an XLSX or PDF file."""
    request = insight_pb2.ExportReportRequest(format=FORMATS[fmt], language=document_language())
    if what is What.log:
        if log_id:
            request.duty_log.log_id = log_id
        else:
            moment = parse_moment(at, "--at")
            request.duty_log.site_id = site_or_default(site, session(ctx).target())
            when = at_local(moment, zone_named(zone)) if moment else datetime.now(UTC)
            request.duty_log.at.FromDatetime(when.astimezone(UTC))
    elif what is What.daily:
        request.daily_report.site_id = site_or_default(site, session(ctx).target())
        request.daily_report.local_date = the_day(day, zone)
    else:
        if not period:
            raise typer.BadParameter(t("report.need_period"), param_hint="--period")
        site_id = site_or_default(site, session(ctx).target())
        if what is What.stats:
            if by not in GRANULARITIES:
                raise typer.BadParameter(t("stats.bad_by"), param_hint="--by")
            start, end = period_bounds(period, zone_named(zone))
            request.statistics.CopyFrom(
                insight_pb2.GetStatisticsRequest(
                    site_id=site_id,
                    period=common_pb2.TimeRange(start=ts(start), end=ts(end)),
                    granularity=GRANULARITIES[by],
                )
            )
        else:
            request.scorecards.CopyFrom(insight_pb2.GetScorecardsRequest(site_id=site_id, period=period))

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> tuple[str, bytes]:
        name, data = "", bytearray()
        async for chunk in stub.ExportReport(request, timeout=EXPORT_TIMEOUT):
            name = name or chunk.file_name
            data += chunk.data
        return name, bytes(data)

    name, data = run(ctx, work)
    path = out or Path(name)
    try:
        path.write_bytes(data)
    except OSError as error:
        connect.fail(t("report.cannot_write", path=str(path), error=error.strerror or str(error)))
    session(ctx).out.print(t("report.written", path=escape(str(path)), size=f"{len(data):,}"))
