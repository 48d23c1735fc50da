"""IntakeService end to end on the real stack: a surge of calls about a few events ends as one
incident per event with every call linked; caller privacy; notices; reclassification; transfers,
messages and callbacks."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import nats
import pytest
from google.protobuf.message import Message
from nats.js.api import ConsumerConfig, DeliverPolicy

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url
from tests.support import token_for, until

pytestmark = pytest.mark.stack

# Far from the places other test modules use (latitude 30.0–30.8, 31.0+ for the CLI tests).
EVENTS = [
    ("体育场坍塌 stadium collapse", 29.10, 121.10),
    ("化工厂爆炸 chemical plant explosion", 29.15, 121.20),
    ("隧道车辆起火 tunnel car fire", 29.20, 121.30),
    ("山体滑坡 landslide", 29.25, 121.40),
    ("商场踩踏 mall stampede", 29.30, 121.50),
]
SURGE_CALLS = 2000
PHONE = "13912345678"


def key() -> str:
    return str(uuid.uuid4())


def call_request(summary: str, lat: float, lon: float, **overrides: Any) -> intake_pb2.RegisterCallRequest:
    now = datetime.now(UTC)
    request = intake_pb2.RegisterCallRequest(
        idempotency_key=key(),
        site_id="nb-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(now - timedelta(seconds=8)),
        answered_at=ts(now - timedelta(seconds=2)),
        caller=intake_pb2.Caller(name="赵六", phone=PHONE),
        place=common_pb2.Place(text="现场 scene", latitude=lat, longitude=lon),
        summary=summary,
        drill=True,
    )
    for name, value in overrides.items():
        if isinstance(value, Message):
            getattr(request, name).CopyFrom(value)
        else:
            setattr(request, name, value)
    return request


@pytest.fixture
async def nb_intake(platform: Any) -> Any:
    async with channel(platform.address("intake"), token_for("p-nb-officer-1", ["officer"], ["nb-01"])) as ch:
        yield intake_pb2_grpc.IntakeServiceStub(ch)


async def test_a_surge_of_calls_ends_as_one_incident_per_event(
    platform: Any, nb_intake: Any, db: asyncpg.Connection
) -> None:
    rng = random.Random(7)
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    js = nc.jetstream()
    sub = await js.subscribe(
        "dutyline.nb-01.call.>", ordered_consumer=True, config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW)
    )
    requests = []
    for n in range(SURGE_CALLS):
        summary, lat, lon = EVENTS[n % len(EVENTS)] if n >= len(EVENTS) else EVENTS[n]
        # Callers scattered within ~150 m of the event.
        requests.append(call_request(summary, lat + rng.uniform(-0.001, 0.001), lon + rng.uniform(-0.001, 0.001)))
    # The first call of each event first, then all the others at once.
    first = [await nb_intake.RegisterCall(r, timeout=30) for r in requests[: len(EVENTS)]]
    assert [r.escalation for r in first] == ["opened"] * len(EVENTS)
    semaphore = asyncio.Semaphore(64)

    async def register(request: intake_pb2.RegisterCallRequest) -> intake_pb2.RegisterCallResponse:
        async with semaphore:
            reply: intake_pb2.RegisterCallResponse = await nb_intake.RegisterCall(request, timeout=60)
            return reply

    rest = await asyncio.gather(*(register(r) for r in requests[len(EVENTS) :]))
    by_event = {EVENTS[i][0]: first[i].incident_id for i in range(len(EVENTS))}
    for request, reply in zip(requests[len(EVENTS) :], rest, strict=True):
        assert reply.escalation == "linked" and reply.incident_id == by_event[request.summary]

    call_ids = [r.call.id for r in first + list(rest)]
    incidents = set(by_event.values())
    # Counted in the database ...
    assert await db.fetchval("SELECT count(*) FROM intake.calls WHERE id = ANY($1)", call_ids) == SURGE_CALLS
    assert await db.fetchval(
        "SELECT count(DISTINCT incident_id) FROM intake.calls WHERE id = ANY($1)", call_ids
    ) == len(EVENTS)
    # The incident service learns of linked calls from the stream, in batches.
    await until(
        lambda: db.fetchval(
            "SELECT count(*) FROM incident.incident_calls WHERE incident_id = ANY($1)", list(incidents)
        ),
        SURGE_CALLS,
    )
    # ... and on JetStream: every call registered (linked at once, or opening its incident).
    seen: dict[str, set[str]] = {"call.registered": set(), "call.escalated": set(), "linked": set()}
    wanted = set(call_ids)
    deadline = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < deadline:
        try:
            msg = await sub.next_msg(timeout=2)
        except nats.errors.TimeoutError:
            if len(seen["call.registered"]) >= SURGE_CALLS:
                break
            continue
        event = event_pb2.Event()
        event.ParseFromString(msg.data)
        if event.aggregate_id in wanted and event.type in seen:
            seen[event.type].add(event.aggregate_id)
            assert PHONE.encode() not in msg.data
            if event.type == "call.registered":
                registered = event_pb2.CallRegistered()
                event.payload.Unpack(registered)
                if registered.escalation == "linked":
                    seen["linked"].add(event.aggregate_id)
    await nc.close()
    assert seen["call.registered"] == wanted
    assert len(seen["call.escalated"]) == len(EVENTS)
    assert len(seen["linked"]) == SURGE_CALLS - len(EVENTS)


async def test_the_clear_number_is_only_revealed_with_a_reason_and_audited(
    platform: Any, nb_intake: Any, db: asyncpg.Connection
) -> None:
    reply = await nb_intake.RegisterCall(
        call_request("噪音投诉 noise complaint", 29.5, 121.9, category=intake_pb2.CALL_CATEGORY_COMPLAINT)
    )
    call = reply.call
    assert call.caller.phone == "139****5678" and PHONE not in str(call)
    listed = await nb_intake.ListCalls(intake_pb2.ListCallsRequest(site_id="nb-01"))
    assert PHONE not in str(listed)
    assert PHONE not in str(await nb_intake.GetCall(intake_pb2.GetCallRequest(call_id=call.id)))
    err = await _expect(
        grpc.StatusCode.INVALID_ARGUMENT, nb_intake.RevealCaller(intake_pb2.RevealCallerRequest(call_id=call.id))
    )
    assert {v.field for v in field_violations(err)} == {"reason"}
    async with channel(platform.address("intake"), token_for("fire-agency", ["agency"], ["nb-01"])) as ch:
        await _expect(
            grpc.StatusCode.PERMISSION_DENIED,
            intake_pb2_grpc.IntakeServiceStub(ch).RevealCaller(
                intake_pb2.RevealCallerRequest(call_id=call.id, reason="want to know")
            ),
        )
    revealed = await nb_intake.RevealCaller(
        intake_pb2.RevealCallerRequest(call_id=call.id, reason="回访核实 calling back to verify")
    )
    assert revealed.caller.phone == PHONE and revealed.caller.name == "赵六"
    audit = await db.fetch("SELECT revealed_by, reason FROM intake.reveal_audit WHERE call_id = $1", call.id)
    assert [(a["revealed_by"], a["reason"]) for a in audit] == [("p-nb-officer-1", "回访核实 calling back to verify")]
    # Nowhere in the logs of the platform (the reveal logs who and the audit id, never the value).
    await asyncio.sleep(0.5)
    for log_file in (platform.state_dir / "logs").glob("*.log"):
        assert PHONE not in log_file.read_text(errors="replace"), log_file.name
    # Stored encrypted.
    stored = await db.fetchval("SELECT caller_phone_enc FROM intake.calls WHERE id = $1", call.id)
    assert PHONE.encode() not in bytes(stored)


async def test_reading_calls_is_limited_to_ones_own_sites(platform: Any, nb_intake: Any) -> None:
    reply = await nb_intake.RegisterCall(
        call_request("咨询 question", 29.6, 121.9, category=intake_pb2.CALL_CATEGORY_CONSULTATION)
    )
    async with channel(platform.address("intake"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        other = intake_pb2_grpc.IntakeServiceStub(ch)
        await _expect(
            grpc.StatusCode.PERMISSION_DENIED, other.GetCall(intake_pb2.GetCallRequest(call_id=reply.call.id))
        )
        listed = await other.ListCalls(intake_pb2.ListCallsRequest())
        assert reply.call.id not in {c.id for c in listed.calls}


async def test_a_notice_missing_elements_is_listed_until_completed(nb_intake: Any) -> None:
    notice = intake_pb2.NoticeElements(content="防汛会商 flood meeting", place="三楼会议室", issuing_unit="市防指")
    reply = await nb_intake.RegisterCall(
        call_request(
            "上级通知 notice from above",
            29.7,
            121.9,
            category=intake_pb2.CALL_CATEGORY_NOTICE,
            channel=intake_pb2.CHANNEL_SUPERIOR_NOTICE,
            notice=notice,
        )
    )
    assert list(reply.call.notice_missing) == ["meeting_time", "participants", "issuing_person"]
    listed = await nb_intake.ListCalls(intake_pb2.ListCallsRequest(site_id="nb-01", notice_incomplete_only=True))
    assert reply.call.id in {c.id for c in listed.calls}
    done = await nb_intake.CompleteNotice(
        intake_pb2.CompleteNoticeRequest(
            idempotency_key=key(),
            call_id=reply.call.id,
            notice=intake_pb2.NoticeElements(
                meeting_time=ts(datetime.now(UTC) + timedelta(days=2)),
                participants="各区值班领导",
                issuing_person="王主任",
            ),
        )
    )
    assert not done.notice_missing and done.notice.content == "防汛会商 flood meeting"
    listed = await nb_intake.ListCalls(intake_pb2.ListCallsRequest(site_id="nb-01", notice_incomplete_only=True))
    assert reply.call.id not in {c.id for c in listed.calls}


async def test_reclassifying_keeps_the_history_and_an_emergency_gets_its_incident(nb_intake: Any) -> None:
    reply = await nb_intake.RegisterCall(
        call_request("燃气味道 smell of gas", 29.8, 121.9, category=intake_pb2.CALL_CATEGORY_CONSULTATION)
    )
    assert not reply.incident_id
    changed = await nb_intake.ReclassifyCall(
        intake_pb2.ReclassifyCallRequest(
            idempotency_key=key(),
            call_id=reply.call.id,
            category=intake_pb2.CALL_CATEGORY_EMERGENCY,
            reason="复核为泄漏 a leak after all",
        )
    )
    assert changed.category == intake_pb2.CALL_CATEGORY_EMERGENCY and changed.incident_id
    assert [(c.category, c.reason) for c in changed.classifications] == [
        (intake_pb2.CALL_CATEGORY_EMERGENCY, "复核为泄漏 a leak after all")
    ]
    await _expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        nb_intake.ReclassifyCall(
            intake_pb2.ReclassifyCallRequest(
                idempotency_key=key(),
                call_id=reply.call.id,
                category=intake_pb2.CALL_CATEGORY_EMERGENCY,
                reason="again",
            )
        ),
    )


async def test_an_unreachable_transfer_takes_a_message_with_a_deadline(nb_intake: Any) -> None:
    reply = await nb_intake.RegisterCall(
        call_request("供水中断 no water", 29.9, 121.9, category=intake_pb2.CALL_CATEGORY_COMPLAINT)
    )
    err = await _expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        nb_intake.TransferCall(
            intake_pb2.TransferCallRequest(
                idempotency_key=key(), call_id=reply.call.id, target_id="dir-water", briefing="x", outcome="maybe"
            )
        ),
    )
    assert {v.field for v in field_violations(err)} == {"outcome", "caller_agreed"}
    transferred = await nb_intake.TransferCall(
        intake_pb2.TransferCallRequest(
            idempotency_key=key(),
            call_id=reply.call.id,
            target_id="dir-water",
            caller_agreed=True,
            briefing="停水投诉，请回电",
            outcome="unreachable",
        )
    )
    assert transferred.status == "transferred" and transferred.transfers[0].callback_id
    callbacks = await nb_intake.ListCallbacks(intake_pb2.ListCallbacksRequest(site_id="nb-01", open_only=True))
    message = next(c for c in callbacks.callbacks if c.id == transferred.transfers[0].callback_id)
    assert message.kind == "message" and message.status == "open" and message.recipient_id == "dir-water"
    promised = await nb_intake.PromiseCallback(
        intake_pb2.PromiseCallbackRequest(
            idempotency_key=key(),
            call_id=reply.call.id,
            recipient_id="p-nb-officer-1",
            content="两小时内回电告知抢修进度",
            urgent=True,
        )
    )
    due = promised.due_at.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=4) < due <= timedelta(minutes=5)  # urgent: 5 minutes by default
    done = await nb_intake.CompleteCallback(
        intake_pb2.CompleteCallbackRequest(idempotency_key=key(), callback_id=promised.id, outcome="已回电 called back")
    )
    assert done.status == "completed"
    await _expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        nb_intake.CompleteCallback(
            intake_pb2.CompleteCallbackRequest(idempotency_key=key(), callback_id=promised.id, outcome="again")
        ),
    )


async def _expect(code: grpc.StatusCode, call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value
