"""TelephonyService on the real stack: the switch's events alone make the call records (on time, late,
missed with its callback, transferred), whatever their order and however often they are retried;
a silent line goes down and alerts the duty leader once; bad input writes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import field_violations
from dutyline.intake.v1 import intake_pb2, telephony_pb2, telephony_pb2_grpc
from tests.support import events_about, notifications_about, officer_on_duty, service_token_for, token_for, until

pytestmark = pytest.mark.stack

K = telephony_pb2
SWITCH = "switch-hz-test"
ADMIN = token_for("p-hz-admin", ["admin"], ["hz-01"])


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def admin(platform: Any) -> AsyncIterator[telephony_pb2_grpc.TelephonyServiceStub]:
    async with channel(platform.address("intake"), ADMIN) as ch:
        yield telephony_pb2_grpc.TelephonyServiceStub(ch)


@pytest.fixture
async def switch(platform: Any) -> AsyncIterator[telephony_pb2_grpc.TelephonyServiceStub]:
    """The switch adapter: a service credential."""
    async with channel(platform.address("intake"), service_token_for("switch")) as ch:
        yield telephony_pb2_grpc.TelephonyServiceStub(ch)


@pytest.fixture
async def reader(platform: Any, officer_token: str) -> AsyncIterator[telephony_pb2_grpc.TelephonyServiceStub]:
    async with channel(platform.address("intake"), officer_token) as ch:
        yield telephony_pb2_grpc.TelephonyServiceStub(ch)


async def new_line(
    admin: telephony_pb2_grpc.TelephonyServiceStub, on_duty_officer: str, **limits: int
) -> telephony_pb2.Line:
    line = telephony_pb2.Line(
        id=f"line-{uuid.uuid4().hex[:10]}",
        site_id="hz-01",
        display_name="值班电话一 Duty line 1",
        switch_id=SWITCH,
        extensions=[
            telephony_pb2.Extension(extension="8001", person_id=on_duty_officer),
            telephony_pb2.Extension(extension="8002", person_id="p-hz-officer-4"),
        ],
        **limits,
    )
    answer: telephony_pb2.Line = await admin.UpsertLine(
        telephony_pb2.UpsertLineRequest(idempotency_key=key(), line=line)
    )
    return answer


def event(line: telephony_pb2.Line, call: str, kind: int, at: datetime, **fields: str) -> K.ReportLineEventRequest:
    return K.ReportLineEventRequest(
        switch_id=SWITCH,
        event=K.LineEvent(line_id=line.id, switch_call_id=call, kind=kind, at=ts(at), **fields),
    )


async def report(switch: Any, *requests: K.ReportLineEventRequest) -> K.ReportLineEventResponse:
    answer = K.ReportLineEventResponse()
    for request in requests:
        answer = await switch.ReportLineEvent(request)
    return answer


async def test_the_switchs_events_alone_make_the_records(
    platform: Any, admin: Any, switch: Any, reader: Any, intake: Any, on_duty_officer: str, db: asyncpg.Connection
) -> None:
    line = await new_line(admin, on_duty_officer)
    t0 = datetime.now(UTC) - timedelta(minutes=3)
    number = "13912345678"

    # Answered after two rings (8 s): on time; the officer is the extension's person.
    on_time = await report(
        switch,
        event(line, "c-on-time", K.LINE_EVENT_KIND_RINGING, t0, caller_number=number),
        event(line, "c-on-time", K.LINE_EVENT_KIND_ANSWERED, t0 + timedelta(seconds=8), extension="8001"),
        event(line, "c-on-time", K.LINE_EVENT_KIND_ENDED, t0 + timedelta(seconds=70)),
    )
    c = on_time.call
    assert (c.state, c.answer_delay_seconds, c.answered_late, c.officer_id) == ("ended", 8.0, False, on_duty_officer)
    assert c.caller_number == "139****5678" and from_ts(c.ended_at) == t0 + timedelta(seconds=70)

    # Answered after 20 s: late.
    late = await report(
        switch,
        event(line, "c-late", K.LINE_EVENT_KIND_RINGING, t0),
        event(line, "c-late", K.LINE_EVENT_KIND_ANSWERED, t0 + timedelta(seconds=20), extension="8002"),
    )
    assert (late.call.state, late.call.answer_delay_seconds, late.call.answered_late) == ("answered", 20.0, True)
    assert late.call.officer_id == "p-hz-officer-4"

    # Abandoned while ringing: a missed call, recorded, and a callback for the officer on duty.
    abandoned_at = t0 + timedelta(seconds=12)
    missed = await report(
        switch,
        event(line, "c-missed", K.LINE_EVENT_KIND_RINGING, t0, caller_number="13800001111"),
        event(line, "c-missed", K.LINE_EVENT_KIND_ABANDONED, abandoned_at),
    )
    m = missed.call
    calls_back = await officer_on_duty(platform, abandoned_at)
    assert (m.state, m.officer_id) == ("abandoned", calls_back) and m.call_id and m.callback_id
    record = await intake.GetCall(intake_pb2.GetCallRequest(call_id=m.call_id))
    assert (record.status, record.line_call_id, record.caller.phone) == ("missed", m.id, "138****1111")
    assert not record.HasField("answered_at") and from_ts(record.ring_started_at) == t0
    callback = await db.fetchrow("SELECT * FROM intake.callbacks WHERE id = $1", m.callback_id)
    assert (callback["kind"], callback["recipient_id"], callback["status"]) == ("callback", calls_back, "open")
    assert callback["due_at"] == abandoned_at + timedelta(minutes=10)
    # ... supervised by the callback process (reminder, then the duty leader when overdue).
    await until(
        lambda: db.fetchval(
            "SELECT workflow_started_at IS NOT NULL FROM intake.callbacks WHERE id = $1", m.callback_id
        ),
        True,
    )

    # Answered, then transferred.
    transferred = await report(
        switch,
        # Rings just before the late call (answered 5 s later, as before): the late call is the line's
        # newest open call, not one tied with it at the same instant.
        event(line, "c-transfer", K.LINE_EVENT_KIND_RINGING, t0 - timedelta(seconds=0.5)),
        event(line, "c-transfer", K.LINE_EVENT_KIND_ANSWERED, t0 + timedelta(seconds=4.5), extension="8001"),
        event(line, "c-transfer", K.LINE_EVENT_KIND_TRANSFERRED, t0 + timedelta(seconds=40), transfer_target="8009"),
        event(
            line,
            "c-transfer",
            K.LINE_EVENT_KIND_RECORDING,
            t0 + timedelta(seconds=91),
            recording_ref="https://recordings.example/hz/c-transfer.wav",
        ),
    )
    t = transferred.call
    assert (t.state, t.transfer_target, from_ts(t.transferred_at)) == (
        "transferred",
        "8009",
        t0 + timedelta(seconds=40),
    )
    assert t.recording_ref.endswith("c-transfer.wav")

    # The officer completes the on-time call against the switch's record: the switch's times count.
    registered = await intake.RegisterCall(
        intake_pb2.RegisterCallRequest(
            idempotency_key=key(),
            site_id="hz-01",
            channel=intake_pb2.CHANNEL_PHONE,
            category=intake_pb2.CALL_CATEGORY_CONSULTATION,
            summary="咨询办事流程 asks about a procedure",
            place=common_pb2.Place(text="西湖区 Xihu"),
            line_call_id=c.id,
        )
    )
    call = registered.call
    assert (from_ts(call.ring_started_at), from_ts(call.answered_at), from_ts(call.ended_at)) == (
        t0,
        t0 + timedelta(seconds=8),
        t0 + timedelta(seconds=70),
    )
    assert (call.answer_delay_seconds, call.answered_late, call.line_call_id) == (8.0, False, c.id)
    # Its call.registered says which line call it records and which shift the answering officer was on.
    [told] = [e for e in await events_about(platform, call.id) if e.type == "call.registered"]
    told_call = event_pb2.CallRegistered()
    assert told.payload.Unpack(told_call)
    assert (told_call.line_call_id, told_call.assignment_id, told_call.duty_gap) == (c.id, call.assignment_id, False)
    assert call.assignment_id
    again = intake_pb2.RegisterCallRequest(
        idempotency_key=key(),
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_OTHER,
        summary="again",
    )
    for line_call_id in (c.id, m.id):  # registered already; a missed call has its record
        again.line_call_id = line_call_id
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await intake.RegisterCall(again)
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    missed_list = await reader.ListMissedCalls(K.ListMissedCallsRequest(site_id="hz-01"))
    ids = {x.id for x in missed_list.calls}
    assert m.id in ids and not ids & {c.id, late.call.id, t.id}

    window = common_pb2.TimeRange(start=ts(t0 - timedelta(seconds=1)), end=ts(datetime.now(UTC)))
    figures = await reader.GetLineFigures(K.GetLineFiguresRequest(site_id="hz-01", period=window))
    ours = next(f for f in figures.lines if f.key == line.id)
    assert (ours.rang, ours.answered, ours.answered_late, ours.missed) == (4, 3, 1, 1)
    assert (ours.max_answer_seconds, round(ours.mean_answer_seconds, 2)) == (20.0, 11.0)
    assert any(f.key == on_duty_officer and f.answered >= 2 for f in figures.officers)

    status = await reader.GetLineStatus(K.GetLineStatusRequest(line_id=line.id))
    # The late call was never ended: the line is in a call.
    assert status.state == K.LINE_STATE_IN_CALL and status.current_call.id == late.call.id


async def test_out_of_order_and_repeated_events_give_the_same_call_once(
    admin: Any, switch: Any, on_duty_officer: str, db: asyncpg.Connection
) -> None:
    line = await new_line(admin, on_duty_officer)
    t0 = datetime.now(UTC) - timedelta(minutes=2)
    ended = event(line, "c-shuffled", K.LINE_EVENT_KIND_ENDED, t0 + timedelta(seconds=50))
    answered = event(line, "c-shuffled", K.LINE_EVENT_KIND_ANSWERED, t0 + timedelta(seconds=20), extension="8001")
    ringing = event(line, "c-shuffled", K.LINE_EVENT_KIND_RINGING, t0)

    first = await switch.ReportLineEvent(ended)
    assert (first.call.state, first.call.answered_late) == ("ended", False)  # no answer known yet: not missed
    await report(switch, answered, ringing)
    retried = await switch.ReportLineEvent(answered)  # the adapter's retry
    assert retried.duplicate
    c = retried.call
    assert (c.state, c.answer_delay_seconds, c.answered_late, from_ts(c.ring_started_at)) == ("ended", 20.0, True, t0)
    assert not c.call_id and not c.callback_id
    assert await db.fetchval("SELECT count(*) FROM intake.line_events WHERE line_call_id = $1", c.id) == 3

    # A caller hanging up reported twice (two adapters, a retry): one missed call, one callback.
    hang_up = event(line, "c-twice", K.LINE_EVENT_KIND_ABANDONED, t0 + timedelta(seconds=9))
    results = await asyncio.gather(*(switch.ReportLineEvent(hang_up) for _ in range(4)))
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    line_call_id = results[0].call.id
    assert await db.fetchval("SELECT count(*) FROM intake.calls WHERE line_call_id = $1", line_call_id) == 1
    assert (
        await db.fetchval(
            "SELECT count(*) FROM intake.callbacks cb JOIN intake.calls c ON c.id = cb.call_id"
            " WHERE c.line_call_id = $1",
            line_call_id,
        )
        == 1
    )
    # An answer reported after it makes it answered; the missed call's callback stays for the officer.
    late_answer = await switch.ReportLineEvent(
        event(line, "c-twice", K.LINE_EVENT_KIND_ANSWERED, t0 + timedelta(seconds=8), extension="8002")
    )
    assert late_answer.call.state == "answered" and late_answer.call.callback_id


async def test_a_silent_line_goes_down_and_alerts_the_duty_leader_once(
    platform: Any, admin: Any, switch: Any, reader: Any, on_duty_officer: str
) -> None:
    line = await new_line(admin, on_duty_officer, down_after_seconds=10)
    heartbeat = K.ReportLineEventRequest(
        switch_id=SWITCH, event=K.LineEvent(line_id=line.id, kind=K.LINE_EVENT_KIND_HEARTBEAT, at=ts(datetime.now(UTC)))
    )
    assert not (await switch.ReportLineEvent(heartbeat)).duplicate
    assert (await switch.ReportLineEvent(heartbeat)).duplicate
    assert (await reader.GetLineStatus(K.GetLineStatusRequest(line_id=line.id))).state == K.LINE_STATE_UP

    async def state() -> int:
        status = await reader.GetLineStatus(K.GetLineStatusRequest(line_id=line.id))
        return int(status.state)

    await until(state, K.LINE_STATE_DOWN, seconds=40)
    alerts = await notifications_about(platform, line.id)
    assert alerts and "Duty line down" in alerts[0].subject
    await asyncio.sleep(12)  # more sweeps: still one outage, one alert
    assert len({n.escalation_id for n in await notifications_about(platform, line.id)}) == 1
    events = [e.type for e in await events_about(platform, line.id)]
    assert events.count("line.down") == 1

    heartbeat.event.at.CopyFrom(ts(datetime.now(UTC)))
    await switch.ReportLineEvent(heartbeat)
    assert await state() == K.LINE_STATE_UP
    assert [e.type for e in await events_about(platform, line.id)].count("line.up") == 1


async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    admin: Any, switch: Any, on_duty_officer: str, db: asyncpg.Connection, platform: Any
) -> None:
    line = await new_line(admin, on_duty_officer)
    now = datetime.now(UTC)
    bad = {
        # Rules across fields are the event's (the message says which field).
        "event: switch_call_id": event(line, "", K.LINE_EVENT_KIND_RINGING, now),
        "event: extension": event(line, "c-x", K.LINE_EVENT_KIND_ANSWERED, now),
        "event.caller_number": event(line, "c-x", K.LINE_EVENT_KIND_RINGING, now, caller_number="call me maybe"),
        "event.at": event(line, "c-x", K.LINE_EVENT_KIND_RINGING, now + timedelta(hours=1)),
        "event.line_id": event(telephony_pb2.Line(id="line-nowhere"), "c-x", K.LINE_EVENT_KIND_RINGING, now),
        "switch_id": K.ReportLineEventRequest(
            switch_id="another-switch",
            event=K.LineEvent(line_id=line.id, switch_call_id="c-x", kind=K.LINE_EVENT_KIND_RINGING, at=ts(now)),
        ),
    }
    for field, request in bad.items():
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await switch.ReportLineEvent(request)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, field
        path, _, words = field.partition(": ")
        assert any(v.field == path and words in v.description for v in field_violations(refused.value)), field
    assert await db.fetchval("SELECT count(*) FROM intake.line_calls WHERE line_id = $1", line.id) == 0

    # Only the switch (a service) and admins report; an officer may not.
    async with channel(platform.address("intake"), token_for(on_duty_officer, ["officer"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await telephony_pb2_grpc.TelephonyServiceStub(ch).ReportLineEvent(
                event(line, "c-y", K.LINE_EVENT_KIND_RINGING, now)
            )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    # A line's extensions: people of its site, each extension once.
    foreign = telephony_pb2.Line(
        id="line-foreign",
        site_id="hz-01",
        display_name="x",
        switch_id=SWITCH,
        extensions=[telephony_pb2.Extension(extension="1", person_id="p-nb-officer-1")],
    )
    twice = telephony_pb2.Line(
        id="line-twice",
        site_id="hz-01",
        display_name="x",
        switch_id=SWITCH,
        extensions=[
            telephony_pb2.Extension(extension="1", person_id=on_duty_officer),
            telephony_pb2.Extension(extension="1", person_id="p-hz-officer-4"),
        ],
    )
    for wanted, field in ((foreign, "line.extensions[0].person_id"), (twice, "line")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await admin.UpsertLine(K.UpsertLineRequest(idempotency_key=key(), line=wanted))
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in {v.field for v in field_violations(refused.value)}
    assert await db.fetchval("SELECT count(*) FROM intake.lines WHERE id IN ('line-foreign', 'line-twice')") == 0


async def test_a_retried_upsert_changes_nothing_more(admin: Any, on_duty_officer: str, platform: Any) -> None:
    request = K.UpsertLineRequest(
        idempotency_key=key(),
        line=telephony_pb2.Line(
            id=f"line-{uuid.uuid4().hex[:10]}",
            site_id="hz-01",
            display_name="值班电话二 Duty line 2",
            switch_id=SWITCH,
            extensions=[telephony_pb2.Extension(extension="8001", person_id=on_duty_officer)],
        ),
    )
    first, second = await admin.UpsertLine(request), await admin.UpsertLine(request)
    assert first == second
    assert [e.type for e in await events_about(platform, request.line.id)] == ["line.configured"]


async def test_an_answered_call_not_registered_in_time_is_flagged_and_a_registered_one_is_not(
    admin: Any, switch: Any, reader: Any, intake: Any, on_duty_officer: str
) -> None:
    line = await new_line(admin, on_duty_officer, register_within_seconds=60)
    t0 = datetime.now(UTC) - timedelta(minutes=3)
    calls = {}
    for name in ("forgotten", "registered"):
        reply = await report(
            switch,
            event(line, name, K.LINE_EVENT_KIND_RINGING, t0),
            event(line, name, K.LINE_EVENT_KIND_ANSWERED, t0 + timedelta(seconds=6), extension="8001"),
        )
        calls[name] = reply.call
    # Registered during the conversation: the end comes from the switch afterwards.
    registered = await intake.RegisterCall(
        intake_pb2.RegisterCallRequest(
            idempotency_key=key(),
            site_id="hz-01",
            channel=intake_pb2.CHANNEL_PHONE,
            category=intake_pb2.CALL_CATEGORY_CONSULTATION,
            summary="咨询 a question",
            line_call_id=calls["registered"].id,
        )
    )
    assert not registered.call.HasField("ended_at")
    for name in calls:
        await switch.ReportLineEvent(event(line, name, K.LINE_EVENT_KIND_ENDED, t0 + timedelta(seconds=50)))
    record = await intake.GetCall(intake_pb2.GetCallRequest(call_id=registered.call.id))
    assert from_ts(record.ended_at) == t0 + timedelta(seconds=50) and record.answer_delay_seconds == 6.0

    async def flagged() -> set[str]:
        listed = await reader.ListMissedCalls(K.ListMissedCallsRequest(site_id="hz-01", include_unregistered=True))
        return {c.id for c in listed.calls if c.registration_overdue} & {c.id for c in calls.values()}

    await until(flagged, {calls["forgotten"].id}, seconds=20)
    plain = await reader.ListMissedCalls(K.ListMissedCallsRequest(site_id="hz-01"))
    assert calls["forgotten"].id not in {c.id for c in plain.calls}  # answered: not a missed call
