"""`dutyline stats --site S | --region R --period P [--by day|week|month]`: the figures of a site or a
region's sites (GetStatistics) as tables in zh-CN or English, each row a bucket of one site.

A period is a local day (2026-12-01), month (2026-12), quarter (2026-Q4) or year (2026) in ``--zone``;
the server cuts the buckets in the site's own time zone and shows them in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from google.protobuf.timestamp_pb2 import Timestamp
from rich.console import Console
from rich.markup import escape

import dutyline.cli.insight.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.session import LangOpt, StateDirOpt, TokenOpt, session, site_or_default, start_session
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import zone_named
from dutyline.cli.insight.client import TIMEOUT, run
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc

stats_app = typer.Typer(help="统计 Statistics of a site or region over a period.")

GRANULARITIES = {
    "day": insight_pb2.GRANULARITY_DAY,
    "week": insight_pb2.GRANULARITY_WEEK,
    "month": insight_pb2.GRANULARITY_MONTH,
}
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])))?$")


def period_bounds(text: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local start of ``text`` (a day, month, quarter or year) and of the one after it; BadParameter
    when it is none of them."""
    found = _PERIOD.match(text.strip())
    if found is None:
        raise typer.BadParameter(t("stats.bad_period"), param_hint="--period")
    year, month, day, quarter = found.groups()
    try:
        if day:
            start = datetime(int(year), int(month), int(day), tzinfo=zone)
            following = datetime.fromordinal(start.toordinal() + 1).replace(tzinfo=zone)
            return start, following
        if month or quarter:
            first = int(month) if month else 3 * int(quarter) - 2
            months = 1 if month else 3
            start = datetime(int(year), first, 1, tzinfo=zone)
            after = first - 1 + months
            return start, datetime(int(year) + after // 12, after % 12 + 1, 1, tzinfo=zone)
        return datetime(int(year), 1, 1, tzinfo=zone), datetime(int(year) + 1, 1, 1, tzinfo=zone)
    except ValueError:
        raise typer.BadParameter(t("stats.bad_period"), param_hint="--period") from None


def _bucket(value: Timestamp, zone: ZoneInfo, by: str) -> str:
    start = value.ToDatetime(tzinfo=UTC).astimezone(zone)
    return start.strftime("%Y-%m" if by == "month" else "%Y-%m-%d")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


@stats_app.callback(invoke_without_command=True)
def stats(
    ctx: typer.Context,
    period: Annotated[
        str, typer.Option("--period", metavar="PERIOD", help="时段 2026-12, 2026-Q4, 2026 or 2026-12-01")
    ],
    site: Annotated[str | None, typer.Option("--site", help="站点 a site (default: the token's site)")] = None,
    region: Annotated[str | None, typer.Option("--region", help="区域 a region: the figures of its sites")] = None,
    by: Annotated[str, typer.Option("--by", help="粒度 day | week | month")] = "day",
    zone: Annotated[str, typer.Option("--zone", help="时区 the time zone the period is read in")] = "Asia/Shanghai",
    lang: LangOpt = None,
    token: TokenOpt = None,
    state_dir: StateDirOpt = DEFAULT_STATE_DIR,
) -> None:
    """统计 Calls by category, channel and hour; answer times and three-ring compliance per site, line and
    officer; missed calls and callbacks; incidents; reports on time; violations by kind and person; cases;
    check-ins; handovers; coverage gaps."""
    start_session(ctx, "insight", lang, token, state_dir)
    if site and region:
        raise typer.BadParameter(t("stats.site_or_region"), param_hint="--region")
    if by not in GRANULARITIES:
        raise typer.BadParameter(t("stats.bad_by"), param_hint="--by")
    start, end = period_bounds(period, zone_named(zone))
    site_id = region or site_or_default(site, session(ctx).target())
    request = insight_pb2.GetStatisticsRequest(
        site_id=site_id,
        period=common_pb2.TimeRange(start=ts(start), end=ts(end)),
        granularity=GRANULARITIES[by],
    )

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.Statistics:
        answer: insight_pb2.Statistics = await stub.GetStatistics(request, timeout=TIMEOUT)
        return answer

    show(ctx, run(ctx, work), by)


def show(ctx: typer.Context, found: insight_pb2.Statistics, by: str) -> None:
    out = session(ctx).out
    here = zone_named(found.time_zone, "Asia/Shanghai")
    out.print(t("stats.title", site=found.site_id, sites=", ".join(found.site_ids), zone=found.time_zone))
    col = {name: t(f"stats.col.{name}") for name in ("bucket", "site", "calls", "answered")}
    shown = 0
    for rows, dimension, kind in (
        (found.calls_by_category, "category", "call_category"),
        (found.calls_by_channel, "channel", "channel"),
    ):
        if rows:
            table = list_table(
                t(f"stats.by_{dimension}"), col["bucket"], Ids(col["site"]), t(f"stats.col.{dimension}"), col["calls"]
            )
            for r in rows:
                table.add_row(_bucket(r.bucket_start, here, by), r.site_id, escape(label(kind, r.key)), str(r.calls))
            out.print(table)
            shown += 1
    if found.calls_by_hour:
        table = list_table(t("stats.by_hour"), col["bucket"], Ids(col["site"]), t("stats.col.hour"), col["calls"])
        for h in found.calls_by_hour:
            table.add_row(_bucket(h.bucket_start, here, by), h.site_id, f"{h.hour:02d}", str(h.calls))
        out.print(table)
        shown += 1
    bounds = ", ".join(f"{b:g}" for b in found.answer_time_bounds_seconds)
    for answers, level in (
        (found.answer_times_by_site, "site"),
        (found.answer_times_by_line, "line"),
        (found.answer_times_by_officer, "officer"),
    ):
        if not answers:
            continue
        table = list_table(
            t(f"stats.answers_by_{level}"),
            col["bucket"],
            Ids(col["site"]),
            *([Ids(t(f"stats.col.{level}"))] if level != "site" else []),
            col["answered"],
            t("stats.col.within_limit"),
            t("stats.col.mean"),
            t("stats.col.p50"),
            t("stats.col.p90"),
            t("stats.col.max"),
            t("stats.col.histogram", bounds=bounds),
            caption=None,
        )
        for a in answers:
            who = {"site": [], "line": [a.line_id], "officer": [a.officer_id or "-"]}[level]
            table.add_row(
                _bucket(a.bucket_start, here, by),
                a.site_id,
                *who,
                str(a.answered),
                _share(a.within_limit, a.answered),
                f"{a.seconds_mean:.1f}",
                f"{a.seconds_p50:.1f}",
                f"{a.seconds_p90:.1f}",
                f"{a.seconds_max:.1f}",
                " ".join(str(n) for n in a.histogram),
            )
        out.print(table)
        shown += 1
    if found.missed_calls:
        table = list_table(
            t("stats.missed"),
            col["bucket"],
            Ids(col["site"]),
            *(t(f"stats.col.{n}") for n in ("missed", "abandoned", "due", "on_time", "late", "open")),
        )
        for m in found.missed_calls:
            counts = (m.missed, m.abandoned, m.callbacks_due, m.callbacks_on_time, m.callbacks_late, m.callbacks_open)
            table.add_row(_bucket(m.bucket_start, here, by), m.site_id, *(str(n) for n in counts))
        out.print(table)
        shown += 1
    if found.incidents:
        table = list_table(
            t("stats.incidents"),
            col["bucket"],
            Ids(col["site"]),
            t("stats.col.category"),
            t("stats.col.severity"),
            t("stats.col.count"),
        )
        for i in found.incidents:
            level = common_pb2.Severity.Name(i.severity).removeprefix("SEVERITY_")
            level = level.lower() if level in ("UNRATED", "UNSPECIFIED") else level
            table.add_row(
                _bucket(i.bucket_start, here, by),
                i.site_id,
                escape(label("incident_category", i.category)),
                escape(label("severity", level)),
                str(i.incidents),
            )
        out.print(table)
        shown += 1
    if found.reports:
        table = list_table(
            t("stats.reports"),
            col["bucket"],
            Ids(col["site"]),
            *(t(f"stats.col.{n}") for n in ("due", "on_time", "late", "missed", "wrong")),
        )
        for rep in found.reports:
            table.add_row(
                _bucket(rep.bucket_start, here, by),
                rep.site_id,
                *(str(n) for n in (rep.due, rep.on_time, rep.late, rep.missed, rep.wrong)),
            )
        out.print(table)
        shown += 1
    if found.violations:
        table = list_table(
            t("stats.violations"),
            col["bucket"],
            Ids(col["site"]),
            Ids(t("stats.col.person")),
            t("stats.col.kind"),
            t("stats.col.count"),
        )
        for v in found.violations:
            table.add_row(
                _bucket(v.bucket_start, here, by),
                v.site_id,
                v.person_id or "-",
                escape(label("score_kind", v.kind)),
                str(v.violations),
            )
        out.print(table)
        shown += 1
    shown += _attendance(out, found, here, by)
    if not shown:
        out.print(t("stats.nothing"))


def _attendance(out: Console, found: insight_pb2.Statistics, here: ZoneInfo, by: str) -> int:
    """The tables of cases, check-ins and handovers (counts per bucket and site, per person for
    check-ins) and of coverage gaps; how many were printed."""
    groups: tuple[tuple[str, Sequence[Any], bool, tuple[str, ...], Callable[[Any], tuple[int, ...]]], ...] = (
        (
            "stats.cases",
            found.cases,
            False,
            (
                "opened",
                "case_answered",
                "answered_on_time",
                "overdue",
                "feedback_given",
                "return_visits",
                "satisfied",
                "dissatisfied",
            ),
            lambda r: (
                r.opened,
                r.answered,
                r.answered_on_time,
                r.overdue,
                r.feedback_given,
                r.return_visits,
                r.satisfied,
                r.dissatisfied,
            ),
        ),
        (
            "stats.check_ins",
            found.check_ins,
            True,
            ("shifts", "on_time", "late_check_in", "absent", "early_leave"),
            lambda r: (r.shifts, r.on_time, r.late, r.absent, r.early_leave),
        ),
        (
            "stats.handovers",
            found.handovers,
            False,
            ("handovers", "accepted_on_time", "accepted_late", "not_accepted", "not_submitted"),
            lambda r: (
                r.handovers,
                r.accepted_on_time,
                r.accepted_late,
                r.handovers - r.accepted_on_time - r.accepted_late,
                r.not_submitted,
            ),
        ),
    )
    shown = 0
    for title, rows, per_person, names, counts in groups:
        if not rows:
            continue
        person = [Ids(t("stats.col.person"))] if per_person else []
        table = list_table(
            t(title), t("stats.col.bucket"), Ids(t("stats.col.site")), *person, *(t(f"stats.col.{n}") for n in names)
        )
        for r in rows:
            who = [r.person_id] if per_person else []
            table.add_row(_bucket(r.bucket_start, here, by), r.site_id, *who, *(str(n) for n in counts(r)))
        out.print(table)
        shown += 1
    if found.coverage_gaps:
        table = list_table(
            t("stats.gaps"),
            Ids(t("stats.col.site")),
            *(t(f"stats.col.{n}") for n in ("start", "end", "role", "missing")),
        )
        for g in found.coverage_gaps:
            table.add_row(
                g.site_id, _local(g.start, here), _local(g.end, here), escape(label("role", g.role)), str(g.missing)
            )
        out.print(table)
        shown += 1
    return shown


def _local(value: Timestamp, zone: ZoneInfo) -> str:
    return value.ToDatetime(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")
