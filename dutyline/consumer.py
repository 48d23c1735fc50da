"""A service's durable reading of the event stream: a JetStream pull consumer whose every event
takes effect exactly once in the service's own schema, and never blocks the ones behind it.

``EventConsumer`` fetches events in batches and hands the new ones to a handler in one database
transaction, together with their ids (``consumed_events``), so a redelivered event (after a crash,
a reconnect, an expired acknowledgement wait, or on another replica) changes nothing twice. A handler
may defer events it cannot apply yet (``Applied.deferred``: what they refer to does not exist yet);
they come back later, and one still deferred after ``DEFER_LIMIT`` deliveries is set aside like an
event the handler fails on: as a dead letter (``dead_letters``, with the reason), logged, and
acknowledged, so one bad message never stops the stream. An outage of PostgreSQL or NATS is not the
event's fault: the batch is negatively acknowledged with a growing delay, the consumer reconnects
and the events come again.

A reader that keeps its place in its own tables (a projection's progress) passes ``progress``: it is
called first in each batch's transaction with the batch's ``Position`` on the stream, so the place and
the effects commit together.

A reader that acts on few of the events its subjects bring (the incident service reads every
``call.registered`` for the emergency ones) passes ``wants``: an event it does not want is
acknowledged and nothing else, no transaction and no ``consumed_events`` row, since applying it twice
or not at all changes nothing. Not with ``progress``, whose place must move with every event.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import structlog
from google.protobuf.message import DecodeError
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from dutyline import metrics, tracing
from dutyline.cancellation import honour_cancellation
from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.natsconn import connect_url
from dutyline.outbox import ensure_stream, keep_running, stream_config

log = structlog.get_logger(__name__)

BATCH = 256
ACK_WAIT_SECONDS = 30.0
# A deferred event comes back after this many seconds, doubling up to DEFER_MAX_SECONDS ...
DEFER_FIRST_SECONDS = 0.5
DEFER_MAX_SECONDS = 30.0
# ... and is a dead letter after this many deliveries (about an hour).
DEFER_LIMIT = 130
# Errors of a moment between transactions: the batch is simply tried again at once.
CONTENDED = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
CONTENDED_TRIES = 3
# Errors that are the infrastructure's, not the event's: reconnect and let the event come again.
TRANSIENT = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    *CONTENDED,
)


@dataclass
class Applied:
    """What a handler did with a batch: the ids of the events it could not apply yet, and work to
    do once the batch has committed (signals, say; it must tolerate being skipped by a crash)."""

    deferred: set[str] = field(default_factory=set)
    after_commit: list[Callable[[], Awaitable[object]]] = field(default_factory=list)


Handler = Callable[[Connection, Sequence[event_pb2.Event]], Awaitable[Applied]]


@dataclass(frozen=True)
class Position:
    """How far a batch takes its consumer: the highest stream sequence in it, and that message's event
    id and time."""

    stream_sequence: int
    event_id: str
    occurred_at: datetime


Progress = Callable[[Connection, Position], Awaitable[None]]


def backoff(delivered: int) -> float:
    """Seconds before a message delivered ``delivered`` times comes again: doubling, capped."""
    return min(DEFER_MAX_SECONDS, DEFER_FIRST_SECONDS * 2 ** (max(delivered, 1) - 1))


class EventConsumer:
    """One durable consumer of the event stream, applying events to one schema (module docstring)."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        name: str,
        subjects: Sequence[str],
        handle: Handler,
        nats_url: str,
        nats_creds: str = "",
        stream: str = "DUTYLINE",
        replicas: int = 1,
        batch: int = BATCH,
        ack_wait: float = ACK_WAIT_SECONDS,
        progress: Progress | None = None,
        wants: Callable[[event_pb2.Event], bool] | None = None,
    ) -> None:
        if wants is not None and progress is not None:
            raise ValueError("a consumer that keeps its place applies every event: no wants with progress")
        self._pool = pool
        self.name = name
        self._subjects = list(subjects)
        self._handle = handle
        self._nats_url = nats_url
        self._nats_creds = nats_creds
        self._stream = stream
        self._replicas = replicas
        self._batch = batch
        self._ack_wait = ack_wait
        self._progress = progress
        self._wants = wants
        self.applied = 0
        self.dead_lettered = 0
        self._applied_total = metrics.CONSUMER_EVENTS.labels(name)
        self._dead_letters_total = metrics.DEAD_LETTERS.labels(f"consumer:{name}")

    async def run(self) -> None:
        """Run until cancelled, surviving NATS and PostgreSQL outages (the consumer remembers its place)."""
        await keep_running(self._run_once, "event consumer interrupted", consumer=self.name)

    async def _run_once(self) -> None:
        nc = await connect_url(self._nats_url, self._nats_creds, name=f"dutyline-consumer-{self.name}")
        try:
            js = nc.jetstream(timeout=5.0)
            await ensure_stream(js, stream_config(self._stream, replicas=self._replicas))
            config = ConsumerConfig(
                durable_name=self.name,
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=self._ack_wait,
                max_ack_pending=10 * self._batch,
                filter_subjects=self._subjects,
            )
            # Created, or brought up to date (subjects change with the code); it keeps its position.
            await js.add_consumer(self._stream, config)
            subscription = await js.pull_subscribe_bind(durable=self.name, stream=self._stream)
            log.info("event consumer active", consumer=self.name, subjects=self._subjects)
            while True:
                honour_cancellation()
                try:
                    messages = await subscription.fetch(self._batch, timeout=1.0)
                except TimeoutError:  # nothing new (nats-py raises its own or asyncio's)
                    continue
                await self.process(messages)
        finally:
            with contextlib.suppress(Exception):
                await nc.close()

    async def process(self, messages: Sequence[Msg]) -> None:
        """Apply a batch: undecodable events are dead letters, the rest go to the handler together;
        if the handler fails on the batch, each event is tried alone and the failing ones set aside."""
        events: list[tuple[Msg, event_pb2.Event]] = []
        for msg in messages:
            event = event_pb2.Event()
            try:
                event.ParseFromString(msg.data)
            except DecodeError as exc:
                await self._dead_letter(msg, event, f"not an event: {exc}")
                continue
            if self._wanted(event):
                events.append((msg, event))
            else:
                await msg.ack()
        if not events:
            return
        try:
            for attempt in range(1, CONTENDED_TRIES + 1):
                try:
                    # In the trace of the change that staged the events (their traceparent header).
                    with tracing.consumer_span(self.name, [msg.headers for msg, _ in events]):
                        await self._apply(events)
                    break
                except CONTENDED:
                    if attempt == CONTENDED_TRIES:
                        raise
        except TRANSIENT:
            # Not the events' fault (PostgreSQL away): they come again after a growing delay, not at
            # once in a tight loop, and not only after the acknowledgement wait.
            for msg, _ in events:
                with contextlib.suppress(Exception):
                    await msg.nak(delay=backoff(msg.metadata.num_delivered if msg.metadata else 1))
            raise
        except Exception as exc:
            if len(events) == 1:
                await self._dead_letter(*events[0], f"{type(exc).__name__}: {exc}")
                return
            log.warning("batch failed; applying its events one by one", consumer=self.name, error=repr(exc))
            for one in events:
                await self.process([one[0]])

    def _wanted(self, event: event_pb2.Event) -> bool:
        if self._wants is None:
            return True
        try:
            return self._wants(event)
        except Exception:  # a payload it cannot read: the handler's to fail on (a dead letter)
            return True

    async def _apply(self, events: list[tuple[Msg, event_pb2.Event]]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if self._progress is not None:
                await self._progress(conn, _position(events))
            fresh = set(
                await conn.fetchval(
                    "WITH added AS (INSERT INTO consumed_events (consumer, event_id) SELECT $1, unnest($2::text[]) "
                    "ON CONFLICT DO NOTHING RETURNING event_id) SELECT coalesce(array_agg(event_id), '{}') FROM added",
                    self.name,
                    [e.id for _, e in events],
                )
            )
            applied = await self._handle(conn, [e for _, e in events if e.id in fresh]) if fresh else Applied()
            deferred = applied.deferred & fresh
            if deferred:
                await conn.execute(
                    "DELETE FROM consumed_events WHERE consumer = $1 AND event_id = ANY($2::text[])",
                    self.name,
                    list(deferred),
                )
        for work in applied.after_commit:
            try:
                await work()
            except Exception as exc:  # committed already; the follow-up is best effort
                log.warning("after-commit work failed", consumer=self.name, error=repr(exc))
        for msg, event in events:
            if event.id not in deferred:
                await msg.ack()
                continue
            delivered = msg.metadata.num_delivered if msg.metadata else 1
            if delivered >= DEFER_LIMIT:
                await self._dead_letter(msg, event, f"still waiting after {delivered} deliveries")
            else:
                await msg.nak(delay=backoff(delivered))
        self.applied += len(fresh) - len(deferred)
        self._applied_total.inc(len(fresh) - len(deferred))

    async def _dead_letter(self, msg: Msg, event: event_pb2.Event, reason: str) -> None:
        """Set the message aside with the reason (then acknowledge it: the stream flows on)."""
        async with self._pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO dead_letters (source, subject, event_id, data, reason) VALUES ($1, $2, $3, $4, $5)",
                f"consumer:{self.name}",
                msg.subject,
                event.id,
                msg.data,
                reason[:2000],
            )
        await msg.ack()
        self.dead_lettered += 1
        self._dead_letters_total.inc()
        log.error("event set aside as a dead letter", consumer=self.name, event_id=event.id, reason=reason[:200])


def _position(events: Sequence[tuple[Msg, event_pb2.Event]]) -> Position:
    """The position of the batch's message furthest along the stream."""
    msg, event = max(events, key=lambda item: item[0].metadata.sequence.stream)
    return Position(
        stream_sequence=msg.metadata.sequence.stream,
        event_id=event.id,
        occurred_at=event.occurred_at.ToDatetime(tzinfo=UTC),
    )
