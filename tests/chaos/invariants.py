"""What must hold after a fault, read from the real servers: the calls in PostgreSQL, their events on
JetStream, the incidents' workflows in Temporal, notify's notifications. Each check returns the problems it
found (empty: it holds), so one run reports every broken invariant at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

import asyncpg
from nats.aio.client import Client as Nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, DeliverPolicy
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from bench.dutyline_paths import staged_events
from dutyline.events.v1 import event_pb2
from tests.chaos.load import PlacedCall

Problems = list[str]
DESCRIBE_CONCURRENCY = 16


async def settled(check: Callable[[], Awaitable[Problems]], *, stall: float, until: float) -> Problems:
    """``check`` run until it finds nothing (what the platform does asynchronously: relays, reconcilers, the
    dispatcher); the last problems found. A backlog that a loaded machine is still working off is waited for:
    it gives up once no round found fewer problems than the best so far for ``stall`` seconds (stuck), or
    at the loop time ``until``."""
    loop = asyncio.get_running_loop()
    best, best_at = None, loop.time()
    while True:
        try:
            problems = await check()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, RPCError) as exc:
            # A server still coming back or too busy to answer in time (Temporal's describe): not an answer
            # yet, nor progress.
            problems = [f"check failed: {exc!r}"]
        else:
            if best is None or len(problems) < best:
                best, best_at = len(problems), loop.time()
        if not problems or loop.time() - best_at > stall or loop.time() > until:
            return problems
        await asyncio.sleep(0.5)


async def outboxes_empty(conn: asyncpg.Connection) -> Problems:
    """Every event any service staged is published: notify's about notifications as well as intake's
    calls and the incident service's incidents (every schema's outbox is empty)."""
    # One problem per event, so that settled() sees a backlog shrink as the relays publish it.
    staged = await staged_events(conn)
    return [f"event {event_id} still in {schema}'s outbox" for schema, ids in staged.items() for event_id in ids]


async def events_since(nc: Nats, subject: str, since: datetime) -> list[event_pb2.Event]:
    """Every event on ``subject`` stored since ``since``, read to the end of the stream."""
    sub = await nc.jetstream().subscribe(
        subject,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since),
    )
    events: list[event_pb2.Event] = []
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=3.0)
            except NatsTimeout:
                return events  # nothing stored since then
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            events.append(event)
            if msg.metadata.num_pending == 0:
                return events
    finally:
        await sub.unsubscribe()


def _once(what: str, expected: Iterable[str], seen: Counter[str]) -> Problems:
    problems = []
    for key in expected:
        if seen[key] != 1:
            problems.append(f"{what} {key}: {seen[key]} times")
    return problems


async def calls_stored_once(conn: asyncpg.Connection, calls: list[PlacedCall]) -> Problems:
    """Every answered call is stored once, under the id its client was given; an unanswered one at most once
    (its first attempt may have committed). Each request's place is its own, so a duplicate shows there."""
    places = [c.request.place.text for c in calls]
    rows = await conn.fetch(
        "SELECT place_text, array_agg(id) AS ids FROM intake.calls WHERE place_text = ANY($1::text[]) GROUP BY 1",
        places,
    )
    stored = {r["place_text"]: list(r["ids"]) for r in rows}
    problems = []
    for call in calls:
        ids = stored.get(call.request.place.text, [])
        if call.reply is not None and ids != [call.reply.call.id]:
            problems.append(f"call {call.reply.call.id} (key {call.request.idempotency_key}) stored as {ids}")
        elif call.reply is None and len(ids) > 1:
            problems.append(f"unanswered call (key {call.request.idempotency_key}) stored {len(ids)} times: {ids}")
    return problems


async def call_events_once(nc: Nats, calls: list[PlacedCall], since: datetime) -> Problems:
    """Every answered call's `call.registered` is on JetStream exactly once."""
    sites = {c.request.site_id for c in calls}
    seen: Counter[str] = Counter()
    for site in sites:
        seen.update(e.aggregate_id for e in await events_since(nc, f"dutyline.{site}.call.registered", since))
    return _once("call.registered of", [c.reply.call.id for c in calls if c.reply is not None], seen)


async def one_running_incident_each(conn: asyncpg.Connection, temporal: Client, calls: list[PlacedCall]) -> Problems:
    """Every answered emergency is linked to exactly one incident — the one its client was told — with
    a running workflow, and no event was opened twice."""
    emergencies = [c for c in calls if c.emergency and c.reply is not None]
    problems = []
    linked = {
        r["call_id"]: list(r["incidents"])
        for r in await conn.fetch(
            "SELECT call_id, array_agg(incident_id) AS incidents FROM incident.incident_calls"
            " WHERE call_id = ANY($1::text[]) GROUP BY 1",
            [c.reply.call.id for c in emergencies if c.reply is not None],
        )
    }
    twice = await conn.fetch(
        "SELECT place_text, count(*) FROM incident.incidents WHERE place_text = ANY($1::text[])"
        " GROUP BY 1 HAVING count(*) > 1",
        [c.request.place.text for c in calls if c.emergency],
    )
    problems += [f"{r['count']} incidents for the one event at {r['place_text']!r}" for r in twice]
    started: list[str] = []
    for call in emergencies:
        assert call.reply is not None
        incident_id = call.reply.incident_id
        found = linked.get(call.reply.call.id)
        if found != [incident_id]:
            problems.append(f"emergency {call.reply.call.id}: told incident {incident_id!r}, linked to {found}")
        else:
            started.append(incident_id)
    # Asked a few at a time: thousands one after another made a round last minutes on a busy Temporal.
    gate = asyncio.Semaphore(DESCRIBE_CONCURRENCY)

    async def problem_of(incident_id: str) -> str | None:
        async with gate:
            try:
                status = await workflow_status(temporal, incident_id)
            except RPCError as exc:  # too busy to answer in time: not known yet, a problem for this round
                return f"incident {incident_id}: workflow not described ({exc.message})"
        if status != WorkflowExecutionStatus.RUNNING:
            return f"incident {incident_id}: workflow {status.name if status else 'missing'}"
        return None

    problems += [p for p in await asyncio.gather(*(problem_of(i) for i in started)) if p is not None]
    return problems


async def workflow_status(temporal: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    try:
        return (await temporal.get_workflow_handle(workflow_id).describe()).status
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def notifications_settled(conn: asyncpg.Connection, since: datetime) -> Problems:
    """No notification made since ``since`` is still waiting to be delivered (pending; a lease of a killed
    dispatcher must have been taken over): each was delivered (sent) or failed."""
    rows = await conn.fetch(
        "SELECT id, route_attempts, next_attempt_at, lease_until FROM notify.notifications"
        " WHERE created_at >= $1 AND status = 'pending'",
        since,
    )
    return [
        f"notification {r['id']} still pending (attempts {r['route_attempts']}, next {r['next_attempt_at']},"
        f" lease {r['lease_until']})"
        for r in rows
    ]


async def deadlines_fired(conn: asyncpg.Connection, nc: Nats, incident_ids: list[str], since: datetime) -> Problems:
    """Each incident's report fell due: its violation is recorded once and `incident.deadline_missed` is on
    JetStream once."""
    recorded: Counter[str] = Counter(
        r["incident_id"]
        for r in await conn.fetch(
            "SELECT incident_id FROM incident.violations WHERE incident_id = ANY($1::text[])", incident_ids
        )
    )
    missed: Counter[str] = Counter(
        e.aggregate_id
        for e in await events_since(nc, "dutyline.*.incident.deadline_missed", since)
        if e.aggregate_id in set(incident_ids)
    )
    return _once("violation of incident", incident_ids, recorded) + _once(
        "incident.deadline_missed of", incident_ids, missed
    )


def describe(problems: dict[str, Problems], limit: int = 10) -> str:
    """The first ``limit`` problems of each invariant."""
    lines = []
    for name, found in problems.items():
        lines += [f"{name}: {p}" for p in found[:limit]]
        lines += [f"{name}: … and {len(found) - limit} more"] if len(found) > limit else []
    return "\n".join(lines)
