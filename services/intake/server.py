"""IntakeService over gRPC (来电受理): registering, classifying and reading calls, linking
emergencies to incidents, notices from superiors, and revealing a caller (audited). Transfers,
messages and callbacks are in rpc_callbacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import structlog

from dutyline.common.v1 import common_pb2
from dutyline.consumer import EventConsumer
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.directory import RosterDirectory
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import (
    FailedPrecondition,
    NotFound,
    PermissionDenied,
)
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.privacy import CallerCipher
from dutyline.temporal_start import connect as connect_temporal
from dutyline.temporal_start import reconcile_forever, sweep_forever
from dutyline.temporal_worker import task_queue_of
from services.intake import matching, profile_store, rules, store
from services.intake.callback_starter import CallbackStarter
from services.intake.caller_data import CallerVault
from services.intake.cases.server import serve_cases
from services.intake.escalation import Decided, Escalator, decided_call, facts_of_call
from services.intake.incident_view import IncidentView
from services.intake.messages import call_message, notice_dict
from services.intake.policy import POLICIES
from services.intake.rpc_callbacks import CallbackRpcs, emit_call_changed
from services.intake.rpc_records import RecordRpcs
from services.intake.settings import IntakeSettings
from services.intake.telephony import hosting as telephony
from services.intake.telephony.registration import linked_draft, recorded_already

log = structlog.get_logger(__name__)

ESCALATION_RETRY_AFTER = timedelta(seconds=10)


class IntakeServicer(CallbackRpcs, RecordRpcs, intake_pb2_grpc.IntakeServiceServicer):
    def __init__(
        self, ctx: ServiceContext[IntakeSettings], *, callbacks: CallbackStarter, roster: RosterDirectory
    ) -> None:
        self._pool = ctx.pool
        self._vault = CallerVault(CallerCipher(ctx.settings.caller_keys.get_secret_value()))
        incident = service_channel(ctx.settings, target="incident", caller="intake")
        self._roster = roster
        self._incidents = incident_pb2_grpc.IncidentServiceStub(incident)
        self._escalator = Escalator(pool=ctx.pool, incidents=self._incidents, settings=match_settings(ctx.settings))
        self._callbacks = callbacks
        ctx.background.append(callbacks.reconcile_forever())
        ctx.on_close.append(incident.close)
        ctx.background.append(reconcile_forever(self._pending_escalations, self._escalated))
        ctx.background.append(sweep_forever(self._escalator.sweep_unopened))
        ctx.background.append(sweep_forever(self._escalator.sweep_proposals))
        ctx.background.append(sweep_forever(lambda: self._vault.reseal(ctx.pool), every=30.0))

    async def RegisterCall(
        self, request: intake_pb2.RegisterCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.RegisterCallResponse:
        principal = current_principal()
        now = datetime.now(UTC)
        draft = rules.draft_of(request, default_officer=principal.person_id)
        site = await self._roster.site(draft.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        structlog.contextvars.bind_contextvars(site_id=site.id)
        if request.line_call_id:
            async with self._pool.acquire() as conn:
                draft = await linked_draft(conn, draft, request.line_call_id)
        if request.officer_id and request.officer_id != principal.person_id:
            # The answer time and lateness are charged to the officer: only a leader or an admin may
            # name another one (the call.registered event records who registered it).
            if not principal.has_role("leader", "admin"):
                raise PermissionDenied(
                    "只有值班领导或管理员可替其他值班员登记来电 "
                    "only a leader or an admin registers a call for another officer"
                )
            await self._roster.require_person_at(request.officer_id, site, field="officer_id")
        assignment_id, roster_answered = await self._roster.assignment_of(
            site_id=site.id, officer_id=draft.officer_id, at=draft.answered_at
        )

        call = self._new_call(
            draft, site.answer_limit_seconds, assignment_id, now, request, duty_gap=not roster_answered
        )
        if call.status != "escalation_pending":
            registered = intake_pb2.RegisterCallResponse(call=call_message(call))
            # The key, the call and its event: one statement, atomic, one round trip.
            writes = Writes()
            follow_up = await self._record_at_registration(writes, call, request, registered.call)
            idempotency.claim_with(
                writes, method="RegisterCall", key=request.idempotency_key, request=request, response=registered
            )
            await self._insert(writes, call, registered.call)
            try:
                async with self._pool.acquire() as conn:
                    await writes.run(conn)
            except asyncpg.UniqueViolationError as exc:
                return await self._replay(exc, request)
            structlog.contextvars.bind_contextvars(call_id=call.id)
            log.info("call registered", category=call.category, answered_late=call.answered_late)
            if follow_up is not None:
                await self._callbacks.ensure_started(follow_up)
            return registered
        return await self._register_emergency(request, call)

    async def _replay(
        self, exc: asyncpg.UniqueViolationError, request: intake_pb2.RegisterCallRequest
    ) -> intake_pb2.RegisterCallResponse:
        """A retry: the writes failed on the key the first request claimed; its answer, replayed."""
        if recorded_already(exc):
            raise FailedPrecondition(f"line call {request.line_call_id} was recorded by another registration") from exc
        if not idempotency.claimed_already(exc):
            raise exc
        async with self._pool.acquire() as conn:
            prior = await idempotency.first_answer(
                conn,
                method="RegisterCall",
                key=request.idempotency_key,
                request=request,
                response_type=intake_pb2.RegisterCallResponse,
            )
        return replayed(prior)

    async def _register_emergency(
        self, request: intake_pb2.RegisterCallRequest, call: store.CallRow
    ) -> intake_pb2.RegisterCallResponse:
        """An emergency call is decided in the transaction that records it: linked to the open incident
        about its event (or the one the officer named), or the first call of a new one. Four round
        trips: BEGIN, the locks and candidates, every write at once, COMMIT."""
        chosen = request.link_incident_id
        if chosen:
            await self._escalator.ensure_profile(chosen)
        writes = Writes()
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                if chosen:
                    await self._escalator.chosen(conn, call, chosen)
                    decided = Decided(chosen, "linked")
                else:
                    decided = await self._escalator.decide(conn, call, writes)
                call = decided_call(call, decided)
                answer = intake_pb2.RegisterCallResponse(
                    call=call_message(call),
                    incident_id=decided.incident_id,
                    escalation=decided.how,
                    suggestions=[
                        intake_pb2.IncidentSuggestion(
                            incident_id=x.incident_id,
                            title=(decided.titles or {}).get(x.incident_id, ""),
                            score=x.score,
                            reasons=list(x.reasons),
                        )
                        for x in decided.suggestions
                    ],
                )
                follow_up = await self._record_at_registration(writes, call, request, answer.call)
                idempotency.claim_with(
                    writes, method="RegisterCall", key=request.idempotency_key, request=request, response=answer
                )
                await self._insert(writes, call, answer.call, escalation=decided.how)
                await writes.run(conn)
        except asyncpg.UniqueViolationError as exc:
            return await self._replay(exc, request)  # the decision rolled back: the first request made it
        structlog.contextvars.bind_contextvars(call_id=call.id, incident_id=decided.incident_id)
        log.info("emergency call registered", how=decided.how, answered_late=call.answered_late)
        if follow_up is not None:
            await self._callbacks.ensure_started(follow_up)
        if decided.how == "opened" and not await self._escalator.open(decided.incident_id, call):
            answer.escalation = "pending"
        return answer

    def _new_call(
        self,
        draft: rules.CallDraft,
        answer_limit: int,
        assignment_id: str,
        now: datetime,
        request: intake_pb2.RegisterCallRequest,
        *,
        duty_gap: bool,
    ) -> store.CallRow:
        delay, late = rules.answer_delay(draft.ring_started_at, draft.answered_at, answer_limit)
        notice = None
        missing: list[str] = []
        if draft.channel == "superior_notice" or draft.category == "notice" or request.HasField("notice"):
            # A notice from a superior carries six elements; a missing one is flagged (上级通知六要素).
            elements = notice_dict(request.notice)
            notice, missing = json.dumps(elements, ensure_ascii=False), rules.missing_notice_elements(elements)
        call_id = new_id("call")
        return store.CallRow(
            id=call_id,
            site_id=draft.site_id,
            channel=draft.channel,
            category=draft.category,
            ring_started_at=draft.ring_started_at,
            answered_at=draft.answered_at,
            ended_at=draft.ended_at,
            answer_delay_seconds=delay,
            answered_late=late,
            **self._vault.sealed(
                call_id,
                name=draft.caller_name,
                phone=draft.caller_phone,
                unit=draft.caller_unit,
                address=draft.caller_address,
            ),
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
            duty_gap=duty_gap,
            notice=notice,
            notice_missing=tuple(missing),
            line_call_id=request.line_call_id or None,
        )

    async def _insert(
        self, conn: Connection | Writes, call: store.CallRow, message: intake_pb2.Call, *, escalation: str = ""
    ) -> None:
        """The call (``message`` as readers see it) and its call.registered event, with the caller's writes."""
        await store.insert_call(conn, call=call)
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
            incident_id=call.incident_id or "",
            escalation=escalation,
            line_call_id=call.line_call_id or "",
            assignment_id=call.assignment_id,
            duty_gap=call.duty_gap,
            casualties=message.record.casualties,
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
        if call.notice_missing:
            await emit_call_changed(conn, "notice.incomplete", call, "missing: " + ", ".join(call.notice_missing))

    async def _pending_escalations(self) -> list[store.CallRow]:
        async with self._pool.acquire() as conn:
            return await store.pending_escalations(conn, older_than=datetime.now(UTC) - ESCALATION_RETRY_AFTER)

    async def _escalated(self, call: store.CallRow) -> bool:
        """The sweeper's decision on a call left pending (reclassified as an emergency)."""
        await self._escalator.decide_existing(call.id)
        return True

    async def _call(self, call_id: str, *, acting: bool = False) -> tuple[store.CallRow, Principal]:
        """The call, if the caller may see it (its site); ``acting``: and may act on it (not an agency)."""
        async with self._pool.acquire() as conn:
            call = await store.get_call(conn, call_id=call_id)
        if call is None:
            raise NotFound(f"call {call_id} does not exist")
        principal = current_principal()
        site = await self._roster.site(call.site_id)
        principal.require_site(call.site_id, site.ancestor_ids)
        if acting and principal.has_role("agency") and not principal.has_role("officer", "leader", "admin", "system"):
            raise PermissionDenied("an agency reads calls; it does not handle them")
        return call, principal

    async def _full(self, call_id: str) -> intake_pb2.Call:
        async with self._pool.acquire() as conn:
            call = await store.get_call(conn, call_id=call_id)
            assert call is not None
            history = await store.classifications(conn, call_id=call_id)
            transfers = await store.transfers(conn, call_id=call_id)
            record = await self._record_of(conn, call)
        message = call_message(call, classifications=history, transfers=transfers)
        message.record.CopyFrom(record)
        return message

    async def GetCall(self, request: intake_pb2.GetCallRequest, context: grpc.aio.ServicerContext) -> intake_pb2.Call:
        call, _ = await self._call(request.call_id)
        return await self._full(call.id)

    async def ListCalls(
        self, request: intake_pb2.ListCallsRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.ListCallsResponse:
        principal = current_principal()
        size = request.page.page_size or 100
        token = request.page.page_token
        site_ids = await self._roster.readable_sites(principal, request.site_id)
        offset = int(token) if token else 0
        async with self._pool.acquire() as conn:
            rows = await store.list_calls(
                conn,
                site_ids=site_ids,
                start=from_ts(request.period.start) if request.period.HasField("start") else None,
                end=from_ts(request.period.end) if request.period.HasField("end") else None,
                category=rules.CATEGORIES.get(request.category),
                officer_id=request.officer_id or None,
                status=request.status or None,
                incident_id=request.incident_id or None,
                notice_incomplete_only=request.notice_incomplete_only,
                limit=size,
                offset=offset,
            )
        return intake_pb2.ListCallsResponse(
            calls=[call_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def ReclassifyCall(
        self, request: intake_pb2.ReclassifyCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        call, principal = await self._call(request.call_id, acting=True)
        category = rules.CATEGORIES[request.category]

        async def work(conn: Connection) -> intake_pb2.Call:
            if call.category == category:
                raise FailedPrecondition(f"call {call.id} is already classified as {category}")
            updated = await store.reclassify(
                conn,
                call_id=call.id,
                category=category,
                reason=request.reason.strip(),
                by=principal.person_id,
                at=datetime.now(UTC),
            )
            return await emit_call_changed(conn, "call.reclassified", updated, f"{call.category} → {category}")

        answer, _ = await idempotency.run_once(
            self._pool, method="ReclassifyCall", request=request, response_type=intake_pb2.Call, work=work
        )
        if answer.status == "escalation_pending":
            # Now an emergency: it is linked to the incident about its event, or opens one.
            await self._escalator.decide_existing(call.id)
        return await self._full(call.id)

    async def SuggestIncidents(
        self, request: intake_pb2.SuggestIncidentsRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SuggestIncidentsResponse:
        """The open incidents the call may be about (not the one it belongs to), best first."""
        call, _ = await self._call(request.call_id)
        facts = facts_of_call(call)
        async with self._pool.acquire() as conn:
            candidates = await profile_store.candidates(conn, call=facts, settings=self._escalator.settings)
        others = [p for p in candidates if p.incident_id != call.incident_id]
        titles = {p.incident_id: p.title for p in others}
        decision = matching.decide(facts, others, self._escalator.settings)
        return intake_pb2.SuggestIncidentsResponse(
            suggestions=[
                intake_pb2.IncidentSuggestion(
                    incident_id=x.incident_id, title=titles[x.incident_id], score=x.score, reasons=list(x.reasons)
                )
                for x in decision.suggestions
            ]
        )

    async def LinkCall(self, request: intake_pb2.LinkCallRequest, context: grpc.aio.ServicerContext) -> intake_pb2.Call:
        call, _ = await self._call(request.call_id, acting=True)
        if call.category != "emergency":
            raise FailedPrecondition(f"call {call.id} is not an emergency; reclassify it first")

        await self._escalator.move(
            call.id, to=request.incident_id, how="officer", reason=request.reason, request=request, method="LinkCall"
        )
        return await self._full(call.id)

    async def UnlinkCall(
        self, request: intake_pb2.UnlinkCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        call, _ = await self._call(request.call_id, acting=True)
        if not call.incident_id:
            raise FailedPrecondition(f"call {call.id} belongs to no incident")

        await self._escalator.move(
            call.id, to=None, how="unlinked", reason=request.reason, request=request, method="UnlinkCall"
        )
        return await self._full(call.id)

    async def EscalateCall(
        self, request: intake_pb2.EscalateCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        """A new incident for a call that belongs to none (an officer's decision)."""
        call, _ = await self._call(request.call_id, acting=True)
        if call.incident_id:
            raise FailedPrecondition(f"call {call.id} already belongs to incident {call.incident_id}")

        await self._escalator.move(
            call.id, to=None, how="officer", request=request, method="EscalateCall", title=request.title.strip()
        )
        return await self._full(call.id)

    async def CompleteNotice(
        self, request: intake_pb2.CompleteNoticeRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        call, _ = await self._call(request.call_id, acting=True)
        if call.notice is None:
            raise FailedPrecondition(f"call {call.id} is not a notice from a superior")
        merged = json.loads(call.notice)
        merged.update({k: v for k, v in notice_dict(request.notice).items() if v})
        missing = rules.missing_notice_elements(merged)
        closed: list[str] = []

        async def work(conn: Connection) -> intake_pb2.Call:
            updated = await store.set_notice(
                conn, call_id=call.id, notice=json.dumps(merged, ensure_ascii=False), missing=missing
            )
            event_type = "notice.completed" if not missing else "notice.incomplete"
            if not missing and (follow_up := await self._close_notice_follow_up(conn, updated)):
                closed.append(follow_up)
            return await emit_call_changed(conn, event_type, updated, "missing: " + ", ".join(missing))

        answer, _ = await idempotency.run_once(
            self._pool, method="CompleteNotice", request=request, response_type=intake_pb2.Call, work=work
        )
        for follow_up in closed:
            await self._callbacks.completed(follow_up)
        return answer

    async def RevealCaller(
        self, request: intake_pb2.RevealCallerRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.RevealCallerResponse:
        """The caller's clear name and number, for a stated reason, with an audit entry (who, when,
        why). Officers, leaders and admins of the call's site may; agencies and supervisors may not."""
        call, principal = await self._call(request.call_id, acting=True)
        if not principal.has_role("officer", "leader", "admin"):
            raise PermissionDenied("only duty officers, leaders and admins may reveal a caller")
        audit_id = new_id("rev")
        async with self._pool.acquire() as conn:
            await store.audit_reveal(
                conn,
                audit_id=audit_id,
                call_id=call.id,
                by=principal.person_id,
                reason=request.reason.strip(),
                at=datetime.now(UTC),
            )
        # The audit is committed before anything clear leaves the service; the log names no value.
        log.info("caller revealed", call_id=call.id, audit_id=audit_id)
        return intake_pb2.RevealCallerResponse(
            caller=self._vault.reveal(call),
            audit_id=audit_id,
        )


def replayed(prior: intake_pb2.RegisterCallResponse) -> intake_pb2.RegisterCallResponse:
    return intake_pb2.RegisterCallResponse(
        call=prior.call,
        incident_id=prior.incident_id,
        replayed=True,
        escalation=prior.escalation,
        suggestions=prior.suggestions,
    )


def match_settings(settings: IntakeSettings) -> matching.MatchSettings:
    """Matching as configured (DUTYLINE_MATCH_*); the rest keeps the tuned defaults."""
    return matching.MatchSettings(
        max_distance_m=settings.match_distance_m,
        half_m=settings.match_half_m,
        window=timedelta(minutes=settings.match_window_minutes),
        place_weight=settings.match_place_weight,
        time_weight=settings.match_time_weight,
        text_weight=settings.match_text_weight,
        link_score=settings.match_link_score,
        merge_score=settings.match_merge_score,
    )


async def build(ctx: ServiceContext[IntakeSettings], server: grpc.aio.Server) -> str:
    settings = ctx.settings
    client = await connect_temporal(settings)
    callbacks = CallbackStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("intake"))
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    # One roster channel and one directory (one cache of sites and people) for the three services.
    roster = service_channel(settings, target="roster", caller="intake")
    ctx.on_close.append(roster.close)
    directory = RosterDirectory(roster)
    servicer = IntakeServicer(ctx, callbacks=callbacks, roster=directory)
    intake_pb2_grpc.add_IntakeServiceServicer_to_server(servicer, server)
    telephony.host(ctx, server, callbacks=callbacks, roster=directory)
    serve_cases(ctx, server, client, roster=roster, directory=directory)
    view = EventConsumer(
        pool=ctx.pool,
        name="intake-incidents",
        subjects=IncidentView.SUBJECTS,
        handle=IncidentView().handle,
        nats_url=settings.nats_url,
        nats_creds=settings.nats_creds,
        stream=settings.stream,
        replicas=settings.stream_replicas,
    )
    ctx.background.append(view.run())
    return str(intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name)
