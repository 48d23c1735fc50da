"""Issue 14's authorization findings, one test each, on the real stack: every resource a request
references or overwrites is checked against the caller's sites, the agency role only reads, merging
is the duty leader's and never mixes drills with real incidents."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.roster.seed import REGION
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

pytestmark = pytest.mark.stack

GLOBAL_ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_ADMIN = token_for("p-hz-admin", ["admin"], ["hz-01"])


def key() -> str:
    return str(uuid.uuid4())


async def code(call: Any) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


def roster(platform: Any, token: str) -> Any:
    return channel(platform.address("roster"), token)


# ---- finding 3: what an upsert overwrites is checked, not only where it moves it ------------------


async def test_an_admin_of_hz01_cannot_move_or_rename_nb01s_duty_leader(platform: Any, db: Any) -> None:
    async with roster(platform, HZ_ADMIN) as ch:
        stub = roster_pb2_grpc.RosterServiceStub(ch)
        request = roster_pb2.UpsertPersonRequest(
            idempotency_key=key(),
            person=roster_pb2.Person(
                id="p-nb-leader-1",
                display_name="Mallory",
                site_id="hz-01",
                roles=[common_pb2.ROLE_LEADER],
                contacts=[roster_pb2.ContactMethod(channel="phone", address="13800000000")],
            ),
        )
        assert await code(stub.UpsertPerson(request)) == grpc.StatusCode.PERMISSION_DENIED
    row = await db.fetchrow("SELECT site_id, display_name FROM roster.people WHERE id = 'p-nb-leader-1'")
    assert row["site_id"] == "nb-01" and row["display_name"] != "Mallory"


async def test_an_admin_of_hz01_cannot_rewrite_a_directory_entry_of_nb01(platform: Any, db: Any) -> None:
    entry = roster_pb2.DirectoryEntry(
        id=f"dir-{uuid.uuid4().hex[:8]}",
        department="宁波消防 Ningbo fire",
        name="值班台 Desk",
        site_id="nb-01",
        contacts=[roster_pb2.ContactMethod(channel="phone", address="057400000119")],
    )
    async with roster(platform, GLOBAL_ADMIN) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).UpsertDirectoryEntry(
            roster_pb2.UpsertDirectoryEntryRequest(idempotency_key=key(), entry=entry)
        )
    stolen = roster_pb2.DirectoryEntry()
    stolen.CopyFrom(entry)
    stolen.site_id = "hz-01"
    stolen.contacts[0].address = "13900000666"
    async with roster(platform, HZ_ADMIN) as ch:
        request = roster_pb2.UpsertDirectoryEntryRequest(idempotency_key=key(), entry=stolen)
        assert await code(roster_pb2_grpc.RosterServiceStub(ch).UpsertDirectoryEntry(request)) == (
            grpc.StatusCode.PERMISSION_DENIED
        )
    assert await db.fetchval("SELECT site_id FROM roster.directory_entries WHERE id = $1", entry.id) == "nb-01"


async def test_re_parenting_a_site_needs_rights_over_its_old_parent_too(platform: Any, db: Any) -> None:
    suffix = uuid.uuid4().hex[:6]
    old, new, site = f"r-old-{suffix}", f"r-new-{suffix}", f"s-{suffix}"

    def upsert(site_id: str, kind: Any, parent: str) -> roster_pb2.UpsertSiteRequest:
        return roster_pb2.UpsertSiteRequest(
            idempotency_key=key(),
            site=roster_pb2.Site(id=site_id, name=site_id, kind=kind, parent_id=parent, time_zone="Asia/Shanghai"),
        )

    async with roster(platform, GLOBAL_ADMIN) as ch:
        stub = roster_pb2_grpc.RosterServiceStub(ch)
        await stub.UpsertSite(upsert(old, roster_pb2.SITE_KIND_REGION, "hq"))
        await stub.UpsertSite(upsert(new, roster_pb2.SITE_KIND_REGION, "hq"))
        await stub.UpsertSite(upsert(site, roster_pb2.SITE_KIND_SITE, old))
    # An admin of the new region only may not take a site away from the old one.
    async with roster(platform, token_for("p-new-admin", ["admin"], [new])) as ch:
        moved = roster_pb2_grpc.RosterServiceStub(ch).UpsertSite(upsert(site, roster_pb2.SITE_KIND_SITE, new))
        assert await code(moved) == grpc.StatusCode.PERMISSION_DENIED
    assert await db.fetchval("SELECT parent_id FROM roster.sites WHERE id = $1", site) == old
    # An admin over both may.
    async with roster(platform, token_for("p-hq-admin", ["admin"], ["hq"])) as ch:
        done = await roster_pb2_grpc.RosterServiceStub(ch).UpsertSite(upsert(site, roster_pb2.SITE_KIND_SITE, new))
    assert done.parent_id == new


async def test_a_site_cannot_be_its_own_parent(platform: Any) -> None:
    async with roster(platform, GLOBAL_ADMIN) as ch:
        request = roster_pb2.UpsertSiteRequest(
            idempotency_key=key(),
            site=roster_pb2.Site(
                id=REGION, name="loop", kind=roster_pb2.SITE_KIND_REGION, parent_id=REGION, time_zone="Asia/Shanghai"
            ),
        )
        assert await code(roster_pb2_grpc.RosterServiceStub(ch).UpsertSite(request)) == (
            grpc.StatusCode.INVALID_ARGUMENT
        )


async def test_a_rotation_puts_only_people_of_the_site_on_duty(platform: Any) -> None:
    rotation = roster_pb2.Rotation(
        id=f"rot-{uuid.uuid4().hex[:6]}",
        site_id="hz-01",
        pattern_id="no-such-pattern",
        role=common_pb2.ROLE_OFFICER,
        person_ids=["p-hz-officer-1", "p-nb-officer-1"],
        start_date="2026-01-01",
    )
    async with roster(platform, HZ_ADMIN) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await roster_pb2_grpc.RosterServiceStub(ch).UpsertRotation(
                roster_pb2.UpsertRotationRequest(idempotency_key=key(), rotation=rotation)
            )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in field_violations(err.value)}
    assert "rotation.person_ids[1]" in fields and "rotation.person_ids[0]" not in fields


# ---- finding 4: agency management is limited to the caller's sites ------------------------------


async def test_agencies_of_another_site_are_neither_listed_nor_managed(platform: Any) -> None:
    agency_id = f"nb-fire-{uuid.uuid4().hex[:6]}"
    async with channel(platform.address("notify"), GLOBAL_ADMIN) as ch:
        await notify_pb2_grpc.NotifyServiceStub(ch).RegisterAgency(
            notify_pb2.RegisterAgencyRequest(
                idempotency_key=key(),
                agency=notify_pb2.Agency(
                    id=agency_id, name="宁波消防 Ningbo fire", site_ids=["nb-01"], event_types=["incident.*"]
                ),
            )
        )
    async with channel(platform.address("notify"), HZ_ADMIN) as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        listed = await stub.ListAgencies(notify_pb2.ListAgenciesRequest())
        assert agency_id not in {a.id for a in listed.agencies}
        issue = notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=key(), agency_id=agency_id)
        assert await code(stub.IssueAgencyCredentials(issue)) == grpc.StatusCode.PERMISSION_DENIED
        deliveries = notify_pb2.ListAgencyDeliveriesRequest(agency_id=agency_id)
        assert await code(stub.ListAgencyDeliveries(deliveries)) == grpc.StatusCode.PERMISSION_DENIED
    async with channel(platform.address("notify"), token_for("p-east-admin", ["admin"], [REGION])) as ch:
        listed = await notify_pb2_grpc.NotifyServiceStub(ch).ListAgencies(notify_pb2.ListAgenciesRequest())
        assert agency_id in {a.id for a in listed.agencies}


# ---- finding 7: the agency role only reads -----------------------------------------------------


async def test_an_agency_token_cannot_open_register_send_escalate_or_read_notifications(platform: Any) -> None:
    agency = token_for("hz-fire", ["agency"], ["hz-01"])
    async with channel(platform.address("incident"), agency) as ch:
        opened = incident_pb2_grpc.IncidentServiceStub(ch).OpenIncident(
            incident_pb2.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="假事件 fake")
        )
        assert await code(opened) == grpc.StatusCode.PERMISSION_DENIED
        # What it may do: read the incidents of its sites.
        unknown = incident_pb2.GetIncidentRequest(incident_id="inc-x")
        read = incident_pb2_grpc.IncidentServiceStub(ch).GetIncident(unknown)
        assert await code(read) == grpc.StatusCode.NOT_FOUND
    async with channel(platform.address("intake"), agency) as ch:
        registered = intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call())
        assert await code(registered) == grpc.StatusCode.PERMISSION_DENIED
    async with channel(platform.address("notify"), agency) as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        recipient = notify_pb2.Recipient(person_id="p-hz-leader-1")
        sent = stub.Send(
            notify_pb2.SendRequest(idempotency_key=key(), site_id="hz-01", recipients=[recipient], template="generic")
        )
        assert await code(sent) == grpc.StatusCode.PERMISSION_DENIED
        escalate = notify_pb2.EscalateRequest(idempotency_key=key(), site_id="hz-01", template="generic")
        escalated = stub.Escalate(escalate)
        assert await code(escalated) == grpc.StatusCode.PERMISSION_DENIED
        read = stub.GetNotification(notify_pb2.GetNotificationRequest(notification_id="ntf-anything"))
        assert await code(read) == grpc.StatusCode.PERMISSION_DENIED


# ---- finding 8: recipients are people of sites the caller acts for ------------------------------


async def test_send_and_chains_refuse_recipients_of_another_site(platform: Any, db: Any) -> None:
    leader = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
    foreign = notify_pb2.Recipient(person_id="p-nb-leader-1")
    before = await db.fetchval("SELECT count(*) FROM notify.notifications WHERE person_id = 'p-nb-leader-1'")
    async with channel(platform.address("notify"), leader) as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        sent = stub.Send(
            notify_pb2.SendRequest(idempotency_key=key(), site_id="hz-01", recipients=[foreign], template="generic")
        )
        assert await code(sent) == grpc.StatusCode.PERMISSION_DENIED
        nb_role = notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id="nb-01", role=common_pb2.ROLE_LEADER))
        by_role = stub.Send(
            notify_pb2.SendRequest(idempotency_key=key(), site_id="hz-01", recipients=[nb_role], template="generic")
        )
        assert await code(by_role) == grpc.StatusCode.PERMISSION_DENIED
        chain = notify_pb2.EscalationChain(
            site_id="hz-01",
            steps=[notify_pb2.EscalationStep(recipient=foreign, channel="sms", wait_seconds=60)],
            repeat=1,
        )
        upsert = notify_pb2.UpsertEscalationChainRequest(idempotency_key=key(), chain=chain)
        upserted = stub.UpsertEscalationChain(upsert)
        assert await code(upserted) == grpc.StatusCode.PERMISSION_DENIED
        # A person of the site itself is fine.
        own = notify_pb2.Recipient(person_id="p-hz-officer-1")
        reply = await stub.Send(
            notify_pb2.SendRequest(idempotency_key=key(), site_id="hz-01", recipients=[own], template="generic")
        )
        assert len(reply.notifications) == 1
    after = await db.fetchval("SELECT count(*) FROM notify.notifications WHERE person_id = 'p-nb-leader-1'")
    assert after == before


# ---- finding 9: calls are never attached to another site's incident -----------------------------


async def test_a_call_of_one_site_is_never_linked_to_an_incident_of_another(
    platform: Any, intake: Any, db: Any
) -> None:
    hz = await intake.RegisterCall(emergency_call(), timeout=20)
    async with channel(platform.address("intake"), token_for("p-nb-officer-1", ["officer"], ["nb-01"])) as ch:
        nb = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call(site_id="nb-01"), timeout=20)
    # Even a leader of the region above both sites: an incident is one site's.
    region_leader = token_for("p-east-leader", ["leader"], [REGION])
    async with channel(platform.address("intake"), region_leader) as ch:
        link = intake_pb2.LinkCallRequest(
            idempotency_key=key(), call_id=nb.call.id, incident_id=hz.incident_id, reason="同一事件 same event"
        )
        assert await code(intake_pb2_grpc.IntakeServiceStub(ch).LinkCall(link)) == grpc.StatusCode.INVALID_ARGUMENT
    async with channel(platform.address("incident"), region_leader) as ch:
        request = incident_pb2.OpenIncidentRequest(
            idempotency_key=key(), site_id="hz-01", title="跨站点 across sites", call_ids=[nb.call.id]
        )
        opened = incident_pb2_grpc.IncidentServiceStub(ch).OpenIncident(request)
        assert await code(opened) == grpc.StatusCode.INVALID_ARGUMENT
    assert await db.fetchval("SELECT incident_id FROM intake.calls WHERE id = $1", nb.call.id) == nb.incident_id


# ---- finding 10: merging is the duty leader's, and never mixes drills and real incidents ---------


async def test_only_a_leader_merges_and_never_a_drill_into_a_real_incident(platform: Any) -> None:
    leader = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
    officer = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    async with channel(platform.address("incident"), leader) as ch:
        stub = incident_pb2_grpc.IncidentServiceStub(ch)

        async def opened(drill: bool) -> str:
            request = incident_pb2.OpenIncidentRequest(
                idempotency_key=key(), site_id="hz-01", title="合并测试 merge test", drill=drill
            )
            return str((await stub.OpenIncident(request)).incident.id)

        real, drill, other = await opened(False), await opened(True), await opened(False)
        mixed = stub.Merge(incident_pb2.MergeRequest(idempotency_key=key(), primary_id=real, duplicate_id=drill))
        assert await code(mixed) == grpc.StatusCode.INVALID_ARGUMENT
        assert (await stub.GetIncident(incident_pb2.GetIncidentRequest(incident_id=drill))).stage != (
            incident_pb2.STAGE_CLOSED
        )
    async with channel(platform.address("incident"), officer) as ch:
        by_officer = incident_pb2_grpc.IncidentServiceStub(ch).Merge(
            incident_pb2.MergeRequest(idempotency_key=key(), primary_id=real, duplicate_id=other)
        )
        assert await code(by_officer) == grpc.StatusCode.PERMISSION_DENIED


# ---- finding 23 (scope): callbacks and calls are listed for the caller's regions too ----------------------


async def test_a_region_leader_lists_callbacks_and_calls_of_the_regions_sites(
    platform: Any, officer_token: str
) -> None:
    async with channel(platform.address("intake"), officer_token) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        call = await stub.RegisterCall(
            emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION, summary="咨询 question")
        )
        await stub.TakeMessage(
            intake_pb2.TakeMessageRequest(
                idempotency_key=key(), call_id=call.call.id, recipient_id="p-hz-leader-1", content="请回电 call back"
            )
        )
    async with channel(platform.address("intake"), token_for("p-east-leader", ["leader"], [REGION])) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        for site_id in ("hz-01", REGION):
            listed = await stub.ListCallbacks(intake_pb2.ListCallbacksRequest(site_id=site_id))
            assert call.call.id in {c.call_id for c in listed.callbacks}, site_id
        # Calls too: named by the region, or without a site (every site the reader acts for).
        for site_id in (REGION, ""):
            calls = await stub.ListCalls(intake_pb2.ListCallsRequest(site_id=site_id))
            assert call.call.id in {c.id for c in calls.calls}, site_id
    async with channel(platform.address("intake"), token_for("p-nb-leader-1", ["leader"], ["nb-01"])) as ch:
        foreign = intake_pb2_grpc.IntakeServiceStub(ch).ListCallbacks(intake_pb2.ListCallbacksRequest(site_id="hz-01"))
        assert await code(foreign) == grpc.StatusCode.PERMISSION_DENIED
