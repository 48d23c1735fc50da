"""Raw ceilings of the components, measured against the platform's own servers: PostgreSQL
two-insert commits, JetStream acked publishes, grpc.aio unary echo and Temporal workflow starts."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import uuid
from pathlib import Path

import asyncpg
import grpc
import nats
from nats.js.api import PubAck, StorageType, StreamConfig
from temporalio.client import Client

from bench.echo_server import METHOD
from bench.load import LoadResult, closed_loop
from dutyline.natsconn import connect_url
from dutyline.stack.process import free_port

ROOT = Path(__file__).resolve().parents[1]
# Sizes close to dutyline's: a RegisterCallRequest, a serialized event envelope.
ECHO_PAYLOAD = os.urandom(300)
EVENT_PAYLOAD = os.urandom(400)
ROW_PAYLOAD = os.urandom(300)

BENCH_STREAM = "BENCH"
NOOP_WORKFLOW = "BenchNoop"
NOOP_QUEUE = "bench-noop"

_SCRATCH_DDL = """
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.rows (id text PRIMARY KEY, site_id text NOT NULL, summary text NOT NULL,
                         data bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench.outbox (seq bigserial PRIMARY KEY, id text NOT NULL, subject text NOT NULL,
                           data bytea NOT NULL);
"""


async def postgres_two_insert_commits(dsn: str, *, connections: int = 16, duration: float = 8.0) -> LoadResult:
    """Durable commits (fsync on, synchronous_commit on) of a transaction with two inserts."""
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(_SCRATCH_DDL)
        pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
        assert pool is not None
        counter = itertools.count()
        run = uuid.uuid4().hex[:8]

        async def commit() -> None:
            n = next(counter)
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO bench.rows (id, site_id, summary, data) VALUES ($1, $2, $3, $4)",
                    f"row-{run}-{n}",
                    "hz-01",
                    "bench row",
                    ROW_PAYLOAD,
                )
                await conn.execute(
                    "INSERT INTO bench.outbox (id, subject, data) VALUES ($1, $2, $3)",
                    f"evt-{run}-{n}",
                    "bench.hz-01.row.created",
                    ROW_PAYLOAD,
                )

        try:
            await closed_loop(commit, concurrency=connections, duration=0.5)  # warm up
            return await closed_loop(commit, concurrency=connections, duration=duration)
        finally:
            await pool.close()
    finally:
        with contextlib.suppress(Exception):
            await admin.execute("DROP SCHEMA IF EXISTS bench CASCADE")
        await admin.close()


async def jetstream_publishes(
    nats_url: str, *, creds: str | Path | None = None, duration: float = 5.0, in_flight: int = 100
) -> tuple[LoadResult, LoadResult]:
    """Acked publishes to a scratch file stream: one at a time, then ``in_flight`` outstanding."""
    nc = await connect_url(nats_url, creds, name="dutyline-bench")
    try:
        js = nc.jetstream(timeout=5.0)
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await js.delete_stream(BENCH_STREAM)
        await js.add_stream(StreamConfig(name=BENCH_STREAM, subjects=["bench.>"], storage=StorageType.FILE))
        try:

            async def publish_one() -> None:
                await js.publish("bench.one", EVENT_PAYLOAD)

            await closed_loop(publish_one, concurrency=1, duration=0.3)  # warm up
            single = await closed_loop(publish_one, concurrency=1, duration=duration)
            window = await _publish_windowed(nc, duration=duration, in_flight=in_flight)
            return single, window
        finally:
            with contextlib.suppress(Exception):
                await js.delete_stream(BENCH_STREAM)
    finally:
        await nc.close()


async def _publish_windowed(nc: nats.NATS, *, duration: float, in_flight: int) -> LoadResult:
    js = nc.jetstream(timeout=5.0, publish_async_max_pending=in_flight)
    loop = asyncio.get_running_loop()
    result = LoadResult()
    futures: list[asyncio.Future[PubAck]] = []
    started = loop.time()
    deadline = started + duration
    try:
        while loop.time() < deadline and len(futures) < 1_000_000:
            # Blocks (in the semaphore) while ``in_flight`` acks are outstanding.
            futures.append(await js.publish_async("bench.window", EVENT_PAYLOAD, wait_stall=5.0))
    except Exception as exc:
        result.record_error(exc)
    if futures:
        done, pending = await asyncio.wait(futures, timeout=15.0)
        for future in done:
            problem = asyncio.CancelledError() if future.cancelled() else future.exception()
            if problem is None:
                result.ok += 1
            else:
                result.record_error(problem)
        for future in pending:
            future.cancel()
            result.record_error(TimeoutError("no ack within 15s"))
    result.elapsed = loop.time() - started
    return result


async def grpc_echo(*, concurrency: int = 32, duration: float = 5.0) -> LoadResult:
    """Unary echo over raw bytes against a grpc.aio server in its own process."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.echo_server",
        str(port),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30.0)
        if line.strip() != b"ready":
            raise RuntimeError(f"echo server did not start (said {line!r})")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            echo = channel.unary_unary(METHOD)

            async def call() -> None:
                await echo(ECHO_PAYLOAD, timeout=5.0)

            await closed_loop(call, concurrency=concurrency, duration=0.5)  # warm up
            return await closed_loop(call, concurrency=concurrency, duration=duration)
    finally:
        await _stop_process(proc)


async def _stop_process(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), 5.0)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


async def temporal_starts(address: str, *, concurrency: int = 32, duration: float = 8.0) -> LoadResult:
    """Starts of a workflow type by name on a task queue no worker polls; the workflows are left
    pending in the (temporary) dev server."""
    client = await Client.connect(address)
    run = uuid.uuid4().hex[:8]
    counter = itertools.count()

    async def start() -> None:
        await client.start_workflow(NOOP_WORKFLOW, id=f"bench-noop-{run}-{next(counter)}", task_queue=NOOP_QUEUE)

    await closed_loop(start, concurrency=concurrency, duration=0.5)  # warm up
    return await closed_loop(start, concurrency=concurrency, duration=duration)
