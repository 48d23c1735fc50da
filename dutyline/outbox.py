"""Transactional outbox and its relay to NATS JetStream.

``add_event`` writes an event in the caller's transaction, so the event exists exactly when the
change does. ``OutboxRelay`` publishes pending events in order with ``Nats-Msg-Id`` = event id and
deletes them only after JetStream acknowledged them (on the embedded server, configured with
``sync_interval: always``, an ack means the message is on disk). A crash between the ack and the
delete republishes the event, which JetStream's duplicate window drops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg
import nats
import structlog
from nats.js.api import StorageType, StreamConfig

from dutyline.db.pool import Connection
from dutyline.db.writes import Writes, write
from dutyline.envelope import SUBJECT_PREFIX, subject_for
from dutyline.events.v1 import event_pb2
from dutyline.natsconn import connect_url

log = structlog.get_logger(__name__)

DUPLICATE_WINDOW = timedelta(minutes=5)


async def add_event(conn: Connection | Writes, event: event_pb2.Event) -> None:
    """Stage ``event`` for publication in the current transaction of ``conn`` (or with a batch of writes)."""
    # No NOTIFY: PostgreSQL serializes every notifying commit on one global lock, which halves the
    # commit rate of the hot path; the relay polls an (almost always empty) table instead.
    await write(
        conn,
        "INSERT INTO outbox (id, subject, data) VALUES ($1, $2, $3)",
        event.id,
        subject_for(event.site_id, event.type),
        event.SerializeToString(),
    )


async def keep_running(attempt: Callable[[], Awaitable[None]], interrupted: str, **context: object) -> None:
    """Run ``attempt`` until cancelled: when it fails (NATS or PostgreSQL away), log ``interrupted``,
    back off a second and start it over (it resumes where its durable state says)."""
    while True:
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
            log.info("outbox relay active", schema=self._schema)
            while True:
                sent = await self._publish_batch(conn, js)
                if sent < self._batch_size:
                    await asyncio.sleep(self._idle_poll)
        finally:
            with contextlib.suppress(Exception):
                await nc.close()
            with contextlib.suppress(Exception):
                await conn.close()

    async def _publish_batch(self, conn: Connection, js: nats.js.JetStreamContext) -> int:
        rows = await conn.fetch("SELECT seq, id, subject, data FROM outbox ORDER BY seq LIMIT $1", self._batch_size)
        if not rows:
            return 0
        # Published in order on one connection; acks are awaited together for throughput.
        acks = [
            await js.publish_async(
                r["subject"], bytes(r["data"]), stream=self._stream, headers={"Nats-Msg-Id": r["id"]}
            )
            for r in rows
        ]
        await asyncio.wait_for(asyncio.gather(*acks), timeout=10.0)
        await conn.execute("DELETE FROM outbox WHERE seq = ANY($1::bigint[])", [r["seq"] for r in rows])
        self.published += len(rows)
        return len(rows)
