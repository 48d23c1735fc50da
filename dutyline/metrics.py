"""Prometheus metrics of every dutyline process, and the HTTP endpoint that serves them.

The series live in prometheus_client's default registry; the kit and the services count into the
ones declared here (names: /work notes' contract, docs/operations.md). Gauges that only the database
knows (outbox backlog, escalations open, deadlines pending) are refreshed when scraped, by the queries
registered with ``at_scrape``, at most once every ``SCRAPE_CACHE_SECONDS`` whatever the number of
scrapers. A worker's Temporal SDK metrics come from the SDK's own Prometheus endpoint on loopback
(``temporal_runtime``) and are appended to the same answer, so one scrape per process sees everything.

The endpoint runs on the process's own event loop (aiohttp): ``/healthz`` answering at all proves the
loop is responsive, ``/readyz`` runs the process's readiness check (a worker: Temporal reachable and
its workers polling, PostgreSQL reachable; a service: its gRPC health answer is SERVING).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import aiohttp
import asyncpg
import structlog
from aiohttp import web
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

log = structlog.get_logger(__name__)

SCRAPE_CACHE_SECONDS = 5.0
# Scrape-time queries and readiness checks give up after this long (a scrape must not hang).
CHECK_TIMEOUT_SECONDS = 3.0
# RPC latency buckets around DESIGN §8's budgets (5 ms GetOnDuty p99, 300 ms emergency p99).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

GRPC_HANDLED = Counter("dutyline_grpc_server_handled", "RPCs completed by the server", ["service", "method", "code"])
GRPC_SECONDS = Histogram(
    "dutyline_grpc_server_handling_seconds",
    "Time the server took to answer an RPC",
    ["service", "method"],
    buckets=LATENCY_BUCKETS,
)
OUTBOX_PUBLISHED = Counter("dutyline_outbox_published", "Outbox events JetStream acknowledged", ["schema"])
DEAD_LETTERS = Counter(
    "dutyline_dead_letters",
    "Messages set aside as dead letters, by who set them aside (outbox:<schema> or a consumer's name)",
    ["consumer"],
)
CONSUMER_EVENTS = Counter("dutyline_consumer_events", "Events a consumer applied", ["consumer"])
NOTIFICATIONS = Counter("dutyline_notifications", "Delivery attempts of notifications to people", ["channel", "status"])


class DatabaseSeries:
    """A series only the database knows, set by a scrape-time query (``at_scrape``) and served only by
    the processes that query it (so that a sum over processes counts each once per replica)."""

    def __init__(self, name: str, documentation: str, *, counter: bool = False, labels: tuple[str, ...] = ()) -> None:
        self.name = name
        self.documentation = documentation
        self.counter = counter
        self.labels = labels
        self.values: dict[tuple[str, ...], float] = {}
        _DATABASE.series.append(self)

    def set(self, value: float, *labels: str) -> None:
        self.values[labels] = value

    @property
    def exposed(self) -> str:
        """The name scrapes show (a counter's with ``_total``)."""
        return f"{self.name}_total" if self.counter else self.name

    def family(self) -> Metric:
        cls = CounterMetricFamily if self.counter else GaugeMetricFamily
        family = cls(self.name, self.documentation, labels=list(self.labels))
        for labels, value in self.values.items():
            family.add_metric(list(labels), value)
        return family


class _Database(Collector):
    def __init__(self) -> None:
        self.series: list[DatabaseSeries] = []

    def collect(self) -> Iterator[Metric]:
        for series in self.series:
            if series.values:
                yield series.family()


_DATABASE = _Database()
REGISTRY.register(_DATABASE)

OUTBOX_PENDING = DatabaseSeries(
    "dutyline_outbox_pending", "Events in the outbox not yet on JetStream", labels=("schema",)
)
OUTBOX_LAG = DatabaseSeries(
    "dutyline_outbox_lag_seconds", "Age of the oldest event in the outbox (0 when empty)", labels=("schema",)
)
ESCALATIONS_OPEN = DatabaseSeries("dutyline_escalations_open", "Escalations still running (nobody acknowledged yet)")
ESCALATIONS_EXHAUSTED = DatabaseSeries(
    "dutyline_escalations_exhausted", "Escalations that ran through their chain unacknowledged", counter=True
)
DEADLINES_PENDING = DatabaseSeries("dutyline_deadlines_pending", "Open incidents with a report deadline ahead")
DEADLINES_MISSED = DatabaseSeries(
    "dutyline_deadlines_missed", "Report deadlines that passed without the report (迟报 and 漏报)", counter=True
)


class _Pools(Collector):
    """``dutyline_db_pool_connections{service,state}`` of every pool the process opened (service_pool)."""

    def __init__(self) -> None:
        self.pools: list[tuple[str, asyncpg.Pool]] = []

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "dutyline_db_pool_connections", "PostgreSQL pool connections by state", labels=["service", "state"]
        )
        self.pools = [(s, p) for s, p in self.pools if not p.is_closing()]
        # A worker hosting several services has a pool of each; a service may open more than one.
        totals: dict[tuple[str, str], int] = {}
        for service, pool in self.pools:
            idle = pool.get_idle_size()
            for state, count in (("in_use", pool.get_size() - idle), ("idle", idle), ("max", pool.get_max_size())):
                totals[(service, state)] = totals.get((service, state), 0) + count
        for (service, state), total in totals.items():
            family.add_metric([service, state], total)
        yield family


_POOLS = _Pools()
REGISTRY.register(_POOLS)


def track_pool(service: str, pool: asyncpg.Pool) -> None:
    """Count ``pool``'s connections, and check it in the process's readiness."""
    _POOLS.pools.append((service, pool))


async def pools_reachable() -> str | None:
    """None when every open pool answers a query; else why not."""
    for service, pool in _POOLS.pools:
        if pool.is_closing():
            continue
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await pool.fetchval("SELECT 1")
        except Exception as exc:
            return f"PostgreSQL of {service}: {exc!r}"
    return None


Refresh = Callable[[], Awaitable[None]]
Ready = Callable[[], Awaitable[str | None]]


@dataclass
class _Scrape:
    refreshes: list[Refresh] = field(default_factory=list)
    refreshed_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def refresh(self) -> None:
        async with self.lock:
            if time.monotonic() - self.refreshed_at < SCRAPE_CACHE_SECONDS:
                return
            for refresh in self.refreshes:
                try:
                    async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                        await refresh()
                except Exception as exc:  # the other series are still worth serving
                    log.warning("metrics refresh failed", error=repr(exc))
            self.refreshed_at = time.monotonic()


_SCRAPE = _Scrape()


def at_scrape(refresh: Refresh) -> None:
    """Run ``refresh`` (which sets gauges, typically from one cheap query) before a scrape is answered."""
    _SCRAPE.refreshes.append(refresh)


def loopback_port() -> int:
    """A free port on loopback, for the Temporal SDK's own endpoint."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def temporal_runtime() -> tuple[Runtime, str]:
    """A Temporal runtime exporting the SDK's metrics (``temporal_*``, durations in seconds) on a
    loopback port, and that endpoint's URL, to append to the process's own answer."""
    address = f"127.0.0.1:{loopback_port()}"
    runtime = Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=address, counters_total_suffix=True, durations_as_seconds=True)
        )
    )
    return runtime, f"http://{address}/metrics"


class MetricsServer:
    """``/metrics`` (and ``/healthz``, ``/readyz``) of one process on ``host:port``."""

    def __init__(self, host: str, port: int, *, ready: Ready | None = None, append: str = "") -> None:
        self._host = host
        self._port = port
        self._ready = ready
        # Another Prometheus endpoint whose text is served after ours (the Temporal SDK's).
        self._append = append
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        if self._ready is not None:
            app.router.add_get("/readyz", self._readyz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        if self._append:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT_SECONDS))
        log.info("metrics serving", address=f"{self._host}:{self._port}")

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metrics(self, request: web.Request) -> web.Response:
        await _SCRAPE.refresh()
        body = generate_latest(REGISTRY)
        if self._http is not None:
            try:
                async with self._http.get(self._append) as reply:
                    body += await reply.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("Temporal SDK metrics unavailable", error=repr(exc))
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        assert self._ready is not None
        try:
            async with asyncio.timeout(2 * CHECK_TIMEOUT_SECONDS):
                reason = await self._ready()
        except Exception as exc:
            reason = repr(exc)
        if reason is None:
            return web.Response(text="ready\n")
        return web.Response(status=503, text=f"not ready: {reason}\n")


async def start_server(port: int, host: str, *, ready: Ready | None = None, append: str = "") -> MetricsServer | None:
    """The process's metrics server, started; None when ``port`` is 0 (metrics off)."""
    if not port:
        return None
    server = MetricsServer(host, port, ready=ready, append=append)
    await server.start()
    return server
