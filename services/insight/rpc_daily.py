"""GetDailyReport (值班日报): a site's day, or a region's rolled up from its sites, read in one snapshot of
the read model: the day's statistics (rpc_statistics.figures, the same SQL as GetStatistics), the duty
log's events, the shifts that started that day with their signatures, and the day's incidents and
violations line by line (services/insight/daily.py sums them)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import grpc

from dutyline.db.pool import Connection
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import Unavailable
from dutyline.insight.v1 import insight_pb2
from services.insight import daily, dutylog
from services.insight.base import InsightBase
from services.insight.rpc_dutylog import shifts_between
from services.insight.rpc_statistics import DEFAULT_ZONE, figures

# $1 the sites, $2 and $3 the day [start, end).
_EVENT_KINDS = """
SELECT site_id, kind, count(*) AS n FROM duty_log_events
WHERE site_id = ANY($1::text[]) AND at >= $2 AND at < $3 AND NOT drill
GROUP BY 1, 2"""

# The roles that signed each log's latest version (none for a log never frozen).
_SIGNED = """
SELECT v.log_id, coalesce(array_agg(s.role) FILTER (WHERE s.role IS NOT NULL), '{}') AS roles
FROM (SELECT log_id, max(version) AS version FROM duty_log_versions WHERE log_id = ANY($1::text[]) GROUP BY 1) v
LEFT JOIN duty_log_signatures s USING (log_id, version)
GROUP BY 1"""

# The day's emergencies (incidents, merged ones once) and charged violations, in the order they happened.
_HIGHLIGHTS = """
SELECT site_id, registered_at AS at, 'incident' AS kind, incident_id AS ref_id, '' AS event_id,
       coalesce(first_responder_id, '') AS person_id, title, coalesce(category, '') AS category,
       coalesce(severity, '') AS severity, '' AS violation_kind, '' AS detail, 0::real AS late_seconds
FROM incidents
WHERE site_id = ANY($1::text[]) AND registered_at >= $2 AND registered_at < $3 AND NOT drill
  AND coalesce(outcome, '') <> 'merged'
UNION ALL
SELECT site_id, occurred_at, 'violation', record_id, event_id, person_id, '', '', '', kind, detail, late_seconds
FROM violations
WHERE site_id = ANY($1::text[]) AND occurred_at >= $2 AND occurred_at < $3 AND NOT drill
ORDER BY 2, 3, 4"""


async def daily_report(
    conn: Connection, *, site_id: str, sites: list[str], day: str, zone: str, now: datetime
) -> insight_pb2.DailyReport:
    """The report of ``site_id`` covering ``sites`` for the local ``day`` (YYYY-MM-DD; the caller holds one
    snapshot)."""
    the_day = date.fromisoformat(day)
    start, end = daily.day_bounds(the_day, zone)
    stats = insight_pb2.Statistics()
    await figures(conn, stats, sites=sites, start=start, end=end, unit="day", zone=zone, now=now)
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    for row in await conn.fetch(_EVENT_KINDS, sites, start, end):
        kinds[row["site_id"]][row["kind"]] = row["n"]
    # A shift's log belongs to the day its shift starts on.
    shifts = [s for s in await shifts_between(conn, sites, start, end) if start <= s.start < end]
    signed = {r["log_id"]: set(r["roles"]) for r in await conn.fetch(_SIGNED, [s.log_id for s in shifts])}
    highlights: dict[str, list[insight_pb2.DutyLogEntry]] = defaultdict(list)
    for row in await conn.fetch(_HIGHLIGHTS, sites, start, end):
        highlights[row["site_id"]].append(
            insight_pb2.DutyLogEntry(
                at=ts(row["at"]),
                kind=row["kind"],
                ref_id=row["ref_id"],
                event_id=row["event_id"],
                person_id=row["person_id"],
                title=row["title"],
                category=row["category"],
                severity=row["severity"],
                violation_kind=row["violation_kind"],
                detail=row["detail"],
                late_seconds=max(0.0, row["late_seconds"]),
            )
        )
    report = insight_pb2.DailyReport(site_id=site_id, local_date=the_day.isoformat(), time_zone=zone, built_at=ts(now))
    for site in sites:
        log_ids = [s.log_id for s in shifts if s.site_id == site]
        report.sites.append(
            insight_pb2.DailySiteSummary(
                site_id=site,
                figures=daily.site_figures(stats, site, kinds.get(site)),
                log_ids=log_ids,
                logs_unsigned=sum(not set(dutylog.SIGNER_ROLES) <= signed.get(i, set()) for i in log_ids),
                highlights=highlights.get(site, []),
            )
        )
    report.figures.CopyFrom(daily.rolled_up(s.figures for s in report.sites))
    return report


class DailyReportRpcs(InsightBase):
    async def GetDailyReport(
        self, request: insight_pb2.GetDailyReportRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.DailyReport:
        site = await self.site_of_caller(request.site_id)
        try:
            sites = sorted(await self._sites.sites_under([site.id]))
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(
                f"roster cannot list the sites of {site.id}; try again / 暂时无法获取下属站点，请重试"
            ) from exc
        zone = site.time_zone or DEFAULT_ZONE
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            return await daily_report(
                conn, site_id=site.id, sites=sites, day=request.local_date, zone=zone, now=self.now()
            )
