"""A call's record after registration (来电记录): handling notes appended at any time (AddCallNote), and
the record completed with the handling, the result and the required fields still missing
(CompleteCall). Both idempotent by key and checked against the call's site; each change is a new
version of the call with its event (call.note_added, call.completed)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import asyncpg
import grpc

from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument
from dutyline.ids import new_id
from dutyline.intake.v1 import intake_pb2
from services.intake import record_store, rules, store
from services.intake.callback_starter import CallbackStarter
from services.intake.caller_data import CallerVault
from services.intake.messages import notice_dict
from services.intake.rpc_callbacks import emit_call_changed

ALREADY_RECORDED = "已记录，补全只填空缺 already recorded; CompleteCall fills only what is missing"
CALLER_FIELDS = ("name", "phone", "unit", "address")
T = TypeVar("T", str, int)


def facts_of(call: store.CallRow, record: record_store.RecordRow) -> rules.RecordFacts:
    return rules.RecordFacts(
        category=call.category,
        caller_name=call.caller_name_enc is not None,
        caller_phone=call.caller_phone_enc is not None,
        caller_declined_number=record.caller_declined_number,
        place=bool(call.place_text) or call.latitude is not None,
        request=bool(call.request),
        handling=bool(call.actions_taken or record.handling),
        notice_missing=call.notice_missing,
    )


def record_message(
    call: store.CallRow, record: record_store.RecordRow, notes: list[record_store.NoteRow]
) -> intake_pb2.CallRecord:
    return intake_pb2.CallRecord(
        caller_gender=record.caller_gender,
        caller_age=record.caller_age,
        caller_declined_number=record.caller_declined_number,
        handling=record.handling,
        result=record.result,
        completed_at=ts(record.completed_at),
        completed_by=record.completed_by,
        notes=[intake_pb2.CallNote(id=n.id, text=n.text, by=n.written_by, at=ts(n.at)) for n in notes],
        missing=rules.missing_record_fields(facts_of(call, record)),
        casualties=record.casualties,
    )


def _filled(violations: list[FieldViolation], field: str, recorded: T, given: T) -> T:
    """The recorded value, else the given one (empty or 0: none); another value given for a recorded one
    is a violation."""
    if recorded and given and given != recorded:
        violations.append(FieldViolation(field, ALREADY_RECORDED))
    return recorded or given


def _sealed(call: store.CallRow) -> tuple[bytes | None, ...]:
    return tuple(getattr(call, f) for f in store.SEALED_FIELDS)


class RecordRpcs:
    """Mixed into IntakeServicer, which provides these."""

    _pool: asyncpg.Pool
    _vault: CallerVault
    _callbacks: CallbackStarter
    _call: Callable[..., Awaitable[tuple[store.CallRow, Principal]]]
    _full: Callable[[str], Awaitable[intake_pb2.Call]]
    _notice_follow_up: Callable[[store.CallRow, datetime], store.CallbackRow | None]
    _add_callback: Callable[[Connection | Writes, store.CallRow, store.CallbackRow], Awaitable[None]]
    _close_notice_follow_up: Callable[[Connection, store.CallRow], Awaitable[str | None]]

    async def _record_of(self, conn: Connection, call: store.CallRow) -> intake_pb2.CallRecord:
        record = await record_store.get_record(conn, call_id=call.id)
        return record_message(call, record, await record_store.notes(conn, call_id=call.id))

    async def _record_at_registration(
        self, writes: Writes, call: store.CallRow, request: intake_pb2.RegisterCallRequest, message: intake_pb2.Call
    ) -> store.CallbackRow | None:
        """With a registration's writes: the optional caller details, and a notice's follow-up (its
        process is started once they commit); ``message`` gets the record as it stands."""
        record = record_store.RecordRow(
            call.id,
            caller_gender=request.caller_gender,
            caller_age=request.caller_age,
            caller_declined_number=request.caller_declined_number,
            casualties=request.casualties,
        )
        if record != record_store.RecordRow(call.id):
            await record_store.save_record(writes, record=record)
        message.record.CopyFrom(record_message(call, record, []))
        follow_up = self._notice_follow_up(call, call.registered_at)
        if follow_up is not None:
            await self._add_callback(writes, call, follow_up)
        return follow_up

    async def AddCallNote(
        self, request: intake_pb2.AddCallNoteRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        call, principal = await self._call(request.call_id, acting=True)
        note = record_store.NoteRow(
            new_id("note"), call.id, request.text.strip(), principal.person_id, datetime.now(UTC)
        )

        async def work(conn: Connection) -> intake_pb2.Call:
            await record_store.add_note(conn, note=note)
            updated = await record_store.bump_version(conn, call_id=call.id)
            return await emit_call_changed(conn, "call.note_added", updated, f"note {note.id}")

        await idempotency.run_once(
            self._pool, method="AddCallNote", request=request, response_type=intake_pb2.Call, work=work
        )
        return await self._full(call.id)

    async def CompleteCall(
        self, request: intake_pb2.CompleteCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        call, principal = await self._call(request.call_id, acting=True)
        closed: list[str] = []

        async def work(conn: Connection) -> intake_pb2.Call:
            current = await store.get_call(conn, call_id=call.id, for_update=True)
            assert current is not None
            record = await record_store.get_record(conn, call_id=call.id, for_update=True)
            if record.completed_at is not None:
                raise FailedPrecondition(
                    f"来电记录已完成 call {call.id} was completed already; add to it with AddCallNote"
                )
            filled, completed, notice = self._completed(current, record, request, principal.person_id)
            if _sealed(filled) != _sealed(current):
                await store.reseal(conn, call=filled)
            updated = await record_store.fill_call(conn, call=filled)
            if notice is not None:
                updated = await store.set_notice(conn, call_id=call.id, notice=notice, missing=[])
                await emit_call_changed(conn, "notice.completed", updated, "missing: ")
                follow_up = await self._close_notice_follow_up(conn, updated)
                if follow_up is not None:
                    closed.append(follow_up)
            await record_store.save_record(conn, record=completed)
            updated = await record_store.bump_version(conn, call_id=call.id)
            return await emit_call_changed(conn, "call.completed", updated, completed.result[:200])

        await idempotency.run_once(
            self._pool, method="CompleteCall", request=request, response_type=intake_pb2.Call, work=work
        )
        for callback_id in closed:
            await self._callbacks.completed(callback_id)
        return await self._full(call.id)

    def _completed(
        self, call: store.CallRow, record: record_store.RecordRow, request: intake_pb2.CompleteCallRequest, by: str
    ) -> tuple[store.CallRow, record_store.RecordRow, str | None]:
        """The call with its blanks filled, its completed record, and the notice made whole (JSON, or None
        when the call has no missing elements); INVALID_ARGUMENT, nothing written, for a recorded field
        given another value and for each required field still missing."""
        violations: list[FieldViolation] = []
        clear = self._vault.reveal(call)
        caller = {
            f: _filled(violations, f"caller.{f}", getattr(clear, f), getattr(request.caller, f).strip())
            for f in CALLER_FIELDS
        }
        place = request.place
        located = call.latitude is not None
        filled = dataclasses.replace(
            call,
            **(
                self._vault.sealed(call.id, **caller)
                if any(caller[f] != getattr(clear, f) for f in CALLER_FIELDS)
                else {}
            ),
            place_text=_filled(violations, "place.text", call.place_text, place.text.strip()),
            latitude=call.latitude if located or not place.HasField("latitude") else place.latitude,
            longitude=call.longitude if located or not place.HasField("longitude") else place.longitude,
            request=_filled(violations, "request", call.request, request.request.strip()),
        )
        completed = dataclasses.replace(
            record,
            caller_gender=_filled(violations, "caller_gender", record.caller_gender, request.caller_gender),
            caller_age=_filled(violations, "caller_age", record.caller_age, request.caller_age),
            caller_declined_number=record.caller_declined_number or request.caller_declined_number,
            handling=_filled(violations, "handling", record.handling, request.handling.strip()),
            result=request.result.strip(),
            completed_by=by,
            completed_at=datetime.now(UTC),
        )
        notice_json = None
        if call.notice_missing:
            elements = json.loads(call.notice or "{}")
            given = notice_dict(request.notice)
            for element in call.notice_missing:
                elements[element] = given.get(element) or elements.get(element)
            missing = rules.missing_notice_elements(elements)
            filled = dataclasses.replace(filled, notice_missing=tuple(missing))
            notice_json = json.dumps(elements, ensure_ascii=False) if not missing else None
        for field in rules.missing_record_fields(facts_of(filled, completed)):
            violations.append(FieldViolation(field, rules.missing_reason(field, call.category)))
        if violations:
            raise InvalidArgument(violations)
        return filled, completed, notice_json
