"""Sending a labelled surge (bench.surge_corpus) to a running platform over its public gRPC API: the
sites it needs, one RegisterCall per call with many callers at once, and what became of each call.

Used by the surge benchmark (``make bench``) and by the integration tests of one event, one incident."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.load import percentile
from bench.surge_corpus import Site, Surge, SurgeCall, generate_surge
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

RPC_TIMEOUT = 60.0


async def make_sites(roster: roster_pb2_grpc.RosterServiceStub, sites: Sequence[Site], *, parent: str = "east") -> None:
    """Duty sites of their own for a surge (so that no other incident is a candidate), under ``parent``."""
    for site in sites:
        await roster.UpsertSite(
            roster_pb2.UpsertSiteRequest(
                idempotency_key=f"surge-site-{site.id}",
                site=roster_pb2.Site(
                    id=site.id,
                    name=f"突发来电测试 surge {site.id}",
                    kind=roster_pb2.SITE_KIND_SITE,
                    parent_id=parent,
                    time_zone="Asia/Shanghai",
                    jurisdiction="330100",
                ),
            ),
            timeout=RPC_TIMEOUT,
        )


def call_request(call: SurgeCall, *, start: datetime, drill: bool) -> intake_pb2.RegisterCallRequest:
    """The RegisterCall of one call of the surge: it rang ``offset_s`` after ``start``."""
    rang = start + timedelta(seconds=call.offset_s)
    place = common_pb2.Place(text=call.place_text)
    if call.latitude is not None and call.longitude is not None:
        place.latitude, place.longitude = call.latitude, call.longitude
    return intake_pb2.RegisterCallRequest(
        idempotency_key=f"surge-{uuid.uuid4()}",
        site_id=call.site_id,
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(rang),
        answered_at=ts(rang + timedelta(seconds=6)),
        caller=intake_pb2.Caller(name="来电人", phone="13800000000"),
        place=place,
        summary=call.summary,
        drill=drill,
    )


@dataclass
class SurgeRun:
    """What became of a surge sent to the platform: the answer to each call (in the surge's order;
    None where the call failed), how long each took, and the first errors."""

    replies: list[intake_pb2.RegisterCallResponse | None]
    latencies: list[float]
    elapsed: float
    errors: list[str] = field(default_factory=list)
    # When each call was sent and answered (seconds from the start; None where it failed).
    timings: list[tuple[float, float] | None] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return sum(r is not None for r in self.replies) / self.elapsed if self.elapsed else 0.0

    def latency_ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000.0

    def incidents_of(self, surge: Surge) -> dict[int, Counter[str]]:
        """The incidents each event's calls went to (and how many calls each)."""
        found: dict[int, Counter[str]] = defaultdict(Counter)
        for call, reply in zip(surge.calls, self.replies, strict=True):
            found[call.event][reply.incident_id if reply is not None else "<failed>"] += 1
        return found

    def problems(self, surge: Surge) -> list[str]:
        """Everything that is not one incident per event with every call in it (empty: exact)."""
        found = self.incidents_of(surge)
        problems = [f"event {e}: {dict(found[e])}" for e in sorted(found) if len(found[e]) != 1]
        owners: dict[str, list[int]] = defaultdict(list)
        for event, incidents in found.items():
            for incident in incidents:
                owners[incident].append(event)
        problems += [f"incident {i} holds events {events}" for i, events in owners.items() if len(events) > 1]
        return problems + self.errors[:5]


async def send_surge(
    intake: intake_pb2_grpc.IntakeServiceStub,
    surge: Surge,
    *,
    start: datetime,
    concurrency: int = 64,
    drill: bool = True,
) -> SurgeRun:
    """Register every call of the surge in its order, ``concurrency`` callers at once."""
    requests = [call_request(c, start=start, drill=drill) for c in surge.calls]
    replies: list[intake_pb2.RegisterCallResponse | None] = [None] * len(requests)
    timings: list[tuple[float, float] | None] = [None] * len(requests)
    latencies: list[float] = []
    errors: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(len(requests)):
        queue.put_nowait(n)

    async def caller() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            sent = time.perf_counter()
            try:
                replies[n] = await intake.RegisterCall(requests[n], timeout=RPC_TIMEOUT)
                answered = time.perf_counter()
                latencies.append(answered - sent)
                timings[n] = (sent - began, answered - began)
            except Exception as exc:  # counted and reported; the surge goes on
                errors.append(f"call {n}: {type(exc).__name__}: {exc}"[:300])

    began = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return SurgeRun(replies=replies, latencies=latencies, elapsed=elapsed, errors=errors, timings=timings)


SURGE_CALLS = 10_000
SURGE_EVENTS = 20
SURGE_CALLERS = 64
WARM_UP_CALLS = 1000
# The demo's two sites (rostered, so each incident pages a duty leader who is there), with the events
# placed far from every other place the bench uses.
SURGE_SITES = (Site("hz-01", 38.0, 105.0), Site("nb-01", 38.5, 106.0))


@dataclass
class SurgeMeasure:
    """The surge benchmark: the run, and what the platform holds afterwards."""

    run: SurgeRun
    problems: list[str]
    events: int
    calls: int
    stored: int  # calls in intake's schema
    linked: int  # calls the incident service has with their incident (from the stream)
    incidents: int  # distinct incidents the calls went to


async def surge_phase(*, intake_address: str, token: str, dsn: str, seed: int = 2026) -> SurgeMeasure:
    """10,000 emergency calls about 20 events at two sites, in varied wording, 64 callers at once."""
    surge = generate_surge(random.Random(seed), sites=SURGE_SITES, events=SURGE_EVENTS, total_calls=SURGE_CALLS)
    # A platform that has been running: connections open, caches and statements warm (a small surge
    # of its own, 20 km from the measured one).
    warm_sites = [Site(s.id, s.latitude - 0.2, s.longitude) for s in SURGE_SITES]
    warm = generate_surge(random.Random(seed + 1), sites=warm_sites, events=2, total_calls=WARM_UP_CALLS)
    async with channel(intake_address, token) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        await send_surge(stub, warm, start=datetime.now(UTC) - timedelta(minutes=12), concurrency=SURGE_CALLERS)
        run = await send_surge(stub, surge, start=datetime.now(UTC) - timedelta(minutes=12), concurrency=SURGE_CALLERS)
    call_ids = [r.call.id for r in run.replies if r is not None]
    conn = await asyncpg.connect(dsn)
    try:
        stored = int(await conn.fetchval("SELECT count(*) FROM intake.calls WHERE id = ANY($1)", call_ids))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60.0
        while True:
            linked = int(
                await conn.fetchval("SELECT count(*) FROM incident.incident_calls WHERE call_id = ANY($1)", call_ids)
            )
            if linked >= len(call_ids) or loop.time() > deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    return SurgeMeasure(
        run=run,
        problems=run.problems(surge),
        events=len(surge.events),
        calls=len(surge.calls),
        stored=stored,
        linked=linked,
        incidents=len({r.incident_id for r in run.replies if r is not None}),
    )
