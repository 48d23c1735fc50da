"""Asking a service the standard gRPC health question (grpc.health.v1), for probes and start-up waits."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


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
    async with grpc.aio.insecure_channel(target) as channel:
        return await status(channel, service=service, timeout=timeout)
