"""Where a gRPC client goes for one address, a list of replicas, or a DNS name of several."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from dutyline.config import Settings
from dutyline.grpckit.client import balanced_target, channel


def test_one_address_is_dialled_as_before() -> None:
    assert balanced_target("127.0.0.1:50051") == ("127.0.0.1:50051", [])
    assert balanced_target("intake:50051") == ("intake:50051", [])


def test_a_list_of_replicas_is_balanced_round_robin_with_health_checks() -> None:
    target, options = balanced_target("10.0.0.1:50051, 10.0.0.2:50051")
    assert target == "ipv4:10.0.0.1:50051,10.0.0.2:50051"
    config = json.loads(dict(options)["grpc.service_config"])
    assert config["loadBalancingConfig"] == [{"round_robin": {}}]
    assert config["healthCheckConfig"] == {"serviceName": ""}
    assert balanced_target("[::1]:1,[::1]:2")[0] == "ipv6:[::1]:1,[::1]:2"


def test_a_dns_name_is_balanced_over_its_answers() -> None:
    target, options = balanced_target("dns:///intake-headless:50051")
    assert target == "dns:///intake-headless:50051" and dict(options)["grpc.service_config"]


def test_a_list_of_names_or_mixed_families_is_refused() -> None:
    with pytest.raises(ValueError, match="dns:///"):
        balanced_target("intake-1:50051,intake-2:50051")
    with pytest.raises(ValueError, match="IPv4 and IPv6"):
        balanced_target("10.0.0.1:1,[::1]:2")


def test_a_replica_listens_on_its_own_port() -> None:
    settings = Settings(intake_address="127.0.0.1:1,127.0.0.1:2", listen_port=2)
    assert settings.listen_address("intake") == "127.0.0.1:2"
    with pytest.raises(ValueError, match="DUTYLINE_LISTEN_PORT"):
        Settings(intake_address="127.0.0.1:1,127.0.0.1:2").listen_address("intake")
    assert Settings(intake_address="127.0.0.1:7").listen_address("intake") == "127.0.0.1:7"


class _CountingHealth(health.aio.HealthServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.checks = 0

    async def Check(self, request: Any, context: Any) -> Any:
        self.checks += 1
        return await super().Check(request, context)


async def _replica(serving: bool) -> tuple[grpc.aio.Server, _CountingHealth, int]:
    server = grpc.aio.server()
    servicer = _CountingHealth()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    await servicer.set("", status)
    return server, servicer, port


async def test_calls_go_round_robin_to_the_replicas_that_say_serving() -> None:
    replicas = [await _replica(True), await _replica(False), await _replica(True)]
    try:
        address = ",".join(f"127.0.0.1:{port}" for _, _, port in replicas)
        async with channel(address, "token") as ch:
            stub = health_pb2_grpc.HealthStub(ch)
            for _ in range(30):
                await stub.Check(health_pb2.HealthCheckRequest(), timeout=5, wait_for_ready=True)
        served = [servicer.checks for _, servicer, _ in replicas]
        # The draining one (NOT_SERVING) gets nothing; the others share the calls.
        assert served[1] == 0 and served[0] >= 10 and served[2] >= 10, served
    finally:
        for server, _, _ in replicas:
            await server.stop(None)
