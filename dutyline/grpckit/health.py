"""Asking a service the standard gRPC health question (grpc.health.v1), for probes and start-up waits."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from dutyline.grpckit.client import reconnecting

# A probe asks again and again while its server may be down (starting, or restarted after a crash): with
# gRPC's own back-off, a server that came up after 40 s went unasked for another 20 s, past a start-up wait's
# deadline. A probe's channel tries again within half a second, on subchannels of its own (shared ones would
# carry another channel's back-off).
PROBE_OPTIONS = [*reconnecting(initial_ms=100, max_ms=500), ("grpc.use_local_subchannel_pool", 1)]


def probe_channel(target: str) -> grpc.aio.Channel:
    """A plaintext channel for asking ``target`` its health over and over while it may be down."""
    return grpc.aio.insecure_channel(target, options=PROBE_OPTIONS)


async def status(channel: grpc.aio.Channel, *, service: str = "", timeout: float = 3.0) -> str:
    """The serving status of ``service`` ("" = the whole server) over ``channel``: SERVING,
    NOT_SERVING, …, or UNREACHABLE when it does not answer."""
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=timeout
        )
    except grpc.aio.AioRpcError:
        return "UNREACHABLE"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


async def check(target: str, *, service: str = "", timeout: float = 3.0) -> str:
    """``status`` of the server at ``target``, on a channel of its own."""
    async with probe_channel(target) as channel:
        return await status(channel, service=service, timeout=timeout)
