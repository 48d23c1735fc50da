"""One emergency call is one trace: intake's RegisterCall, the incident service's OpenIncident, the
IncidentWorkflow it starts and its activities, the relay's publish of the call's event and the
consumer that reads it, exported by OTLP to the tests' receiver; and intake's log lines
of the call carry the trace id."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.worker import Replayer

from dutyline.grpckit.client import channel
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.temporal_sandbox import workflow_runner
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import Span, SpanReceiver, token_for
from workflows.incident.workflow import IncidentWorkflow

pytestmark = pytest.mark.stack


async def spans_of(receiver: SpanReceiver, wanted: dict[str, Callable[[Span], bool]], trace_id: str) -> dict[str, Span]:
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


async def test_an_emergency_call_is_one_trace_from_the_rpc_to_the_stream(replicated: Any, spans: SpanReceiver) -> None:
    # The shared platform (tests/conftest.py) exports its processes' spans to ``spans`` every 100 ms.
    platform, receiver = replicated, spans
    async with channel(platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
        on_duty = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))
    officer = on_duty.officers[0].person_id

    def register_call(s: Span) -> bool:
        return s.service == "dutyline-intake" and s.name.endswith("IntakeService/RegisterCall")

    # The platform is shared: only what this call traced counts.
    before = sum(register_call(s) for s in receiver.spans)
    async with channel(platform.address("intake"), token_for(officer, ["officer"], ["hz-01"])) as ch:
        reply = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call(), timeout=20)
    assert reply.escalation == "opened"

    for _ in range(300):
        if sum(register_call(s) for s in receiver.spans) > before:
            break
        await asyncio.sleep(0.1)
    roots = [s for s in receiver.spans if register_call(s)][before:]
    assert len(roots) == 1, roots
    trace_id = roots[0].trace_id
    found = await spans_of(
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
            # The 瞒报 signals take emergency calls (the call links only calls linked to an incident).
            "its consumer": lambda s: (
                s.service == "dutyline-incident" and s.name == "process incident-concealment-signals"
            ),
        },
        trace_id,
    )
    assert len(found) == 7

    # The history the traced worker wrote replays, with the interceptor, in dutyline's sandbox.
    client = await Client.connect(platform.temporal.address)
    history = await client.get_workflow_handle(reply.incident_id).fetch_history()
    replayer = Replayer(
        workflows=[IncidentWorkflow], workflow_runner=workflow_runner(), interceptors=[TracingInterceptor()]
    )
    await replayer.replay_workflow(history)

    # Intake's log lines about the call (on the replica that took it), written while it was registered, name the trace.
    logs = [platform.processes[name].log_path for name in platform.replicas_of("intake")]
    text = "".join(log.read_text(encoding="utf-8") for log in logs)
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    registered = [
        line for line in lines if line.get("event") == "emergency call registered" and line["call_id"] == reply.call.id
    ]
    assert registered and {line.get("trace_id") for line in registered} == {trace_id}
    assert all(len(line["span_id"]) == 16 for line in registered)
