"""One emergency call is one trace: intake's RegisterCall, the incident service's OpenIncident, the
IncidentWorkflow it starts and its activities, the relay's publish of the call's event and the
consumer that reads it, exported by OTLP to a receiver of the test's own; and intake's log lines
of the call carry the trace id."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.worker import Replayer

from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.client import channel
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.temporal_sandbox import workflow_runner
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import start_on_free_ports, token_for
from workflows.incident.workflow import IncidentWorkflow

pytestmark = pytest.mark.stack


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    name: str
    service: str


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace receiver: keeps every span exported to it."""

    def __init__(self) -> None:
        self.spans: list[Span] = []

    async def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.aio.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(
                    Span(s.trace_id.hex(), s.span_id.hex(), s.name, attributes.get("service.name", ""))
                    for s in scope_spans.spans
                )
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture(scope="module")
async def traced() -> AsyncIterator[tuple[Any, Receiver]]:
    """A platform of its own whose processes export their spans to ``Receiver`` every 100 ms."""
    from dutyline.stack.platform import Platform, Ports
    from dutyline.stack.process import free_port

    receiver = Receiver()
    server = grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    port = server.add_insecure_port(f"127.0.0.1:{free_port()}")
    await server.start()
    state = Path(tempfile.mkdtemp(prefix="dutyline-tracing-"))
    os.chmod(state, 0o755)
    settings = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}", "OTEL_BSP_SCHEDULE_DELAY": "100"}
    platform = await start_on_free_ports(
        lambda: Platform(state, Ports.free(), ui=False, token_secret=DEV_TOKEN_SECRET, settings=settings),
        lambda p: p.start(),
    )
    try:
        yield platform, receiver
    finally:
        await platform.stop()
        await server.stop(None)
        if not os.environ.get("DUTYLINE_KEEP_TEST_STATE"):
            shutil.rmtree(state, ignore_errors=True)


async def spans_of(receiver: Receiver, wanted: dict[str, Callable[[Span], bool]], trace_id: str) -> dict[str, Span]:
    """The first span of trace ``trace_id`` each of ``wanted`` picks, once every one has arrived."""
    found: dict[str, Span] = {}
    for _ in range(300):
        found = {
            what: next(s for s in receiver.spans if s.trace_id == trace_id and pick(s))
            for what, pick in wanted.items()
            if any(s.trace_id == trace_id and pick(s) for s in receiver.spans)
        }
        if len(found) == len(wanted):
            return found
        await asyncio.sleep(0.1)
    missing = sorted(set(wanted) - set(found))
    present = [s.name for s in receiver.spans if s.trace_id == trace_id]
    raise AssertionError(f"not in trace {trace_id}: {missing}; it has {present}")


async def test_an_emergency_call_is_one_trace_from_the_rpc_to_the_stream(traced: tuple[Any, Receiver]) -> None:
    platform, receiver = traced
    async with channel(platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
        on_duty = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))
    officer = on_duty.officers[0].person_id
    async with channel(platform.address("intake"), token_for(officer, ["officer"], ["hz-01"])) as ch:
        reply = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call(), timeout=20)
    assert reply.escalation == "opened"

    def register_call(s: Span) -> bool:
        return s.service == "dutyline-intake" and s.name.endswith("IntakeService/RegisterCall")

    for _ in range(300):
        if any(register_call(s) for s in receiver.spans):
            break
        await asyncio.sleep(0.1)
    roots = [s for s in receiver.spans if register_call(s)]
    assert len(roots) == 1, roots
    trace_id = roots[0].trace_id
    spans = await spans_of(
        receiver,
        {
            "intake's call to the incident service": lambda s: (
                s.service == "dutyline-intake" and s.name.endswith("IncidentService/OpenIncident")
            ),
            "the incident service's OpenIncident": lambda s: (
                s.service == "dutyline-incident" and s.name.endswith("IncidentService/OpenIncident")
            ),
            "the workflow's start": lambda s: s.name == "StartWorkflow:IncidentWorkflow",
            "the workflow's run": lambda s: s.service == "dutyline-worker" and s.name == "RunWorkflow:IncidentWorkflow",
            "an activity": lambda s: s.service == "dutyline-worker" and s.name.startswith("RunActivity:"),
            "the call's event on NATS": lambda s: (
                s.service == "dutyline-intake" and s.name == "publish dutyline.hz-01.call.registered"
            ),
            "its consumer": lambda s: s.service == "dutyline-incident" and s.name == "process incident-call-links",
        },
        trace_id,
    )
    assert len(spans) == 7

    # The history the traced worker wrote replays, with the interceptor, in dutyline's sandbox.
    client = await Client.connect(platform.temporal.address)
    history = await client.get_workflow_handle(reply.incident_id).fetch_history()
    replayer = Replayer(
        workflows=[IncidentWorkflow], workflow_runner=workflow_runner(), interceptors=[TracingInterceptor()]
    )
    await replayer.replay_workflow(history)

    # Intake's log lines about the call, written while it was registered, name the trace.
    log = platform.state_dir / "logs" / "intake.log"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    registered = [
        line for line in lines if line.get("event") == "emergency call registered" and line["call_id"] == reply.call.id
    ]
    assert registered and {line.get("trace_id") for line in registered} == {trace_id}
    assert all(len(line["span_id"]) == 16 for line in registered)
