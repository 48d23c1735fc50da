"""Issue 14, finding 20: the outbox and the order of commits.

The relay takes the rows it can see, oldest first, and deletes them once JetStream has them; it keeps
no high-water mark. So a row inserted earlier by a transaction that commits later is never skipped:
it is not visible until its commit, and then the next batch takes it. Events of one aggregate keep
their order because their writers serialise on the aggregate's row (its version is bumped with
``UPDATE … RETURNING``, a row lock held to the commit): the second writer's outbox row is inserted —
and committed — after the first's. And the incident's ``calls_changed`` events, written that way,
carry strictly increasing versions."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats.errors
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event
from dutyline.events.v1 import event_pb2
from dutyline.intake.v1 import intake_pb2
from dutyline.natsconn import connect_url
from dutyline.outbox import OutboxRelay, add_event
from tests.e2e.test_emergency_call_slice import emergency_call, stream_events
from tests.support import kit_schema, until

pytestmark = pytest.mark.stack

ACTOR = common_pb2.Actor(person_id="p-test", display_name="test", kind="person")
EVENT_TYPE = "ordertest.sent"  # nobody consumes it


def event(site: str, aggregate: str, version: int) -> event_pb2.Event:
    return build_event(
        event_type=EVENT_TYPE,
        site_id=site,
        aggregate_id=aggregate,
        aggregate_version=version,
        actor=ACTOR,
        payload=event_pb2.CallEscalated(call_id=aggregate, incident_id=str(version)),
        occurred_at=datetime.now(UTC),
    )


@pytest.fixture
async def schema(platform: Any) -> AsyncIterator[str]:
    extra = "CREATE TABLE {schema}.aggregates (id text PRIMARY KEY, version bigint NOT NULL DEFAULT 0)"
    async with kit_schema(platform.postgres.dsn, "outboxorder", extra) as name:
        yield name


async def writer(platform: Any, schema: str) -> asyncpg.Connection:
    return await asyncpg.connect(platform.postgres.dsn, server_settings={"search_path": schema})


async def stage(conn: asyncpg.Connection, site: str, aggregate: str) -> int:
    """As a service writes an event: the aggregate's version bumped (its row locked to the commit),
    then the event with that version in the outbox."""
    version = await conn.fetchval(
        "INSERT INTO aggregates (id, version) VALUES ($1, 1) "
        "ON CONFLICT (id) DO UPDATE SET version = aggregates.version + 1 RETURNING version",
        aggregate,
    )
    await add_event(conn, event(site, aggregate, version))
    return int(version)


async def test_rows_committed_out_of_insert_order_are_all_published_in_commit_order(platform: Any, schema: str) -> None:
    site = f"oo-{uuid.uuid4().hex[:6]}"
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    sub = await nc.jetstream().subscribe(f"dutyline.{site}.>", ordered_consumer=True)
    received: list[tuple[str, int]] = []

    async def delivered() -> list[tuple[str, int]]:
        with contextlib.suppress(nats.errors.TimeoutError):
            while True:
                e = event_pb2.Event.FromString((await sub.next_msg(timeout=0.05)).data)
                received.append((e.aggregate_id, e.aggregate_version))
        return received

    relay = OutboxRelay(
        dsn=platform.postgres.dsn,
        schema=schema,
        nats_url=platform.nats.url,
        nats_creds=str(platform.nats_creds),
        stream="DUTYLINE",
        idle_poll_seconds=0.02,
    )
    task = asyncio.create_task(relay.run())
    first, second, third = [await writer(platform, schema) for _ in range(3)]
    try:
        # The first transaction inserts its row before the second, and commits after it.
        await first.execute("BEGIN")
        await stage(first, site, "agg-a")
        await second.execute("BEGIN")
        await stage(second, site, "agg-b")
        await second.execute("COMMIT")
        await until(delivered, [("agg-b", 1)])
        await asyncio.sleep(0.3)  # a few relay rounds: agg-a is still invisible, so still to come
        assert await delivered() == [("agg-b", 1)]

        # A second writer of agg-a waits for the first's row lock, so its event follows.
        async def later_on_agg_a() -> int:
            async with third.transaction():
                return await stage(third, site, "agg-a")

        waiting = asyncio.create_task(later_on_agg_a())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await first.execute("COMMIT")
        assert await waiting == 2
        await until(delivered, [("agg-b", 1), ("agg-a", 1), ("agg-a", 2)])
        assert await first.fetchval("SELECT count(*) FROM outbox") == 0
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for conn in (first, second, third):
            await conn.close()
        await nc.close()


async def test_an_incidents_call_events_have_strictly_increasing_versions(
    platform: Any, intake: Any, on_duty_officer: str
) -> None:
    """Calls linked to an incident and one moved out of it: every event about the incident has a
    version of its own, each higher than the one before (once AttachCall reused one)."""
    opening = await intake.RegisterCall(emergency_call())
    place = opening.call.place
    linked = []
    for _ in range(2):
        request = emergency_call(summary="同一处燃气泄漏 the same gas leak")
        request.place.CopyFrom(place)
        linked.append(await intake.RegisterCall(request))
    assert {r.incident_id for r in linked} == {opening.incident_id}
    await intake.UnlinkCall(
        intake_pb2.UnlinkCallRequest(idempotency_key=str(uuid.uuid4()), call_id=linked[0].call.id, reason="另一事件")
    )
    # registered, then calls_changed for the links and for the move (batches may join them).
    found = await stream_events(platform, aggregate_ids={opening.incident_id}, count=3, timeout=20.0)
    versions = [e.aggregate_version for _, e in found if e.type.startswith("incident.")]
    changed = [e for _, e in found if e.type == "incident.calls_changed"]
    assert changed and sum(e.aggregate_version > 0 for e in changed) == len(changed)
    assert versions == sorted(set(versions)), versions
    # And the call moved: registered, linked elsewhere, its new incident opened — a version each.
    moved = await stream_events(platform, aggregate_ids={linked[0].call.id}, count=3, timeout=20.0)
    assert [(e.type, e.aggregate_version) for _, e in moved] == [
        ("call.registered", 1),
        ("call.linked", 2),
        ("call.escalated", 3),
    ]
