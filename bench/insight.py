"""`make bench-insight`: insight's two budgets (DESIGN.md §8), on a real PostgreSQL and JetStream.

1. Projection: a month of ``--calls`` calls and ``--incidents`` incidents at ``--sites`` sites, each
   with its real sequence of events (bench.insight_events), is on the stream BEFORE the clock starts;
   then every projection of insight runs as the service runs them (one process, one pool, a
   ``ProjectionRunner`` each) until none has an event pending. Events/s = events on the stream over
   that time, with the CPU per event of the projecting process and of PostgreSQL.
2. The monthly report: with that month projected, the region's statistics by day (GetStatistics),
   its scorecards for the month (GetScorecards) and ExportReport of both as XLSX and PDF (the
   statistics per month and by day), each timed in wall and CPU seconds.
   The RPC methods of insight's servicer are called in this process as the caller's principal; roster
   is not started: the sites come from the generated organization (what roster would answer, and
   what insight caches from it).

Defaults are the issue's sizes (500,000 calls, 5,000 incidents, 50 sites: about 2.5 million events);
reduced sizes (``--calls 20000``) for development. Results: bench/results/insight.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
import nats
import nats.js.errors
from nats.aio.client import Client
from rich.console import Console

from bench import budgets
from bench.cpu import CpuMonitor
from bench.insight_events import ANSWER_LIMIT_SECONDS, REGION, ZONE, Month, Sizes
from bench.report import RESULTS_DIR, Report
from dutyline.common.v1 import common_pb2
from dutyline.db.migrations import migrate
from dutyline.db.pool import create_pool
from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.envelope import subject_for
from dutyline.grpckit.auth import Principal, set_principal
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument
from dutyline.insight.v1 import insight_pb2
from dutyline.outbox import ensure_stream, stream_config
from dutyline.projection import BATCH, ProjectionRunner
from dutyline.stack.nats import EmbeddedNats
from dutyline.stack.postgres import EmbeddedPostgres
from dutyline.stack.process import free_port
from services.insight.base import Stream
from services.insight.projections import PROJECTIONS
from services.insight.server import InsightServicer

STREAM = "DUTYLINE"
SCHEMA = "insight"
IN_FLIGHT = 512
POLL_SECONDS = 0.25
PROJECT_TIMEOUT = 3_600.0


class Organization(RosterDirectory):
    """What roster answers insight about the generated region and its sites (no roster runs here)."""

    def __init__(self, site_ids: Iterable[str]) -> None:  # no channel: nothing is asked of roster
        self._infos = {REGION: SiteInfo(REGION, (), int(ANSWER_LIMIT_SECONDS), True, time_zone=ZONE)}
        for site_id in site_ids:
            self._infos[site_id] = SiteInfo(site_id, (REGION,), int(ANSWER_LIMIT_SECONDS), True, time_zone=ZONE)

    async def site(self, site_id: str) -> SiteInfo:
        if site_id not in self._infos:
            raise InvalidArgument([FieldViolation("site_id", f"unknown site {site_id!r}")])
        return self._infos[site_id]

    async def sites_under(self, site_ids: Iterable[str]) -> list[str]:
        wanted = set(site_ids)
        return [s for s, info in self._infos.items() if s in wanted or wanted & set(info.ancestor_ids)]


@dataclass(frozen=True)
class Published:
    events: int
    seconds: float
    by_type: dict[str, int]


@dataclass(frozen=True)
class Projected:
    events: int  # on the stream
    applied: int  # summed over the projections (an incident event feeds two)
    dead_letters: int
    seconds: float


@contextlib.asynccontextmanager
async def servers(console: Console) -> AsyncIterator[tuple[EmbeddedPostgres, EmbeddedNats]]:
    # Outside the source tree, readable by the embedded_postgres user when run as root.
    state = Path(tempfile.mkdtemp(prefix="dutyline-bench-insight-"))
    os.chmod(state, 0o755)
    pg = EmbeddedPostgres(state / "pg", free_port(), state / "pg.log")
    js = EmbeddedNats(state / "js", free_port(), state / "nats.log")
    console.print(f"starting PostgreSQL and NATS in {state} …")
    try:
        await pg.start_async()
        await js.start_async()
        yield pg, js
    finally:
        await js.stop_async()
        await pg.stop_async()
        shutil.rmtree(state, ignore_errors=True)


async def publish(nc: Client, month: Month) -> Published:
    """Every event of the month on the stream, ``IN_FLIGHT`` acknowledgements outstanding."""
    js = nc.jetstream(timeout=30.0, publish_async_max_pending=IN_FLIGHT)
    await ensure_stream(js, stream_config(STREAM))
    began = time.perf_counter()
    count = 0
    for site, kind, data in month.events():
        await js.publish_async(subject_for(site, kind), data, wait_stall=30.0)
        count += 1
    await asyncio.wait_for(js.publish_async_completed(), 60.0)
    stored = (await js.stream_info(STREAM)).state.messages
    if stored != count:
        raise RuntimeError(f"{count} events published, {stored} on the stream")
    return Published(count, time.perf_counter() - began, dict(month.counted))


async def project(pool: asyncpg.Pool, nc: Client, nats_url: str, events: int, *, batch: int = BATCH) -> Projected:
    """Every projection of insight until none has an event pending (module docstring)."""
    js = nc.jetstream(timeout=10.0)
    runners = [
        ProjectionRunner(pool=pool, projection=p, nats_url=nats_url, stream=STREAM, batch=batch) for p in PROJECTIONS
    ]
    began = time.perf_counter()
    tasks = [asyncio.create_task(r.run()) for r in runners]
    try:
        async with asyncio.timeout(PROJECT_TIMEOUT):
            while True:
                await asyncio.sleep(POLL_SECONDS)
                if any(t.done() for t in tasks):
                    raise RuntimeError("a projection stopped")
                pending = 0
                for runner in runners:
                    try:  # JetStream's counts alone (not pending_of: it also finds the oldest event)
                        info = await js.consumer_info(STREAM, runner.projection.name)
                        pending += (info.num_pending or 0) + (info.num_ack_pending or 0)
                    except nats.js.errors.NotFoundError:  # its consumer is not made yet
                        pending += 1
                if not pending:
                    break
        seconds = time.perf_counter() - began
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return Projected(
        events=events,
        applied=sum(r.processed for r in runners),
        dead_letters=sum(r.dead_lettered for r in runners),
        seconds=seconds,
    )


@dataclass(frozen=True)
class Timed:
    name: str
    seconds: float
    detail: str
    # CPU seconds of this process (every thread: rendering runs in one), beside wall time on a shared machine.
    cpu_seconds: float = 0.0


async def monthly_report(servicer: InsightServicer, sizes: Sizes) -> list[Timed]:
    """The region's month: statistics by day, scorecards, and both exported as XLSX and PDF."""
    start, end = sizes.bounds()
    statistics = insight_pb2.GetStatisticsRequest(
        site_id=REGION,
        period=common_pb2.TimeRange(start=ts(start), end=ts(end)),
        granularity=insight_pb2.GRANULARITY_DAY,
    )
    # The director of the region: every site below it, everyone's card.
    set_principal(Principal(person_id="p-bench-director", roles=("supervisor",), sites=(REGION,)))
    timed: list[Timed] = []
    context = None  # the RPCs here do not use their context (an export passes it on to the reads)

    # Warm, as a running service is: matplotlib's and reportlab's fonts loaded by a first small export.
    first_day = insight_pb2.GetStatisticsRequest(
        site_id=sizes.site_ids[0], period=common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=1)))
    )
    warm_up = insight_pb2.ExportReportRequest(
        format=insight_pb2.DOCUMENT_FORMAT_PDF, language="zh", statistics=first_day
    )
    async for _ in servicer.ExportReport(warm_up, context):
        pass
    began, cpu = time.perf_counter(), time.process_time()
    stats = await servicer.GetStatistics(statistics, context)
    calls = sum(r.calls for r in stats.calls_by_category)
    timed.append(
        Timed(
            "GetStatistics",
            time.perf_counter() - began,
            f"{len(stats.site_ids) - 1} sites × {(end - start).days} days; {calls:,} calls, "
            f"{sum(r.incidents for r in stats.incidents):,} incidents, {stats.ByteSize() / 1024:,.0f} KiB",
            time.process_time() - cpu,
        )
    )
    scorecards = insight_pb2.GetScorecardsRequest(site_id=REGION, period=sizes.month)
    began, cpu = time.perf_counter(), time.process_time()
    cards = await servicer.GetScorecards(scorecards, context)
    pages = 1
    while cards.page.next_page_token:  # as a client reads them all
        scorecards.page.page_token = cards.page.next_page_token
        cards = await servicer.GetScorecards(scorecards, context)
        pages += 1
    timed.append(
        Timed("GetScorecards (every page)", time.perf_counter() - began, f"{pages} pages", time.process_time() - cpu)
    )
    # The month's documents: its figures per site, and by day (the XLSX lists every site's every day and
    # hour, the PDF sums them per site).
    monthly = insight_pb2.GetStatisticsRequest()
    monthly.CopyFrom(statistics)
    monthly.granularity = insight_pb2.GRANULARITY_MONTH
    for label, fmt in (("XLSX", insight_pb2.DOCUMENT_FORMAT_XLSX), ("PDF", insight_pb2.DOCUMENT_FORMAT_PDF)):
        for what, request in (
            ("statistics", insight_pb2.ExportReportRequest(format=fmt, language="zh", statistics=monthly)),
            ("statistics by day", insight_pb2.ExportReportRequest(format=fmt, language="zh", statistics=statistics)),
            (
                "scorecards",
                insight_pb2.ExportReportRequest(
                    format=fmt,
                    language="zh",
                    scorecards=insight_pb2.GetScorecardsRequest(site_id=REGION, period=sizes.month),
                ),
            ),
        ):
            began, cpu = time.perf_counter(), time.process_time()
            size = 0
            async for chunk in servicer.ExportReport(request, context):
                size += len(chunk.data)
            timed.append(
                Timed(
                    f"ExportReport {what} of the month {label}",
                    time.perf_counter() - began,
                    f"{size / 1024:,.0f} KiB",
                    time.process_time() - cpu,
                )
            )
    return timed


async def run(console: Console, sizes: Sizes, *, batch: int = BATCH) -> Report:
    report = Report()
    began = time.perf_counter()
    month = Month(sizes)
    try:
        async with servers(console) as (pg, js_server):
            conn = await asyncpg.connect(pg.dsn)
            try:
                await migrate(conn, SCHEMA, "services.insight.migrations")
            finally:
                await conn.close()
            pool = await create_pool(pg.dsn, schema=SCHEMA)
            nc = await nats.connect(js_server.url)
            pids = {"postgres": pg.pid, "nats": js_server.pid}
            cpu = CpuMonitor({k: v for k, v in pids.items() if v is not None})
            try:
                console.print(
                    f"[dim]· publishing the month ({sizes.calls:,} calls, {sizes.incidents:,} incidents)[/dim]"
                )
                published = await publish(nc, month)
                console.print(
                    f"  {published.events:,} events on the stream in {published.seconds:.0f} s "
                    f"({published.events / published.seconds:,.0f}/s, generation included)"
                )
                console.print("[dim]· projecting[/dim]")
                async with cpu.phase("projection"):
                    projected = await project(pool, nc, js_server.url, published.events, batch=batch)
                report.figures.append(budgets.insight_projection(projected, published, cpu.phases["projection"]))
                console.print("[dim]· the monthly report[/dim]")
                servicer = InsightServicer(
                    pool=pool, sites=Organization(sizes.site_ids), stream=Stream(js=nc.jetstream(), name=STREAM)
                )
                async with cpu.phase("monthly report"):
                    timed = await monthly_report(servicer, sizes)
                report.figures += budgets.insight_report(timed)
            finally:
                await nc.close()
                await pool.close()
            report.cpu_cores, report.machine_cores = cpu.phases, cpu.machine
    except Exception as exc:
        report.problems.append(f"run aborted: {type(exc).__name__}: {exc}")
    report.total_seconds = time.perf_counter() - began
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="insight's projection throughput and monthly report")
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--incidents", type=int, default=5_000)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--batch", type=int, default=BATCH, help="events a projection fetches at a time")
    args = parser.parse_args()
    console = Console()
    if not console.is_terminal or console.width < 150:
        console = Console(width=150)
    sizes = Sizes(calls=args.calls, incidents=args.incidents, sites=args.sites)
    report = asyncio.run(run(console, sizes, batch=args.batch))
    report.print(console)
    path = report.write_json(RESULTS_DIR / "insight.json")
    console.print(f"total {report.total_seconds:.0f} s; results written to {path}")
    if not report.figures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
