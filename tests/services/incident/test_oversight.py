"""瞒报 signals and findings (OversightService) on the real stack: an emergency call reclassified as a
consultation is listed to the region's supervisor with its evidence and the officer who took it; a
confirmed finding is a concealment violation in ListViolations, once however often it is retried; a
call's casualties far above the verified incident's raise their own signal; officers are refused; a
redelivered event raises nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc, oversight_pb2, oversight_pb2_grpc
from dutyline.intake.v1 import intake_pb2
from services.incident import store
from services.incident.oversight_signals import ConcealmentSignals
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

pytestmark = pytest.mark.stack

OV = oversight_pb2
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])


def key() -> str:
    return str(uuid.uuid4())


async def signal_about(stub: Any, *, call_id: str = "", incident_id: str = "", kind: oversight_pb2.SignalKind) -> Any:
    """The region's signal of ``kind`` about the call or incident, once the consumer raised it."""
    for _ in range(300):
        found = await stub.ListConcealmentSignals(OV.ListConcealmentSignalsRequest(site_id="east", kind=kind))
        hits = [s for s in found.signals if (call_id and s.call_id == call_id) or s.incident_id == incident_id]
        if hits:
            assert len(hits) == 1, hits
            return hits[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no signal of kind {kind} about {call_id or incident_id}")


async def test_an_emergency_call_reclassified_is_signalled_and_a_confirmed_finding_is_a_violation(
    platform: Any, intake: Any, on_duty_officer: str
) -> None:
    registered = await intake.RegisterCall(emergency_call(), timeout=20)
    await intake.ReclassifyCall(
        intake_pb2.ReclassifyCallRequest(
            idempotency_key=key(),
            call_id=registered.call.id,
            category=intake_pb2.CALL_CATEGORY_CONSULTATION,
            reason="只是咨询 only a question",
        )
    )
    async with channel(platform.address("incident"), SUPERVISOR) as ch:
        stub = oversight_pb2_grpc.OversightServiceStub(ch)
        signal = await signal_about(stub, call_id=registered.call.id, kind=OV.SIGNAL_KIND_CALL_RECLASSIFIED)
        assert signal.site_id == "hz-01" and signal.incident_id == registered.incident_id
        assert signal.finding == OV.FINDING_UNSPECIFIED
        assert ("call_officer", on_duty_officer) in {(p.role, p.person_id) for p in signal.people}
        evidence = {e.label: e.value for e in signal.evidence}
        assert evidence["原类别 category before"] == "紧急 emergency"
        assert evidence["现类别 category after"] == "咨询 consultation"
        assert f"call:{registered.call.id}" in {e.link for e in signal.evidence}

        request = OV.RecordFindingRequest(
            idempotency_key=key(),
            signal_id=signal.id,
            finding=OV.FINDING_CONFIRMED,
            note="确有警情 it was an emergency",
        )
        decided = await stub.RecordFinding(request)
        again = await stub.RecordFinding(request)  # a retry: the first answer, nothing more
        assert decided == again and decided.finding == OV.FINDING_CONFIRMED and decided.violation_ids
        with pytest.raises(grpc.aio.AioRpcError) as twice:
            await stub.RecordFinding(
                OV.RecordFindingRequest(idempotency_key=key(), signal_id=signal.id, finding=OV.FINDING_NONE)
            )
        assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    async with channel(platform.address("incident"), token_for("p-admin", ["admin"], ["*"])) as ch:
        listed = await incident_pb2_grpc.IncidentServiceStub(ch).ListViolations(
            incident_pb2.ListViolationsRequest(site_id="hz-01", page=common_pb2.PageRequest(page_size=500))
        )
    charged = [v for v in listed.violations if v.signal_id == signal.id]
    assert {(v.kind, v.person_id, v.incident_id) for v in charged} >= {
        ("concealment", on_duty_officer, registered.incident_id)
    }
    assert sorted(v.id for v in charged) == sorted(decided.violation_ids)


async def test_casualties_told_far_above_the_verified_report_are_signalled(
    platform: Any, intake: Any, incidents: Any
) -> None:
    registered = await intake.RegisterCall(emergency_call(casualties=8), timeout=20)
    call = await intake.GetCall(intake_pb2.GetCallRequest(call_id=registered.call.id))
    assert call.record.casualties == 8
    for _ in range(200):
        incident = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=registered.incident_id))
        if incident.stage == incident_pb2.STAGE_VERIFY:
            break
        await asyncio.sleep(0.05)
    await incidents.Verify(
        incident_pb2.VerifyRequest(
            idempotency_key=key(),
            incident_id=registered.incident_id,
            confirmed=True,
            category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
            severity=common_pb2.SEVERITY_IV,
            casualties=incident_pb2.Casualties(injuries=1),
        )
    )
    async with channel(platform.address("incident"), SUPERVISOR) as ch:
        stub = oversight_pb2_grpc.OversightServiceStub(ch)
        signal = await signal_about(
            stub, incident_id=registered.incident_id, kind=OV.SIGNAL_KIND_CASUALTIES_ABOVE_REPORTED
        )
    evidence = {e.label: (e.value, e.link) for e in signal.evidence}
    assert evidence["来电所述伤亡 casualties told by a call"] == ("8", f"call:{registered.call.id}")
    assert evidence["上报伤亡 casualties reported"][0] == "1"


async def test_officers_are_refused_and_a_supervisor_sees_only_their_region(platform: Any, officer_token: str) -> None:
    async with channel(platform.address("incident"), officer_token) as ch:
        stub = oversight_pb2_grpc.OversightServiceStub(ch)
        with pytest.raises(grpc.aio.AioRpcError) as listing:
            await stub.ListConcealmentSignals(OV.ListConcealmentSignalsRequest(site_id="hz-01"))
        with pytest.raises(grpc.aio.AioRpcError) as deciding:
            await stub.RecordFinding(
                OV.RecordFindingRequest(idempotency_key=key(), signal_id="sig-x", finding=OV.FINDING_NONE)
            )
    assert listing.value.code() == deciding.value.code() == grpc.StatusCode.PERMISSION_DENIED
    west = token_for("p-west-supervisor", ["supervisor"], ["nb-01"])
    async with channel(platform.address("incident"), west) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as foreign:
            await oversight_pb2_grpc.OversightServiceStub(ch).ListConcealmentSignals(
                OV.ListConcealmentSignalsRequest(site_id="hz-01")
            )
    assert foreign.value.code() == grpc.StatusCode.PERMISSION_DENIED


def event_of(event_type: str, aggregate_id: str, version: int, payload: Any) -> event_pb2.Event:
    event = event_pb2.Event(
        id=f"evt-{uuid.uuid4().hex}",
        type=event_type,
        site_id="hz-01",
        aggregate_id=aggregate_id,
        aggregate_version=version,
    )
    event.actor.person_id = "p-o"
    event.payload.Pack(payload)
    return event


async def test_a_redelivered_event_raises_no_second_signal(db: Any) -> None:
    """The handler itself, given the same events twice (the consumer's own dedupe aside): an emergency
    call reclassified away, and an incident found unfounded."""
    call = intake_pb2.Call(
        id=f"call-{uuid.uuid4().hex}", site_id="hz-01", officer_id="p-o", category=intake_pb2.CALL_CATEGORY_OTHER
    )
    incident = store.IncidentRow(
        id=f"inc-{uuid.uuid4().hex}",
        site_id="hz-01",
        title="t",
        summary="",
        category="",
        severity="unrated",
        stage="closed",
        place_text="",
        latitude=None,
        longitude=None,
        first_responder_id="p-o",
        drill=True,
        occurred_at=None,
        registered_at=datetime.now(UTC),
        closed_at=None,
        workflow_started_at=None,
        version=2,
    )
    events = [
        event_of("call.registered", call.id, 1, event_pb2.CallRegistered(call_id=call.id, category="emergency")),
        event_of("call.reclassified", call.id, 2, event_pb2.CallChanged(call=call, detail="emergency → other")),
        event_of(
            "incident.unfounded",
            incident.id,
            2,
            event_pb2.IncidentChanged(incident=incident_pb2.Incident(id=incident.id, close_reason="误报 false alarm")),
        ),
    ]
    handler = ConcealmentSignals()
    transaction = db.transaction()
    await transaction.start()
    try:
        await db.execute("SET LOCAL search_path TO incident")
        await store.insert_incident(db, incident=incident)
        await handler.handle(db, events)
        await handler.handle(db, events)
        rows = await db.fetch(
            "SELECT kind FROM concealment_signals WHERE call_id = $1 OR incident_id = $2 ORDER BY kind",
            call.id,
            incident.id,
        )
        # The signals' events carry the call or the incident (their ids are in the payloads).
        published = await db.fetchval(
            "SELECT count(*) FROM outbox WHERE position($1::bytea in data) > 0 OR position($2::bytea in data) > 0",
            call.id.encode(),
            incident.id.encode(),
        )
    finally:
        await transaction.rollback()
    assert [r["kind"] for r in rows] == ["call_reclassified", "unfounded"]
    assert published == 2


async def test_the_cli_lists_signals_and_records_a_finding_in_both_languages(
    platform: Any, intake: Any, tmp_path: Any
) -> None:
    registered = await intake.RegisterCall(emergency_call(), timeout=20)
    await intake.ReclassifyCall(
        intake_pb2.ReclassifyCallRequest(
            idempotency_key=key(), call_id=registered.call.id, category=intake_pb2.CALL_CATEGORY_OTHER, reason="r"
        )
    )
    async with channel(platform.address("incident"), SUPERVISOR) as ch:
        stub = oversight_pb2_grpc.OversightServiceStub(ch)
        signal = await signal_about(stub, call_id=registered.call.id, kind=OV.SIGNAL_KIND_CALL_RECLASSIFIED)
    env = {
        "COLUMNS": "250",
        "DUTYLINE_INCIDENT_ADDRESS": platform.address("incident"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": SUPERVISOR,
    }

    def cli(*args: str) -> Any:
        result = CliRunner().invoke(app, ["signals", "--state-dir", str(tmp_path), *args], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result

    listed = await asyncio.to_thread(cli, "--site", "east", "--kind", "call_reclassified", "--open", "--lang", "en")
    assert listed.exit_code == 0, listed.output
    assert signal.id in listed.output and "emergency call reclassified" in listed.output
    assert registered.call.id in listed.output and "took the call" in listed.output
    refused = await asyncio.to_thread(cli, "--lang", "en", "decide", signal.id, "--confirmed")
    assert refused.exit_code == 2 and "--note" in refused.output
    decided = await asyncio.to_thread(cli, "--lang", "zh", "decide", signal.id, "--none")
    assert decided.exit_code == 0 and f"信号 {signal.id}：未发现瞒报" in decided.output
