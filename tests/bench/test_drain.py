"""Between bench phases the platform catches up: every durable consumer has handled what was
published, so a phase does not pay for the backlog of the one before (a real nats-server)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from bench.dutyline_paths import drain_consumers
from dutyline.natsconn import connect_url


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
