"""The answers of insight's reads as documents (报表文档): a duty log (值班日志), a daily report (值班日报),
statistics (统计) and scorecards (考核结果) turned into `render.Document`s in zh-CN or English, ready for
`render_xlsx` / `render_pdf`. Pure: the time the file is made and the charts' images are arguments.

The statistics' charts are derived here (`statistics_charts`) and drawn by the caller with
`render_chart` (in a thread: matplotlib blocks), then handed back to `statistics_document`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.common.v1 import common_pb2
from dutyline.insight.v1 import insight_pb2
from dutyline.labels import label, log_line, people, person
from services.insight.render import (
    AnswerTimeHistogram,
    CallsPerHourHeatmap,
    Chart,
    ChartImage,
    Column,
    ComplianceTrend,
    Document,
    Field,
    KeyValues,
    Language,
    Paragraph,
    Section,
    Signature,
    Table,
    Value,
    ValueKind,
    ViolationsPerPerson,
)

# The fixed words of the documents.
WORDS: dict[str, tuple[str, str]] = {
    "duty_log": ("值班日志", "Duty log"),
    "daily_report": ("值班日报", "Daily duty report"),
    "statistics": ("值班统计", "Duty statistics"),
    "scorecards": ("考核结果", "Scorecards"),
    "site": ("站点", "Site"),
    "sites": ("所含站点", "Sites covered"),
    "shift": ("班次", "Shift"),
    "date": ("日期", "Date"),
    "time_zone": ("时区", "Time zone"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "version": ("版本", "Version"),
    "state": ("状态", "State"),
    "officers": ("值班员", "Officers"),
    "leaders": ("带班领导", "Duty leaders"),
    "built_at": ("生成时间", "Built at"),
    "as_of": ("数据截至", "Data as of"),
    "period": ("统计期间", "Period"),
    "granularity": ("统计粒度", "Granularity"),
    "figures": ("值班概况", "Figures"),
    "incidents_by_category": ("事件类别", "Incidents by category"),
    "violations_by_kind": ("违规类型", "Violations by kind"),
    "entries": ("值班记事", "Log entries"),
    "entries_omitted": ("另有 {count} 条记事未列出", "{count} more entries not listed"),
    "check_ins": ("签到", "Check-ins"),
    "handover": ("交接班", "Handover"),
    "correction": ("更正说明", "Correction"),
    "corrects": ("更正第 {version} 版，更正人 {who}", "Corrects version {version}; corrected by {who}"),
    "reason": ("原因", "Reason"),
    "remarks": ("更正内容", "Remarks"),
    "sent": ("报送", "Sent"),
    "sent_to": ("报送对象", "Sent to"),
    "not_sent": ("未报送", "not sent"),
    "per_site": ("各站点情况", "Sites"),
    "highlights": ("突发事件与违规", "Emergencies and violations"),
    "logs": ("值班日志数", "Duty logs"),
    "logs_unsigned": ("未签字日志", "Unsigned logs"),
    "count": ("数量", "Count"),
    "total": ("合计", "Total"),
    "time": ("时间", "Time"),
    "kind": ("类型", "Kind"),
    "summary": ("摘要", "Summary"),
    "person": ("人员", "Person"),
    "record": ("记录", "Record"),
    "role": ("角色", "Role"),
    "status": ("状态", "Status"),
    "checked_in_at": ("签到时间", "Checked in"),
    "outgoing": ("交班人", "Outgoing"),
    "incoming": ("接班人", "Incoming"),
    "submitted_at": ("交班时间", "Submitted"),
    "accepted_at": ("接班时间", "Accepted"),
    "open_items": ("未结事项", "Open items"),
    "signer_officer": ("交班值班员", "Outgoing officer"),
    "signer_leader": ("带班领导", "Duty leader"),
    "bucket": ("时段", "From"),
    "line": ("线路", "Line"),
    "officer": ("值班员", "Officer"),
    "hour": ("时", "Hour"),
    "incidents": ("突发事件", "Incidents"),
    "violations": ("违规", "Violations"),
    "charts": ("统计图", "Charts"),
    "category": ("类别", "Category"),
    "severity": ("等级", "Severity"),
    "channel": ("来电方式", "Channel"),
    "calls": ("来电", "Calls"),
    "answered": ("接听", "Answered"),
    "within_limit": ("三声内接听", "Within three rings"),
    "compliance": ("三声接听率", "Share within three rings"),
    "mean_s": ("平均用时（秒）", "Mean (s)"),
    "p50_s": ("中位用时（秒）", "Median (s)"),
    "p90_s": ("90%用时（秒）", "90th pct (s)"),
    "max_s": ("最长用时（秒）", "Max (s)"),
    "missed": ("未接", "Missed"),
    "abandoned": ("振铃挂断", "Abandoned"),
    "callbacks_due": ("应回电", "Callbacks due"),
    "callbacks_on_time": ("按时回电", "Callbacks on time"),
    "callbacks_late": ("超时回电", "Callbacks late"),
    "callbacks_open": ("未回电", "Callbacks open"),
    "opened": ("受理", "Opened"),
    "answered_on_time": ("按时办结", "Answered on time"),
    "overdue": ("超期", "Overdue"),
    "feedback_given": ("已反馈", "Feedback given"),
    "return_visits": ("回访", "Return visits"),
    "satisfied": ("满意", "Satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
    "due": ("应报", "Due"),
    "on_time": ("按时", "On time"),
    "late": ("迟报", "Late"),
    "wrong": ("错报", "Wrong"),
    "reports_missed": ("漏报", "Missed"),
    "shifts": ("班次", "Shifts"),
    "absent": ("缺勤", "Absent"),
    "late_check_in": ("迟到", "Late"),
    "early_leave": ("早退", "Early leave"),
    "handover_count": ("交接次数", "Handovers"),
    "accepted_on_time": ("按时接班", "Accepted on time"),
    "accepted_late": ("超时接班", "Accepted late"),
    "not_submitted": ("未交班", "Not submitted"),
    "missing": ("缺少人数", "Missing"),
    "base": ("基础分", "Base"),
    "points_total": ("加减分合计", "Points"),
    "score": ("得分", "Score"),
    "rules_version": ("细则版本", "Rules version"),
    "rule_points": ("规则分值", "Rule points"),
    "points": ("计分", "Counted"),
    "detail": ("说明", "Detail"),
    "annotation": ("特殊情况说明", "Annotation"),
    "no_lines": ("无加减分记录", "No points this period"),
    "overview": ("考核总览", "Overview"),
    "by_kind": ("按类型计分", "Points by kind"),
    "annotations": ("特殊情况说明", "Annotations"),
    "score_lines": ("加减分明细", "Score lines"),
    "penalties": ("扣分", "Penalties"),
    "bonus": ("加分", "Bonus"),
    "annotated": ("已说明", "Annotated"),
    "site_card": ("（站点）", "(site)"),
    "card_of": ("考核对象", "Card"),
    "lines_elsewhere": (
        "逐条加减分记录（每一分可追溯到其记录）见本报表的 XLSX 版“加减分明细”工作表，或考核查询（GetScorecards）。",
        "Every line behind the points, each traceable to its record, is in the XLSX export's “Score lines”"
        " sheet and in the scorecards query (GetScorecards).",
    ),
    "hours_in_chart": (
        "每小时来电量见“统计图”中的热力图；逐时数据见本报表的 XLSX 版。",
        "Calls per hour of day are in the heat map under “Charts”; the hourly figures are in the XLSX export.",
    ),
    "percentiles_elsewhere": (
        "各时段的中位与90%接听用时见本报表的 XLSX 版。",
        "The median and 90th percentile of each period are in the XLSX export.",
    ),
    "lines_below": (
        "逐条加减分记录（每一分可追溯到其记录）见“加减分明细”工作表。",
        "Every line behind the points, each traceable to its record, is in the “Score lines” sheet.",
    ),
}

# The figures of a duty log or daily report, in the order a director reads them.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("calls", "来电总数", "Calls"),
    ("answered", "接听", "Answered"),
    ("answered_late", "超三声接听", "Answered after three rings"),
    ("answer_seconds_mean", "平均接听用时（秒）", "Mean time to answer (s)"),
    ("answer_seconds_max", "最长接听用时（秒）", "Longest time to answer (s)"),
    ("missed", "未接来电", "Missed calls"),
    ("abandoned", "振铃挂断", "Abandoned while ringing"),
    ("callbacks_due", "应回电", "Callbacks due"),
    ("callbacks_on_time", "按时回电", "Callbacks on time"),
    ("callbacks_late", "超时回电", "Callbacks late"),
    ("callbacks_open", "未回电", "Callbacks open"),
    ("incidents", "突发事件", "Incidents"),
    ("reports_on_time", "按时报告", "Reports on time"),
    ("reports_late", "迟报", "Reports late"),
    ("reports_missed", "漏报", "Reports missed"),
    ("cases_opened", "受理工单", "Cases opened"),
    ("cases_answered", "办结工单", "Cases answered"),
    ("notices", "上级通知", "Notices"),
    ("notices_incomplete", "要素不全的通知", "Notices missing elements"),
    ("escalations", "升级通知", "Escalations"),
    ("escalations_acknowledged", "已确认的升级通知", "Escalations acknowledged"),
)

SEVERITY_NAMES = {
    common_pb2.SEVERITY_UNRATED: "unrated",
    common_pb2.SEVERITY_I: "I",
    common_pb2.SEVERITY_II: "II",
    common_pb2.SEVERITY_III: "III",
    common_pb2.SEVERITY_IV: "IV",
}
GRANULARITY_NAMES = {
    insight_pb2.GRANULARITY_UNSPECIFIED: "day",
    insight_pb2.GRANULARITY_DAY: "day",
    insight_pb2.GRANULARITY_WEEK: "week",
    insight_pb2.GRANULARITY_MONTH: "month",
}
# Beyond a month of days the heat map has a row per weekday rather than per date.
HEATMAP_MAX_DAYS = 31
DEFAULT_LIMIT_SECONDS = 15.0
# The people the violations chart shows at most (those with most violations).
CHART_PEOPLE = 20


def word(key: str, lang: Language, **fmt: object) -> str:
    text = WORDS[key][0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def file_name(title: str, *parts: str, fmt: str) -> str:
    """E.g. "值班日志-hz-01-2026-12-05-v1.pdf": the title and what names the document, without characters a
    file system refuses."""
    stem = "-".join(p for p in (title, *parts) if p)
    safe = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in stem).replace(" ", "-")
    return f"{safe}.{fmt}"


def _at(message: Message, field: str) -> datetime | None:
    """An optional timestamp field, None when unset."""
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=ZoneInfo("UTC"))


def _local_date(at: Timestamp, time_zone: str) -> date:
    return at.ToDatetime(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(time_zone)).date()


def site_title(site_id: str, name: str) -> str:
    """A site as a reader knows it, its name, with the id the system knows it by."""
    return f"{name} ({site_id})" if name else site_id


def _actor(actor: common_pb2.Actor, names: Mapping[str, str]) -> str:
    """Someone who acted (signed, corrected, decided) by roster's name, else the name they acted under."""
    if actor.person_id in names:
        return person(actor.person_id, names)
    return actor.display_name or actor.person_id


def _list(person_ids: Iterable[str], names: Mapping[str, str], lang: Language) -> str:
    return ("、" if lang == "zh" else ", ").join(person(p, names) for p in person_ids)


# ---- duty figures (shared by the duty log and the daily report) ----------------------------------------


def compliance(answered: int, within: int) -> float | None:
    """The share answered within the limit (三声接听率); None without answered calls."""
    return within / answered if answered else None


def figure_fields(figures: insight_pb2.DutyFigures, lang: Language) -> list[Field]:
    fields: list[Field] = []
    for name, zh, en in FIGURES:
        # Counts are integers, answer times decimals: the field takes the kind of its value.
        fields.append(Field(zh if lang == "zh" else en, getattr(figures, name)))
        if name == "answered_late":
            share = compliance(figures.answered, figures.answered - figures.answered_late)
            fields.append(Field(word("compliance", lang), share, ValueKind.PERCENT))
    return fields


def count_table(counts: Iterable[insight_pb2.Count], kind: str, heading: str, lang: Language) -> Table:
    """A count per value (a category, a channel, a kind), largest first, with the total."""
    ordered = sorted(counts, key=lambda c: (-c.count, c.key))
    return Table(
        columns=[Column(heading), Column(word("count", lang), ValueKind.INTEGER)],
        rows=[[label(kind, c.key, lang), c.count] for c in ordered],
        totals=[word("total", lang), sum(c.count for c in ordered)],
    )


def figures_sections(figures: insight_pb2.DutyFigures, lang: Language) -> list[Section]:
    return [
        Section(word("figures", lang), [KeyValues(figure_fields(figures, lang))]),
        Section(
            label("stats", "by_category", lang),
            [count_table(figures.calls_by_category, "call_category", word("category", lang), lang)],
        ),
        Section(
            label("stats", "by_channel", lang),
            [count_table(figures.calls_by_channel, "channel", word("channel", lang), lang)],
        ),
        Section(
            word("incidents_by_category", lang),
            [count_table(figures.incidents_by_category, "incident_category", word("category", lang), lang)],
        ),
        Section(
            word("violations_by_kind", lang),
            [count_table(figures.violations_by_kind, "score_kind", word("kind", lang), lang)],
        ),
    ]


def entries_table(entries: Iterable[insight_pb2.DutyLogEntry], lang: Language, names: Mapping[str, str]) -> Table:
    columns = [
        Column(word("time", lang), ValueKind.DATETIME),
        Column(word("kind", lang)),
        Column(word("summary", lang)),
        Column(word("person", lang)),
        Column(word("record", lang)),
    ]
    return Table(
        columns=columns,
        rows=[
            [_at(e, "at"), label("log_entry", e.kind, lang), log_line(e, lang), people(e.person_id, names), e.ref_id]
            for e in entries
        ],
    )


# ---- the duty log ---------------------------------------------------------------------------------


def duty_log_document(
    log: insight_pb2.DutyLog, *, lang: Language, generated_at: datetime, site_name: str = ""
) -> Document:
    """值班日志: the shift's figures, its entries in order, check-ins, the handover, a correction's reason,
    and the signature block (blank lines for who has not signed, to sign on paper). `site_name` is the
    site's name in the roster (the log keeps its id only). People go by the names the log was read with."""
    zone = log.time_zone or "Asia/Shanghai"
    names = {p.person_id: p.display_name for p in log.people}
    meta = [
        Field(word("site", lang), site_title(log.site_id, site_name)),
        Field(word("shift", lang), log.shift_name),
        Field(word("date", lang), log.local_date),
        Field(word("start", lang), _at(log, "shift_start"), ValueKind.DATETIME),
        Field(word("end", lang), _at(log, "shift_end"), ValueKind.DATETIME),
        Field(word("time_zone", lang), zone),
        Field(word("version", lang), log.version),
        Field(word("state", lang), label("log_state", log.state, lang)),
        Field(word("officers", lang), _list(log.officer_ids, names, lang)),
        Field(word("leaders", lang), _list(log.leader_ids, names, lang)),
        Field(word("built_at", lang), _at(log, "built_at"), ValueKind.DATETIME),
    ]
    sections = figures_sections(log.figures, lang)
    entry_blocks: list[Paragraph | Table] = [entries_table(log.entries, lang, names)]
    if log.entries_omitted:
        entry_blocks.append(Paragraph(word("entries_omitted", lang, count=log.entries_omitted)))
    sections.append(Section(word("entries", lang), entry_blocks))
    sections.append(
        Section(
            word("check_ins", lang),
            [
                Table(
                    columns=[
                        Column(word("person", lang)),
                        Column(word("role", lang)),
                        Column(word("status", lang)),
                        Column(word("checked_in_at", lang), ValueKind.DATETIME),
                    ],
                    rows=[
                        [
                            person(c.person_id, names),
                            label("role", c.role, lang),
                            label("status", c.status, lang),
                            _at(c, "checked_in_at"),
                        ]
                        for c in log.check_ins
                    ],
                )
            ],
        )
    )
    if log.HasField("handover"):
        h = log.handover
        sections.append(
            Section(
                word("handover", lang),
                [
                    KeyValues(
                        [
                            Field(word("status", lang), label("status", h.status or "not_submitted", lang)),
                            Field(word("outgoing", lang), person(h.outgoing_person_id, names)),
                            Field(word("incoming", lang), person(h.incoming_person_id, names)),
                            Field(word("submitted_at", lang), _at(h, "submitted_at"), ValueKind.DATETIME),
                            Field(word("accepted_at", lang), _at(h, "accepted_at"), ValueKind.DATETIME),
                            Field(word("open_items", lang), h.open_items),
                        ]
                    )
                ],
            )
        )
    if log.corrects_version:
        sections.append(
            Section(
                word("correction", lang),
                [
                    Paragraph(
                        word("corrects", lang, version=log.corrects_version, who=_actor(log.corrected_by, names))
                    ),
                    KeyValues(
                        [
                            Field(word("reason", lang), log.correction_reason),
                            Field(word("remarks", lang), log.correction_remarks),
                        ]
                    ),
                ],
            )
        )
    signed = {s.role: s for s in log.signatures}
    signatures = []
    for role, key in (
        (insight_pb2.SIGNER_ROLE_OUTGOING_OFFICER, "signer_officer"),
        (insight_pb2.SIGNER_ROLE_LEADER, "signer_leader"),
    ):
        signature = signed.get(role)
        if signature is None:
            signatures.append(Signature(word(key, lang)))
        else:
            signatures.append(
                Signature(word(key, lang), _actor(signature.signed_by, names), _at(signature, "signed_at"))
            )
    return Document(
        title=word("duty_log", lang),
        subtitle=f"{site_name or log.site_id} · {log.local_date} · {log.shift_name}",
        lang=lang,
        time_zone=zone,
        generated_at=generated_at,
        meta=meta,
        sections=sections,
        signatures=signatures,
    )


def duty_log_file_name(log: insight_pb2.DutyLog, lang: Language, fmt: str) -> str:
    title = word("duty_log", lang) if lang == "zh" else "duty-log"
    return file_name(title, log.site_id, log.local_date, log.shift_name, f"v{log.version}", fmt=fmt)


# ---- the daily report -----------------------------------------------------------------------------

# The per-site columns of a daily report: a field of DutyFigures, or a figure of the summary.
SITE_COLUMNS: tuple[tuple[str, Callable[[insight_pb2.DailySiteSummary], int]], ...] = (
    ("calls", lambda s: s.figures.calls),
    ("answered", lambda s: s.figures.answered),
    ("missed", lambda s: s.figures.missed),
    ("incidents", lambda s: s.figures.incidents),
    ("late", lambda s: s.figures.reports_late),
    ("reports_missed", lambda s: s.figures.reports_missed),
    ("violations", lambda s: sum(c.count for c in s.figures.violations_by_kind)),
    ("logs", lambda s: len(s.log_ids)),
    ("logs_unsigned", lambda s: s.logs_unsigned),
)


def daily_report_document(
    report: insight_pb2.DailyReport,
    *,
    lang: Language,
    generated_at: datetime,
    site_name: str = "",
    names: Mapping[str, str] | None = None,
) -> Document:
    """值班日报: the day's figures (a region's summed over its sites), a line per site, and each site's
    emergencies and violations; `site_name` as for the duty log, `names` the people's (ids without one
    show as they are)."""
    names = names or {}
    zone = report.time_zone or "Asia/Shanghai"
    sent = _at(report, "sent_at")
    meta = [
        Field(word("site", lang), site_title(report.site_id, site_name)),
        Field(word("date", lang), report.local_date),
        Field(word("time_zone", lang), zone),
        Field(word("sent", lang), sent if sent is not None else word("not_sent", lang)),
        Field(word("sent_to", lang), report.sent_to),
        Field(word("built_at", lang), _at(report, "built_at"), ValueKind.DATETIME),
    ]
    sections = figures_sections(report.figures, lang)
    if report.sites:
        sites = sorted(report.sites, key=lambda s: s.site_id)
        columns = [Column(word("site", lang))]
        columns += [Column(word(key, lang), ValueKind.INTEGER) for key, _ in SITE_COLUMNS]
        rows: list[list[Value]] = [[s.site_id, *(of(s) for _, of in SITE_COLUMNS)] for s in sites]
        totals: list[Value] = [word("total", lang), *(sum(of(s) for s in sites) for _, of in SITE_COLUMNS)]
        sections.append(Section(word("per_site", lang), [Table(columns=columns, rows=rows, totals=totals)]))
        highlights = [(s.site_id, h) for s in sites for h in s.highlights]
        if highlights:
            sections.append(
                Section(
                    word("highlights", lang),
                    [
                        Table(
                            columns=[
                                Column(word("site", lang)),
                                Column(word("time", lang), ValueKind.DATETIME),
                                Column(word("kind", lang)),
                                Column(word("summary", lang)),
                                Column(word("person", lang)),
                                Column(word("record", lang)),
                            ],
                            rows=[
                                [
                                    site,
                                    _at(h, "at"),
                                    label("log_entry", h.kind, lang),
                                    log_line(h, lang),
                                    people(h.person_id, names),
                                    h.ref_id,
                                ]
                                for site, h in highlights
                            ],
                        )
                    ],
                )
            )
    return Document(
        title=word("daily_report", lang),
        subtitle=f"{site_name or report.site_id} · {report.local_date}",
        lang=lang,
        time_zone=zone,
        generated_at=generated_at,
        meta=meta,
        sections=sections,
    )


def daily_report_file_name(report: insight_pb2.DailyReport, lang: Language, fmt: str) -> str:
    title = word("daily_report", lang) if lang == "zh" else "daily-report"
    return file_name(title, report.site_id, report.local_date, fmt=fmt)


# ---- statistics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatisticsCharts:
    """The four charts of a statistics document, in the order they are shown."""

    answer_times: AnswerTimeHistogram
    calls_per_hour: CallsPerHourHeatmap
    compliance: ComplianceTrend
    violations: ViolationsPerPerson

    def all(self) -> tuple[Chart, ...]:
        return (self.answer_times, self.calls_per_hour, self.compliance, self.violations)


def histogram_seconds(bounds: Sequence[float], counts: Sequence[int]) -> list[float]:
    """Answer times standing for a binned histogram: each call at the middle of its bin (the open last bin
    at 1.25 × the last bound), so that the chart re-bins them and splits them at the limit as the bins do."""
    edges = [0.0, *bounds]
    values: list[float] = []
    for i, count in enumerate(counts):
        # Only the open last bin has no upper edge.
        middle = (edges[i] + edges[i + 1]) / 2 if i < len(bounds) else 1.25 * edges[-1]
        values.extend([middle] * count)
    return values


def statistics_charts(
    stats: insight_pb2.Statistics, *, lang: Language, limit_seconds: float = DEFAULT_LIMIT_SECONDS
) -> StatisticsCharts:
    """The answer-time histogram (every site's rows summed), calls per hour (a row per bucket, or per
    weekday beyond a month of days), the within-limit share per bucket, and violations per person."""
    zone = stats.time_zone or "Asia/Shanghai"
    bins = len(stats.answer_time_bounds_seconds) + 1
    histogram = [0] * bins
    for row in stats.answer_times_by_site:
        for i, count in enumerate(row.histogram[:bins]):
            histogram[i] += count
    seconds = histogram_seconds(list(stats.answer_time_bounds_seconds), histogram)

    by_day: dict[date, list[int]] = defaultdict(lambda: [0] * 24)
    for hour_row in stats.calls_by_hour:
        by_day[_local_date(hour_row.bucket_start, zone)][hour_row.hour % 24] += hour_row.calls
    days = sorted(by_day)
    daily = stats.granularity in (insight_pb2.GRANULARITY_UNSPECIFIED, insight_pb2.GRANULARITY_DAY)
    if daily and len(days) > HEATMAP_MAX_DAYS:
        weekdays = [[0] * 24 for _ in range(7)]
        for day, hours in by_day.items():
            weekdays[day.weekday()] = [a + b for a, b in zip(weekdays[day.weekday()], hours, strict=True)]
        heatmap = CallsPerHourHeatmap(weekdays)
    else:
        heatmap = CallsPerHourHeatmap([by_day[d] for d in days], days=days)

    answered: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for time_row in stats.answer_times_by_site:
        bucket = answered[_local_date(time_row.bucket_start, zone)]
        bucket[0] += time_row.answered
        bucket[1] += time_row.within_limit
    ratios = {d: within / total for d, (total, within) in answered.items() if total}

    people: dict[str, dict[str, int]] = defaultdict(dict)
    for violation in stats.violations:
        kinds = people[violation.person_id or violation.site_id]
        name = label("score_kind", violation.kind, lang)
        kinds[name] = kinds.get(name, 0) + violation.violations
    # A region's hundreds of people make an unreadable chart that took matplotlib seconds to draw
    # (bench.insight): the chart shows those with most violations, the table lists everyone.
    most = sorted(people, key=lambda p: (-sum(people[p].values()), p))[:CHART_PEOPLE]
    people = {p: people[p] for p in most}
    return StatisticsCharts(
        answer_times=AnswerTimeHistogram(seconds, limit_seconds=limit_seconds),
        calls_per_hour=heatmap,
        compliance=ComplianceTrend(ratios),
        violations=ViolationsPerPerson(people),
    )


def _bucket(row: Message, zone: str) -> date | None:
    start = _at(row, "bucket_start")
    return None if start is None else start.astimezone(ZoneInfo(zone)).date()


@dataclass(frozen=True)
class _Group:
    """A group of figures of the statistics: its heading, its rows' leading columns (bucket, site...) and
    their counted columns, summed in the totals row."""

    heading: str
    rows: Sequence[Any]
    keys: Sequence[tuple[str, Callable[[Any], Value]] | tuple[str, Callable[[Any], Value], ValueKind]]
    counts: Sequence[str]


def _per_site(group: _Group) -> list[list[Value]]:
    """The group's rows summed over the period's buckets: a row per site and key (a PDF's summary)."""
    sums: dict[tuple[Value, ...], list[int]] = {}
    for row in group.rows:
        tally = sums.setdefault((row.site_id, *(key[1](row) for key in group.keys)), [0] * len(group.counts))
        for i, c in enumerate(group.counts):
            tally[i] += getattr(row, count_field(c))
    return [[*key, *counts] for key, counts in sorted(sums.items(), key=lambda item: [str(v) for v in item[0]])]


def _group_table(group: _Group, zone: str, lang: Language, per_site: bool = False) -> Table:
    columns = [] if per_site else [Column(word("bucket", lang), ValueKind.DATE)]
    columns.append(Column(word("site", lang)))
    # A key column is text unless it says otherwise (the hour of day).
    columns += [Column(key[0], key[2] if len(key) == 3 else ValueKind.TEXT) for key in group.keys]
    columns += [Column(word(c, lang), ValueKind.INTEGER) for c in group.counts]
    rows = (
        _per_site(group)
        if per_site
        else [
            [
                _bucket(row, zone),
                row.site_id,
                *(key[1](row) for key in group.keys),
                *(getattr(row, count_field(c)) for c in group.counts),
            ]
            for row in group.rows
        ]
    )
    totals: list[Value] = [word("total", lang), *(None for _ in range(len(columns) - len(group.counts) - 1))]
    totals += [sum(getattr(r, count_field(c)) for r in group.rows) for c in group.counts]
    return Table(columns=columns, rows=rows, totals=totals)


# A counted column's word, when it differs from the row message's field.
COUNT_FIELDS = {
    "late_check_in": "late",
    "handover_count": "handovers",
    "reports_missed": "missed",
}


def count_field(column: str) -> str:
    return COUNT_FIELDS.get(column, column)


def _answer_time_table(
    rows: Sequence[insight_pb2.AnswerTimeRow], level: str, zone: str, lang: Language, per_site: bool = False
) -> Table:
    """Answer times per bucket, or (`per_site`) over the period: then the mean is weighted by the calls
    answered, the longest is the longest, and the percentiles, which do not add up, are left to the
    per-bucket table of the workbook."""
    columns = [] if per_site else [Column(word("bucket", lang), ValueKind.DATE)]
    columns.append(Column(word("site", lang)))
    if level != "site":
        columns.append(Column(word(level, lang)))
    columns += [
        Column(word("answered", lang), ValueKind.INTEGER),
        Column(word("within_limit", lang), ValueKind.INTEGER),
        Column(word("compliance", lang), ValueKind.PERCENT),
        Column(word("mean_s", lang), ValueKind.DECIMAL),
    ]
    if not per_site:
        columns += [Column(word("p50_s", lang), ValueKind.DECIMAL), Column(word("p90_s", lang), ValueKind.DECIMAL)]
    columns.append(Column(word("max_s", lang), ValueKind.DECIMAL))

    def who(r: insight_pb2.AnswerTimeRow) -> list[Value]:
        return [] if level == "site" else [r.line_id if level == "line" else r.officer_id]

    table_rows: list[list[Value]] = []
    if per_site:
        sums: dict[tuple[Value, ...], list[float]] = {}
        for r in rows:
            tally = sums.setdefault((r.site_id, *who(r)), [0, 0, 0.0, 0.0])
            tally[0] += r.answered
            tally[1] += r.within_limit
            tally[2] += r.seconds_mean * r.answered
            tally[3] = max(tally[3], r.seconds_max)
        for key, (count, on_time, seconds, longest) in sorted(sums.items(), key=lambda item: [str(v) for v in item[0]]):
            n, ok = int(count), int(on_time)
            table_rows.append([*key, n, ok, compliance(n, ok), seconds / n if n else 0.0, longest])
    else:
        for r in rows:
            table_rows.append(
                [
                    _bucket(r, zone),
                    r.site_id,
                    *who(r),
                    r.answered,
                    r.within_limit,
                    compliance(r.answered, r.within_limit),
                    r.seconds_mean,
                    r.seconds_p50,
                    r.seconds_p90,
                    r.seconds_max,
                ]
            )
    answered = sum(r.answered for r in rows)
    within = sum(r.within_limit for r in rows)
    leading = len(columns) - (5 if per_site else 7)  # the label's columns, then the figures
    totals: list[Value] = [word("total", lang), *[None] * (leading - 1), answered, within, compliance(answered, within)]
    totals += [None] * (len(columns) - len(totals))
    caption = word("percentiles_elsewhere", lang) if per_site else None
    return Table(columns=columns, rows=table_rows, totals=totals, caption=caption)


def statistics_document(
    stats: insight_pb2.Statistics,
    *,
    lang: Language,
    generated_at: datetime,
    charts: Sequence[ChartImage] = (),
    per_site: bool = False,
) -> Document:
    """值班统计: a table per group of figures (each with its totals), then the charts drawn from
    `statistics_charts`. A workbook lists every bucket's rows; `per_site` (a PDF, what a director reads:
    a region's month by day would be tens of thousands of rows) sums them over the period, a row per
    site, and leaves the calls per hour of day to the heat map."""
    zone = stats.time_zone or "Asia/Shanghai"
    granularity = GRANULARITY_NAMES.get(stats.granularity, "day")
    period = stats.period
    meta = [
        Field(word("site", lang), stats.site_id),
        Field(word("sites", lang), ", ".join(stats.site_ids)),
        Field(word("start", lang), _at(period, "start"), ValueKind.DATETIME),
        Field(word("end", lang), _at(period, "end"), ValueKind.DATETIME),
        Field(word("granularity", lang), label("granularity", granularity, lang)),
        Field(word("time_zone", lang), zone),
        Field(word("as_of", lang), _at(stats, "as_of"), ValueKind.DATETIME),
    ]
    category: tuple[str, Callable[[Any], Value]] = (
        word("category", lang),
        lambda r: label("call_category", r.key, lang),
    )
    channel: tuple[str, Callable[[Any], Value]] = (
        word("channel", lang),
        lambda r: label("channel", r.key, lang),
    )
    person: tuple[str, Callable[[Any], Value]] = (word("person", lang), lambda r: r.person_id)
    groups = [
        _Group(label("stats", "by_category", lang), stats.calls_by_category, [category], ["calls"]),
        _Group(label("stats", "by_channel", lang), stats.calls_by_channel, [channel], ["calls"]),
        _Group(
            label("stats", "by_hour", lang),
            stats.calls_by_hour,
            [(word("hour", lang), lambda r: r.hour, ValueKind.INTEGER)],
            ["calls"],
        ),
    ]
    sections = [Section(g.heading, [_group_table(g, zone, lang, per_site)]) for g in groups[:2]]
    hours = groups[2]
    sections.append(
        Section(hours.heading, [Paragraph(word("hours_in_chart", lang))])
        if per_site
        else Section(hours.heading, [_group_table(hours, zone, lang)])
    )
    for level, key, rows in (
        ("site", "answers_by_site", stats.answer_times_by_site),
        ("line", "answers_by_line", stats.answer_times_by_line),
        ("officer", "answers_by_officer", stats.answer_times_by_officer),
    ):
        sections.append(Section(label("stats", key, lang), [_answer_time_table(rows, level, zone, lang, per_site)]))
    more = [
        _Group(
            label("stats", "missed", lang),
            stats.missed_calls,
            [],
            ["missed", "abandoned", "callbacks_due", "callbacks_on_time", "callbacks_late", "callbacks_open"],
        ),
        _Group(
            label("stats", "cases", lang),
            stats.cases,
            [],
            [
                "opened",
                "answered",
                "answered_on_time",
                "overdue",
                "feedback_given",
                "return_visits",
                "satisfied",
                "dissatisfied",
            ],
        ),
        _Group(
            label("stats", "incidents", lang),
            stats.incidents,
            [
                (word("category", lang), lambda r: label("incident_category", r.category, lang)),
                (
                    word("severity", lang),
                    lambda r: label("severity", SEVERITY_NAMES.get(r.severity, ""), lang),
                ),
            ],
            ["incidents"],
        ),
        _Group(
            label("stats", "reports", lang), stats.reports, [], ["due", "on_time", "late", "reports_missed", "wrong"]
        ),
        _Group(
            label("stats", "violations", lang),
            stats.violations,
            [person, (word("kind", lang), lambda r: label("score_kind", r.kind, lang))],
            ["violations"],
        ),
        _Group(
            word("check_ins", lang),
            stats.check_ins,
            [person],
            ["shifts", "on_time", "late_check_in", "absent", "early_leave"],
        ),
        _Group(
            label("stats", "handovers", lang),
            stats.handovers,
            [],
            ["handover_count", "accepted_on_time", "accepted_late", "not_submitted"],
        ),
    ]
    sections += [Section(g.heading, [_group_table(g, zone, lang, per_site)]) for g in more]
    sections.append(
        Section(
            label("stats", "coverage_gaps", lang),
            [
                Table(
                    columns=[
                        Column(word("site", lang)),
                        Column(word("start", lang), ValueKind.DATETIME),
                        Column(word("end", lang), ValueKind.DATETIME),
                        Column(word("role", lang)),
                        Column(word("missing", lang), ValueKind.INTEGER),
                    ],
                    rows=[
                        [g.site_id, _at(g, "start"), _at(g, "end"), label("role", g.role, lang), g.missing]
                        for g in stats.coverage_gaps
                    ],
                )
            ],
        )
    )
    if charts:
        sections.append(Section(word("charts", lang), list(charts)))
    start = _at(period, "start")
    return Document(
        title=word("statistics", lang),
        subtitle=f"{stats.site_id} · {start.astimezone(ZoneInfo(zone)).date() if start else ''}"
        f" – {_end_day(stats, zone)}",
        lang=lang,
        time_zone=zone,
        generated_at=generated_at,
        meta=meta,
        sections=sections,
    )


def _end_day(stats: insight_pb2.Statistics, zone: str) -> str:
    end = _at(stats.period, "end")
    return "" if end is None else str(end.astimezone(ZoneInfo(zone)).date())


def statistics_file_name(stats: insight_pb2.Statistics, lang: Language, fmt: str) -> str:
    title = word("statistics", lang) if lang == "zh" else "statistics"
    zone = stats.time_zone or "Asia/Shanghai"
    start = _at(stats.period, "start")
    first = "" if start is None else str(start.astimezone(ZoneInfo(zone)).date())
    return file_name(title, stats.site_id, first, _end_day(stats, zone), fmt=fmt)


# ---- scorecards -----------------------------------------------------------------------------------


def scorecards_document(
    answer: insight_pb2.GetScorecardsResponse,
    *,
    site_id: str,
    period: str,
    lang: Language,
    generated_at: datetime,
    time_zone: str,
    names: Mapping[str, str] | None = None,
    with_lines: bool = True,
) -> Document:
    """考核结果: what a director reads — a line per card (a site's, then people's) with its penalties,
    bonus, annotated lines and score; each card's points by kind (count × the rule's points, per rule
    version); the annotated lines with their reasons. With `with_lines` (a workbook) also every line that
    made the scores (每一分可追溯), each naming its record; without (a PDF: a region's month has tens of
    thousands of lines) the document says where they are. People by `names` where known."""
    names = names or {}
    cards = list(answer.scorecards)
    overview = Table(
        columns=[
            Column(word("site", lang)),
            Column(word("person", lang)),
            Column(word("base", lang), ValueKind.INTEGER),
            Column(word("penalties", lang), ValueKind.INTEGER),
            Column(word("bonus", lang), ValueKind.INTEGER),
            Column(word("annotated", lang), ValueKind.INTEGER),
            Column(word("points_total", lang), ValueKind.INTEGER),
            Column(word("score", lang), ValueKind.INTEGER),
        ],
        rows=[
            [
                card.site_id,
                _card_who(card, names, lang),
                card.base,
                sum(line.points for line in card.lines if line.points < 0),
                sum(line.points for line in card.lines if line.points > 0),
                sum(1 for line in card.lines if line.HasField("annotation")),
                card.total,
                card.score,
            ]
            for card in cards
        ],
    )
    where = word("lines_below" if with_lines else "lines_elsewhere", lang)
    sections = [
        # The note first: a heading keeps with what follows it, and a table longer than the page would
        # take the heading to the next page, leaving the first one blank.
        Section(word("overview", lang), [Paragraph(where), overview]),
        Section(word("by_kind", lang), [_points_by_kind(cards, lang, names)]),
    ]
    annotated = [(card, line) for card in cards for line in card.lines if line.HasField("annotation")]
    if annotated:
        sections.append(Section(word("annotations", lang), [_lines_table(annotated, lang, names)]))
    if with_lines:
        every = [(card, line) for card in cards for line in card.lines]
        sections.append(
            Section(
                word("score_lines", lang),
                [_lines_table(every, lang, names)] if every else [Paragraph(word("no_lines", lang))],
            )
        )
    return Document(
        title=word("scorecards", lang),
        subtitle=f"{site_id} · {period}",
        lang=lang,
        time_zone=time_zone,
        generated_at=generated_at,
        meta=[
            Field(word("site", lang), site_id),
            Field(word("period", lang), period),
            Field(word("as_of", lang), _at(answer, "as_of"), ValueKind.DATETIME),
        ],
        sections=sections,
    )


def _card_who(card: insight_pb2.Scorecard, names: Mapping[str, str], lang: Language) -> str:
    return person(card.person_id, names) or word("site_card", lang)


def _points_by_kind(cards: Sequence[insight_pb2.Scorecard], lang: Language, names: Mapping[str, str]) -> Table:
    """A row per card, kind and rule version: how many lines, at how many points each, counted how much
    (annotated lines count for what their annotation decided)."""
    rows: list[list[Value]] = []
    for card in cards:
        kinds: dict[tuple[str, int, int], list[int]] = {}
        for line in card.lines:
            tally = kinds.setdefault((line.kind, line.rules_version, line.rule_points), [0, 0, 0])
            tally[0] += 1
            tally[1] += line.HasField("annotation")
            tally[2] += line.points
        for (kind, version, rule_points), (count, annotated, points) in sorted(kinds.items()):
            rows.append(
                [
                    card.site_id,
                    _card_who(card, names, lang),
                    label("score_kind", kind, lang),
                    version,
                    count,
                    rule_points,
                    annotated,
                    points,
                ]
            )
    return Table(
        columns=[
            Column(word("site", lang)),
            Column(word("person", lang)),
            Column(word("kind", lang)),
            Column(word("rules_version", lang), ValueKind.INTEGER),
            Column(word("count", lang), ValueKind.INTEGER),
            Column(word("rule_points", lang), ValueKind.INTEGER),
            Column(word("annotated", lang), ValueKind.INTEGER),
            Column(word("points", lang), ValueKind.INTEGER),
        ],
        rows=rows,
    )


def _lines_table(
    lines: Sequence[tuple[insight_pb2.Scorecard, insight_pb2.ScoreLine]], lang: Language, names: Mapping[str, str]
) -> Table:
    """Score lines with their card, each naming its record, rule version, points and any annotation."""
    return Table(
        columns=[
            Column(word("site", lang)),
            Column(word("card_of", lang)),
            Column(word("time", lang), ValueKind.DATETIME),
            Column(word("kind", lang)),
            Column(word("record", lang)),
            Column(word("person", lang)),
            Column(word("rules_version", lang), ValueKind.INTEGER),
            Column(word("rule_points", lang), ValueKind.INTEGER),
            Column(word("points", lang), ValueKind.INTEGER),
            Column(word("detail", lang)),
            Column(word("annotation", lang)),
        ],
        rows=[
            [
                card.site_id,
                _card_who(card, names, lang),
                _at(line, "occurred_at"),
                label("score_kind", line.kind, lang),
                f"{line.source.record_type}:{line.source.record_id}",
                person(line.person_id, names),
                line.rules_version,
                line.rule_points,
                line.points,
                line.detail,
                _annotation(line.annotation, names) if line.HasField("annotation") else None,
            ]
            for card, line in lines
        ],
        totals=[word("total", lang), *[None] * 7, sum(line.points for _, line in lines), None, None],
    )


def _annotation(annotation: insight_pb2.Annotation, names: Mapping[str, str]) -> str:
    return f"{annotation.reason} ({_actor(annotation.decided_by, names)}, {annotation.id})"


def scorecards_file_name(site_id: str, period: str, lang: Language, fmt: str) -> str:
    title = word("scorecards", lang) if lang == "zh" else "scorecards"
    return file_name(title, site_id, period, fmt=fmt)


__all__ = [
    "StatisticsCharts",
    "daily_report_document",
    "daily_report_file_name",
    "duty_log_document",
    "duty_log_file_name",
    "scorecards_document",
    "scorecards_file_name",
    "statistics_charts",
    "statistics_document",
    "statistics_file_name",
    "word",
]
