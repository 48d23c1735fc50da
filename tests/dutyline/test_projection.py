"""The projection kit (dutyline.projection) on a real NATS JetStream and PostgreSQL: each event takes
effect once with the projection's place on the stream, whatever is delivered twice; poison is set aside
and the stream flows on; PostgreSQL lost mid-batch or the consumer killed mid-batch loses and repeats
nothing; two replicas share the work; a rebuild gives the same table back; the lag is reported."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import nats.js.errors
import pytest
from nats.aio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection, create_pool
from dutyline.envelope import build_event
from dutyline.events.v1 import event_pb2
from dutyline.projection import Projection, ProjectionRunner, consumer_config, lag, rebuild
from tests.dutyline.projection_servers import Servers, fresh_stream, postgres_and_nats, publish
from tests.support import kit_schema, until

pytestmark = pytest.mark.stack

ACTOR = common_pb2.Actor(person_id="p-test", display_name="test", kind="person")
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
STATE = """CREATE TABLE {schema}.projection_state (
    projection text PRIMARY KEY, stream_sequence bigint NOT NULL DEFAULT 0,
    last_event_id text NOT NULL DEFAULT '', last_event_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now())"""
NOTES = "CREATE TABLE {schema}.notes (call_id text PRIMARY KEY, note text NOT NULL, event_id text NOT NULL)"


def note(n: int, text: str = "ok") -> event_pb2.Event:
    return build_event(
        event_type="call.escalated",
        site_id="hz-01",
        aggregate_id=f"call-{n}",
        aggregate_version=2,
        actor=ACTOR,
        payload=event_pb2.CallEscalated(call_id=f"call-{n}", incident_id=text),
        occurred_at=T0 + timedelta(seconds=n),
    )


@dataclass
class Notes:
    """A toy projection: one row per call's note; "poison" can never be applied; a batch may be held
    (``hold``) or lose its database connection (``drop_connection``) once."""

    hold: asyncio.Event | None = None
    held: asyncio.Event = field(default_factory=asyncio.Event)
    drop_connection: bool = False
    batches: int = 0

    async def apply(self, conn: Connection, events: Sequence[event_pb2.Event]) -> None:
        self.batches += 1
        rows = []
        for event in events:
            payload = event_pb2.CallEscalated()
            event.payload.Unpack(payload)
            if payload.incident_id == "poison":
                raise ValueError("this note can never be applied")
            rows.append((payload.call_id, payload.incident_id, event.id))
        # Inserted, so a batch lost after this shows whether it was rolled back.
        await conn.executemany("INSERT INTO notes (call_id, note, event_id) VALUES ($1, $2, $3)", rows)
        if self.drop_connection:
            self.drop_connection = False
            await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        if self.hold is not None:
            self.held.set()
            await self.hold.wait()

    def projection(self, name: str = "test-notes") -> Projection:
        return Projection(name=name, types=("call.escalated",), tables=("notes",), apply=self.apply)


@pytest.fixture(scope="module")
async def servers() -> AsyncIterator[Servers]:
    async with postgres_and_nats() as started:
        yield started


@pytest.fixture
async def nc(servers: Servers) -> AsyncIterator[Client]:
    async with fresh_stream(servers.nats.url) as client:
        yield client


@pytest.fixture
async def pool(servers: Servers) -> AsyncIterator[asyncpg.Pool]:
    async with kit_schema(servers.postgres.dsn, "projection", STATE, NOTES) as schema:
        made = await create_pool(servers.postgres.dsn, schema=schema, min_size=1, max_size=6)
        yield made
        await made.close()


@contextlib.asynccontextmanager
async def running(runner: ProjectionRunner) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def runner_for(servers: Servers, pool: asyncpg.Pool, projection: Projection, **kwargs: Any) -> ProjectionRunner:
    return ProjectionRunner(pool=pool, projection=projection, nats_url=servers.nats.url, **kwargs)


async def notes_in(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    return [(r["call_id"], r["note"]) for r in await pool.fetch("SELECT call_id, note FROM notes ORDER BY call_id")]


async def state_of(pool: asyncpg.Pool, name: str = "test-notes") -> tuple[int, str] | None:
    row = await pool.fetchrow("SELECT stream_sequence, last_event_id FROM projection_state WHERE projection = $1", name)
    return (row["stream_sequence"], row["last_event_id"]) if row else None


def expected(numbers: range) -> list[tuple[str, str]]:
    return sorted((f"call-{n}", "ok") for n in numbers)


async def test_each_event_takes_effect_once_and_poison_is_set_aside(
    servers: Servers, nc: Client, pool: asyncpg.Pool
) -> None:
    events = [note(n) for n in range(40)]
    await publish(nc, events[:20])
    # The same events again, as JetStream cannot tell (another message id), and garbage and poison
    # in the middle of the stream; the events behind them are applied.
    await publish(nc, events[:20], again=True)
    await nc.jetstream().publish("dutyline.hz-01.call.escalated", b"\xff not an event")
    await publish(nc, [note(99, "poison")])
    last = await publish(nc, events[20:])
    projection = Notes()
    runner = runner_for(servers, pool, projection.projection())
    async with running(runner):
        await until(lambda: notes_in(pool), expected(range(40)))
        await until(lambda: state_of(pool), (last, events[-1].id))
        reasons = sorted(r["reason"][:22] for r in await pool.fetch("SELECT reason FROM dead_letters"))
        assert reasons == ["ValueError: this note ", "not an event: Error pa"]
        sources = {r["source"] for r in await pool.fetch("SELECT source FROM dead_letters")}
        assert sources == {"consumer:test-notes"}
    assert runner.processed == 40
    assert runner.dead_lettered == 2
    assert await pool.fetchval("SELECT count(*) FROM consumed_events WHERE consumer = 'test-notes'") == 40


async def test_postgres_lost_mid_batch_loses_and_repeats_nothing(
    servers: Servers, nc: Client, pool: asyncpg.Pool
) -> None:
    await publish(nc, [note(n) for n in range(30)])
    projection = Notes(drop_connection=True)
    runner = runner_for(servers, pool, projection.projection())
    async with running(runner):
        await until(lambda: notes_in(pool), expected(range(30)))
    # The first batch was rolled back and came again (refused with a delay, not after the ack wait).
    assert projection.batches >= 2
    assert runner.processed == 30


async def test_a_consumer_killed_mid_batch_loses_and_repeats_nothing(
    servers: Servers, nc: Client, pool: asyncpg.Pool
) -> None:
    await publish(nc, [note(n) for n in range(25)])
    holding = Notes(hold=asyncio.Event())
    first = runner_for(servers, pool, holding.projection(), ack_wait=2.0)
    async with running(first):
        await asyncio.wait_for(holding.held.wait(), 30)
    # Killed with its batch written and not committed: nothing of it stays.
    assert await notes_in(pool) == []
    await publish(nc, [note(n) for n in range(25, 35)])
    second = runner_for(servers, pool, Notes().projection(), ack_wait=2.0)
    async with running(second):
        await until(lambda: notes_in(pool), expected(range(35)))
    assert await pool.fetchval("SELECT count(*) FROM consumed_events") == 35


async def test_two_replicas_share_the_work_and_apply_each_event_once(
    servers: Servers, nc: Client, pool: asyncpg.Pool
) -> None:
    events = [note(n) for n in range(200)]
    projection = Notes()
    one = runner_for(servers, pool, projection.projection(), batch=8)
    two = runner_for(servers, pool, projection.projection(), batch=8)
    async with running(one), running(two):
        # Both asking for messages before any comes, so that both get some.
        await until(lambda: _waiting(nc, "test-notes"), True)
        last = 0
        for start in range(0, 200, 20):
            last = await publish(nc, events[start : start + 20])
        await until(lambda: notes_in(pool), expected(range(200)))
        # The place is the furthest batch's, whichever replica committed last.
        await until(lambda: state_of(pool), (last, events[-1].id))
    assert one.processed + two.processed == 200
    assert one.processed and two.processed


async def test_rebuild_gives_the_same_table_back_while_it_runs(
    servers: Servers, nc: Client, pool: asyncpg.Pool
) -> None:
    events = [note(n) for n in range(60)]
    last = await publish(nc, events)
    projection = Notes()
    runner = runner_for(servers, pool, projection.projection())
    async with running(runner):
        await until(lambda: notes_in(pool), expected(range(60)))
        before = await pool.fetch("SELECT * FROM notes ORDER BY call_id")
        async with pool.acquire() as conn:
            await rebuild(conn, nc.jetstream(), projection.projection())
        await until(lambda: notes_in(pool), expected(range(60)))
        await until(lambda: state_of(pool), (last, events[-1].id))
        assert await pool.fetch("SELECT * FROM notes ORDER BY call_id") == before
    assert await pool.fetchval("SELECT count(*) FROM consumed_events") == 60
    # Every event was projected twice in all: once before the rebuild, once after.
    assert runner.processed == 120


async def test_lag_counts_the_events_not_applied_and_how_old_the_oldest_is(
    servers: Servers, nc: Client, pool: asyncpg.Pool
) -> None:
    projection = Notes().projection()
    js = nc.jetstream()
    await js.add_consumer("DUTYLINE", consumer_config(projection))
    # Events of another type move the stream, not the projection's pending count.
    await nc.jetstream().publish("dutyline.hz-01.incident.progress", b"not read here")
    last = await publish(nc, [note(n) for n in range(12)])
    await asyncio.sleep(1.1)
    async with pool.acquire() as conn:
        behind = await lag(conn, js, projection)
    assert (behind.pending, behind.stream_sequence, behind.stream_last_sequence, behind.behind) == (12, 0, last, last)
    assert 1.0 <= behind.seconds < 60
    runner = runner_for(servers, pool, Notes().projection())
    async with running(runner):
        await until(lambda: notes_in(pool), expected(range(12)))
        async with pool.acquire() as conn:
            await until(lambda: _pending(conn, js, projection), 0)
            caught_up = await lag(conn, js, projection)
    assert (caught_up.seconds, caught_up.stream_sequence, caught_up.behind) == (0.0, last, 0)
    assert caught_up.last_event_at == T0 + timedelta(seconds=11)


async def _pending(conn: Connection, js: Any, projection: Projection) -> int:
    return (await lag(conn, js, projection)).pending


async def _waiting(nc: Client, name: str) -> bool:
    try:
        info = await nc.jetstream().consumer_info("DUTYLINE", name)
    except nats.js.errors.NotFoundError:
        return False
    return (info.num_waiting or 0) >= 2
