"""A service's durable reading of the event stream (dutyline.consumer), on the real NATS JetStream and
PostgreSQL: every event takes effect once, one that can never be applied is set aside as a dead
letter while the others flow on, and one that waits for something is applied when it comes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

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


async def test_events_apply_once_poison_is_set_aside_and_waiting_ones_come_back(platform: Any, schema: str) -> None:
    # A stream of the test's own: the garbage it publishes must not reach the other tests' readers.
    site = f"ct-{uuid.uuid4().hex[:6]}"
    stream = f"CONSUMER_TEST_{site.upper().replace('-', '_')}"
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[f"{site}.>"])
    pool = await create_pool(platform.postgres.dsn, schema=schema, min_size=1, max_size=4)
    recorder = Recorder()
    consumer = EventConsumer(
        pool=pool,
        name=f"test-{schema}",
        subjects=[f"{site}.call.>"],
        handle=recorder.handle,
        nats_url=platform.nats.url,
        nats_creds=str(platform.nats_creds),
        stream=stream,
    )
    task = asyncio.create_task(consumer.run())
    try:
        events = [
            build_event(
                event_type="call.escalated",
                site_id=site,
                aggregate_id=f"call-{n}",
                aggregate_version=1,
                actor=ACTOR,
                payload=event_pb2.CallEscalated(call_id=f"call-{n}", incident_id=note),
                occurred_at=datetime.now(UTC),
            )
            for n, note in enumerate(["first", "poison", "wait", "after"])
        ]
        for event in events:
            await js.publish(f"{site}.{event.type}", event.SerializeToString(), stream=stream)
        # The same event again (as after a crash between publishing and forgetting it), under another
        # message id, so JetStream's duplicate window does not drop it: its effect is not repeated.
        await js.publish(f"{site}.{events[0].type}", events[0].SerializeToString(), stream=stream)
        await js.publish(f"{site}.call.garbage", b"\xff not an event", stream=stream)

        async with pool.acquire() as conn:

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
            assert consumer.dead_lettered == 2
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await js.delete_stream(stream)
        await nc.close()
        await pool.close()
