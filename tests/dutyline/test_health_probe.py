"""A start-up wait asks a service's health over one channel until it serves. A server that comes up late
(a busy machine starting 19 processes) must be seen at once, not after gRPC's reconnect back-off has
grown to tens of seconds: the chaos suite's platform once failed to start so ("insight not serving after
60.0s" although it logged serving at 43 s)."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health, health_pb2_grpc

from dutyline.grpckit import health as probes
from dutyline.stack.process import free_port

# Down this long, a default channel's next try is 4-8 s away (tries at about 0, 1, 2.6, 5.2, 9.3, 15.8 s).
DOWN_SECONDS = 10.0
SEEN_WITHIN_SECONDS = 2.0


async def test_a_probe_sees_a_server_that_came_up_late_at_once() -> None:
    loop = asyncio.get_running_loop()
    target = f"127.0.0.1:{free_port()}"
    async with probes.probe_channel(target) as channel:
        down_until = loop.time() + DOWN_SECONDS
        while loop.time() < down_until:
            assert await probes.status(channel, timeout=0.5) == "UNREACHABLE"
            await asyncio.sleep(0.1)

        server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
        server.add_insecure_port(target)
        await server.start()
        up = loop.time()
        try:
            while await probes.status(channel, timeout=0.5) != "SERVING":
                assert loop.time() - up < SEEN_WITHIN_SECONDS, "the probe's channel is still backing off"
                await asyncio.sleep(0.1)
        finally:
            await server.stop(None)
