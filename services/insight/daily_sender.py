"""Sending the daily reports (值班日报) to the superior duty offices (上级值班室) through notify.

A round (every replica runs one now and then) asks roster for the organisation, reads what was sent
(daily_report_sends) and sends what services/insight/daily_due.py says is due. Each report is first
claimed in a row with its headline figures frozen, then sent with the idempotency key
``daily-report:{site}:{date}`` to ``superior_of_site`` (notify resolves it at send time: who is on duty
at the parent now, else its supervisors), then marked sent. A crash, a failed send or two replicas at
once send the same request under the same key, which notify answers once; a send that reached nobody
(the superior office had no one) takes a new key next time, since that key reached no one."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta

import asyncpg
import grpc
import structlog

from dutyline.directory import RosterDirectory
from dutyline.insight.v1 import insight_pb2
from dutyline.notifier import NotifyClient, notify_key
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.insight.daily_due import CATCH_UP_DAYS, DueReport, ReportingSite, SendRecord, due_reports
from services.insight.rpc_daily import daily_report
from services.insight.rpc_statistics import DEFAULT_ZONE

log = structlog.get_logger(__name__)

TEMPLATE = "daily_report"
ROSTER_TIMEOUT_SECONDS = 10.0
# A report that reached nobody (no one on duty at the superior office, no supervisor) is tried again
# after this: each try is a new key at notify.
NOBODY_RETRY_SECONDS = 3600.0

# Every row not yet sent, the recent ones, and each site's first (where its catching up may start).
_RECORDS = """
SELECT site_id, report_date, status = 'sent' AS sent, retry_at FROM daily_report_sends
WHERE status <> 'sent' OR report_date >= $1
   OR (site_id, report_date) IN (SELECT site_id, min(report_date) FROM daily_report_sends GROUP BY 1)"""

_CLAIM = """
INSERT INTO daily_report_sends (site_id, report_date, superior_id, data, claimed_at)
VALUES ($1, $2, $3, $4::jsonb, $5)
ON CONFLICT (site_id, report_date) DO NOTHING"""

_CLAIMED = "SELECT data, status, key_round FROM daily_report_sends WHERE site_id = $1 AND report_date = $2"

# $4: the retry's time when notify found nobody (a new key then), else null; $5 the key's round.
_FAILED = """
UPDATE daily_report_sends SET attempts = attempts + 1, last_error = $3, retry_at = $4,
       key_round = key_round + CASE WHEN $4::timestamptz IS NOT NULL AND key_round = $5 THEN 1 ELSE 0 END
WHERE site_id = $1 AND report_date = $2 AND status <> 'sent'"""

_SENT = """
UPDATE daily_report_sends SET status = 'sent', sent_at = $3, notification_ids = $4, attempts = attempts + 1,
       last_error = ''
WHERE site_id = $1 AND report_date = $2"""


def headline(report: insight_pb2.DailyReport, *, name: str) -> dict[str, str]:
    """The figures the notice carries (the template's data): the report in full is a command away."""
    f = report.figures
    return {
        "site_id": report.site_id,
        "site_name": name or report.site_id,
        "local_date": report.local_date,
        "calls": str(f.calls),
        "missed": str(f.missed),
        "incidents": str(f.incidents),
        "reports_late": str(f.reports_late),
        "violations": str(sum(c.count for c in f.violations_by_kind)),
        "sites": str(len(report.sites)),
    }


class DailyReportSender:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        roster: roster_pb2_grpc.RosterServiceStub,
        sites: RosterDirectory,
        notify: NotifyClient,
        send_at: time,
        clock: Callable[[], datetime],
    ) -> None:
        self._pool = pool
        self._roster = roster
        self._sites = sites
        self._notify = notify
        self._send_at = send_at
        self._clock = clock

    async def sweep(self) -> list[DueReport]:
        """One round: the reports sent in it. A report that could not be sent is logged and stays due."""
        now = self._clock()
        listed = await self._roster.ListSites(roster_pb2.ListSitesRequest(), timeout=ROSTER_TIMEOUT_SECONDS)
        organisation = [ReportingSite(s.id, s.parent_id, s.time_zone or DEFAULT_ZONE, s.name) for s in listed.sites]
        # Two days more than the catching up: a zone ahead of UTC is a day ahead at most.
        horizon = now.date() - timedelta(days=CATCH_UP_DAYS + 2)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(_RECORDS, horizon)
        records = [SendRecord(r["site_id"], r["report_date"], r["sent"], r["retry_at"]) for r in rows]
        sent: list[DueReport] = []
        for due in due_reports(organisation, send_at=self._send_at, now=now, records=records):
            try:
                if await self._send(due, now):
                    sent.append(due)
            except (grpc.aio.AioRpcError, asyncpg.PostgresError, OSError) as exc:
                # Before the claim (roster or the database away): nothing stored, due again next round.
                log.warning(
                    "daily report not sent; will retry", site_id=due.site_id, day=str(due.report_date), error=repr(exc)
                )
        return sent

    async def _claim(self, due: DueReport, now: datetime) -> asyncpg.Record:
        """The report's row: claimed now with its figures as they stand, or as an earlier round claimed it."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(_CLAIMED, due.site_id, due.report_date)
            if row is not None:
                return row
        sites = sorted(await self._sites.sites_under([due.site_id]))
        async with self._pool.acquire() as conn:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                report = await daily_report(
                    conn,
                    site_id=due.site_id,
                    sites=sites,
                    day=due.report_date.isoformat(),
                    zone=due.time_zone,
                    now=now,
                )
            data = json.dumps(headline(report, name=due.name), ensure_ascii=False)
            await conn.execute(_CLAIM, due.site_id, due.report_date, due.superior_id, data, now)
            row = await conn.fetchrow(_CLAIMED, due.site_id, due.report_date)
        assert row is not None
        return row

    async def _send(self, due: DueReport, now: datetime) -> bool:
        row = await self._claim(due, now)
        if row["status"] == "sent":
            return False  # another replica's
        day = due.report_date.isoformat()
        key_round: int = row["key_round"]
        parts = ("daily-report", due.site_id, day, *([f"r{key_round}"] if key_round else []))
        try:
            notices = await self._notify.send_to(
                notify_pb2.Recipient(superior_of_site=due.site_id),
                site_id=due.site_id,
                template=TEMPLATE,
                data=json.loads(row["data"]),
                key=notify_key(*parts),
                ref_kind=TEMPLATE,
                ref_id=f"{due.site_id}:{day}",
            )
        except grpc.aio.AioRpcError as exc:
            await self._failed(due, f"{exc.code().name}: {exc.details()}", retry_at=None, key_round=key_round)
            return False
        if not notices:
            retry_at = now + timedelta(seconds=NOBODY_RETRY_SECONDS)
            await self._failed(due, "nobody at the superior duty office", retry_at=retry_at, key_round=key_round)
            return False
        async with self._pool.acquire() as conn:
            await conn.execute(_SENT, due.site_id, due.report_date, now, [n.id for n in notices])
        log.info("daily report sent", site_id=due.site_id, superior_id=due.superior_id, day=day, notices=len(notices))
        return True

    async def _failed(self, due: DueReport, error: str, *, retry_at: datetime | None, key_round: int) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(_FAILED, due.site_id, due.report_date, error, retry_at, key_round)
        log.warning(
            "daily report not sent; will retry",
            site_id=due.site_id,
            superior_id=due.superior_id,
            day=due.report_date.isoformat(),
            error=error,
        )
