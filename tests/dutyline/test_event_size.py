"""No event can be too big: an event over MAX_EVENT_BYTES is refused where it is built, with
InvalidArgument naming the payload's largest field and the sizes, before anything is written, so the
change it describes rolls back with it. (An incident with 100,000 call ids made an event bigger than
NATS's 1 MiB max_payload, which the relay then retried forever.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.db.writes import Writes
from dutyline.emit import emit
from dutyline.envelope import MAX_EVENT_BYTES, build_event, largest_field
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.errors import InvalidArgument
from dutyline.incident.v1 import incident_pb2
from tests.support import kit_schema

ACTOR = common_pb2.Actor(person_id="p-test", display_name="test", kind="person")
HUNDRED_THOUSAND_CALLS = event_pb2.IncidentRegistered(
    incident_id="inc-1", title="大面积停电", call_ids=[f"call-{n:026d}" for n in range(100_000)]
)


def built(payload: Message, event_type: str = "incident.registered", actor: common_pb2.Actor = ACTOR) -> Any:
    return build_event(
        event_type=event_type,
        site_id="hz-01",
        aggregate_id="inc-1",
        aggregate_version=1,
        actor=actor,
        payload=payload,
        occurred_at=datetime.now(UTC),
    )


def test_the_cap_is_well_under_nats_max_payload() -> None:
    assert MAX_EVENT_BYTES == 256 * 1024 < 1024 * 1024


def test_an_event_over_the_cap_is_refused_naming_its_largest_field() -> None:
    with pytest.raises(InvalidArgument) as refused:
        built(HUNDRED_THOUSAND_CALLS)
    [violation] = refused.value.violations
    assert violation.field == "payload.call_ids"
    size = len(HUNDRED_THOUSAND_CALLS.SerializeToString())
    assert f"over the limit of {MAX_EVENT_BYTES} bytes" in violation.description
    assert "(100000 items)" in violation.description
    assert size > 1024 * 1024 and "bytes" in violation.description
    assert "payload.call_ids" in refused.value.message

    # Into nested messages, down to the field that is too long.
    summary = incident_pb2.Incident(id="inc-1", summary="很长" * 100_000)
    with pytest.raises(InvalidArgument) as refused:
        built(event_pb2.IncidentChanged(incident=summary), "incident.verified")
    assert [v.field for v in refused.value.violations] == ["payload.incident.summary"]

    # The envelope's own fields count too.
    with pytest.raises(InvalidArgument) as refused:
        built(
            event_pb2.CallEscalated(call_id="c"), "call.escalated", common_pb2.Actor(display_name="x" * MAX_EVENT_BYTES)
        )
    assert [v.field for v in refused.value.violations] == ["actor.display_name"]


def test_an_event_at_the_cap_is_built() -> None:
    payload = event_pb2.IncidentRegistered(incident_id="inc-1", title="t")
    overhead = built(payload).ByteSize() - len(payload.title)
    at_cap = event_pb2.IncidentRegistered(incident_id="inc-1", title="t" * (MAX_EVENT_BYTES - overhead - 8))
    event = built(at_cap)
    assert MAX_EVENT_BYTES - 16 < event.ByteSize() <= MAX_EVENT_BYTES
    path, size, count = largest_field(event, at_cap)
    assert path == "payload.title" and count is None and size > MAX_EVENT_BYTES - 1000


@pytest.fixture
async def conn(platform: Any) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a schema of its own with the kit's tables and one for the change."""
    incidents = "CREATE TABLE {schema}.incidents (id text PRIMARY KEY)"
    async with kit_schema(platform.postgres.dsn, "eventsize", incidents) as name:
        connection = await asyncpg.connect(platform.postgres.dsn, server_settings={"search_path": name})
        try:
            yield connection
        finally:
            await connection.close()


@pytest.mark.stack
async def test_emitting_a_too_big_event_commits_nothing(conn: asyncpg.Connection) -> None:
    async def register(payload: event_pb2.IncidentRegistered) -> None:
        async with conn.transaction():
            await conn.execute("INSERT INTO incidents (id) VALUES ($1)", payload.incident_id)
            await emit(
                conn,
                event_type="incident.registered",
                site_id="hz-01",
                aggregate_id=payload.incident_id,
                aggregate_version=1,
                payload=payload,
                actor=ACTOR,
            )

    with pytest.raises(InvalidArgument) as refused:
        await register(HUNDRED_THOUSAND_CALLS)
    assert refused.value.violations[0].field == "payload.call_ids"
    assert await conn.fetchval("SELECT count(*) FROM incidents") == 0
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 0

    # A batch of writes is refused before it runs.
    writes = Writes()
    writes.add("INSERT INTO incidents (id) VALUES ($1)", "inc-batch")
    with pytest.raises(InvalidArgument):
        await emit(
            writes,
            event_type="incident.registered",
            site_id="hz-01",
            aggregate_id="inc-batch",
            aggregate_version=1,
            payload=HUNDRED_THOUSAND_CALLS,
            actor=ACTOR,
        )
    assert len(writes.parts) == 1  # the event was never added

    # Ids and counts, not the list: the event is written with the change.
    await register(event_pb2.IncidentRegistered(incident_id="inc-2", call_ids=["call-1"]))
    assert await conn.fetchval("SELECT count(*) FROM incidents") == 1
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
