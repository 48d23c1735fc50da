"""A real PostgreSQL and NATS JetStream for the tests of projections, and nothing else of the stack:
started once per module on free ports, with a fresh stream and schema per test."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import nats
from nats.aio.client import Client

from dutyline.db.migrations import migrate
from dutyline.envelope import subject_for
from dutyline.events.v1 import event_pb2
from dutyline.outbox import ensure_stream, stream_config
from dutyline.stack.nats import EmbeddedNats
from dutyline.stack.postgres import EmbeddedPostgres
from dutyline.stack.process import free_port
from tests.support import start_on_free_ports


@dataclass(frozen=True)
class Servers:
    postgres: EmbeddedPostgres
    nats: EmbeddedNats


@contextlib.asynccontextmanager
async def postgres_and_nats() -> AsyncIterator[Servers]:
    # Outside the source tree, readable by the embedded_postgres user when run as root.
    state = Path(tempfile.mkdtemp(prefix="dutyline-projection-"))
    os.chmod(state, 0o755)
    pg = await start_on_free_ports(
        lambda: EmbeddedPostgres(state / "pg", free_port(), state / "pg.log"), lambda s: s.start_async()
    )
    try:
        js = await start_on_free_ports(
            lambda: EmbeddedNats(state / "js", free_port(), state / "nats.log"), lambda s: s.start_async()
        )
        try:
            yield Servers(pg, js)
        finally:
            await js.stop_async()
    finally:
        await pg.stop_async()
        shutil.rmtree(state, ignore_errors=True)


@contextlib.asynccontextmanager
async def fresh_stream(url: str, name: str = "DUTYLINE") -> AsyncIterator[Client]:
    """A connection and an empty stream ``name`` on ``dutyline.>`` (deleted afterwards)."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    try:
        await ensure_stream(js, stream_config(name))
        yield nc
    finally:
        with contextlib.suppress(Exception):
            await js.delete_stream(name)
        await nc.close()


@contextlib.asynccontextmanager
async def schema_with(dsn: str, package: str, prefix: str) -> AsyncIterator[str]:
    """A schema of its own with the kit's migrations and those of ``package`` (dropped afterwards)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn, name, package)
        yield name
    finally:
        await conn.execute(f"DROP SCHEMA {name} CASCADE")
        await conn.close()


async def publish(nc: Client, events: Sequence[event_pb2.Event], *, again: bool = False) -> int:
    """Publish ``events`` as the outbox relay does (message id = event id); ``again``: under other
    message ids, so the stream stores them a second time (a redelivery as JetStream cannot tell).
    Returns the stream sequence of the last one."""
    js = nc.jetstream()
    last = 0
    for event in events:
        msg_id = f"{event.id}-again-{uuid.uuid4().hex[:6]}" if again else event.id
        ack = await js.publish(
            subject_for(event.site_id, event.type), event.SerializeToString(), headers={"Nats-Msg-Id": msg_id}
        )
        last = ack.seq
    return last
