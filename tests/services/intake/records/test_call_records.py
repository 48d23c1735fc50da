"""A call's record after registration, on the real stack: required fields per category (an emergency
needs a call-back number or the caller's refusal), optional caller details, AddCallNote and
CompleteCall — bad input names its fields and writes nothing, retries duplicate nothing, another
site's officer is refused."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.services.intake.records.support import call_request, key, refused, violations
from tests.support import events_about, token_for

pytestmark = pytest.mark.stack


@pytest.fixture
async def nb_officer(platform: Any) -> Any:
    async with channel(platform.address("intake"), token_for("p-nb-officer-1", ["officer"], ["nb-01"])) as ch:
        yield intake_pb2_grpc.IntakeServiceStub(ch)


async def test_an_emergency_without_a_number_is_registered_and_completed_with_the_callers_refusal(
    platform: Any, intake: Any
) -> None:
    request = emergency_call(caller_gender="female", caller_age=34)
    request.caller.phone = ""  # no number given
    registered = await intake.RegisterCall(request, timeout=20)
    record = registered.call.record
    assert (record.caller_gender, record.caller_age) == ("female", 34)
    assert set(record.missing) == {"caller.phone", "handling"}
    call_id = registered.call.id
    before = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id))
    assert set(before.record.missing) == {"caller.phone", "handling"}

    # Each required field still missing is named; nothing is written.
    assert await violations(
        intake.CompleteCall(intake_pb2.CompleteCallRequest(idempotency_key=key(), call_id=call_id, result="已处置"))
    ) == {"caller.phone", "handling"}
    assert await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id)) == before

    request = intake_pb2.CompleteCallRequest(
        idempotency_key=key(),
        call_id=call_id,
        caller_declined_number=True,
        handling="已派燃气抢修 gas crew sent",
        result="险情排除 made safe",
    )
    done = await intake.CompleteCall(request)
    assert done.record.missing == [] and done.record.HasField("completed_at")
    assert (done.record.handling, done.record.result, done.record.caller_declined_number) == (
        "已派燃气抢修 gas crew sent",
        "险情排除 made safe",
        True,
    )
    assert (done.record.caller_gender, done.record.caller_age) == ("female", 34)
    again = await intake.CompleteCall(request)  # a retry: the first answer, nothing new
    assert again.record == done.record
    await refused(
        grpc.StatusCode.FAILED_PRECONDITION,
        intake.CompleteCall(
            intake_pb2.CompleteCallRequest(idempotency_key=key(), call_id=call_id, result="again", handling="x")
        ),
    )
    events = [e.type for e in await events_about(platform, call_id)]
    assert events.count("call.completed") == 1, events


async def test_complete_fills_what_is_missing_and_changes_nothing_recorded(intake: Any) -> None:
    registered = await intake.RegisterCall(call_request(caller=intake_pb2.Caller(phone="13812345678")))
    call_id = registered.call.id
    assert set(registered.call.record.missing) == {"caller.name", "request", "handling"}
    before = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id))
    # Another number for the recorded one is refused with what is still missing, and nothing is written.
    assert await violations(
        intake.CompleteCall(
            intake_pb2.CompleteCallRequest(
                idempotency_key=key(), call_id=call_id, caller=intake_pb2.Caller(phone="13900000000"), result="x"
            )
        )
    ) == {"caller.phone", "caller.name", "request", "handling"}
    assert await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id)) == before

    done = await intake.CompleteCall(
        intake_pb2.CompleteCallRequest(
            idempotency_key=key(),
            call_id=call_id,
            caller=intake_pb2.Caller(name="周敏", phone="13812345678"),
            request="想知道供暖日期 the heating date",
            place=common_pb2.Place(text="文一路 Wenyi Road"),
            handling="已查询热力公司 asked the heating company",
            result="已告知11月15日供暖 told: 15 November",
        )
    )
    assert done.record.missing == []
    assert done.request == "想知道供暖日期 the heating date" and done.place.text == "文一路 Wenyi Road"
    assert done.caller.name.startswith("周") and done.caller.name != "周敏"  # masked
    assert done.caller.phone == registered.call.caller.phone


async def test_bad_input_names_its_fields(intake: Any) -> None:
    registered = await intake.RegisterCall(call_request())
    call_id = registered.call.id
    assert await violations(
        intake.CompleteCall(
            intake_pb2.CompleteCallRequest(
                idempotency_key=key(), call_id=call_id, result="", caller_age=200, caller_gender="x"
            )
        )
    ) == {"result", "caller_age", "caller_gender"}
    assert await violations(
        intake.AddCallNote(intake_pb2.AddCallNoteRequest(idempotency_key=key(), call_id=call_id, text="  "))
    ) == {"text"}
    assert await violations(
        intake.AddCallNote(intake_pb2.AddCallNoteRequest(idempotency_key="", call_id="", text="x" * 4001))
    ) >= {"idempotency_key", "call_id", "text"}
    assert await violations(intake.RegisterCall(call_request(caller_age=131, caller_gender="f"))) == {
        "caller_age",
        "caller_gender",
    }
    shown = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id))
    assert shown.record.notes == [] and not shown.record.HasField("completed_at")


async def test_notes_are_appended_once_per_key_and_only_at_the_calls_site(intake: Any, nb_officer: Any) -> None:
    registered = await intake.RegisterCall(call_request())
    call_id = registered.call.id
    first = intake_pb2.AddCallNoteRequest(idempotency_key=key(), call_id=call_id, text="已回电确认 called back")
    noted = await intake.AddCallNote(first)
    assert noted.record.notes[0].id
    assert [n.text for n in noted.record.notes] == ["已回电确认 called back"]
    assert noted.record.notes[0].by and noted.record.notes[0].HasField("at")
    await intake.AddCallNote(first)  # a retry: no second note
    second = await intake.AddCallNote(
        intake_pb2.AddCallNoteRequest(idempotency_key=key(), call_id=call_id, text="来电人表示满意 satisfied")
    )
    assert [n.text for n in second.record.notes] == ["已回电确认 called back", "来电人表示满意 satisfied"]

    # Another site's officer neither notes nor completes it; nothing is written.
    await refused(
        grpc.StatusCode.PERMISSION_DENIED,
        nb_officer.AddCallNote(intake_pb2.AddCallNoteRequest(idempotency_key=key(), call_id=call_id, text="x")),
    )
    await refused(
        grpc.StatusCode.PERMISSION_DENIED,
        nb_officer.CompleteCall(
            intake_pb2.CompleteCallRequest(
                idempotency_key=key(), call_id=call_id, result="x", handling="x", request="x"
            )
        ),
    )
    await refused(
        grpc.StatusCode.NOT_FOUND,
        intake.AddCallNote(intake_pb2.AddCallNoteRequest(idempotency_key=key(), call_id="call-nowhere", text="x")),
    )
    shown = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id))
    assert len(shown.record.notes) == 2 and not shown.record.HasField("completed_at")
