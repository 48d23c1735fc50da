"""Between bench phases the platform catches up: every outbox's events published, every durable consumer
has handled what was published and every workflow task has been taken by a worker, so a phase does not
pay for the backlog of the one before (the session's real PostgreSQL, nats-server and Temporal dev
server)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from temporalio.client import Client
from temporalio.worker import Worker

from bench.dutyline_paths import drain_consumers, drain_outboxes, drain_workflow_tasks, staged_events
from bench.skeleton import SkeletonEscalation
from dutyline.natsconn import connect_url
from dutyline.temporal_sandbox import worker_runner
from dutyline.temporal_worker import task_queue_of


async def test_the_drain_waits_for_a_consumer_behind_and_returns_once_it_has_caught_up(platform: Any) -> None:
    run = uuid.uuid4().hex[:8]
    stream, subject, durable = f"DRAIN_{run}", f"drain-{run}.events", f"reader-{run}"
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    js = nc.jetstream()
    try:
        await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
        await js.add_consumer(stream, ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT))
        for n in range(3):
            await js.publish(subject, str(n).encode())
        assert await drain_consumers(platform.nats.url, platform.nats_creds, stream=stream, timeout=0.5) == {durable: 3}

        # Delivered but not yet acknowledged still counts as behind.
        reader = await js.pull_subscribe_bind(durable, stream)
        messages = await reader.fetch(3, timeout=5)
        assert await drain_consumers(platform.nats.url, platform.nats_creds, stream=stream, timeout=0.5) == {durable: 3}

        for message in messages:
            await message.ack_sync()
        began = time.perf_counter()
        assert await drain_consumers(platform.nats.url, platform.nats_creds, stream=stream, timeout=30) == {}
        assert time.perf_counter() - began < 5
    finally:
        await js.delete_stream(stream)
        await nc.close()


async def test_the_drain_waits_for_workflow_tasks_until_a_worker_has_taken_them(platform: Any) -> None:
    service = f"drain-{uuid.uuid4().hex[:8]}"
    queue = task_queue_of(service)
    client = await Client.connect(platform.temporal.address)
    handle = await client.start_workflow(SkeletonEscalation.run, "e-1", id=f"{service}-1", task_queue=queue)
    try:
        # Nobody polls the queue: its first task waits. Temporal counts its backlog within a few seconds.
        deadline = time.monotonic() + 30
        while not (queued := await drain_workflow_tasks(platform.temporal.address, [service], timeout=0)):
            assert time.monotonic() < deadline, "the queued task was never counted"
            await asyncio.sleep(0.5)
        assert queued == {queue: 1}

        async with Worker(client, task_queue=queue, workflows=[SkeletonEscalation], workflow_runner=worker_runner()):
            assert await drain_workflow_tasks(platform.temporal.address, [service], timeout=30) == {}
    finally:
        await handle.terminate()


async def test_the_drain_counts_every_schemas_outbox_until_it_is_empty(platform: Any) -> None:
    # A schema of its own, with an outbox no relay reads: only this test empties it.
    schema = f"drain_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(platform.postgres.dsn)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.outbox (seq bigint, id text)")
        await conn.execute(f"INSERT INTO {schema}.outbox VALUES (1, 'e-1'), (2, 'e-2')")
        # The fault suite's outbox check reads the ids, oldest first; the drain counts them.
        assert (await staged_events(conn)).get(schema) == ["e-1", "e-2"]
        left = await drain_outboxes(platform.postgres.dsn, timeout=0.5)
        assert left.get(schema) == 2

        await conn.execute(f"DELETE FROM {schema}.outbox")
        assert schema not in await drain_outboxes(platform.postgres.dsn, timeout=0.5)
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()
