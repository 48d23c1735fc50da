"""A server that comes up late, or comes back after a crash, is reached at once, not after gRPC's reconnect
back-off has grown to tens of seconds: by a start-up wait asking its health over one channel (the chaos
suite's platform once failed to start so: "insight not serving after 60.0s" although it logged serving at
43 s), and by the other services' channels to it."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health, health_pb2_grpc

from dutyline.grpckit import health as probes
from dutyline.grpckit.client import channel
from dutyline.stack.process import free_port

# Down this long, a default channel's next try is 4-8 s away (tries at about 0, 1, 2.6, 5.2, 9.3, 15.8 s).
DOWN_SECONDS = 10.0
PROBE_SEES_WITHIN = 2.0
CALLER_SEES_WITHIN = 3.5


async def _until_serving(ch: grpc.aio.Channel, up: float, within: float) -> None:
    loop = asyncio.get_running_loop()
    while await probes.status(ch, timeout=0.5) != "SERVING":
        assert loop.time() - up < within, "the channel is still backing off"
        await asyncio.sleep(0.1)


async def test_a_server_that_came_up_late_is_reached_at_once() -> None:
    loop = asyncio.get_running_loop()
    target = f"127.0.0.1:{free_port()}"
    async with probes.probe_channel(target) as probe, channel(target, "any token") as caller:
        down_until = loop.time() + DOWN_SECONDS
        while loop.time() < down_until:
            for ch in (probe, caller):
                assert await probes.status(ch, timeout=0.5) == "UNREACHABLE"
            await asyncio.sleep(0.1)

        server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
        server.add_insecure_port(target)
        await server.start()
        up = loop.time()
        try:
            await asyncio.gather(
                _until_serving(probe, up, PROBE_SEES_WITHIN), _until_serving(caller, up, CALLER_SEES_WITHIN)
            )
        finally:
            await server.stop(None)
