"""dutyline's own figures over its public gRPC API: call registration throughput and latency,
the emergency path up to `incident.registered` on JetStream (and, for its throughput, on to the duty
leader told: `incident.escalated`), and event delivery latency."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import nats
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from bench.events import EventWatcher, aggregate_id, incident_call_ids
from bench.load import LoadResult, closed_loop, open_loop, percentile
from dutyline.common.v1 import common_pb2
from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.auth import issue_token
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.temporal_worker import task_queue_of

SITE = "hz-01"
OFFICER = "p-hz-officer-1"
STREAM = "DUTYLINE"
CALL_REGISTERED = f"dutyline.{SITE}.call.registered"
INCIDENT_REGISTERED = f"dutyline.{SITE}.incident.registered"
# Recorded once the incident workflow's first (local) activity has told the duty leader.
INCIDENT_ESCALATED = f"dutyline.{SITE}.incident.escalated"
RPC_TIMEOUT = 10.0
EVENT_TIMEOUT = 10.0


def admin_token(secret: str = DEV_TOKEN_SECRET) -> str:
    return issue_token(secret, person_id="p-admin", name="bench", roles=["admin"], sites=["*"])


_places = itertools.count()


def register_request(category: int) -> intake_pb2.RegisterCallRequest:
    """A call about an event of its own: each is placed 2 km from every other, so that every
    emergency opens its own incident (intake links calls about one event to one incident)."""
    now = datetime.now(UTC)
    n = next(_places)
    return intake_pb2.RegisterCallRequest(
        idempotency_key=f"bench-{uuid.uuid4()}",
        site_id=SITE,
        channel=intake_pb2.CHANNEL_PHONE,
        category=category,  # type: ignore[arg-type]
        ring_started_at=ts(now - timedelta(seconds=12)),
        answered_at=ts(now - timedelta(seconds=3)),
        caller=intake_pb2.Caller(name="李明", phone="13912345678"),
        place=common_pb2.Place(
            text=f"测试点 {n} bench place {n}", latitude=20.0 + (n % 500) * 0.02, longitude=100.0 + (n // 500) * 0.02
        ),
        summary="居民楼燃气泄漏 Gas leak (benchmark drill)",
        officer_id=OFFICER,
        drill=True,
    )


@dataclass
class Delivery:
    """Reply-to-event latencies of a set of calls."""

    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    before_reply: int = 0

    def summary(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            "delivered": len(self.latencies),
            "missing": self.missing,
            "arrived_before_reply": self.before_reply,
        }
        if self.latencies:
            for q in (50, 95, 99):
                out[f"p{q}_ms"] = round(percentile(self.latencies, q) * 1000.0, 2)
            out["max_ms"] = round(max(self.latencies) * 1000.0, 2)
        return out


@dataclass
class EmergencyTimings:
    """Where the end-to-end time of emergency calls went: seconds from each send to its reply
    (incident opened and workflow started), to its `incident.registered` on JetStream and, when
    waited for, to its `incident.escalated` (the duty leader told by the workflow)."""

    reply: list[float] = field(default_factory=list)
    event: list[float] = field(default_factory=list)
    told: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, values in (("reply", self.reply), ("event", self.event), ("told", self.told)):
            if name == "told" and not values:  # not waited for
                continue
            for q in (50, 99):
                out[f"{name}_p{q}_ms"] = round(percentile(values, q) * 1000.0, 1)
        return out


class DutylinePaths:
    """One client of the running platform: an authenticated intake channel and a NATS connection."""

    def __init__(self, intake: intake_pb2_grpc.IntakeServiceStub, js: nats.js.JetStreamContext) -> None:
        self._intake = intake
        self._js = js

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, intake_address: str, nats_url: str, token: str, *, nats_creds: str | Path | None = None
    ) -> AsyncIterator[DutylinePaths]:
        nc = await connect_url(nats_url, nats_creds, name="dutyline-bench-watcher")
        try:
            js = nc.jetstream(timeout=5.0)
            await _wait_for_stream(js)
            async with channel(intake_address, token) as ch:
                yield cls(intake_pb2_grpc.IntakeServiceStub(ch), js)
        finally:
            await nc.close()

    async def register(self, category: int) -> intake_pb2.RegisterCallResponse:
        reply: intake_pb2.RegisterCallResponse = await self._intake.RegisterCall(
            register_request(category), timeout=RPC_TIMEOUT
        )
        if category == intake_pb2.CALL_CATEGORY_EMERGENCY and not reply.incident_id:
            raise RuntimeError(f"call {reply.call.id} not escalated (status {reply.call.status})")
        return reply

    async def consultation(self) -> None:
        await self.register(intake_pb2.CALL_CATEGORY_CONSULTATION)

    async def warm_up(self) -> None:
        await closed_loop(self.consultation, concurrency=16, duration=2.0, max_ops=400)
        for _ in range(5):
            await self.register(intake_pb2.CALL_CATEGORY_EMERGENCY)

    async def registration_throughput(self, *, concurrency: int = 64, duration: float = 10.0) -> LoadResult:
        return await closed_loop(self.consultation, concurrency=concurrency, duration=duration)

    async def registration_latency(self, *, rate: float = 200.0, duration: float = 10.0) -> tuple[LoadResult, Delivery]:
        """Open-loop RegisterCall latency, and for the same calls the time from the reply to their
        `call.registered` event on JetStream."""
        loop = asyncio.get_running_loop()
        replies: dict[str, float] = {}
        async with EventWatcher(self._js, CALL_REGISTERED, aggregate_id) as watcher:

            async def call() -> None:
                reply = await self.register(intake_pb2.CALL_CATEGORY_CONSULTATION)
                replies[reply.call.id] = loop.time()

            result = await open_loop(call, rate=rate, duration=duration, timeout=RPC_TIMEOUT)
            await watcher.settle(replies, timeout=EVENT_TIMEOUT)
            delivery = Delivery()
            for call_id, replied in replies.items():
                arrived = watcher.arrivals.get(call_id)
                if arrived is None:
                    delivery.missing += 1
                    continue
                if arrived < replied:
                    delivery.before_reply += 1
                delivery.latencies.append(max(0.0, arrived - replied))
        return result, delivery

    def _incidents(self) -> EventWatcher:
        return EventWatcher(self._js, INCIDENT_REGISTERED, incident_call_ids)

    async def _emergency(
        self, watcher: EventWatcher, timings: EmergencyTimings, *, told: EventWatcher | None = None
    ) -> None:
        """An emergency call, complete when its reply and its `incident.registered` are both in (and,
        with ``told``, its incident's `incident.escalated`)."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        reply = await self.register(intake_pb2.CALL_CATEGORY_EMERGENCY)
        replied = loop.time()
        arrived = await watcher.arrival(reply.call.id, EVENT_TIMEOUT)
        if told is not None:
            timings.told.append(await told.arrival(reply.incident_id, EVENT_TIMEOUT) - began)
        timings.reply.append(replied - began)
        timings.event.append(arrived - began)

    async def emergency_throughput(
        self, *, concurrency: int = 32, duration: float = 10.0
    ) -> tuple[LoadResult, EmergencyTimings]:
        """Callers back to back, each until its incident is registered and its leader told: a caller
        that went on at the registration would leave the workflows' work queued behind the load, done
        after the measurement (as the skeleton's starters would theirs)."""
        timings = EmergencyTimings()
        async with self._incidents() as watcher, EventWatcher(self._js, INCIDENT_ESCALATED, aggregate_id) as told:
            result = await closed_loop(
                lambda: self._emergency(watcher, timings, told=told), concurrency=concurrency, duration=duration
            )
        return result, timings

    async def emergency_latency(
        self, *, rate: float = 20.0, duration: float = 10.0
    ) -> tuple[LoadResult, EmergencyTimings]:
        timings = EmergencyTimings()
        async with self._incidents() as watcher:
            result = await open_loop(
                lambda: self._emergency(watcher, timings),
                rate=rate,
                duration=duration,
                timeout=RPC_TIMEOUT + 5.0,
            )
        return result, timings


async def _wait_for_stream(js: nats.js.JetStreamContext, timeout: float = 30.0) -> None:
    """The relays create the DUTYLINE stream when they start."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await js.stream_info(STREAM)
            return
        except nats.js.errors.NotFoundError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _outboxes(conn: asyncpg.Connection) -> dict[str, str]:
    """Every service's outbox, found in PostgreSQL's catalogue (so notify's counts as intake's does): the
    quoted table by schema."""
    rows = await conn.fetch("SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox'")
    return {str(r["table_schema"]): '"' + str(r["table_schema"]).replace('"', '""') + '".outbox' for r in rows}


async def staged_events(conn: asyncpg.Connection) -> dict[str, list[str]]:
    """The ids of the events still staged in each schema's outbox, oldest first, by schema (those with
    none left out)."""
    staged: dict[str, list[str]] = {}
    for schema, table in (await _outboxes(conn)).items():
        if ids := [str(e["id"]) for e in await conn.fetch(f"SELECT id FROM {table} ORDER BY seq")]:
            staged[schema] = ids
    return staged


async def drain_outboxes(dsn: str, *, timeout: float = 30.0) -> dict[str, int]:
    """Wait until the relays have published every staged event; returns how many each schema's outbox
    still holds when ``timeout`` ran out. The outboxes are found once, and only counted while the relays
    work through them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    conn = await asyncpg.connect(dsn)
    try:
        tables = await _outboxes(conn)
        while True:
            counts = {
                schema: int(await conn.fetchval(f"SELECT count(*) FROM {table}")) for schema, table in tables.items()
            }
            left = {schema: n for schema, n in counts.items() if n}
            if not left or loop.time() > deadline:
                return left
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def drain_consumers(
    nats_url: str, creds: str | Path | None = None, *, stream: str = STREAM, timeout: float = 60.0
) -> dict[str, int]:
    """Wait until every durable consumer of the stream (insight's projections, notify's feed and
    notices, console's board ...) has handled what was published: the next phase then measures its
    own work, not a backlog the last one left. Returns each consumer still behind (pending plus
    unacknowledged) when ``timeout`` ran out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    nc = await connect_url(nats_url, creds, name="dutyline-bench-drain")
    try:
        js = nc.jetstream()
        while True:
            behind = {
                str(c.name): int(c.num_pending or 0) + int(c.num_ack_pending or 0)
                for c in await js.consumers_info(stream)
                if c.config.durable_name
            }
            behind = {name: left for name, left in behind.items() if left}
            if not behind or loop.time() > deadline:
                return behind
            await asyncio.sleep(0.2)
    finally:
        await nc.close()


async def drain_workflow_tasks(
    temporal_address: str, services: Sequence[str], *, timeout: float = 60.0
) -> dict[str, int]:
    """Wait until no workflow task waits on the services' task queues. A phase that opens incidents faster
    than this machine runs their workflows leaves their first tasks queued in Temporal (each one's duty
    leader still to be told by its workflow); the next phase would otherwise run, and be charged for,
    that backlog. Temporal's count is approximate (refreshed every few seconds). Returns each queue still
    holding tasks when ``timeout`` ran out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    client = await Client.connect(temporal_address)
    requests = {
        task_queue_of(service): DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue_of(service)),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            report_stats=True,
        )
        for service in services
    }
    while True:
        behind: dict[str, int] = {}
        for queue, request in requests.items():
            reply = await client.workflow_service.describe_task_queue(request)
            if reply.stats.approximate_backlog_count:
                behind[queue] = reply.stats.approximate_backlog_count
        if not behind or loop.time() > deadline:
            return behind
        await asyncio.sleep(0.5)


async def on_duty_latency(
    roster_address: str, token: str, *, rate: float = 200.0, duration: float = 10.0
) -> LoadResult:
    """Open-loop GetOnDuty for a demo site "now": what every call registration asks. As long as the
    RegisterCall latency phase (2,000 calls at 200/s): over 1,000 calls the p99 is the tenth worst and
    moved by a millisecond from run to run."""
    async with channel(roster_address, token) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        request = roster_pb2.GetOnDutyRequest(site_id="hz-01")
        for _ in range(50):  # warm: connection, pool, plans
            await roster.GetOnDuty(request, timeout=RPC_TIMEOUT)

        async def ask() -> None:
            await roster.GetOnDuty(request, timeout=RPC_TIMEOUT)

        return await open_loop(ask, rate=rate, duration=duration, timeout=RPC_TIMEOUT)
