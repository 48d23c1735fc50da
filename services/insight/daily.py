"""The daily report (值班日报): a site's day summarised from the statistics of that day, and a region's
rolled up from its sites. Pure: the day, the zone and the figures are arguments.

A site's figures are the statistics' rows of the site over its local day (services/insight/rpc_statistics.py
counts them, so that the report and GetStatistics agree), plus what only the duty log's events tell (cases,
incomplete notices, escalations). A region's are the sum of its sites'; its mean answer time is weighted
by the calls each site answered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dutyline.insight.v1 import insight_pb2

# Notices from superiors (上级通知) are calls registered in this category.
NOTICE_CATEGORY = "notice"
# The duty log's events (duty_log_events.kind) that daily figures count.
EVENT_FIGURES = {
    "case_opened": "cases_opened",
    "case_answered": "cases_answered",
    "notice_incomplete": "notices_incomplete",
    "escalation": "escalations",
    "acknowledgement": "escalations_acknowledged",
}
# The plain counts of DutyFigures, summed as they are when sites roll up into a region.
SUMMED = (
    "calls",
    "answered",
    "answered_late",
    "missed",
    "abandoned",
    "callbacks_due",
    "callbacks_on_time",
    "callbacks_late",
    "callbacks_open",
    "incidents",
    "reports_on_time",
    "reports_late",
    "reports_missed",
    "cases_opened",
    "cases_answered",
    "notices",
    "notices_incomplete",
    "escalations",
    "escalations_acknowledged",
)
COUNTED = ("calls_by_category", "calls_by_channel", "incidents_by_category", "violations_by_kind")


def day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local day: midnight to midnight in the zone (23 or 25 hours across a DST change)."""
    zone = ZoneInfo(time_zone)
    # In UTC: aware times of one zone subtract as wall-clock times, which hides the DST hour.
    start, end = (datetime.combine(d, time(), zone).astimezone(UTC) for d in (day, day + timedelta(days=1)))
    return start, end


def _counts(counter: Counter[str]) -> list[insight_pb2.Count]:
    return [insight_pb2.Count(key=key, count=n) for key, n in sorted(counter.items()) if n]


def site_figures(
    stats: insight_pb2.Statistics, site_id: str, event_kinds: Mapping[str, int] | None = None
) -> insight_pb2.DutyFigures:
    """One site's figures out of a day's statistics (every bucket of the site summed), with the counts of
    the duty log's events of the day by kind."""
    out = insight_pb2.DutyFigures()
    by_category: Counter[str] = Counter()
    for call_row in stats.calls_by_category:
        if call_row.site_id == site_id:
            by_category[call_row.key] += call_row.calls
    by_channel: Counter[str] = Counter()
    for call_row in stats.calls_by_channel:
        if call_row.site_id == site_id:
            by_channel[call_row.key] += call_row.calls
    out.calls = sum(by_category.values())
    out.calls_by_category.extend(_counts(by_category))
    out.calls_by_channel.extend(_counts(by_channel))
    out.notices = by_category[NOTICE_CATEGORY]

    seconds = 0.0
    for time_row in stats.answer_times_by_site:
        if time_row.site_id == site_id:
            out.answered += time_row.answered
            out.answered_late += time_row.answered - time_row.within_limit
            seconds += time_row.seconds_mean * time_row.answered
            out.answer_seconds_max = max(out.answer_seconds_max, time_row.seconds_max)
    out.answer_seconds_mean = seconds / out.answered if out.answered else 0.0

    for missed in stats.missed_calls:
        if missed.site_id == site_id:
            out.missed += missed.missed
            out.abandoned += missed.abandoned
            out.callbacks_due += missed.callbacks_due
            out.callbacks_on_time += missed.callbacks_on_time
            out.callbacks_late += missed.callbacks_late
            out.callbacks_open += missed.callbacks_open

    by_incident: Counter[str] = Counter()
    for incident in stats.incidents:
        if incident.site_id == site_id:
            by_incident[incident.category] += incident.incidents
    out.incidents = sum(by_incident.values())
    out.incidents_by_category.extend(_counts(by_incident))

    for report in stats.reports:
        if report.site_id == site_id:
            out.reports_on_time += report.on_time
            out.reports_late += report.late
            out.reports_missed += report.missed

    by_kind: Counter[str] = Counter()
    for violation in stats.violations:
        if violation.site_id == site_id:
            by_kind[violation.kind] += violation.violations
    out.violations_by_kind.extend(_counts(by_kind))

    for kind, name in EVENT_FIGURES.items():
        setattr(out, name, (event_kinds or {}).get(kind, 0))
    return out


def rolled_up(figures: Iterable[insight_pb2.DutyFigures]) -> insight_pb2.DutyFigures:
    """The sum of several sites' figures (a region's)."""
    out = insight_pb2.DutyFigures()
    counters: dict[str, Counter[str]] = {name: Counter() for name in COUNTED}
    seconds = 0.0
    for f in figures:
        for name in SUMMED:
            setattr(out, name, getattr(out, name) + getattr(f, name))
        for name in COUNTED:
            for count in getattr(f, name):
                counters[name][count.key] += count.count
        seconds += f.answer_seconds_mean * f.answered
        out.answer_seconds_max = max(out.answer_seconds_max, f.answer_seconds_max)
    out.answer_seconds_mean = seconds / out.answered if out.answered else 0.0
    for name in COUNTED:
        getattr(out, name).extend(_counts(counters[name]))
    return out
