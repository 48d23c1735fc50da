"""Every service reports health and offers reflection without a token."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from dutyline.config import SERVICES

pytestmark = pytest.mark.stack

FULL_NAMES = {
    "intake": "dutyline.intake.v1.IntakeService",
    "roster": "dutyline.roster.v1.RosterService",
    "incident": "dutyline.incident.v1.IncidentService",
    "notify": "dutyline.notify.v1.NotifyService",
    "insight": "dutyline.insight.v1.InsightService",
}


@pytest.mark.parametrize("service", SERVICES)
async def test_health_and_reflection(platform: Any, service: str) -> None:
    async with grpc.aio.insecure_channel(platform.address(service)) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for name in ("", FULL_NAMES[service]):
            reply = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with grpc.insecure_channel(platform.address(service)) as channel:
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
    assert FULL_NAMES[service] in services and "grpc.health.v1.Health" in services
