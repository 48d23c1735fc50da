"""TelephonyService over gRPC (电话交换): the switch adapter's events, the lines' configuration and
status, missed calls and line figures. Hosted by the intake server."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import asyncpg
import grpc
import structlog

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from dutyline.ids import new_id
from dutyline.intake.v1 import telephony_pb2, telephony_pb2_grpc
from dutyline.privacy import CallerCipher, mask_phone
from dutyline.roster.v1 import roster_pb2
from services.intake import store
from services.intake.callback_starter import CallbackStarter
from services.intake.caller_data import CallerVault
from services.intake.rpc_callbacks import emit_call_changed
from services.intake.telephony import missed, rules
from services.intake.telephony import store as tstore
from services.intake.telephony.messages import line_call_message, line_message, line_status
from services.intake.telephony.monitor import emit_line_changed

log = structlog.get_logger(__name__)

# A page of missed calls when the reader names no size (at most 500: the protos' PageRequest).
PAGE_SIZE = 100
CALLER_TABLE = "line_calls"


class TelephonyServicer(telephony_pb2_grpc.TelephonyServiceServicer):
    def __init__(
        self, *, pool: asyncpg.Pool, roster: RosterDirectory, cipher: CallerCipher, callbacks: CallbackStarter
    ) -> None:
        self._pool = pool
        self._roster = roster
        self._cipher = cipher
        self._vault = CallerVault(cipher)
        self._callbacks = callbacks

    async def _line(self, line_id: str, *, field: str = "line_id") -> tuple[tstore.LineRow, SiteInfo]:
        """The line, if the caller acts for its site; an unknown line is the request's fault."""
        async with self._pool.acquire() as conn:
            line = await tstore.get_line(conn, line_id=line_id)
        if line is None:
            raise InvalidArgument([FieldViolation(field, f"unknown line {line_id!r}")])
        site = await self._roster.site(line.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        return line, site

    # -- the switch's events ----------------------------------------------------------------------

    async def ReportLineEvent(
        self, request: telephony_pb2.ReportLineEventRequest, context: grpc.aio.ServicerContext
    ) -> telephony_pb2.ReportLineEventResponse:
        event = request.event
        line, site = await self._line(event.line_id, field="event.line_id")
        if line.switch_id != request.switch_id:
            raise InvalidArgument(
                [FieldViolation("switch_id", f"line {line.id} is served by switch {line.switch_id}, not this one")]
            )
        structlog.contextvars.bind_contextvars(site_id=site.id, line_id=line.id)
        at, now = from_ts(event.at), datetime.now(UTC)
        # A late retry from before an outage proves nothing about the line now.
        fresh = not rules.silent_too_long(at, at, now, line.down_after_seconds)
        kind = rules.KINDS[event.kind]
        if kind == "heartbeat":
            async with self._pool.acquire() as conn, conn.transaction():
                seen_before = line.last_seen_at is not None and line.last_seen_at >= at
                await self._heard(conn, line, at, fresh)
            return telephony_pb2.ReportLineEventResponse(duplicate=seen_before)
        on_duty = await self._roster.on_duty(site_id=site.id, at=at)
        switch_event = rules.SwitchEvent(
            kind=kind,
            at=at,
            extension=event.extension,
            transfer_target=event.transfer_target,
            recording_ref=event.recording_ref,
            recording_retain_until=from_ts(event.recording_retain_until)
            if event.HasField("recording_retain_until")
            else None,
        )
        callback = None
        async with self._pool.acquire() as conn, conn.transaction():
            line = await self._heard(conn, line, at, fresh)
            current = await tstore.open_line_call(
                conn,
                new_id=new_id("lc"),
                line=line,
                switch_call_id=event.switch_call_id,
                at=at,
                shift_name=shift_of(on_duty),
            )
            if not await tstore.add_event(conn, line_call=current, event=switch_event):
                return telephony_pb2.ReportLineEventResponse(call=line_call_message(current), duplicate=True)
            facts = rules.call_facts(await tstore.events_of(conn, line_call_id=current.id), site.answer_limit_seconds)
            updated = self._with_facts(current, facts, line, event.caller_number)
            if facts.missed and current.callback_id is None and current.call_id is None:
                updated, callback = await self._missed(conn, line, updated, facts, on_duty, event.caller_number)
            saved = await tstore.update_line_call(conn, line_call=updated)
            if saved.answered_at is not None and (record_id := await tstore.sync_record(conn, line_call=saved)):
                record = await store.get_call(conn, call_id=record_id)
                assert record is not None
                await emit_call_changed(conn, "call.switch_times", record, f"line_call.{kind}")
            await emit(
                conn,
                event_type=f"line_call.{kind}",
                site_id=saved.site_id,
                aggregate_id=saved.id,
                aggregate_version=saved.version,
                payload=event_pb2.LineCallChanged(call=line_call_message(saved), detail=kind),
            )
        log.info("line event", kind=kind, line_call_id=saved.id, state=saved.state)
        if callback is not None:
            await self._callbacks.ensure_started(callback)  # or, failing that, its reconciler
        return telephony_pb2.ReportLineEventResponse(call=line_call_message(saved))

    async def _heard(self, conn: Connection, line: tstore.LineRow, at: datetime, fresh: bool) -> tstore.LineRow:
        heard, came_up = await tstore.heard(conn, line_id=line.id, at=at, fresh=fresh)
        if came_up:
            await emit_line_changed(conn, "line.up", heard, previous_down_since=line.down_since)
        return heard

    def _with_facts(
        self, current: tstore.LineCallRow, facts: rules.CallFacts, line: tstore.LineRow, number: str
    ) -> tstore.LineCallRow:
        """The line call as its events now say; the first calling number given is kept, sealed."""
        if current.caller_number_enc is None and number:
            current = dataclasses.replace(
                current,
                caller_key_id=self._cipher.active_key_id,
                caller_number_enc=self._cipher.encrypt(
                    number, table=CALLER_TABLE, row=current.id, field="caller_number"
                ),
                caller_number_masked=mask_phone(number),
            )
        return dataclasses.replace(
            current,
            state=facts.state,
            ring_started_at=facts.ring_started_at,
            answered_at=facts.answered_at,
            transferred_at=facts.transferred_at,
            ended_at=facts.ended_at,
            answer_delay_seconds=facts.answer_delay_seconds,
            answered_late=facts.answered_late,
            extension=facts.extension,
            # The officer is the answering extension's person (a missed call's: who calls back).
            officer_id=line.extensions.get(facts.extension, "") if facts.answered_at else current.officer_id,
            transfer_target=facts.transfer_target,
            recording_ref=facts.recording_ref,
            recording_retain_until=facts.recording_retain_until,
        )

    def _caller_number(self, line_call: tstore.LineCallRow) -> str:
        if line_call.caller_number_enc is None:
            return ""
        return self._cipher.decrypt(
            line_call.caller_key_id,
            line_call.caller_number_enc,
            table=CALLER_TABLE,
            row=line_call.id,
            field="caller_number",
        )

    async def _missed(
        self,
        conn: Connection,
        line: tstore.LineRow,
        line_call: tstore.LineCallRow,
        facts: rules.CallFacts,
        on_duty: roster_pb2.OnDuty | None,
        number: str,
    ) -> tuple[tstore.LineCallRow, store.CallbackRow]:
        """Record the missed call and its callback for the officer on duty."""
        officers = [p.person_id for p in on_duty.officers] if on_duty else []
        leaders = [p.person_id for p in on_duty.leaders] if on_duty else []
        recipient = rules.callback_recipient(officers, leaders, list(line.extensions.values()))
        assignment = (
            next((p.assignment_id for p in (*on_duty.officers, *on_duty.leaders) if p.person_id == recipient), "")
            if on_duty
            else ""
        )
        record, callback = missed.missed_records(
            vault=self._vault,
            line=line,
            line_call=line_call,
            facts=facts,
            caller_number=number or self._caller_number(line_call),
            recipient_id=recipient,
            assignment_id=assignment,
            duty_gap=on_duty is None,
            created_by=current_principal().person_id,
            now=datetime.now(UTC),
        )
        await missed.insert_missed(conn, record, callback)
        log.info("missed call recorded", call_id=record.id, callback_id=callback.id, recipient=recipient)
        return dataclasses.replace(line_call, officer_id=recipient, callback_id=callback.id), callback

    # -- lines ------------------------------------------------------------------------------------

    async def UpsertLine(
        self, request: telephony_pb2.UpsertLineRequest, context: grpc.aio.ServicerContext
    ) -> telephony_pb2.Line:
        wanted = request.line
        site = await self._roster.site(wanted.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        async with self._pool.acquire() as conn:
            existing = await tstore.get_line(conn, line_id=wanted.id)
        if existing is not None and existing.site_id != wanted.site_id:
            raise FailedPrecondition(f"line {wanted.id} belongs to site {existing.site_id}; a line does not move")
        for i, extension in enumerate(wanted.extensions):
            await self._roster.require_person_at(extension.person_id, site, field=f"line.extensions[{i}].person_id")

        async def work(conn: Connection) -> telephony_pb2.Line:
            line = await tstore.upsert_line(
                conn,
                line_id=wanted.id,
                site_id=wanted.site_id,
                switch_id=wanted.switch_id,
                display_name=wanted.display_name.strip(),
                extensions={e.extension: e.person_id for e in wanted.extensions},
                down_after_seconds=wanted.down_after_seconds,
                callback_due_seconds=wanted.callback_due_seconds,
                register_within_seconds=wanted.register_within_seconds,
            )
            await emit_line_changed(conn, "line.configured", line)
            return line_message(line)

        answer, _ = await idempotency.run_once(
            self._pool,
            method="UpsertLine",
            request=request,
            response_type=telephony_pb2.Line,
            work=work,
        )
        return answer

    async def ListLines(
        self, request: telephony_pb2.ListLinesRequest, context: grpc.aio.ServicerContext
    ) -> telephony_pb2.ListLinesResponse:
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        now = datetime.now(UTC)
        async with self._pool.acquire() as conn:
            lines = await tstore.list_lines(conn, site_ids=site_ids)
            calls = await tstore.open_calls_of(conn, line_ids=[x.id for x in lines], since=tstore.open_since(now))
        return telephony_pb2.ListLinesResponse(
            lines=[line_status(x, [c for c in calls if c.line_id == x.id]) for x in lines]
        )

    async def GetLineStatus(
        self, request: telephony_pb2.GetLineStatusRequest, context: grpc.aio.ServicerContext
    ) -> telephony_pb2.LineStatus:
        async with self._pool.acquire() as conn:
            line = await tstore.get_line(conn, line_id=request.line_id)
        if line is None:
            raise NotFound(f"line {request.line_id} does not exist")
        site = await self._roster.site(line.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        async with self._pool.acquire() as conn:
            calls = await tstore.open_calls_of(conn, line_ids=[line.id], since=tstore.open_since(datetime.now(UTC)))
        return line_status(line, calls)

    # -- missed calls and figures -----------------------------------------------------------------

    async def ListMissedCalls(
        self, request: telephony_pb2.ListMissedCallsRequest, context: grpc.aio.ServicerContext
    ) -> telephony_pb2.ListMissedCallsResponse:
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        period = request.period
        async with self._pool.acquire() as conn:
            rows = await tstore.list_missed(
                conn,
                site_ids=site_ids,
                start=from_ts(period.start) if period.HasField("start") else None,
                end=from_ts(period.end) if period.HasField("end") else None,
                include_unregistered=request.include_unregistered,
                limit=size,
                offset=offset,
            )
        return telephony_pb2.ListMissedCallsResponse(
            calls=[line_call_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def GetLineFigures(
        self, request: telephony_pb2.GetLineFiguresRequest, context: grpc.aio.ServicerContext
    ) -> telephony_pb2.LineFigures:
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        async with self._pool.acquire() as conn:
            rows = await tstore.figures(
                conn, site_ids=site_ids, start=from_ts(request.period.start), end=from_ts(request.period.end)
            )
        answer = telephony_pb2.LineFigures()
        groups = {"line": answer.lines, "officer": answer.officers, "shift": answer.shifts}
        for r in rows:
            groups[r["by"]].add(
                key=r["key"] or "",
                rang=r["rang"],
                answered=r["answered"],
                answered_late=r["answered_late"],
                missed=r["missed"],
                mean_answer_seconds=float(r["mean_answer"]),
                max_answer_seconds=float(r["max_answer"]),
            )
        return answer


def shift_of(on_duty: roster_pb2.OnDuty | None) -> str:
    """The shift in force (its name, as roster gives it), "" when roster cannot tell."""
    people = [*on_duty.officers, *on_duty.leaders] if on_duty else []
    return next((p.shift_name for p in people if p.shift_name), "")
