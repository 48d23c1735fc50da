"""Agencies on the real stack: NATS credentials that the NATS server itself confines to the agency's
sites, events as protobuf, JSON and CAP 1.2, and webhook deliveries acknowledged with receipts."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import grpc
import nats
import pytest
import xmlschema

from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.natsauth import decode_jwt
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.stack.gateway import LocalGateway
from dutyline.stack.process import free_port
from services.notify.agencies import renditions
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
CAP_SCHEMA = Path(renditions.__file__).parent / "standards" / "CAP-v1.2.xsd"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture
async def notify(platform: Any) -> AsyncIterator[notify_pb2_grpc.NotifyServiceStub]:
    async with channel(platform.address("notify"), ADMIN) as ch:
        yield notify_pb2_grpc.NotifyServiceStub(ch)


def agency(agency_id: str, *sites: str, webhook: str = "", types: tuple[str, ...] = ("incident.*",)) -> Any:
    return notify_pb2.RegisterAgencyRequest(
        idempotency_key=str(uuid.uuid4()),
        agency=notify_pb2.Agency(
            id=agency_id,
            name="消防救援支队 Fire and rescue",
            site_ids=list(sites),
            event_types=types,
            webhook_url=webhook,
        ),
    )


async def next_message(sub: Any, incident_id: str, timeout: float = 15.0) -> Any:
    """The next message of ``sub`` about the incident (others' tests publish too)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        msg = await sub.next_msg(timeout=max(0.1, deadline - loop.time()))
        if incident_id.encode() in msg.data:
            return msg


async def test_an_agency_reads_its_sites_in_three_renditions_and_the_server_refuses_the_rest(
    platform: Any, notify: Any, intake: Any
) -> None:
    agency_id = f"fire-{uuid.uuid4().hex[:6]}"
    await notify.RegisterAgency(agency(agency_id, "hz-01"))
    creds = await notify.IssueAgencyCredentials(
        notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=str(uuid.uuid4()), agency_id=agency_id)
    )
    assert "dutyline.hz-01.incident.>" in creds.allowed_subjects
    assert not any("nb-01" in s for s in creds.allowed_subjects)
    path = Path(platform.state_dir) / f"{agency_id}.creds"
    path.write_text(creds.creds)
    refusals: list[str] = []

    async def on_error(exc: Exception) -> None:
        refusals.append(str(exc))

    nc = await connect_url(platform.nats.url, path, name=agency_id, inbox_prefix=creds.inbox_prefix, error_cb=on_error)
    try:
        pb = await nc.subscribe("dutyline.hz-01.incident.>")
        as_json = await nc.subscribe("dutyline_json.hz-01.incident.>")
        as_cap = await nc.subscribe("dutyline_cap.hz-01.incident.>")
        other = await nc.subscribe("dutyline.nb-01.>")
        await nc.flush()
        reply = await intake.RegisterCall(emergency_call(drill=True))
        incident_id = reply.call.incident_id
        assert incident_id

        event = event_pb2.Event()
        event.ParseFromString((await next_message(pb, incident_id)).data)
        assert event.type == "incident.registered" and event.site_id == "hz-01" and event.drill
        document = json.loads((await next_message(as_json, incident_id)).data)
        assert document["id"] == event.id and document["type"] == "incident.registered"
        xml = (await next_message(as_cap, incident_id)).data
        xmlschema.XMLSchema(CAP_SCHEMA).validate(xml)
        alert = ElementTree.fromstring(xml)
        assert alert.findtext(f"{CAP}status") == "Exercise" and alert.findtext(f"{CAP}msgType") == "Alert"

        # The server itself refuses another site's subjects: no message, a permissions violation.
        for _ in range(50):
            if any("permissions violation" in r.lower() and "nb-01" in r for r in refusals):
                break
            await asyncio.sleep(0.1)
        assert any("permissions violation" in r.lower() and "nb-01" in r for r in refusals), refusals
        with pytest.raises(nats.errors.TimeoutError):
            await other.next_msg(timeout=0.5)

        # Its own durable consumer holds the events too, for reading after being away.
        js = nc.jetstream()
        pull = await js.pull_subscribe_bind(creds.consumer, stream="DUTYLINE")
        pulled = await pull.fetch(50, timeout=5.0)
        assert all(m.subject.startswith("dutyline.hz-01.incident.") for m in pulled)
        assert any(incident_id.encode() in m.data for m in pulled)
        for m in pulled:
            await m.ack()
    finally:
        await nc.close()


async def test_webhook_deliveries_are_acknowledged_with_receipts(platform: Any, notify: Any, intake: Any) -> None:
    async with LocalGateway(platform.state_dir / f"agency-gw-{uuid.uuid4().hex[:6]}") as receiver:
        agency_id = f"police-{uuid.uuid4().hex[:6]}"
        request = agency(agency_id, "east", webhook=receiver.agency_url(agency_id))
        registered = await notify.RegisterAgency(request)
        assert registered.webhook_secret
        # Shown once: a retry answers the same agency without it.
        retried = await notify.RegisterAgency(request)
        assert retried.id == agency_id and not retried.webhook_secret
        # The receiver checks every signature with the agency's key (401 otherwise).
        receiver.agency_secrets[agency_id] = registered.webhook_secret
        listed = await notify.ListAgencies(notify_pb2.ListAgenciesRequest())
        assert all(a.webhook_secret == "" for a in listed.agencies)

        reply = await intake.RegisterCall(emergency_call())
        delivery = await delivery_when(notify, agency_id, lambda d: d.status != "pending")
        assert delivery.status == "acknowledged" and delivery.receipt and delivery.attempts == 1
        received = [m for m in receiver.messages("agency") if m.get("signature_valid")]
        assert any(m["payload"]["aggregate_id"] == reply.call.incident_id for m in received)


async def test_an_unacknowledged_webhook_is_retried_then_reported(platform: Any, notify: Any, intake: Any) -> None:
    agency_id = f"health-{uuid.uuid4().hex[:6]}"
    nobody_listens = f"http://127.0.0.1:{free_port()}/events"
    await notify.RegisterAgency(agency(agency_id, "hz-01", webhook=nobody_listens))
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        reports = await nc.subscribe("dutyline.hz-01.agency.delivery_failed")
        await intake.RegisterCall(emergency_call())
        failed = await delivery_when(notify, agency_id, lambda d: d.status == "failed", timeout=30.0)
        assert failed.attempts == 3 and failed.last_error
        for _ in range(100):
            event = event_pb2.Event()
            event.ParseFromString((await reports.next_msg(timeout=10.0)).data)
            payload = event_pb2.AgencyDeliveryFailed()
            event.payload.Unpack(payload)
            if (payload.delivery.agency_id, payload.delivery.event_id) == (agency_id, failed.event_id):
                break
        assert payload.delivery.status == "failed" and payload.delivery.attempts == 3
    finally:
        await nc.close()


async def delivery_when(notify: Any, agency_id: str, check: Any, timeout: float = 20.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await notify.ListAgencyDeliveries(notify_pb2.ListAgencyDeliveriesRequest(agency_id=agency_id))
        matching = [d for d in found.deliveries if d.event_type == "incident.registered"]
        if matching and check(matching[0]):
            return matching[0]
        if loop.time() > deadline:
            raise AssertionError(f"no such delivery for {agency_id}: {list(found.deliveries)}")
        await asyncio.sleep(0.2)


async def test_only_admins_register_agencies_and_bad_input_is_refused(platform: Any, notify: Any) -> None:
    async with channel(platform.address("notify"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await notify_pb2_grpc.NotifyServiceStub(ch).RegisterAgency(agency("fire-x", "hz-01"))
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await notify.RegisterAgency(agency("Fire X", "HZ 01", webhook="ftp://x", types=("incident.>",)))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"agency.id", "agency.site_ids[0]", "agency.webhook_url", "agency.event_types[0]"} <= {
        v.field for v in field_violations(refused.value)
    }
    agency_id = f"dup-{uuid.uuid4().hex[:6]}"
    await notify.RegisterAgency(agency(agency_id, "hz-01"))
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await notify.RegisterAgency(agency(agency_id, "hz-01"))
    assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_issuing_again_revokes_the_earlier_user_at_the_nats_server(platform: Any, notify: Any) -> None:
    """Re-scoping an agency means issuing its credentials again: the NATS server then refuses the
    earlier user (and drops its connection); every user expires after DUTYLINE_AGENCY_CREDS_TTL_SECONDS."""
    agency_id = f"health-{uuid.uuid4().hex[:6]}"
    await notify.RegisterAgency(agency(agency_id, "hz-01"))
    first_key, second_key = str(uuid.uuid4()), str(uuid.uuid4())
    first = await notify.IssueAgencyCredentials(
        notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=first_key, agency_id=agency_id)
    )
    expires = decode_jwt(first.creds.split("\n")[1])["exp"]
    assert abs(expires - (time.time() + 90 * 24 * 3600)) < 120
    first_path = Path(platform.state_dir) / f"{agency_id}-1.creds"
    first_path.write_text(first.creds)
    dropped = asyncio.Event()

    async def on_disconnect() -> None:
        dropped.set()

    nc = await connect_url(platform.nats.url, first_path, allow_reconnect=False, disconnected_cb=on_disconnect)
    try:
        second = await notify.IssueAgencyCredentials(
            notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=second_key, agency_id=agency_id)
        )
        assert second.nats_user != first.nats_user
        await asyncio.wait_for(dropped.wait(), 10)
    finally:
        await nc.close()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await connect_url(platform.nats.url, first_path, allow_reconnect=False, connect_timeout=2)
    second_path = Path(platform.state_dir) / f"{agency_id}-2.creds"
    second_path.write_text(second.creds)
    await (await connect_url(platform.nats.url, second_path, allow_reconnect=False)).close()

    # Revoking (an agency disbanded, its creds leaked): the server cuts the current user off too.
    second_dropped = asyncio.Event()

    async def on_second_disconnect() -> None:
        second_dropped.set()

    nc = await connect_url(platform.nats.url, second_path, allow_reconnect=False, disconnected_cb=on_second_disconnect)
    try:
        revoked = await notify.RevokeAgencyCredentials(
            notify_pb2.RevokeAgencyCredentialsRequest(idempotency_key=str(uuid.uuid4()), agency_id=agency_id)
        )
        assert revoked.id == agency_id and not revoked.nats_user
        await asyncio.wait_for(second_dropped.wait(), 10)
    finally:
        await nc.close()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await connect_url(platform.nats.url, second_path, allow_reconnect=False, connect_timeout=2)

    # A retry of the first request would sign the revoked user again: refused.
    with pytest.raises(grpc.aio.AioRpcError) as refusal:
        await notify.IssueAgencyCredentials(
            notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=first_key, agency_id=agency_id)
        )
    assert refusal.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_rescoping_an_agency_revokes_its_user_and_needs_rights_over_old_and_new_sites(
    platform: Any, notify: Any
) -> None:
    """Finding 4: a narrowed agency keeps none of its old subjects; only someone who acts for every
    old and every new site re-scopes it."""
    agency_id = f"fire-{uuid.uuid4().hex[:6]}"
    await notify.RegisterAgency(agency(agency_id, "hz-01", "nb-01"))
    issued = await notify.IssueAgencyCredentials(
        notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=str(uuid.uuid4()), agency_id=agency_id)
    )
    assert any(".nb-01." in s for s in issued.allowed_subjects)
    path = Path(platform.state_dir) / f"{agency_id}.creds"
    path.write_text(issued.creds)

    def rescope(*sites: str) -> notify_pb2.RescopeAgencyRequest:
        return notify_pb2.RescopeAgencyRequest(
            idempotency_key=str(uuid.uuid4()), agency_id=agency_id, site_ids=sites, event_types=["incident.*"]
        )

    async with channel(platform.address("notify"), token_for("p-hz-admin", ["admin"], ["hz-01"])) as ch:
        hz_admin = notify_pb2_grpc.NotifyServiceStub(ch)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await hz_admin.RescopeAgency(rescope("hz-01"))  # it serves nb-01 too
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    await (await connect_url(platform.nats.url, path, allow_reconnect=False)).close()  # still admitted

    dropped = asyncio.Event()

    async def on_disconnect() -> None:
        dropped.set()

    nc = await connect_url(platform.nats.url, path, allow_reconnect=False, disconnected_cb=on_disconnect)
    try:
        narrowed = await notify.RescopeAgency(rescope("hz-01"))
        assert list(narrowed.site_ids) == ["hz-01"] and not narrowed.nats_user
        await asyncio.wait_for(dropped.wait(), 10)
    finally:
        await nc.close()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await connect_url(platform.nats.url, path, allow_reconnect=False, connect_timeout=2)
    listed = {a.id: a for a in (await notify.ListAgencies(notify_pb2.ListAgenciesRequest())).agencies}
    assert list(listed[agency_id].site_ids) == ["hz-01"]
    reissued = await notify.IssueAgencyCredentials(
        notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=str(uuid.uuid4()), agency_id=agency_id)
    )
    assert not any(".nb-01." in s for s in reissued.allowed_subjects)
