"""The first slice, end to end over gRPC on the real stack: an emergency call opens an incident,
its IncidentWorkflow runs in Temporal, and the events arrive on JetStream."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url
from tests.support import notifications_about, token_for

pytestmark = pytest.mark.stack


_places = itertools.count()


def emergency_call(**overrides: Any) -> intake_pb2.RegisterCallRequest:
    """An emergency call about an event of its own: each call is placed 2 km from every other,
    so that intake does not link it to an earlier test's incident (one event, one incident)."""
    now = datetime.now(UTC)
    n = next(_places)
    request = intake_pb2.RegisterCallRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(now - timedelta(seconds=20)),
        answered_at=ts(now - timedelta(seconds=3)),
        caller=intake_pb2.Caller(name="李明", phone="13912345678"),
        place=common_pb2.Place(
            text=f"文三路{n}号 No. {n} Wensan Road", latitude=30.0 + (n % 40) * 0.02, longitude=119.5 + (n // 40) * 0.02
        ),
        summary="居民楼燃气泄漏 Gas leak",
    )
    for key, value in overrides.items():
        setattr(request, key, value)
    return request


async def stream_events(platform: Any, *, aggregate_ids: set[str], count: int, timeout: float = 15.0) -> list[Any]:
    """The messages on the DUTYLINE stream about the given aggregates (from the stream's start)."""
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        js = nc.jetstream()
        sub = await js.subscribe(
            "dutyline.>", ordered_consumer=True, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
        )
        found: list[Any] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                msg = await sub.next_msg(timeout=max(0.1, deadline - loop.time()))
            except nats.errors.TimeoutError:
                break
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            if event.aggregate_id in aggregate_ids:
                found.append((msg, event))
            if len(found) >= count and sub.pending_msgs == 0:
                # Drain what is already here so duplicates would show up.
                await asyncio.sleep(0.3)
                if sub.pending_msgs == 0:
                    break
        return found
    finally:
        await nc.close()


async def test_emergency_call_opens_incident_with_workflow_and_events(
    platform: Any, intake: Any, incidents: Any, db: asyncpg.Connection, on_duty_officer: str
) -> None:
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    call = reply.call
    assert reply.incident_id.startswith("inc-")
    assert call.status == "escalated"
    assert call.answer_delay_seconds == pytest.approx(17, abs=0.01)
    assert call.answered_late  # 17 s > three rings (15 s)
    assert call.officer_id == on_duty_officer
    assert call.assignment_id.startswith("a-hz-01-"), "the duty assignment in force, from roster"
    # The clear number is never in a response.
    assert call.caller.phone == "139****5678"
    assert call.caller.name == "李*"

    incident = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=reply.incident_id))
    assert list(incident.call_ids) == [call.id]
    assert incident.first_responder_id == on_duty_officer
    assert incident.workflow_id == incident.id

    events = await stream_events(platform, aggregate_ids={call.id, incident.id}, count=4)
    by_type = {e.type: (m, e) for m, e in events}
    # incident.escalated: the duty leader was told (by the workflow's first step).
    assert sorted(by_type) == ["call.escalated", "call.registered", "incident.escalated", "incident.registered"]
    assert len(events) == 4
    msg, event = by_type["incident.registered"]
    assert msg.subject == "dutyline.hz-01.incident.registered"
    assert msg.headers["Nats-Msg-Id"] == event.id
    payload = event_pb2.IncidentRegistered()
    assert event.payload.Unpack(payload)
    assert payload.incident_id == incident.id and list(payload.call_ids) == [call.id]
    msg, event = by_type["call.registered"]
    assert msg.subject == "dutyline.hz-01.call.registered"
    registered = event_pb2.CallRegistered()
    assert event.payload.Unpack(registered)
    assert registered.caller_masked == "139****5678"
    assert b"13912345678" not in msg.data
    assert event.actor.person_id == on_duty_officer

    client = await Client.connect(platform.temporal.address)
    handle = client.get_workflow_handle(incident.id)
    for _ in range(100):
        if await handle.query("stage") == "verify":
            break
        await asyncio.sleep(0.1)
    assert await handle.query("stage") == "verify"
    description = await handle.describe()
    assert description.workflow_type == "IncidentWorkflow"

    timeline = await incidents.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=incident.id))
    assert [e.kind for e in timeline.entries] == ["registered", "leader_notified"]

    # The duty leader was reached through an escalation, by a real channel of the local gateway.
    told = await notifications_about(platform, incident.id)
    assert told and all(n.person_id.startswith("p-hz-leader") and n.escalation_id for n in told)
    for _ in range(100):
        delivered = [m for m in platform.gateway_messages() if any(n.id in json.dumps(m) for n in told)]
        if delivered:
            break
        await asyncio.sleep(0.1)
    assert delivered and delivered[0]["channel"] == "voice"  # the leaders' first preference: a phone call

    # The caller's number is stored encrypted, not in clear.
    stored = await db.fetchrow("SELECT caller_phone_enc FROM intake.calls WHERE id = $1", call.id)
    assert b"13912345678" not in bytes(stored["caller_phone_enc"])


async def test_retry_with_same_key_creates_nothing_new(platform: Any, intake: Any, db: asyncpg.Connection) -> None:
    request = emergency_call()
    first = await intake.RegisterCall(request, timeout=20)
    calls_before = await db.fetchval("SELECT count(*) FROM intake.calls")
    incidents_before = await db.fetchval("SELECT count(*) FROM incident.incidents")
    second = await intake.RegisterCall(request, timeout=20)
    assert second.replayed and not first.replayed
    assert second.call.id == first.call.id and second.incident_id == first.incident_id
    assert await db.fetchval("SELECT count(*) FROM intake.calls") == calls_before
    assert await db.fetchval("SELECT count(*) FROM incident.incidents") == incidents_before
    events = await stream_events(platform, aggregate_ids={first.call.id, first.incident_id}, count=4)
    assert sorted(e.type for _, e in events) == [
        "call.escalated",
        "call.registered",
        "incident.escalated",
        "incident.registered",
    ]
    client = await Client.connect(platform.temporal.address)
    runs = [w async for w in client.list_workflows(f"WorkflowId = '{first.incident_id}'")]
    assert len(runs) == 1

    # The same key with a different request is refused, not silently replayed.
    changed = intake_pb2.RegisterCallRequest()
    changed.CopyFrom(request)
    changed.summary = "something else"
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake.RegisterCall(changed)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(err.value)] == ["idempotency_key"]


async def test_concurrent_retries_register_one_call(platform: Any, intake: Any, db: asyncpg.Connection) -> None:
    request = emergency_call()
    replies = await asyncio.gather(*(intake.RegisterCall(request, timeout=20) for _ in range(5)))
    assert len({r.call.id for r in replies}) == 1
    assert len({r.incident_id for r in replies}) == 1
    assert sum(not r.replayed for r in replies) == 1
    assert await db.fetchval("SELECT count(*) FROM intake.calls WHERE id = $1", replies[0].call.id) == 1


async def test_malformed_request_gets_field_violations_and_writes_nothing(
    platform: Any, intake: Any, db: asyncpg.Connection
) -> None:
    now = datetime.now(UTC)
    bad = emergency_call(summary="  ")
    bad.answered_at.CopyFrom(ts(now - timedelta(minutes=1)))  # before the ring
    bad.place.latitude = 123.0
    bad.caller.phone = "call me maybe"
    before = await db.fetchval("SELECT count(*) FROM intake.calls")
    outbox_before = await db.fetchval("SELECT count(*) FROM intake.idempotency")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake.RegisterCall(bad)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in field_violations(err.value)}
    assert fields == {"summary", "answered_at", "place.latitude", "caller.phone"}
    assert await db.fetchval("SELECT count(*) FROM intake.calls") == before
    assert await db.fetchval("SELECT count(*) FROM intake.idempotency") == outbox_before

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake.RegisterCall(emergency_call(site_id="nowhere-01"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(err.value)] == ["site_id"]


async def test_no_token_is_unauthenticated_and_other_site_is_denied(platform: Any) -> None:
    async with grpc.aio.insecure_channel(platform.address("intake")) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call())
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    forged = token_for("p-hz-officer-1", ["officer"], ["hz-01"])[:-4] + "AAAA"
    async with channel(platform.address("intake"), forged) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call())
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    ningbo = token_for("p-nb-officer-1", ["officer"], ["nb-01"])
    async with channel(platform.address("intake"), ningbo) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call())
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # A regional supervisor covers the region's sites (and registers as themselves: only a leader or
    # an admin names another officer).
    supervisor = token_for("p-east-supervisor", ["supervisor"], ["east"])
    async with channel(platform.address("intake"), supervisor) as ch:
        reply = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(
            emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION)
        )
        assert reply.call.status == "registered" and not reply.incident_id


async def test_event_committed_while_nats_is_down_arrives_after_restart(
    platform: Any, intake: Any, db: asyncpg.Connection
) -> None:
    await platform.nats.stop_async()
    try:
        reply = await intake.RegisterCall(emergency_call(category=intake_pb2.CALL_CATEGORY_COMPLAINT), timeout=20)
        assert await db.fetchval("SELECT count(*) FROM intake.outbox WHERE subject LIKE '%call.registered'") >= 1
    finally:
        await platform.nats.start_async()
    events = await stream_events(platform, aggregate_ids={reply.call.id}, count=1, timeout=30)
    assert [e.type for _, e in events] == ["call.registered"]
