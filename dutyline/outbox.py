"""Transactional outbox and its relay to NATS JetStream.

``add_event`` writes an event in the caller's transaction, so the event exists exactly when the
change does. ``OutboxRelay`` publishes pending events in order with ``Nats-Msg-Id`` = event id and
deletes them only after JetStream acknowledged them (on the embedded server, configured with
``sync_interval: always``, an ack means the message is on disk). A crash between the ack and the
delete republishes the event, which JetStream's duplicate window drops.

A message JetStream refuses for good (larger than the server's ``max_payload``, a subject no subject
of the stream takes, a 4xx answer of JetStream) is a poison message: retried, it would block every
event behind it forever. The relay moves it, in one transaction, from ``outbox`` to ``dead_letters``
(source ``outbox:<schema>``, with the reason) and stages an ``outbox.dead_lettered`` event about it,
logs and counts it, and carries on with the rows behind it in order; ``dutyline ops dead-letters``
lists, replays (puts it back in the outbox, same event id) or drops it. A failure that is the
infrastructure's (NATS away, a timeout, JetStream unavailable) is not the message's fault: the batch
is tried again from the start, as always.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import asyncpg
import nats
import nats.errors
import nats.js.errors
import structlog
from google.protobuf import struct_pb2
from google.protobuf.message import DecodeError
from nats.js.api import PubAck, StorageType, StreamConfig
from opentelemetry.trace import Span

from dutyline import metrics, tracing
from dutyline.cancellation import honour_cancellation
from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes, write
from dutyline.envelope import SITE_ID_PATTERN, SUBJECT_PREFIX, build_event, subject_for
from dutyline.events.v1 import event_pb2
from dutyline.natsconn import connect_url

log = structlog.get_logger(__name__)

DUPLICATE_WINDOW = timedelta(minutes=5)
# The event staged about each dead-lettered outbox message (payload: a google.protobuf.Struct with
# event_id, event_type, subject, source and reason), on the subject of the quarantined event's site.
DEAD_LETTERED = "outbox.dead_lettered"
# Its site when the quarantined message names none (not an event, or a site that is no subject token).
PLATFORM_SITE = "platform"
RELAY_ACTOR = common_pb2.Actor(person_id="system:outbox", display_name="outbox relay", kind="system")
# Longest reason kept with a dead letter, and shown in the event about it.
REASON_LIMIT = 2000
NOTICE_REASON_LIMIT = 500
_WHITESPACE = re.compile(r"\s")


class TransientPublishError(Exception):
    """Publishing failed for a reason that is not the message's (cancelled, an unexpected answer)."""


async def add_event(conn: Connection | Writes, event: event_pb2.Event) -> None:
    """Stage ``event`` for publication in the current transaction of ``conn`` (or with a batch of writes)."""
    # No NOTIFY: PostgreSQL serializes every notifying commit on one global lock, which halves the
    # commit rate of the hot path; the relay polls an (almost always empty) table instead.
    await write(
        conn,
        "INSERT INTO outbox (id, subject, data, traceparent) VALUES ($1, $2, $3, $4)",
        event.id,
        subject_for(event.site_id, event.type),
        event.SerializeToString(),
        # The relay publishes it later, in the trace of the change it describes.
        tracing.outbox_traceparent(),
    )


async def backlog(pool: asyncpg.Pool, schema: str) -> None:
    """Set the outbox gauges of ``schema`` (at scrape time): how many events wait, and how long the
    oldest has (by the primary key's order: no scan of the table for its age)."""
    row = await pool.fetchrow(
        "SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - "
        "(SELECT created_at FROM outbox ORDER BY seq LIMIT 1)), 0)::float8 AS lag FROM outbox"
    )
    assert row is not None
    metrics.OUTBOX_PENDING.set(row["pending"], schema)
    metrics.OUTBOX_LAG.set(row["lag"], schema)


async def keep_running(attempt: Callable[[], Awaitable[None]], interrupted: str, **context: object) -> None:
    """Run ``attempt`` until cancelled: when it fails (NATS or PostgreSQL away), log ``interrupted``,
    back off a second and start it over (it resumes where its durable state says)."""
    while True:
        honour_cancellation()
        try:
            await attempt()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(interrupted, error=repr(exc), **context)
            await asyncio.sleep(1.0)


def stream_config(name: str, *, replicas: int = 1) -> StreamConfig:
    """The event stream: file storage, ``replicas`` copies (3 on a three-node JetStream cluster)."""
    return StreamConfig(
        name=name,
        subjects=[f"{SUBJECT_PREFIX}.>"],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        num_replicas=replicas,
    )


async def ensure_stream(js: nats.js.JetStreamContext, config: StreamConfig) -> None:
    """Create the stream unless it exists (an existing stream keeps its settings)."""
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except nats.js.errors.NotFoundError:
        await js.add_stream(config)


# -- poison messages --------------------------------------------------------------------------------


def subject_matches(pattern: str, subject: str) -> bool:
    """Whether the literal ``subject`` matches the NATS subject ``pattern`` (``*`` one token, ``>`` the rest)."""
    p_tokens, s_tokens = pattern.split("."), subject.split(".")
    for i, token in enumerate(p_tokens):
        if token == ">":
            return len(s_tokens) > i
        if i >= len(s_tokens) or (token != "*" and token != s_tokens[i]):
            return False
    return len(p_tokens) == len(s_tokens)


def message_size(data: bytes, headers: Mapping[str, str]) -> int:
    """What a message with ``headers`` counts against the server's ``max_payload`` (the server counts
    the header block with the payload and closes the connection of a client that sends too much)."""
    header_block = len(b"NATS/1.0\r\n") + sum(len(k) + 2 + len(v) + 2 for k, v in headers.items()) + 2
    return len(data) + (header_block if headers else 0)


def unpublishable(
    subject: str, size: int, *, max_payload: int, stream: str, stream_subjects: Sequence[str]
) -> str | None:
    """Why a message can never be published to ``stream`` (None when it can): checked before sending,
    because the server would close the connection for an oversized message, and no stream answers a
    subject none takes (which looks like JetStream being away)."""
    if size > max_payload:
        return f"{size} bytes, over the NATS server's max_payload of {max_payload} bytes"
    tokens = subject.split(".")
    if not subject or _WHITESPACE.search(subject) or any(t in ("", "*", ">") for t in tokens):
        return f"{subject!r} is not a subject a message can be published to"
    if stream_subjects and not any(subject_matches(p, subject) for p in stream_subjects):
        return f"no subject of stream {stream} ({', '.join(stream_subjects)}) takes {subject!r}"
    return None


def refusal(error: BaseException) -> str | None:
    """Why JetStream refused a message for good, or None when the failure is not the message's fault
    (the connection, a timeout, no answer or a 5xx: JetStream unavailable) and it is worth retrying."""
    if isinstance(error, nats.errors.MaxPayloadError):
        return "larger than the NATS server's max_payload"
    if isinstance(error, nats.errors.BadSubjectError):
        return "not a subject a message can be published to"
    if isinstance(error, nats.js.errors.APIError) and error.code is not None and 400 <= error.code < 500:
        return f"refused by JetStream: {error.description} (code {error.code}, err_code {error.err_code})"
    return None


def dead_letter_notice(*, source: str, event_id: str, subject: str, data: bytes, reason: str) -> event_pb2.Event:
    """The ``outbox.dead_lettered`` event about a message set aside: at the quarantined event's site
    (else the site its subject names, else ``platform``), with its drill mark and request id."""
    quarantined = event_pb2.Event()
    with contextlib.suppress(DecodeError):
        quarantined.ParseFromString(data)
    tokens = subject.split(".")
    site_from_subject = tokens[1] if len(tokens) > 1 and tokens[0] == SUBJECT_PREFIX else ""
    site = next(
        (s for s in (quarantined.site_id, site_from_subject) if SITE_ID_PATTERN.match(s)),
        PLATFORM_SITE,
    )
    payload = struct_pb2.Struct()
    payload.update(
        {
            "event_id": event_id,
            "event_type": quarantined.type,
            "subject": subject[:300],
            "source": source,
            "reason": reason[:NOTICE_REASON_LIMIT],
        }
    )
    return build_event(
        event_type=DEAD_LETTERED,
        site_id=site,
        aggregate_id=event_id[:200] or "unknown",
        aggregate_version=1,
        actor=RELAY_ACTOR,
        payload=payload,
        occurred_at=datetime.now(UTC),
        drill=quarantined.drill,
        request_id=quarantined.request_id,
    )


class OutboxRelay:
    """Publishes one schema's outbox. One relay per schema is active at a time (advisory lock),
    so events of an aggregate reach the stream in the order they were committed."""

    def __init__(
        self,
        *,
        dsn: str,
        schema: str,
        nats_url: str,
        stream: str,
        nats_creds: str = "",
        replicas: int = 1,
        batch_size: int = 500,
        idle_poll_seconds: float = 0.05,
    ) -> None:
        self._dsn = dsn
        self._schema = schema
        self._nats_url = nats_url
        # A creds file when NATS runs in operator mode; "": connect without credentials.
        self._nats_creds = nats_creds
        self._stream = stream
        self._replicas = replicas
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self.published = 0
        self.dead_lettered = 0
        self._published_total = metrics.OUTBOX_PUBLISHED.labels(schema)
        self._dead_letters_total = metrics.DEAD_LETTERS.labels(f"outbox:{schema}")
        # The stream's subjects, read when the relay connects (an existing stream keeps its own).
        self._stream_subjects: list[str] = []

    async def run(self) -> None:
        """Run until cancelled, surviving NATS and PostgreSQL outages."""
        await keep_running(self._run_once, "outbox relay interrupted", schema=self._schema)

    async def _run_once(self) -> None:
        conn = await asyncpg.connect(self._dsn, server_settings={"search_path": self._schema})
        nc = await connect_url(
            self._nats_url,
            self._nats_creds,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            name=f"dutyline-outbox-{self._schema}",
        )
        try:
            await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"dutyline-outbox-{self._schema}")
            js = nc.jetstream(timeout=5.0)
            await ensure_stream(js, stream_config(self._stream, replicas=self._replicas))
            info = await js.stream_info(self._stream)
            self._stream_subjects = list(info.config.subjects or [])
            log.info("outbox relay active", schema=self._schema)
            while True:
                honour_cancellation()
                sent = await self._publish_batch(conn, js, max_payload=nc.max_payload)
                if sent < self._batch_size:
                    await asyncio.sleep(self._idle_poll)
        finally:
            with contextlib.suppress(Exception):
                await nc.close()
            with contextlib.suppress(Exception):
                await conn.close()

    async def _publish_batch(self, conn: Connection, js: nats.js.JetStreamContext, *, max_payload: int) -> int:
        """Publish the oldest pending rows in order; returns how many left the outbox (published or
        set aside as dead letters)."""
        rows = await conn.fetch(
            "SELECT seq, id, subject, data, traceparent FROM outbox ORDER BY seq LIMIT $1", self._batch_size
        )
        if not rows:
            return 0
        refused: list[tuple[asyncpg.Record, str]] = []
        pending: list[tuple[asyncpg.Record, asyncio.Future[PubAck]]] = []
        spans: list[tuple[Span, asyncio.Future[PubAck]]] = []
        # Published in order on one connection; acks are awaited together for throughput.
        for r in rows:
            sent = {"Nats-Msg-Id": r["id"]}
            span = tracing.publish_span(r["subject"], r["traceparent"])
            if span is not None:
                sent.update(tracing.message_headers(span))
            headers = {**sent, "Nats-Expected-Stream": self._stream}
            data = bytes(r["data"])
            reason = unpublishable(
                r["subject"],
                message_size(data, headers),
                max_payload=max_payload,
                stream=self._stream,
                stream_subjects=self._stream_subjects,
            )
            if reason is not None:
                if span is not None:
                    tracing.end_span(span, reason)
                refused.append((r, reason))
                continue
            ack = await js.publish_async(r["subject"], data, stream=self._stream, headers=sent)
            pending.append((r, ack))
            if span is not None:
                spans.append((span, ack))
        try:
            async with asyncio.timeout(10.0):
                results = await asyncio.gather(*(ack for _, ack in pending), return_exceptions=True)
        finally:
            for span, ack in spans:
                failed = not ack.done() or ack.cancelled() or ack.exception() is not None
                tracing.end_span(span, "not acknowledged" if failed else None)
        for (r, _), result in zip(pending, results, strict=True):
            if not isinstance(result, BaseException):
                continue
            reason = refusal(result)
            if reason is None:
                # Not the message's fault: the whole batch again from the start (JetStream drops the
                # ones it stored already by their message id).
                if isinstance(result, Exception) and not isinstance(result, asyncio.CancelledError):
                    raise result
                raise TransientPublishError(f"publishing {r['id']} was cancelled") from result
            refused.append((r, reason))
        done = [r["seq"] for r in rows]
        if not refused:
            await conn.execute("DELETE FROM outbox WHERE seq = ANY($1::bigint[])", done)
            self.published += len(rows)
            self._published_total.inc(len(rows))
            return len(rows)
        # The published rows leave, the refused ones move to dead_letters: all at once.
        refused.sort(key=lambda item: item[0]["seq"])
        async with conn.transaction():
            await conn.execute("DELETE FROM outbox WHERE seq = ANY($1::bigint[])", done)
            for r, reason in refused:
                await self._set_aside(conn, r, reason)
        for r, reason in refused:
            log.error(
                "outbox event set aside as a dead letter",
                schema=self._schema,
                event_id=r["id"],
                subject=r["subject"],
                reason=reason[:200],
            )
        self.dead_lettered += len(refused)
        self.published += len(rows) - len(refused)
        self._dead_letters_total.inc(len(refused))
        self._published_total.inc(len(rows) - len(refused))
        return len(rows)

    async def _set_aside(self, conn: Connection, row: asyncpg.Record, reason: str) -> None:
        """Record ``row`` as a dead letter and stage the event about it (in the caller's transaction)."""
        source = f"outbox:{self._schema}"
        data = bytes(row["data"])
        await conn.execute(
            "INSERT INTO dead_letters (source, subject, event_id, data, reason) VALUES ($1, $2, $3, $4, $5)",
            source,
            row["subject"],
            row["id"],
            data,
            reason[:REASON_LIMIT],
        )
        # No event about the event about a dead letter: one that cannot be published either (NATS
        # misconfigured, say) must not feed itself.
        if row["subject"].endswith(f".{DEAD_LETTERED}"):
            return
        notice = dead_letter_notice(source=source, event_id=row["id"], subject=row["subject"], data=data, reason=reason)
        await add_event(conn, notice)
