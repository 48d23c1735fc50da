"""Every service and the worker serve Prometheus metrics on their own port (dutyline.metrics), and the
named series move when calls come in: scraped before and after a consultation, an emergency and a
refused call, on the real stack."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from dutyline.common.v1 import common_pb2
from dutyline.config import SERVICES
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.stack.process import free_port
from dutyline.stack.scrape import PROMETHEUS_INSTALL, start_prometheus
from tests.deploy.test_observability import temporal_series
from tests.e2e.test_recovery import verify_as_accident
from tests.support import token_for

pytestmark = pytest.mark.stack

WORKER = "worker"
INTAKE = "dutyline.intake.v1.IntakeService"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: aiohttp.ClientSession, platform: Any, process: str) -> Samples:
    async with http.get(f"http://{platform.metrics_address(process)}/metrics") as reply:
        assert reply.status == 200, f"{process}: /metrics answered {reply.status}"
        text = await reply.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


def present(samples: Samples, name: str) -> bool:
    return any(n == name for n, _ in samples)


def call(category: int) -> intake_pb2.RegisterCallRequest:
    now = datetime.now(UTC)
    # A place of its own (far from other tests' calls), so the emergency opens an incident of its own.
    offset = uuid.uuid4().int % 1000 / 10000
    return intake_pb2.RegisterCallRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=category,
        ring_started_at=ts(now - timedelta(seconds=15)),
        answered_at=ts(now - timedelta(seconds=2)),
        caller=intake_pb2.Caller(name="赵磊", phone="13800138000"),
        place=common_pb2.Place(text="指标测试路1号 1 Metrics Road", latitude=29.1 + offset, longitude=118.1 + offset),
        summary="仓库冒烟 Smoke from a warehouse",
    )


async def test_every_process_serves_metrics_that_move_with_calls(platform: Any, officer_token: str) -> None:
    processes = [*SERVICES, WORKER]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        before = {p: await scrape(http, platform, p) for p in processes}
        for process in SERVICES:
            assert present(before[process], "dutyline_db_pool_connections"), process
            assert present(before[process], "dutyline_outbox_pending"), process
        assert present(before[WORKER], "dutyline_db_pool_connections")
        assert any(name.startswith("temporal_") for name, _ in before[WORKER]), "no Temporal SDK metrics"
        # Every process answers the probes' /healthz and /readyz (a service's as its gRPC health does).
        for process in processes:
            for path in ("/healthz", "/readyz"):
                async with http.get(f"http://{platform.metrics_address(process)}{path}") as reply:
                    assert reply.status == 200, f"{process} {path}: {reply.status} {await reply.text()}"

        # An agency reads the site's calls and incidents, so the feed renders and queues them (from the
        # registration's answer on: services.notify.agencies.feed).
        async with channel(platform.address("notify"), token_for("p-admin", ["admin"], ["*"])) as ch:
            await notify_pb2_grpc.NotifyServiceStub(ch).RegisterAgency(
                notify_pb2.RegisterAgencyRequest(
                    idempotency_key=str(uuid.uuid4()),
                    agency=notify_pb2.Agency(
                        id=f"metrics-{uuid.uuid4().hex[:6]}",
                        name="指标测试 Metrics test",
                        site_ids=["hz-01"],
                        event_types=["call.*", "incident.*"],
                    ),
                )
            )
        async with channel(platform.address("intake"), officer_token) as ch:
            stub = intake_pb2_grpc.IntakeServiceStub(ch)
            await stub.RegisterCall(call(intake_pb2.CALL_CATEGORY_CONSULTATION))
            emergency = await stub.RegisterCall(call(intake_pb2.CALL_CATEGORY_EMERGENCY))
        # Verified: the incident's change is stored by an activity task (its first steps are local activities).
        async with channel(platform.address("incident"), officer_token) as ch:
            await verify_as_accident(incident_pb2_grpc.IncidentServiceStub(ch), emergency.incident_id, timeout=30)
        async with grpc.aio.insecure_channel(platform.address("intake")) as ch:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(call(intake_pb2.CALL_CATEGORY_CONSULTATION))
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

        def grew(process: str, name: str, by: float = 1, **labels: str) -> Callable[[dict[str, Samples]], bool]:
            return lambda now: total(now[process], name, **labels) >= total(before[process], name, **labels) + by

        expected = {
            "RegisterCall OK": grew(
                "intake", "dutyline_grpc_server_handled_total", 2, service=INTAKE, method="RegisterCall", code="OK"
            ),
            "RegisterCall UNAUTHENTICATED": grew(
                "intake", "dutyline_grpc_server_handled_total", method="RegisterCall", code="UNAUTHENTICATED"
            ),
            "RegisterCall timed": grew(
                "intake", "dutyline_grpc_server_handling_seconds_count", 3, method="RegisterCall"
            ),
            "intake's outbox published": grew("intake", "dutyline_outbox_published_total", 2, schema="intake"),
            "incident's outbox published": grew("incident", "dutyline_outbox_published_total", schema="incident"),
            "notifications attempted": grew("notify", "dutyline_notifications_total"),
            "agency feed read the events": grew("notify", "dutyline_consumer_events_total", 2, consumer="notify-feed"),
            "incident's deadlines pending": lambda now: present(now["incident"], "dutyline_deadlines_pending"),
            "incident's deadlines missed": lambda now: present(now["incident"], "dutyline_deadlines_missed_total"),
            "notify's escalations open": lambda now: present(now["notify"], "dutyline_escalations_open"),
            "notify's escalations exhausted": lambda now: present(
                now["notify"], "dutyline_escalations_exhausted_total"
            ),
            "consumers applied events": lambda now: (
                sum(total(now[p], "dutyline_consumer_events_total") for p in SERVICES)
                > sum(total(before[p], "dutyline_consumer_events_total") for p in SERVICES)
            ),
            "Temporal workflow tasks ran": grew(WORKER, "temporal_workflow_task_execution_latency_count"),
            # The incident's leader notice and time to verify are local activities (incident revision 2).
            "Temporal activities ran": grew(WORKER, "temporal_activity_execution_latency_count"),
            "Temporal local activities ran": grew(WORKER, "temporal_local_activity_execution_latency_count"),
        }
        deadline = time.monotonic() + 30.0
        while True:
            now = {p: await scrape(http, platform, p) for p in processes}
            missing = [what for what, check in expected.items() if not check(now)]
            if not missing or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert not missing, f"series that did not move: {missing}"
        # The Temporal SDK's series that deploy/'s alerts and dashboard use are the worker's.
        served = {name for name, _ in now[WORKER]}
        assert temporal_series() <= served, sorted(n for n in served if n.startswith("temporal_"))
        # The database's series exist only where their tables are (a sum over processes counts each once).
        assert not present(now["intake"], "dutyline_escalations_open")
        assert not present(now["notify"], "dutyline_deadlines_pending")


async def test_dutyline_up_s_prometheus_scrapes_every_process(platform: Any) -> None:
    """`dutyline up --prometheus`'s Prometheus, with the scrape configuration `dutyline up` writes, sees every
    service and worker process as a target that is up."""
    if shutil.which("prometheus") is None:
        pytest.skip(f"Prometheus not installed: `make prometheus` installs Debian's package ({PROMETHEUS_INSTALL})")
    port = free_port()
    prometheus = await start_prometheus(platform, port)
    try:
        # Every process running now (the session's platform may hold workers another test stopped).
        wanted = {
            name for name in platform.metrics_ports if name in platform.processes and platform.processes[name].running
        }
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            deadline = time.monotonic() + 60.0
            while True:
                async with http.get(f"http://127.0.0.1:{port}/api/v1/targets") as reply:
                    targets = (await reply.json())["data"]["activeTargets"]
                up = {t["labels"]["process"] for t in targets if t["health"] == "up"}
                if up >= wanted or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
        assert up >= wanted, f"not scraped as up: {sorted(wanted - up)}; targets: {targets}"
        assert {t["labels"]["job"] for t in targets} == {"dutyline"}
    finally:
        prometheus.stop()
