"""IntakeService over gRPC: RegisterCall and GetCall for the first slice; the rest of intake
answers UNIMPLEMENTED until its issue lands."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import grpc
import structlog

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import InvalidArgument, NotFound, Unimplemented
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.privacy import CallerCipher, mask_name, mask_phone
from services.intake import rules, store

log = structlog.get_logger(__name__)

CHANNEL_VALUES = {name: value for value, name in rules.CHANNELS.items()}
CATEGORY_VALUES = {name: value for value, name in rules.CATEGORIES.items()}
ESCALATION_RETRY_AFTER = timedelta(seconds=10)
SYSTEM_ACTOR = common_pb2.Actor(person_id="system:intake", display_name="intake", kind="system")


def call_message(call: store.CallRow) -> intake_pb2.Call:
    """The call as readers see it: caller name and number masked."""
    place = common_pb2.Place(text=call.place_text)
    if call.latitude is not None and call.longitude is not None:
        place.latitude, place.longitude = call.latitude, call.longitude
    return intake_pb2.Call(
        id=call.id,
        site_id=call.site_id,
        channel=CHANNEL_VALUES[call.channel],
        category=CATEGORY_VALUES[call.category],
        ring_started_at=ts(call.ring_started_at),
        answered_at=ts(call.answered_at),
        ended_at=ts(call.ended_at),
        answer_delay_seconds=call.answer_delay_seconds,
        answered_late=call.answered_late,
        caller=intake_pb2.Caller(
            name=call.caller_name_masked,
            unit=call.caller_unit,
            phone=call.caller_phone_masked,
            address=call.caller_address,
        ),
        place=place,
        summary=call.summary,
        request=call.request,
        actions_taken=call.actions_taken,
        officer_id=call.officer_id,
        assignment_id=call.assignment_id,
        incident_id=call.incident_id or "",
        registered_at=ts(call.registered_at),
        drill=call.drill,
        status=call.status,
    )


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, ctx: ServiceContext) -> None:
        self._pool = ctx.pool
        self._cipher = CallerCipher(ctx.settings.caller_keys.get_secret_value())
        roster = service_channel(ctx.settings, target="roster", caller="intake")
        incident = service_channel(ctx.settings, target="incident", caller="intake")
        self._roster = RosterDirectory(roster)
        self._incidents = incident_pb2_grpc.IncidentServiceStub(incident)
        ctx.on_close.extend([roster.close, incident.close])
        ctx.background.append(self._retry_pending_escalations())

    async def RegisterCall(
        self, request: intake_pb2.RegisterCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.RegisterCallResponse:
        principal = current_principal()
        now = datetime.now(UTC)
        key_problems = idempotency.check_key(request.idempotency_key)
        try:
            draft = rules.validate_register_call(request, default_officer=principal.person_id, now=now)
        except InvalidArgument as exc:
            raise InvalidArgument(key_problems + exc.violations) from exc
        if key_problems:
            raise InvalidArgument(key_problems)
        if request.link_incident_id:
            raise Unimplemented("linking a call to an existing incident arrives with the intake issue")
        site = await self._roster.site(draft.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        structlog.contextvars.bind_contextvars(site_id=site.id)
        assignment_id = await self._roster.assignment_of(
            site_id=site.id, officer_id=draft.officer_id, at=draft.answered_at
        )

        call = self._new_call(draft, site.answer_limit_seconds, assignment_id, now)
        async with self._pool.acquire() as conn, conn.transaction():
            prior = await idempotency.claim(
                conn,
                method="RegisterCall",
                key=request.idempotency_key,
                request=request,
                response=intake_pb2.RegisterCallResponse(call=call_message(call)),
            )
            if prior is None:
                await self._insert(conn, call, principal, now)
        if prior is None:
            structlog.contextvars.bind_contextvars(call_id=call.id)
            log.info("call registered", category=call.category, answered_late=call.answered_late)
        elif prior.call.status == "escalation_pending":
            # A retry: the escalation may have happened since the first answer, or may still be due.
            async with self._pool.acquire() as conn:
                found = await store.get_call(conn, call_id=prior.call.id)
            assert found is not None
            call = found
        else:
            return intake_pb2.RegisterCallResponse(call=prior.call, incident_id=prior.call.incident_id, replayed=True)
        if call.status == "escalation_pending":
            call = await self._ensure_escalated(call)
        return intake_pb2.RegisterCallResponse(
            call=call_message(call), incident_id=call.incident_id or "", replayed=prior is not None
        )

    def _new_call(self, draft: rules.CallDraft, answer_limit: int, assignment_id: str, now: datetime) -> store.CallRow:
        delay, late = rules.answer_delay(draft.ring_started_at, draft.answered_at, answer_limit)
        return store.CallRow(
            id=new_id("call"),
            site_id=draft.site_id,
            channel=draft.channel,
            category=draft.category,
            ring_started_at=draft.ring_started_at,
            answered_at=draft.answered_at,
            ended_at=draft.ended_at,
            answer_delay_seconds=delay,
            answered_late=late,
            caller_key_id=self._cipher.active_key_id,
            caller_name_enc=self._cipher.encrypt(draft.caller_name) if draft.caller_name else None,
            caller_phone_enc=self._cipher.encrypt(draft.caller_phone) if draft.caller_phone else None,
            caller_name_masked=mask_name(draft.caller_name),
            caller_phone_masked=mask_phone(draft.caller_phone),
            caller_unit=draft.caller_unit,
            caller_address=draft.caller_address,
            place_text=draft.place_text,
            latitude=draft.latitude,
            longitude=draft.longitude,
            summary=draft.summary,
            request=draft.request,
            actions_taken=draft.actions_taken,
            officer_id=draft.officer_id,
            assignment_id=assignment_id,
            incident_id=None,
            status="escalation_pending" if draft.category == "emergency" else "registered",
            drill=draft.drill,
            registered_at=now,
            version=1,
        )

    async def _insert(self, conn: Connection, call: store.CallRow, principal: Principal, now: datetime) -> None:
        """The call and its call.registered event, in the caller's transaction."""
        await store.insert_call(conn, call=call)
        message = call_message(call)
        payload = event_pb2.CallRegistered(
            call_id=call.id,
            channel=call.channel,
            category=call.category,
            summary=call.summary,
            place=message.place,
            officer_id=call.officer_id,
            ring_started_at=message.ring_started_at,
            answered_at=message.answered_at,
            answer_delay_seconds=call.answer_delay_seconds,
            answered_late=call.answered_late,
            caller_masked=call.caller_phone_masked,
        )
        await emit(
            conn,
            event_type="call.registered",
            site_id=call.site_id,
            aggregate_id=call.id,
            aggregate_version=call.version,
            payload=payload,
            drill=call.drill,
        )

    async def _ensure_escalated(self, call: store.CallRow) -> store.CallRow:
        """Open the incident of a pending emergency call, once. Safe to repeat: the incident
        service dedupes by the key derived from the call id."""
        try:
            opened = await self._incidents.OpenIncident(
                incident_pb2.OpenIncidentRequest(
                    idempotency_key=f"call-escalation:{call.id}",
                    site_id=call.site_id,
                    title=call.summary[:60],
                    summary=call.summary,
                    place=call_message(call).place,
                    call_ids=[call.id],
                    first_responder_id=call.officer_id,
                    drill=call.drill,
                    occurred_at=ts(call.ring_started_at),
                ),
                timeout=10.0,
            )
        except grpc.aio.AioRpcError as exc:
            # The call is safe; the sweeper retries the escalation.
            log.warning("incident not opened yet; will retry", call_id=call.id, code=exc.code().name)
            return call
        async with self._pool.acquire() as conn, conn.transaction():
            updated = await store.mark_escalated(conn, call_id=call.id, incident_id=opened.incident.id)
            if updated is None:  # escalated meanwhile by a retry or the sweeper
                current = await store.get_call(conn, call_id=call.id)
                assert current is not None
                return current
            await emit(
                conn,
                event_type="call.escalated",
                site_id=updated.site_id,
                aggregate_id=updated.id,
                aggregate_version=updated.version,
                actor=SYSTEM_ACTOR,
                payload=event_pb2.CallEscalated(call_id=updated.id, incident_id=opened.incident.id),
                occurred_at=datetime.now(UTC),
                drill=updated.drill,
            )
        return updated

    async def _retry_pending_escalations(self) -> None:
        while True:
            await asyncio.sleep(5.0)
            with contextlib.suppress(Exception):
                async with self._pool.acquire() as conn:
                    pending = await store.pending_escalations(
                        conn, older_than=datetime.now(UTC) - ESCALATION_RETRY_AFTER
                    )
                for call in pending:
                    await self._ensure_escalated(call)

    async def GetCall(self, request: intake_pb2.GetCallRequest, context: grpc.aio.ServicerContext) -> intake_pb2.Call:
        async with self._pool.acquire() as conn:
            call = await store.get_call(conn, call_id=request.call_id)
        if call is None:
            raise NotFound(f"call {request.call_id} does not exist")
        site = await self._roster.site(call.site_id)
        current_principal().require_site(call.site_id, site.ancestor_ids)
        return call_message(call)


async def build(ctx: ServiceContext, server: grpc.aio.Server) -> str:
    intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(ctx), server)
    return str(intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name)
