"""The emergency process end to end on the real stack: call → incident → verify → reports →
progress → feedback → close, with its events in order; the refusals; merge; policies; the feed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from tests.e2e.test_emergency_call_slice import emergency_call, stream_events
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
K = incident_pb2


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def admin_incidents(platform: Any) -> AsyncIterator[incident_pb2_grpc.IncidentServiceStub]:
    async with channel(platform.address("incident"), ADMIN) as ch:
        yield incident_pb2_grpc.IncidentServiceStub(ch)


async def open_incident(intake: intake_pb2_grpc.IntakeServiceStub) -> tuple[str, str]:
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    return reply.incident_id, reply.call.id


async def in_stage(incidents: Any, incident_id: str, stage: int) -> None:
    for _ in range(100):
        if (await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))).stage == stage:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"incident {incident_id} never reached stage {stage}")


async def expect(code: grpc.StatusCode, call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


async def test_the_whole_process_with_its_events_in_order(
    platform: Any, intake: Any, incidents: Any, db: asyncpg.Connection
) -> None:
    incident_id, call_id = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    verified = await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_NATURAL_DISASTER,
            sub_type="flood",
            severity=common_pb2.SEVERITY_II,
        )
    )
    assert verified.stage == K.STAGE_ESCALATE and verified.severity == common_pb2.SEVERITY_II
    # hz-01 is in Zhejiang (330100): the provincial override applies, phone 15 min, written 35 min.
    assert verified.policy_id == "zj-II"
    # The clocks run from the call's answer, which intake recorded (issue 14, finding 14).
    answered = await db.fetchval("SELECT answered_at FROM intake.calls WHERE id = $1", call_id)
    assert answered < verified.registered_at.ToDatetime(UTC)
    due = {
        d.kind: d.due_at.ToDatetime(UTC) - answered
        for d in verified.pending_deadlines
        if d.HasField("due_at") and d.kind != K.REPORT_KIND_FOLLOW_UP
    }
    assert {k: v.total_seconds() for k, v in due.items()} == {
        K.REPORT_KIND_INITIAL_PHONE: 15 * 60,
        K.REPORT_KIND_INITIAL_WRITTEN: 35 * 60,
    }
    for kind in (K.REPORT_KIND_INITIAL_PHONE, K.REPORT_KIND_INITIAL_WRITTEN):
        report = await incidents.SubmitReport(
            K.SubmitReportRequest(
                idempotency_key=key(),
                incident_id=incident_id,
                kind=kind,
                recipient="市应急局值班室 city duty office",
                content="初报：居民楼燃气泄漏，已疏散",
            )
        )
        assert report.late_seconds == 0
    await incidents.AddProgress(
        K.AddProgressRequest(idempotency_key=key(), incident_id=incident_id, text="已关阀 valve closed")
    )
    # Closing before feedback and the final report is refused, naming what is missing.
    err = await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        incidents.Close(K.CloseRequest(idempotency_key=key(), incident_id=incident_id, summary="done")),
    )
    assert "final" in err.details() and "feedback" in err.details()
    await incidents.RecordFeedback(
        K.RecordFeedbackRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            call_id=call_id,
            method="phone",
            message="已处置完毕 handled",
        )
    )
    await incidents.SubmitReport(
        K.SubmitReportRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            kind=K.REPORT_KIND_FINAL,
            recipient="市应急局值班室",
            content="终报",
        )
    )
    closed = await incidents.Close(K.CloseRequest(idempotency_key=key(), incident_id=incident_id, summary="处置完毕"))
    assert closed.stage == K.STAGE_CLOSED and closed.feedback_recorded and len(closed.reports) == 3

    timeline = await incidents.GetTimeline(K.GetTimelineRequest(incident_id=incident_id))
    kinds = [e.kind for e in timeline.entries]
    # Each report is delivered upward to the region's (east's) report inbox as it is submitted.
    assert kinds == [
        "registered",
        "leader_notified",
        "verified",
        "report_submitted",
        "report_delivered",
        "report_submitted",
        "report_delivered",
        "progress",
        "feedback_recorded",
        "report_submitted",
        "report_delivered",
        "closed",
    ]
    events = await stream_events(platform, aggregate_ids={incident_id}, count=12)
    assert [e.type for _, e in events] == [
        "incident.registered",
        "incident.escalated",
        "incident.verified",
        "incident.report_submitted",
        "incident.report_delivered",
        "incident.report_submitted",
        "incident.report_delivered",
        "incident.progress",
        "incident.feedback_recorded",
        "incident.report_submitted",
        "incident.report_delivered",
        "incident.closed",
    ]
    # The timeline is append-only, in the database too.
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await db.execute("UPDATE incident.timeline SET text = 'x' WHERE incident_id = $1", incident_id)


async def test_an_illegal_step_names_the_current_stage(intake: Any, incidents: Any) -> None:
    incident_id, _ = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    err = await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        incidents.Reclassify(
            K.ReclassifyRequest(
                idempotency_key=key(), incident_id=incident_id, severity=common_pb2.SEVERITY_I, reason="worse"
            )
        ),
    )
    assert "verify" in err.details()
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        incidents.Verify(K.VerifyRequest(idempotency_key=key(), incident_id=incident_id, confirmed=True)),
    )
    assert {v.field for v in field_violations(err)} == {"category", "severity"}


async def test_unfounded_closes_with_nothing_due(intake: Any, incidents: Any) -> None:
    incident_id, _ = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    closed = await incidents.Verify(
        K.VerifyRequest(idempotency_key=key(), incident_id=incident_id, confirmed=False, reason="误报 false alarm")
    )
    assert closed.stage == K.STAGE_CLOSED and not closed.pending_deadlines


async def test_admin_override_closes_and_charges_the_missing_reports(
    intake: Any, incidents: Any, admin_incidents: Any, on_duty_officer: str
) -> None:
    incident_id, _ = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_SOCIAL_SAFETY,
            severity=common_pb2.SEVERITY_IV,
        )
    )
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        incidents.Close(
            K.CloseRequest(idempotency_key=key(), incident_id=incident_id, summary="x", override_reason="y")
        ),
    )
    closed = await admin_incidents.Close(
        K.CloseRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            summary="并入专项 handled elsewhere",
            override_reason="移交公安 handed to police",
        )
    )
    assert closed.stage == K.STAGE_CLOSED and closed.close_reason == "移交公安 handed to police"
    violations = await admin_incidents.ListViolations(K.ListViolationsRequest(site_id="hz-01", include_drills=True))
    mine = [v for v in violations.violations if v.incident_id == incident_id]
    assert mine and {v.kind for v in mine} == {"missed"} and {v.person_id for v in mine} == {on_duty_officer}


async def test_production_safety_reports_must_carry_the_six_items(intake: Any, incidents: Any) -> None:
    incident_id, _ = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    verified = await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_ACCIDENT,
            sub_type="gas",
            severity=common_pb2.SEVERITY_III,
            casualties=K.Casualties(deaths=3, serious_injuries=2),
        )
    )
    assert verified.suggested_severity == common_pb2.SEVERITY_III
    err = await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        incidents.SubmitReport(
            K.SubmitReportRequest(
                idempotency_key=key(),
                incident_id=incident_id,
                kind=K.REPORT_KIND_INITIAL_WRITTEN,
                recipient="县应急管理局",
                accident=K.AccidentReportContent(unit="某化工厂"),
            )
        ),
    )
    assert {v.field for v in field_violations(err)} >= {"accident.what_happened", "accident.measures"}
    report = await incidents.SubmitReport(
        K.SubmitReportRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            kind=K.REPORT_KIND_INITIAL_WRITTEN,
            recipient="县应急管理局",
            accident=K.AccidentReportContent(
                unit="某化工厂",
                time_place_scene="10时 厂区",
                what_happened="管道泄漏起火",
                measures="已疏散、已灭火",
                casualties=K.Casualties(deaths=3, serious_injuries=2, loss_yuan=2_000_000),
            ),
        )
    )
    assert report.accident.unit == "某化工厂"


async def test_merging_a_duplicate_moves_its_calls(platform: Any, intake: Any, incidents: Any) -> None:
    primary, _ = await open_incident(intake)
    duplicate, duplicate_call = await open_incident(intake)
    for incident_id in (primary, duplicate):
        await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    # Merging is the duty leader's decision (issue 14, finding 10), not any officer's.
    async with channel(platform.address("incident"), token_for("p-hz-leader-1", ["leader"], ["hz-01"])) as ch:
        request = K.MergeRequest(idempotency_key=key(), duplicate_id=duplicate, primary_id=primary, reason="同一事件")
        merged = await incident_pb2_grpc.IncidentServiceStub(ch).Merge(request)
    assert duplicate_call in merged.call_ids
    gone = await incidents.GetIncident(K.GetIncidentRequest(incident_id=duplicate))
    assert gone.stage == K.STAGE_CLOSED and gone.merged_into == primary and not gone.call_ids


async def test_policies_are_versioned_data(admin_incidents: Any, incidents: Any) -> None:
    listed = await admin_incidents.ListReportingPolicies(K.ListReportingPoliciesRequest(jurisdiction="330100"))
    ids = {p.id for p in listed.policies}
    assert {"national-I", "national-II", "zj-I", "zj-II", "accident"} <= ids
    zj = next(p for p in listed.policies if p.id == "zj-II")
    changed = K.ReportingPolicy()
    changed.CopyFrom(zj)
    changed.name = zj.name + " (revised)"
    saved = await admin_incidents.UpsertReportingPolicy(
        K.UpsertReportingPolicyRequest(idempotency_key=key(), policy=changed)
    )
    assert saved.version == zj.version + 1
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        incidents.UpsertReportingPolicy(K.UpsertReportingPolicyRequest(idempotency_key=key(), policy=changed)),
    )


async def test_the_live_feed_shows_changes_of_the_readers_sites(platform: Any, intake: Any, officer_token: str) -> None:
    async with channel(platform.address("incident"), officer_token) as ch:
        stream = incident_pb2_grpc.IncidentServiceStub(ch).WatchIncidents(K.WatchIncidentsRequest(include_drills=True))
        await asyncio.sleep(0.5)  # subscribed
        incident_id, _ = await open_incident(intake)
        seen = []
        async with asyncio.timeout(20):
            async for change in stream:
                if change.incident.id == incident_id:
                    seen.append(change.event_type)
                if "incident.escalated" in seen:
                    break
        stream.cancel()
    assert seen[:2] == ["incident.registered", "incident.escalated"]
