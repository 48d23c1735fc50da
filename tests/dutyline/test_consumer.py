"""A service's durable reading of the event stream (dutyline.consumer), on the real NATS JetStream and
PostgreSQL: every event takes effect once, one that can never be applied is set aside as a dead
letter while the others flow on, and one that waits for something is applied when it comes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nats.js.errors
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.consumer import Applied, EventConsumer
from dutyline.db.pool import Connection, create_pool
from dutyline.envelope import build_event
from dutyline.events.v1 import event_pb2
from dutyline.natsconn import connect_url
from tests.support import kit_schema, until

pytestmark = pytest.mark.stack

ACTOR = common_pb2.Actor(person_id="p-test", display_name="test", kind="person")


@pytest.fixture
async def schema(platform: Any) -> AsyncIterator[str]:
    """A schema of its own with the kit's tables and one for the effects."""
    effects = "CREATE TABLE {schema}.effects (event_id text, note text)"
    async with kit_schema(platform.postgres.dsn, "consumer", effects) as name:
        yield name


class Recorder:
    """A handler that records each event's note; "poison" fails, "wait" waits until released."""

    def __init__(self) -> None:
        self.released = False

    async def handle(self, conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        deferred = set()
        for event in events:
            note = event_pb2.CallEscalated()
            event.payload.Unpack(note)
            if note.incident_id == "poison":
                raise ValueError("this event can never be applied")
            if note.incident_id == "wait" and not self.released:
                deferred.add(event.id)
                continue
            await conn.execute("INSERT INTO effects (event_id, note) VALUES ($1, $2)", event.id, note.incident_id)
        return Applied(deferred=deferred)


@dataclass
class OwnStream:
    """A consumer running on a stream of the test's own: the garbage a test publishes must not reach
    the other tests' readers."""

    site: str
    stream: str
    js: Any
    pool: Any
    consumer: EventConsumer

    async def publish(self, notes: Sequence[str], *, first: int = 0) -> list[event_pb2.Event]:
        """A call.escalated event per note (its incident_id), for calls call-<first>, call-<first+1> …"""
        events = [
            build_event(
                event_type="call.escalated",
                site_id=self.site,
                aggregate_id=f"call-{n}",
                aggregate_version=1,
                actor=ACTOR,
                payload=event_pb2.CallEscalated(call_id=f"call-{n}", incident_id=note),
                occurred_at=datetime.now(UTC),
            )
            for n, note in enumerate(notes, start=first)
        ]
        for event in events:
            await self.js.publish(f"{self.site}.{event.type}", event.SerializeToString(), stream=self.stream)
        return events


@contextlib.asynccontextmanager
async def own_stream(platform: Any, schema: str, prefix: str, **options: Any) -> AsyncIterator[OwnStream]:
    """``options``: the EventConsumer's (handle, wants …)."""
    site = f"{prefix}-{uuid.uuid4().hex[:6]}"
    stream = f"CONSUMER_TEST_{site.upper().replace('-', '_')}"
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[f"{site}.>"])
    pool = await create_pool(platform.postgres.dsn, schema=schema, min_size=1, max_size=4)
    consumer = EventConsumer(
        pool=pool,
        name=f"test-{schema}",
        subjects=[f"{site}.call.>"],
        nats_url=platform.nats.url,
        nats_creds=str(platform.nats_creds),
        stream=stream,
        **options,
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield OwnStream(site, stream, js, pool, consumer)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await js.delete_stream(stream)
        await nc.close()
        await pool.close()


async def test_events_apply_once_poison_is_set_aside_and_waiting_ones_come_back(platform: Any, schema: str) -> None:
    recorder = Recorder()
    async with own_stream(platform, schema, "ct", handle=recorder.handle) as own:
        events = await own.publish(["first", "poison", "wait", "after"])
        js, site, stream = own.js, own.site, own.stream
        # The same event again (as after a crash between publishing and forgetting it), under another
        # message id, so JetStream's duplicate window does not drop it: its effect is not repeated.
        await js.publish(f"{site}.{events[0].type}", events[0].SerializeToString(), stream=stream)
        await js.publish(f"{site}.call.garbage", b"\xff not an event", stream=stream)

        async with own.pool.acquire() as conn:

            async def notes() -> list[str]:
                return [r["note"] for r in await conn.fetch("SELECT note FROM effects ORDER BY note")]

            async def dead() -> list[str]:
                # Garbage is set aside as it is read, poison once its batch fails: in either order.
                return sorted(r["reason"][:22] for r in await conn.fetch("SELECT reason FROM dead_letters"))

            # The poison and the garbage are set aside; the events behind them are applied, once.
            await until(notes, ["after", "first"])
            await until(dead, ["ValueError: this event", "not an event: Error pa"])
            recorder.released = True
            await until(notes, ["after", "first", "wait"], seconds=60)
            assert own.consumer.dead_lettered == 2


async def test_an_event_the_reader_does_not_want_is_acknowledged_without_a_transaction(
    platform: Any, schema: str
) -> None:
    seen: list[str] = []

    async def handle(conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        seen.extend(e.aggregate_id for e in events)
        return Applied()

    def wants(event: event_pb2.Event) -> bool:
        note = event_pb2.CallEscalated()
        event.payload.Unpack(note)
        return note.incident_id != "plain"

    async with own_stream(platform, schema, "cw", handle=handle, wants=wants) as own:
        await own.publish(["plain", "linked", "plain"])
        name = own.consumer.name

        async def settled() -> tuple[int, int] | None:
            try:
                info = await own.js.consumer_info(own.stream, name)
            except nats.js.errors.NotFoundError:  # the consumer's task has not created it yet
                return None
            return info.num_pending, info.num_ack_pending

        await until(settled, (0, 0))
        assert seen == ["call-1"]
        async with own.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM consumed_events WHERE consumer = $1", name) == 1


def test_a_reader_that_keeps_its_place_wants_every_event() -> None:
    async def handle(conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        return Applied()

    async def progress(conn: Connection, position: Any) -> None:
        return None

    with pytest.raises(ValueError, match="no wants with progress"):
        EventConsumer(
            pool=None,  # type: ignore[arg-type]
            name="x",
            subjects=["x.>"],
            handle=handle,
            nats_url="nats://127.0.0.1:1",
            progress=progress,
            wants=lambda event: True,
        )
