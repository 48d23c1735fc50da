"""The figures of a site or region over a period (GetStatistics), in SQL over the read model's tables.

Every figure is cut into buckets of a day, a week (from Monday) or a month in the requested site's time
zone, per site; drills count nowhere. One read-only snapshot (REPEATABLE READ) holds every figure of an
answer, so they agree with each other while the projections write. Each row counts at one time:

* calls (来电) at their registration: by category, channel and local hour;
* answer times at the registration for a site and its officers (intake's record of the call), and at
  the first ring for a line (the switch's record, which alone knows the line);
* missed and abandoned calls at the first ring (the switch's record); callbacks at their due time;
* incidents (事件) at their registration, a merged one not again (it lives on in the one it joined);
* reports (报告) at their submission, missed and wrong ones when the incident's violation was recorded;
* violations at their fact's time: every fact the assessment scores (the ``scoring_facts`` view);
* cases (工单) at their opening, with what became of them since;
* check-ins (签到) at their shift's start: the shifts rostered for each person (duties), and each
  shift's check-in on time or late, or its absence (an absence stands even if the person came later);
* handovers (交接班) at their submission: accepted on time, or late (after roster marked them overdue);
* coverage gaps: the spans of the sites' published rosters short of the required officers or leader
  (roster.published lists them), clipped to the period; they have no bucket.

Early leave and handovers never submitted stay 0: roster publishes no event for them yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import Unavailable
from dutyline.insight.v1 import insight_pb2
from services.insight.base import InsightBase
from services.insight.policy import READ_OTHERS

DEFAULT_ZONE = "Asia/Shanghai"
UNITS = {
    insight_pb2.GRANULARITY_UNSPECIFIED: "day",
    insight_pb2.GRANULARITY_DAY: "day",
    insight_pb2.GRANULARITY_WEEK: "week",
    insight_pb2.GRANULARITY_MONTH: "month",
}
# The answer-time histogram's bins: bin i holds times below ANSWER_TIME_BOUNDS[i] and not below the
# bound before it; the last bin everything from the last bound on. 15 s is the usual three-ring limit.
ANSWER_TIME_BOUNDS: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 30.0, 60.0)
UNKNOWN = "unspecified"

# $1 the sites, $2 and $3 the period [start, end), $4 the bucket's unit, $5 the zone.
_IN_PERIOD = "site_id = ANY($1::text[]) AND {at} >= $2 AND {at} < $3 AND NOT drill"


def _bucket(at: str) -> str:
    return f"date_trunc($4, {at}, $5)"


# Calls by category, by channel and by local hour, in one pass over the calls (three queries read a
# 50-site region's month three times: bench.insight). GROUPING(...) tells the families apart: a bit
# is set for each column its row is not grouped by.
CALLS_COUNTED = """
SELECT bucket, site_id, GROUPING(category, channel, hour) AS grouped, category, channel, hour, count(*) AS calls
FROM (
    SELECT {bucket} AS bucket, site_id, coalesce(category, '{unknown}') AS category,
           coalesce(channel, '{unknown}') AS channel, extract(hour FROM registered_at AT TIME ZONE $5)::int AS hour
    FROM calls WHERE {where} AND record_version > 0
) c
GROUP BY GROUPING SETS ((bucket, site_id, category), (bucket, site_id, channel), (bucket, site_id, hour))
ORDER BY 1, 2, 4, 5, 6"""
BY_CATEGORY, BY_CHANNEL = 0b011, 0b101

_HISTOGRAM = ", ".join(f"count(*) FILTER (WHERE bin = {i})" for i in range(len(ANSWER_TIME_BOUNDS) + 1))
ANSWER_TIMES = """
WITH answered AS (
    SELECT {bucket} AS bucket, site_id, {line} AS line_id, {officer} AS officer_id,
           answer_delay_seconds::float8 AS seconds, coalesce(answered_late, false) AS late,
           width_bucket(answer_delay_seconds::float8, $6::float8[]) AS bin
    FROM {table} WHERE {where} AND answered_at IS NOT NULL AND answer_delay_seconds IS NOT NULL
)
SELECT bucket, site_id, line_id, coalesce(officer_id, '') AS officer_id, GROUPING(officer_id) AS whole_site,
       count(*) AS answered, count(*) FILTER (WHERE NOT late) AS within_limit,
       avg(seconds) AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90, max(seconds) AS max,
       ARRAY[{histogram}] AS histogram
FROM answered GROUP BY {groups} ORDER BY 1, 2, 3, 4"""
# A site's and its officers' answer times in one pass over the calls (a 50-site region's month read
# twice was a second: bench.insight); whole_site tells the site's rows from its officers'.
SITE_AND_OFFICERS = "GROUPING SETS ((bucket, site_id, line_id), (bucket, site_id, line_id, officer_id))"

MISSED_CALLS = """
SELECT {bucket} AS bucket, site_id, count(*) FILTER (WHERE state = 'not_answered') AS missed,
       count(*) FILTER (WHERE state = 'abandoned') AS abandoned
FROM line_calls WHERE {where} AND state IN ('not_answered', 'abandoned')
GROUP BY 1, 2"""

# A callback is on time when completed by its due time, late when completed after it or still open
# after it ($6: now), open while it may still be on time.
CALLBACKS = """
SELECT {bucket} AS bucket, site_id, count(*) AS due,
       count(*) FILTER (WHERE completed_at <= due_at) AS on_time,
       count(*) FILTER (WHERE completed_at > due_at OR (completed_at IS NULL AND due_at < $6)) AS late,
       count(*) FILTER (WHERE completed_at IS NULL AND due_at >= $6) AS open
FROM callbacks WHERE {where} AND kind = 'callback'
GROUP BY 1, 2"""

INCIDENTS = """
SELECT {bucket} AS bucket, site_id, coalesce(category, '{unknown}') AS category, coalesce(severity, '') AS severity,
       count(*) AS incidents
FROM incidents WHERE {where} AND outcome IS DISTINCT FROM 'merged'
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""

REPORTS_MADE = """
SELECT {bucket} AS bucket, site_id, count(*) FILTER (WHERE late_seconds <= 0) AS on_time,
       count(*) FILTER (WHERE late_seconds > 0) AS late
FROM reports WHERE {where}
GROUP BY 1, 2"""

REPORTS_NOT_MADE = """
SELECT {bucket} AS bucket, site_id, count(*) FILTER (WHERE kind = 'missed_report') AS missed,
       count(*) FILTER (WHERE kind = 'wrong_report') AS wrong
FROM violations WHERE {where} AND kind IN ('missed_report', 'wrong_report')
GROUP BY 1, 2"""

CASES = """
SELECT {bucket} AS bucket, site_id, count(*) AS opened, count(*) FILTER (WHERE answered) AS answered,
       count(*) FILTER (WHERE answered AND NOT answered_late) AS answered_on_time,
       count(*) FILTER (WHERE overdue) AS overdue, count(*) FILTER (WHERE feedback_given) AS feedback_given,
       sum(return_visits) AS return_visits, sum(satisfied) AS satisfied, sum(dissatisfied) AS dissatisfied
FROM cases WHERE {where}
GROUP BY 1, 2 ORDER BY 1, 2"""

# A check-in recorded before roster named its shift's start counts at the check-in.
_SHIFT_START = "coalesce(shift_start, checked_in_at)"
CHECK_INS = f"""
WITH shifts AS (
    SELECT {_bucket("starts_at")} AS bucket, site_id, person_id, count(*) AS shifts
    FROM duties WHERE {_IN_PERIOD.format(at="starts_at")}
    GROUP BY 1, 2, 3
), marks AS (
    SELECT {_bucket(_SHIFT_START)} AS bucket, site_id, person_id,
           count(*) FILTER (WHERE NOT absent AND status = 'on_time') AS on_time,
           count(*) FILTER (WHERE NOT absent AND status = 'late') AS late,
           count(*) FILTER (WHERE absent) AS absent
    FROM shift_check_ins WHERE {_IN_PERIOD.format(at=_SHIFT_START)}
    GROUP BY 1, 2, 3
)
SELECT bucket, site_id, person_id, coalesce(shifts, 0) AS shifts, coalesce(on_time, 0) AS on_time,
       coalesce(late, 0) AS late, coalesce(absent, 0) AS absent
FROM shifts FULL JOIN marks USING (bucket, site_id, person_id)
ORDER BY 1, 2, 3"""

HANDOVERS = """
SELECT {bucket} AS bucket, site_id, count(*) AS handovers,
       count(*) FILTER (WHERE accepted_at IS NOT NULL AND NOT overdue) AS accepted_on_time,
       count(*) FILTER (WHERE accepted_at IS NOT NULL AND overdue) AS accepted_late
FROM shift_handovers WHERE {where}
GROUP BY 1, 2 ORDER BY 1, 2"""

COVERAGE_GAPS = """
SELECT site_id, role, greatest(starts_at, $2) AS starts_at, least(ends_at, $3) AS ends_at,
       required - present AS missing
FROM coverage_gaps WHERE site_id = ANY($1::text[]) AND starts_at < $3 AND ends_at > $2 AND NOT drill
ORDER BY starts_at, site_id, role"""

VIOLATIONS = """
SELECT {bucket} AS bucket, site_id, person_id, kind, count(*) AS violations
FROM scoring_facts WHERE {where}
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4, 3"""


def query(template: str, at: str, **names: str) -> str:
    """``template`` over the rows of the sites and period by their time column ``at``."""
    return template.format(bucket=_bucket(at), where=_IN_PERIOD.format(at=at), unknown=UNKNOWN, **names)


# The incidents table's severities (services.insight.projections.common.severity) as the enum.
SEVERITIES = {
    "unrated": common_pb2.SEVERITY_UNRATED,
    "I": common_pb2.SEVERITY_I,
    "II": common_pb2.SEVERITY_II,
    "III": common_pb2.SEVERITY_III,
    "IV": common_pb2.SEVERITY_IV,
}


def answer_row(row: asyncpg.Record) -> insight_pb2.AnswerTimeRow:
    return insight_pb2.AnswerTimeRow(
        bucket_start=ts(row["bucket"]),
        site_id=row["site_id"],
        line_id=row["line_id"],
        officer_id=row["officer_id"],
        answered=row["answered"],
        within_limit=row["within_limit"],
        seconds_mean=row["mean"],
        seconds_p50=row["p50"],
        seconds_p90=row["p90"],
        seconds_max=row["max"],
        histogram=list(row["histogram"]),
    )


def merged(*groups: Sequence[asyncpg.Record]) -> dict[tuple[datetime, str], dict[str, int]]:
    """Rows of several queries keyed by (bucket, site), their counts side by side (0 where missing)."""
    found: dict[tuple[datetime, str], dict[str, int]] = {}
    for rows in groups:
        for row in rows:
            counts = found.setdefault((row["bucket"], row["site_id"]), {})
            counts.update({k: v for k, v in row.items() if k not in ("bucket", "site_id")})
    return dict(sorted(found.items()))


async def figures(
    conn: Connection,
    answer: insight_pb2.Statistics,
    *,
    sites: list[str],
    start: datetime,
    end: datetime,
    unit: str,
    zone: str,
    now: datetime,
) -> None:
    """Fill ``answer``'s figure groups from the read model (the caller holds one snapshot)."""
    args = (sites, start, end, unit, zone)
    for r in await conn.fetch(query(CALLS_COUNTED, "registered_at"), *args):
        when = ts(r["bucket"])
        if r["grouped"] == BY_CATEGORY:
            answer.calls_by_category.append(
                insight_pb2.CallCountRow(bucket_start=when, site_id=r["site_id"], key=r["category"], calls=r["calls"])
            )
        elif r["grouped"] == BY_CHANNEL:
            answer.calls_by_channel.append(
                insight_pb2.CallCountRow(bucket_start=when, site_id=r["site_id"], key=r["channel"], calls=r["calls"])
            )
        else:
            answer.calls_by_hour.append(
                insight_pb2.HourCountRow(bucket_start=when, site_id=r["site_id"], hour=r["hour"], calls=r["calls"])
            )

    bounds = list(ANSWER_TIME_BOUNDS)
    answer.answer_time_bounds_seconds.extend(bounds)
    calls = query(
        ANSWER_TIMES,
        "registered_at",
        table="calls",
        line="''",
        officer="coalesce(officer_id, '')",
        histogram=_HISTOGRAM,
        groups=SITE_AND_OFFICERS,
    )
    for r in await conn.fetch(calls, *args, bounds):
        (answer.answer_times_by_site if r["whole_site"] else answer.answer_times_by_officer).append(answer_row(r))
    lines = query(
        ANSWER_TIMES,
        "ring_started_at",
        table="line_calls",
        line="line_id",
        officer="''",
        histogram=_HISTOGRAM,
        groups="bucket, site_id, line_id, officer_id",
    )
    answer.answer_times_by_line.extend(answer_row(r) for r in await conn.fetch(lines, *args, bounds))

    missed = await conn.fetch(query(MISSED_CALLS, "ring_started_at"), *args)
    callbacks = await conn.fetch(query(CALLBACKS, "due_at"), *args, now)
    for (bucket, site_id), c in merged(missed, callbacks).items():
        answer.missed_calls.append(
            insight_pb2.MissedCallRow(
                bucket_start=ts(bucket),
                site_id=site_id,
                missed=c.get("missed", 0),
                abandoned=c.get("abandoned", 0),
                callbacks_due=c.get("due", 0),
                callbacks_on_time=c.get("on_time", 0),
                callbacks_late=c.get("late", 0),
                callbacks_open=c.get("open", 0),
            )
        )

    for r in await conn.fetch(query(INCIDENTS, "registered_at"), *args):
        answer.incidents.append(
            insight_pb2.IncidentCountRow(
                bucket_start=ts(r["bucket"]),
                site_id=r["site_id"],
                category=r["category"],
                severity=SEVERITIES.get(r["severity"], common_pb2.SEVERITY_UNSPECIFIED),
                incidents=r["incidents"],
            )
        )

    made = await conn.fetch(query(REPORTS_MADE, "submitted_at"), *args)
    not_made = await conn.fetch(query(REPORTS_NOT_MADE, "occurred_at"), *args)
    for (bucket, site_id), c in merged(made, not_made).items():
        on_time, late, missed_reports = c.get("on_time", 0), c.get("late", 0), c.get("missed", 0)
        answer.reports.append(
            insight_pb2.ReportRow(
                bucket_start=ts(bucket),
                site_id=site_id,
                due=on_time + late + missed_reports,
                on_time=on_time,
                late=late,
                missed=missed_reports,
                wrong=c.get("wrong", 0),
            )
        )

    for r in await conn.fetch(query(CASES, "opened_at"), *args):
        answer.cases.append(
            insight_pb2.CaseRow(
                bucket_start=ts(r["bucket"]),
                site_id=r["site_id"],
                opened=r["opened"],
                answered=r["answered"],
                answered_on_time=r["answered_on_time"],
                overdue=r["overdue"],
                feedback_given=r["feedback_given"],
                return_visits=r["return_visits"],
                satisfied=r["satisfied"],
                dissatisfied=r["dissatisfied"],
            )
        )
    for r in await conn.fetch(CHECK_INS, *args):
        answer.check_ins.append(
            insight_pb2.CheckInRow(
                bucket_start=ts(r["bucket"]),
                site_id=r["site_id"],
                person_id=r["person_id"],
                shifts=r["shifts"],
                on_time=r["on_time"],
                late=r["late"],
                absent=r["absent"],
            )
        )
    for r in await conn.fetch(query(HANDOVERS, "submitted_at"), *args):
        answer.handovers.append(
            insight_pb2.HandoverRow(
                bucket_start=ts(r["bucket"]),
                site_id=r["site_id"],
                handovers=r["handovers"],
                accepted_on_time=r["accepted_on_time"],
                accepted_late=r["accepted_late"],
            )
        )
    for r in await conn.fetch(COVERAGE_GAPS, sites, start, end):
        answer.coverage_gaps.append(
            insight_pb2.CoverageGapRow(
                site_id=r["site_id"],
                start=ts(r["starts_at"]),
                end=ts(r["ends_at"]),
                role=r["role"],
                missing=r["missing"],
            )
        )

    for r in await conn.fetch(query(VIOLATIONS, "occurred_at"), *args):
        answer.violations.append(
            insight_pb2.ViolationCountRow(
                bucket_start=ts(r["bucket"]),
                site_id=r["site_id"],
                person_id=r["person_id"],
                kind=r["kind"],
                violations=r["violations"],
            )
        )


def only_person(answer: insight_pb2.Statistics, person_id: str) -> None:
    """Keep of ``answer``'s per-person rows only ``person_id``'s (an officer's view: their site's
    figures, but of people only themselves)."""
    officers = [r for r in answer.answer_times_by_officer if r.officer_id == person_id]
    violations = [r for r in answer.violations if r.person_id == person_id]
    check_ins = [r for r in answer.check_ins if r.person_id == person_id]
    answer.ClearField("answer_times_by_officer")
    answer.ClearField("violations")
    answer.ClearField("check_ins")
    answer.answer_times_by_officer.extend(officers)
    answer.violations.extend(violations)
    answer.check_ins.extend(check_ins)


class StatisticsRpcs(InsightBase):
    async def GetStatistics(
        self, request: insight_pb2.GetStatisticsRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.Statistics:
        """The figures of the site, or of a region's sites, over the period (module docstring)."""
        # The boundary checked the period: both ends, in order, at most 366 days (insight.proto).
        start, end = from_ts(request.period.start), from_ts(request.period.end)
        site = await self.site_of_caller(request.site_id)
        try:
            sites = sorted(await self._sites.sites_under([site.id]))
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(
                f"roster cannot list the sites of {site.id}; try again / 暂时无法获取下属站点，请重试"
            ) from exc
        granularity = request.granularity or insight_pb2.GRANULARITY_DAY
        zone = site.time_zone or DEFAULT_ZONE
        now = self.now()
        answer = insight_pb2.Statistics(
            site_id=site.id,
            period=request.period,
            granularity=granularity,
            site_ids=sites,
            time_zone=zone,
            as_of=ts(now),
        )
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            await figures(conn, answer, sites=sites, start=start, end=end, unit=UNITS[granularity], zone=zone, now=now)
        principal = current_principal()
        if not principal.has_role(*READ_OTHERS):
            only_person(answer, principal.person_id)
        return answer
