"""Reports travel upward on the real stack: a site's (hz-01) report arrives in its region's (east) report
inbox, a regional officer signs for it (签收) and both incidents' timelines show it; a report returned as
wrong (退回, 错报) is a wrong_report violation charged to its author; nobody else acts on the inbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import inbox_pb2, inbox_pb2_grpc, incident_pb2, incident_pb2_grpc
from tests.services.incident.test_incident_service import expect, in_stage, open_incident
from tests.support import token_for, until

pytestmark = pytest.mark.stack

K = incident_pb2
EAST_OFFICER = token_for("p-east-officer", ["officer"], ["east"])
HQ_OFFICER = token_for("p-hq-officer", ["officer"], ["hq"])


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def east(platform: Any) -> AsyncIterator[tuple[Any, Any]]:
    """The region's officer: its inbox, and the incident service."""
    async with channel(platform.address("incident"), EAST_OFFICER) as ch:
        yield inbox_pb2_grpc.ReportInboxServiceStub(ch), incident_pb2_grpc.IncidentServiceStub(ch)


@pytest.fixture
async def hz_inbox(platform: Any, officer_token: str) -> AsyncIterator[Any]:
    async with channel(platform.address("incident"), officer_token) as ch:
        yield inbox_pb2_grpc.ReportInboxServiceStub(ch)


async def verified_and_reported(intake: Any, incidents: Any, sub_type: str = "gas_leak") -> tuple[str, Any]:
    incident_id, _ = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_ACCIDENT,
            sub_type=sub_type,
            severity=common_pb2.SEVERITY_II,
        )
    )
    report = await incidents.SubmitReport(
        K.SubmitReportRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            kind=K.REPORT_KIND_INITIAL_PHONE,
            recipient="华东片区",
            content="燃气泄漏，已疏散",
        )
    )
    return incident_id, report


async def verified_and_reported_on(incidents: Any, incident_id: str) -> tuple[str, Any]:
    """An office's own incident (opened by signing for a report) verified and reported further up."""
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_ACCIDENT,
            sub_type="gas_leak",
            severity=common_pb2.SEVERITY_II,
        )
    )
    report = await incidents.SubmitReport(
        K.SubmitReportRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            kind=K.REPORT_KIND_INITIAL_PHONE,
            recipient="上级",
            content="转报",
        )
    )
    return incident_id, report


async def item_of(inbox: Any, report_id: str, site: str = "east") -> Any:
    for _ in range(100):
        listed = await inbox.ListInbox(
            inbox_pb2.ListInboxRequest(site_id=site, page=common_pb2.PageRequest(page_size=500))
        )
        found = [i for i in listed.items if i.report.id == report_id]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"report {report_id} never reached east's inbox")


async def texts(incidents: Any, incident_id: str) -> list[str]:
    timeline = await incidents.GetTimeline(K.GetTimelineRequest(incident_id=incident_id))
    return [e.text for e in timeline.entries]


async def test_a_sites_report_arrives_in_its_regions_inbox_and_is_signed_for(
    platform: Any, intake: Any, incidents: Any, east: tuple[Any, Any], hz_inbox: Any, db: asyncpg.Connection
) -> None:
    inbox, east_incidents = east
    incident_id, report = await verified_and_reported(intake, incidents)
    item = await item_of(inbox, report.id)
    assert (item.sender_site_id, item.recipient_site_id, item.status) == ("hz-01", "east", K.DELIVERY_STATUS_DELIVERED)
    assert item.report.content == "燃气泄漏，已疏散" and item.window_seconds == 600
    sent = (await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))).reports[0]
    assert (sent.delivery_status, sent.recipient_site_id) == (K.DELIVERY_STATUS_DELIVERED, "east")
    # hz-01's staff see their report's status, but neither read nor act on the region's inbox.
    await expect(grpc.StatusCode.PERMISSION_DENIED, hz_inbox.ListInbox(inbox_pb2.ListInboxRequest(site_id="east")))
    await expect(
        grpc.StatusCode.PERMISSION_DENIED,
        hz_inbox.ReceiveReport(inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id)),
    )

    received = await inbox.ReceiveReport(inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id))
    assert received.status == K.DELIVERY_STATUS_RECEIVED and received.received_by.person_id == "p-east-officer"
    # Signing again (another key) changes nothing and opens no second incident.
    again = await inbox.ReceiveReport(inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id))
    assert again.receiving_incident_id == received.receiving_incident_id
    assert (
        await db.fetchval("SELECT count(*) FROM incident.incidents WHERE reported_from_incident_id = $1", incident_id)
        == 1
    )

    sent = (await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))).reports[0]
    assert sent.delivery_status == K.DELIVERY_STATUS_RECEIVED and sent.received_by.person_id == "p-east-officer"
    assert any(t.startswith("签收 received by p-east-officer at ") for t in await texts(incidents, incident_id))
    # The region's own incident, linked to hz-01's, with what was received from whom and who signed.
    theirs = await east_incidents.GetIncident(K.GetIncidentRequest(incident_id=received.receiving_incident_id))
    assert (theirs.site_id, theirs.reported_from_incident_id, theirs.reported_from_site_id) == (
        "east",
        incident_id,
        "hz-01",
    )
    assert any(
        "Report received from hz-01" in t and "签收 received by p-east-officer" in t
        for t in await texts(east_incidents, theirs.id)
    )
    # Its own process runs, and its officers report further up the same way: east → hq, and hq (a
    # headquarters, no policy naming a recipient) delivers to nobody and says so.
    upper = theirs.id
    for site_id, office in (("east", EAST_OFFICER), ("hq", HQ_OFFICER)):
        async with channel(platform.address("incident"), office) as ch:
            their_incidents = incident_pb2_grpc.IncidentServiceStub(ch)
            upper, upper_report = await verified_and_reported_on(their_incidents, upper)
            if site_id == "east":
                async with channel(platform.address("incident"), HQ_OFFICER) as hq:
                    hq_inbox = inbox_pb2_grpc.ReportInboxServiceStub(hq)
                    item = await item_of(hq_inbox, upper_report.id, site="hq")
                    signed = await hq_inbox.ReceiveReport(
                        inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id)
                    )
                upper = signed.receiving_incident_id
            else:
                hq_incident = await their_incidents.GetIncident(K.GetIncidentRequest(incident_id=upper))
                assert [r.delivery_status for r in hq_incident.reports] == [K.DELIVERY_STATUS_UNSPECIFIED]
                assert any("no superior office" in t for t in await texts(their_incidents, upper))


async def test_a_report_returned_as_wrong_is_a_wrong_report_violation_of_its_author(
    intake: Any, incidents: Any, east: tuple[Any, Any], on_duty_officer: str, db: asyncpg.Connection
) -> None:
    inbox, _ = east
    incident_id, report = await verified_and_reported(intake, incidents)
    item = await item_of(inbox, report.id)
    request = inbox_pb2.ReturnReportRequest(idempotency_key=key(), item_id=item.id, reason="伤亡数字有误", wrong=True)
    returned = await inbox.ReturnReport(request)
    assert returned.status == K.DELIVERY_STATUS_RETURNED and returned.returned_wrong
    assert (await inbox.ReturnReport(request)).id == returned.id  # a retry duplicates nothing
    await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        inbox.ReceiveReport(inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id)),
    )
    charged = await db.fetch(
        "SELECT kind, person_id, report_kind FROM incident.violations WHERE incident_id = $1", incident_id
    )
    assert [tuple(v) for v in charged if v["kind"] == "wrong_report"] == [
        ("wrong_report", on_duty_officer, "initial_phone")
    ]
    sent = (await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))).reports[0]
    assert sent.delivery_status == K.DELIVERY_STATUS_RETURNED and sent.return_reason == "伤亡数字有误"
    assert any("错报 returned as wrong" in t for t in await texts(incidents, incident_id))


async def test_a_report_to_the_office_its_policy_names_escalates_there_unless_signed_for_in_time(
    platform: Any, intake: Any, incidents: Any, db: asyncpg.Connection
) -> None:
    # A policy of its own sub-type (no other test's incidents match it) sends hz-01's reports straight to
    # hq, which has a second to sign for them.
    async with channel(platform.address("incident"), token_for("p-admin", ["admin"], ["*"])) as ch:
        await incident_pb2_grpc.IncidentServiceStub(ch).UpsertReportingPolicy(
            K.UpsertReportingPolicyRequest(
                idempotency_key=key(),
                policy=K.ReportingPolicy(
                    id="inbox-test-window",
                    name="签收时限测试 receipt window test",
                    jurisdiction="33",
                    sub_types=["inbox_window_test"],
                    requirements=[
                        K.ReportRequirement(
                            kind=K.REPORT_KIND_INITIAL_PHONE, recipient="总值班室", due_after_seconds=900
                        )
                    ],
                    recipient_site_id="hq",
                    receipt_window_seconds=1,
                ),
            )
        )
    incident_id, report = await verified_and_reported(intake, incidents, sub_type="inbox_window_test")
    async with channel(platform.address("incident"), HQ_OFFICER) as ch:
        inbox = inbox_pb2_grpc.ReportInboxServiceStub(ch)
        item = await item_of(inbox, report.id, site="hq")
        assert (item.recipient_site_id, item.window_seconds) == ("hq", 1)
        for _ in range(200):
            sent = (await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))).reports[0]
            if sent.delivery_status == K.DELIVERY_STATUS_ESCALATED:
                break
            await asyncio.sleep(0.1)
        assert sent.delivery_status == K.DELIVERY_STATUS_ESCALATED
        assert any(t.startswith("未签收 hz-01 的报告") for t in await texts(incidents, incident_id))
        # Escalated through notify at the receiving office, about the sender's incident.
        await until(
            lambda: db.fetchval(
                "SELECT count(*) > 0 FROM notify.escalations WHERE site_id = 'hq' AND ref_id = $1", incident_id
            ),
            True,
        )
        # Still to sign for: signing now is a receipt like any other.
        signed = await inbox.ReceiveReport(inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id))
    assert signed.status == K.DELIVERY_STATUS_RECEIVED and signed.escalated_at.seconds > 0


async def test_a_reported_incident_merged_into_another_keeps_its_delivery_in_the_inbox(
    platform: Any, intake: Any, incidents: Any, east: tuple[Any, Any]
) -> None:
    """A merged duplicate's report moves to the primary with its delivery: the region's inbox still lists it
    (it once failed to render, INTERNAL) and signing for it is recorded on the primary."""
    inbox, _ = east
    duplicate, report = await verified_and_reported(intake, incidents)
    await item_of(inbox, report.id)
    primary, _ = await open_incident(intake)
    await in_stage(incidents, primary, K.STAGE_VERIFY)
    async with channel(platform.address("incident"), token_for("p-hz-leader-1", ["leader"], ["hz-01"])) as ch:
        await incident_pb2_grpc.IncidentServiceStub(ch).Merge(
            K.MergeRequest(idempotency_key=key(), duplicate_id=duplicate, primary_id=primary, reason="同一事件")
        )
    item = await item_of(inbox, report.id)
    assert item.status == K.DELIVERY_STATUS_DELIVERED
    await inbox.ReceiveReport(inbox_pb2.ReceiveReportRequest(idempotency_key=key(), item_id=item.id))
    moved = (await incidents.GetIncident(K.GetIncidentRequest(incident_id=primary))).reports
    assert [(r.id, r.delivery_status) for r in moved] == [(report.id, K.DELIVERY_STATUS_RECEIVED)]
    assert any(t.startswith("签收 received by p-east-officer at ") for t in await texts(incidents, primary))
