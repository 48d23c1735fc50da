"""Projections (投影): read models built only from the event stream, rebuildable from it.

A ``Projection`` names its durable JetStream consumer, the event types it reads, the tables it owns
and the function that applies a batch of events to them. ``ProjectionRunner`` runs it on
``dutyline.consumer.EventConsumer``: each batch commits in one PostgreSQL transaction with the ids of
its events (``consumed_events``, so a redelivered event changes nothing) and the projection's place
on the stream (``projection_state``: stream sequence, last event id and time), and is acknowledged
after the commit. An event that cannot be decoded, or on which ``apply`` fails for good, is a dead
letter (``dead_letters``, source ``consumer:<name>``) and the events behind it flow on; PostgreSQL
away is not the event's fault: the batch is refused with a growing delay and comes again.

Replicas. Every replica of the service runs every projection; JetStream hands each batch to one of
them. A batch's first statement updates its projection's ``projection_state`` row, so the batches of
one projection commit one at a time (no deadlock between them, and ``rebuild`` can hold them off),
while different projections run side by side. That does not give order: a batch that failed comes
back after newer ones. So ``apply`` must not depend on order: every row is keyed by what it is about,
and a change from an older version of an aggregate (``aggregate_version``) never overwrites a newer
one.

``rebuild`` empties the projection's tables, its consumed ids and its place in one transaction, then
deletes its durable consumer and creates it again from the start of the stream: running replicas
need not stop (a batch they commit meanwhile is recorded with its ids and is not applied twice when
the new consumer delivers it again). It empties with DELETE, not TRUNCATE: the service's own role
(rows only, no TRUNCATE: dutyline.db.roles) can rebuild, and the figures read meanwhile are the old
ones until the commit rather than waiting on TRUNCATE's exclusive lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import nats.js
import nats.js.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from dutyline.consumer import ACK_WAIT_SECONDS, Applied, EventConsumer, Position
from dutyline.db.migrations import checked_identifier
from dutyline.db.pool import Connection
from dutyline.envelope import SUBJECT_PREFIX
from dutyline.events.v1 import event_pb2

Apply = Callable[[Connection, Sequence[event_pb2.Event]], Awaitable[None]]

# Events a projection fetches and commits at a time: larger than a service's consumer (which acts on
# each event) because a projection catches up on whole months; fewer, larger fetches and transactions
# cost both this process and NATS less per event (bench.insight), and one failing event still only
# sends its own batch through one by one.
BATCH = 1024


@dataclass(frozen=True)
class Projection:
    """A read model: ``name`` (its durable consumer and its ``projection_state`` row), the event
    ``types`` it reads, the ``tables`` it alone writes (emptied by ``rebuild``) and ``apply``, which
    writes a batch of new events into them (order-independent: module docstring)."""

    name: str
    types: tuple[str, ...]
    tables: tuple[str, ...]
    apply: Apply

    @property
    def subjects(self) -> list[str]:
        """The consumer's filter: its types at every site."""
        return [f"{SUBJECT_PREFIX}.*.{t}" for t in self.types]


async def record_position(conn: Connection, name: str, position: Position) -> None:
    """Move ``name``'s place on the stream to ``position`` unless it is further already (a batch
    redelivered late); locks the row until the transaction ends."""
    await conn.execute(
        """INSERT INTO projection_state AS s (projection, stream_sequence, last_event_id, last_event_at, updated_at)
           VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (projection) DO UPDATE SET
             stream_sequence = greatest(s.stream_sequence, excluded.stream_sequence),
             last_event_id = CASE WHEN excluded.stream_sequence > s.stream_sequence
                                  THEN excluded.last_event_id ELSE s.last_event_id END,
             last_event_at = CASE WHEN excluded.stream_sequence > s.stream_sequence
                                  THEN excluded.last_event_at ELSE s.last_event_at END,
             updated_at = now()""",
        name,
        position.stream_sequence,
        position.event_id,
        position.occurred_at,
    )


def consumer_config(
    projection: Projection, *, batch: int = BATCH, ack_wait: float = ACK_WAIT_SECONDS
) -> ConsumerConfig:
    """The projection's durable consumer: from the start of the stream, explicit acks."""
    return ConsumerConfig(
        durable_name=projection.name,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_ack_pending=10 * batch,
        filter_subjects=projection.subjects,
    )


class ProjectionRunner:
    """Keeps one projection up to date with the stream (module docstring). ``processed`` and
    ``dead_lettered`` count this process's events since it started."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        projection: Projection,
        nats_url: str,
        nats_creds: str = "",
        stream: str = "DUTYLINE",
        replicas: int = 1,
        batch: int = BATCH,
        ack_wait: float = ACK_WAIT_SECONDS,
    ) -> None:
        self.projection = projection
        self.consumer = EventConsumer(
            pool=pool,
            name=projection.name,
            subjects=projection.subjects,
            handle=self._handle,
            nats_url=nats_url,
            nats_creds=nats_creds,
            stream=stream,
            replicas=replicas,
            batch=batch,
            ack_wait=ack_wait,
            progress=self._progress,
        )

    @property
    def processed(self) -> int:
        return self.consumer.applied

    @property
    def dead_lettered(self) -> int:
        return self.consumer.dead_lettered

    async def run(self) -> None:
        """Run until cancelled, surviving NATS and PostgreSQL outages."""
        await self.consumer.run()

    async def _progress(self, conn: Connection, position: Position) -> None:
        await record_position(conn, self.projection.name, position)

    async def _handle(self, conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        await self.projection.apply(conn, events)
        return Applied()


async def rebuild(
    conn: Connection,
    js: nats.js.JetStreamContext,
    projection: Projection,
    *,
    stream: str = "DUTYLINE",
    batch: int = BATCH,
    ack_wait: float = ACK_WAIT_SECONDS,
) -> None:
    """Project ``projection`` again from the start of ``stream`` (module docstring)."""
    tables = [checked_identifier(t) for t in projection.tables]
    async with conn.transaction():
        # The row every batch of the projection updates first: holding it waits for the batch in
        # flight and holds off the next until the tables are empty.
        await conn.execute(
            "INSERT INTO projection_state (projection, stream_sequence) VALUES ($1, 0) ON CONFLICT DO NOTHING",
            projection.name,
        )
        await conn.execute("SELECT 1 FROM projection_state WHERE projection = $1 FOR UPDATE", projection.name)
        for table in tables:
            await conn.execute(f"DELETE FROM {table}")
        await conn.execute("DELETE FROM consumed_events WHERE consumer = $1", projection.name)
        await conn.execute(
            "UPDATE projection_state SET stream_sequence = 0, last_event_id = '', last_event_at = NULL, "
            "updated_at = now() WHERE projection = $1",
            projection.name,
        )
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await js.delete_consumer(stream, projection.name)
    await js.add_consumer(stream, consumer_config(projection, batch=batch, ack_wait=ack_wait))


@dataclass(frozen=True)
class Pending:
    """Events of a consumer's subjects not applied yet, and when the oldest of them was stored."""

    events: int
    oldest_at: datetime | None


async def pending_of(
    js: nats.js.JetStreamContext, stream: str, consumer: str, *, timeout: float | None = None
) -> Pending:
    """What ``consumer`` has not applied: waiting, or delivered and not acknowledged (JetStream's
    count); the oldest is the first message of its subjects after everything it acknowledged."""
    info = await js.consumer_info(stream, consumer, timeout=timeout)
    events = (info.num_pending or 0) + (info.num_ack_pending or 0)
    if not events:
        return Pending(0, None)
    floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
    config = info.config
    subjects = config.filter_subjects or ([config.filter_subject] if config.filter_subject else [">"])
    oldest: datetime | None = None
    for subject in subjects:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            msg = await js.get_msg(stream, seq=floor + 1, subject=subject, next=True)
            if msg.time is not None and (oldest is None or msg.time < oldest):
                oldest = msg.time
    return Pending(events, oldest)


@dataclass(frozen=True)
class Lag:
    """How far a projection is behind the stream. ``pending``: events of its types not yet applied
    (JetStream's count for its consumer, waiting or delivered and not acknowledged); ``behind``: the
    stream's last sequence minus the projection's (counts other types too); ``seconds``: how long
    the oldest pending event has been on the stream (0 when none is pending)."""

    projection: str
    pending: int
    stream_sequence: int
    stream_last_sequence: int
    last_event_id: str
    last_event_at: datetime | None
    seconds: float

    @property
    def behind(self) -> int:
        return max(0, self.stream_last_sequence - self.stream_sequence)


async def lag(
    conn: Connection, js: nats.js.JetStreamContext, projection: Projection, *, stream: str = "DUTYLINE"
) -> Lag:
    """``projection``'s lag now (its consumer must exist: ``ProjectionRunner`` or ``rebuild`` made it)."""
    row = await conn.fetchrow(
        "SELECT stream_sequence, last_event_id, last_event_at FROM projection_state WHERE projection = $1",
        projection.name,
    )
    pending = await pending_of(js, stream, projection.name)
    stream_info = await js.stream_info(stream)
    seconds = 0.0
    if pending.oldest_at is not None:
        seconds = max(0.0, (datetime.now(UTC) - pending.oldest_at).total_seconds())
    return Lag(
        projection=projection.name,
        pending=pending.events,
        stream_sequence=row["stream_sequence"] if row else 0,
        stream_last_sequence=stream_info.state.last_seq,
        last_event_id=row["last_event_id"] if row else "",
        last_event_at=row["last_event_at"] if row else None,
        seconds=seconds,
    )
