"""IncidentService over gRPC: registering incidents and reading them here; the steps of the
process, violations, policies and the live feed in rpc_process."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial

import asyncpg
import grpc
import structlog
from nats.aio.client import Client as NatsClient
from temporalio.client import Client

from dutyline import metrics, natsconn
from dutyline.common.v1 import common_pb2
from dutyline.consumer import EventConsumer
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import RevokedTokens, current_principal, on_behalf
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import (
    AlreadyExists,
    FieldViolation,
    InvalidArgument,
    PermissionDenied,
    Unavailable,
)
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.notifier import NotifyClient
from dutyline.temporal_start import connect as connect_temporal
from dutyline.temporal_worker import task_queue_of
from services.incident import convert, gauges, policy_store, rules, store
from services.incident.access import readable_incident
from services.incident.call_links import SUBJECTS as CALL_SUBJECTS
from services.incident.call_links import CallLinks
from services.incident.call_links import wants as linking_calls
from services.incident.convert import SEVERITIES, STAGES, incident_message, place_of
from services.incident.inbox import serve_inbox
from services.incident.leader import LeaderAtOnce
from services.incident.oversight import serve_oversight
from services.incident.policy import POLICIES
from services.incident.rpc_corrections import CorrectionRpcs
from services.incident.rpc_instructions import serve_instructions
from services.incident.rpc_merges import MergeRpcs
from services.incident.rpc_plans import serve_plans
from services.incident.rpc_process import ProcessRpcs
from services.incident.starter import WorkflowStarter
from services.incident.watch import IncidentFeed

log = structlog.get_logger(__name__)
RPC_TIMEOUT = 5.0

# The shipped defaults apply to every incident verified since the platform exists.
POLICIES_EFFECTIVE_FROM = datetime(2020, 1, 1, tzinfo=UTC)


def new_incident(
    request: incident_pb2.OpenIncidentRequest,
    responder: str,
    now: datetime,
    site: SiteInfo,
    *,
    first_answered_at: datetime | None = None,
) -> store.IncidentRow:
    place = request.place
    return store.IncidentRow(
        id=request.incident_id or new_id("inc"),
        site_id=request.site_id,
        title=request.title.strip(),
        summary=request.summary.strip(),
        # The opener's word on the category (verification confirms or changes it); "" if none given.
        category=convert.name_of(convert.CATEGORIES, request.category),
        severity="unrated",
        stage="register",
        place_text=place.text,
        latitude=place.latitude if place.HasField("latitude") else None,
        longitude=place.longitude if place.HasField("longitude") else None,
        first_responder_id=responder,
        drill=request.drill,
        occurred_at=from_ts(request.occurred_at) if request.HasField("occurred_at") else None,
        registered_at=now,
        closed_at=None,
        workflow_started_at=None,
        version=1,
        call_ids=tuple(dict.fromkeys(request.call_ids)),
        jurisdiction=site.jurisdiction,
        time_zone=site.time_zone,
        # Roster away: the incident still opens (an emergency never waits), and load_policy fills
        # in the jurisdiction and time zone before a reporting policy is chosen.
        site_confirmed=site.confirmed,
        clock_from=min(first_answered_at, now) if first_answered_at is not None else None,
        # Where its reports go upward by default ("" a headquarters; None: asked of roster when reported).
        parent_site_id=(site.ancestor_ids[-1] if site.ancestor_ids else "") if site.confirmed else None,
    )


class IncidentServicer(CorrectionRpcs, ProcessRpcs, MergeRpcs, incident_pb2_grpc.IncidentServiceServicer):
    def __init__(
        self, ctx: ServiceContext, *, starter: WorkflowStarter, client: Client, nats_client: NatsClient
    ) -> None:
        self._pool = ctx.pool
        self._grant_keys = ctx.settings.grant_keys()
        self._starter = starter
        self._client = client
        roster = service_channel(ctx.settings, target="roster", caller="incident")
        self._roster = RosterDirectory(roster)
        self._feed = IncidentFeed(
            pool=ctx.pool,
            js=nats_client.jetstream(),
            stream=ctx.settings.stream,
            roster=self._roster,
            revoked=RevokedTokens(ctx.settings.revoked_tokens_file),
        )
        intake = service_channel(ctx.settings, target="intake", caller="incident")
        self._calls = intake_pb2_grpc.IntakeServiceStub(intake)
        self._leader = LeaderAtOnce(notifier=NotifyClient.from_settings(ctx.settings, caller="incident"))
        ctx.on_close.extend([roster.close, intake.close, self._leader.close])

    async def OpenIncident(
        self, request: incident_pb2.OpenIncidentRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.OpenIncidentResponse:
        principal = current_principal()
        responder = request.first_responder_id or principal.person_id
        site = await self._roster.site(request.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        # A service (intake) names the officer it authenticated or checked itself; a person names
        # someone else (who then answers for the reports) only as a leader or an admin.
        named = request.first_responder_id
        if named and named != principal.person_id and not principal.is_service:
            if not principal.has_role("leader", "admin"):
                raise PermissionDenied(
                    "只有值班领导或管理员可指定他人为第一责任人 "
                    "only a leader or an admin names someone else as first responder"
                )
            await self._roster.require_person_at(named, site, field="first_responder_id")
        first_answered_at = await self._require_calls_of(site.id, request.call_ids)
        incident = new_incident(request, responder, datetime.now(UTC), site, first_answered_at=first_answered_at)
        opened = incident_pb2.OpenIncidentResponse(incident=incident_message(incident))
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                prior = await idempotency.claim(
                    conn, method="OpenIncident", key=request.idempotency_key, request=request, response=opened
                )
                if prior is None:
                    await self._register(conn, incident)
                else:
                    found = await store.get_incident(conn, incident_id=prior.incident.id)
                    assert found is not None
                    incident = found
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists(f"incident {incident.id} exists already") from exc
        structlog.contextvars.bind_contextvars(incident_id=incident.id, workflow_id=incident.id)
        if prior is None:
            # Not behind the workflow's start and first activity (DESIGN §8: the leader told within 5 s).
            self._leader.tell(incident)
            # Nor is the officer's answer (services/incident/starter.py).
            self._starter.start_soon(incident)
            log.info("incident registered", site_id=incident.site_id, calls=len(incident.call_ids))
            return opened
        await self._starter.ensure_started(incident)
        return incident_pb2.OpenIncidentResponse(incident=incident_message(incident), replayed=True)

    async def _require_calls_of(self, site_id: str, call_ids: Sequence[str]) -> datetime | None:
        """Every call named exists and is a call of the incident's site (asked of intake). Returns the
        earliest answer among them, as intake recorded it: the reporting clocks start there."""
        answers: list[datetime] = []

        async def problem_of(call_id: str) -> str:
            """ "" for a call of the incident's site, else what is wrong with it."""
            try:
                # As the person opening the incident: each call must be one they may read themselves.
                call = await self._calls.GetCall(
                    intake_pb2.GetCallRequest(call_id=call_id), timeout=RPC_TIMEOUT, metadata=on_behalf()
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.PERMISSION_DENIED:
                    return "a call of a site you do not act for"
                if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    return "unknown call"
                raise Unavailable(f"intake did not answer about call {call_id} ({exc.code().name}); retry") from exc
            if call.site_id != site_id:
                return f"a call of site {call.site_id}"
            if call.HasField("answered_at"):
                answers.append(from_ts(call.answered_at))
            return ""

        found = await asyncio.gather(*(problem_of(c) for c in dict.fromkeys(call_ids)))
        problems = [FieldViolation(f"call_ids[{i}]", problem) for i, problem in enumerate(found) if problem]
        if problems:
            raise InvalidArgument(problems)
        return min(answers, default=None)

    async def _register(self, conn: Connection, incident: store.IncidentRow) -> None:
        """The incident, its first timeline entry and incident.registered, in one transaction."""
        now = incident.registered_at
        await store.insert_incident(conn, incident=incident)
        await append_entry(
            conn,
            incident.id,
            at=now,
            kind="registered",
            text=f"事件登记 Incident registered; 第一责任人 first responder: {incident.first_responder_id}",
        )
        await emit(
            conn,
            event_type="incident.registered",
            site_id=incident.site_id,
            aggregate_id=incident.id,
            aggregate_version=incident.version,
            payload=event_pb2.IncidentRegistered(
                incident_id=incident.id,
                title=incident.title,
                category=incident.category,
                severity=SEVERITIES[incident.severity],
                place=place_of(incident),
                call_ids=list(incident.call_ids),
                first_responder_id=incident.first_responder_id,
                registered_at=ts(now),
                workflow_id=incident.id,
            ),
            drill=incident.drill,
        )

    async def _readable(self, incident_id: str) -> store.IncidentRow:
        return await readable_incident(self._pool, self._roster, incident_id)

    async def GetIncident(
        self, request: incident_pb2.GetIncidentRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        incident = await self._readable(request.incident_id)
        return await self._answer(incident.id)

    async def ListIncidents(
        self, request: incident_pb2.ListIncidentsRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.ListIncidentsResponse:
        """Incidents of one site, newest first, by stage, severity, category, overdue deadlines;
        drills only when asked."""
        size = request.page.page_size or 100
        token = request.page.page_token
        offset = int(token) if token else 0
        site = await self._roster.site(request.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        async with self._pool.acquire() as conn:
            rows = await store.list_incidents(
                conn,
                site_ids=[site.id],
                open_only=request.open_only,
                stage=convert.name_of(STAGES, request.stage) or None,
                severity=convert.name_of(SEVERITIES, request.severity) or None,
                include_drills=request.include_drills,
                limit=size,
                offset=offset,
                category=convert.name_of(convert.CATEGORIES, request.category) or None,
                overdue_at=datetime.now(UTC) if request.overdue_only else None,
            )
        return incident_pb2.ListIncidentsResponse(
            incidents=[incident_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def GetTimeline(
        self, request: incident_pb2.GetTimelineRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.GetTimelineResponse:
        incident = await self._readable(request.incident_id)
        size, offset = request.page.page_size or store.PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            entries = await store.timeline(conn, incident_id=incident.id, limit=size, offset=offset)
        return incident_pb2.GetTimelineResponse(
            entries=[convert.timeline_message(e) for e in entries],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(entries) == size else ""),
        )


async def append_entry(conn: Connection, incident_id: str, *, at: datetime, kind: str, text: str) -> None:
    """A timeline entry by the caller of the RPC being served, as ``emit`` names it on the event."""
    actor = actor_of(current_principal())
    await store.append_timeline(
        conn,
        incident_id=incident_id,
        at=at,
        actor_id=actor.person_id,
        actor_name=actor.display_name,
        actor_kind=actor.kind,
        kind=kind,
        text=text,
    )


async def build(ctx: ServiceContext, server: grpc.aio.Server) -> str:
    settings = ctx.settings
    client = await connect_temporal(settings)
    starter = WorkflowStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("incident"))
    ctx.background.extend([starter.follow_revision_forever(), starter.reconcile_forever()])
    ctx.on_close.append(starter.close)
    metrics.at_scrape(partial(gauges.deadlines, ctx.pool))
    # The live feed (WatchIncidents) listens on NATS; it reconnects on its own.
    nats_client = await natsconn.connect(settings, name="dutyline-incident-watch", max_reconnect_attempts=-1)
    ctx.on_close.append(nats_client.close)
    async with ctx.pool.acquire() as conn, conn.transaction():
        added = await policy_store.ensure_defaults(conn, policies=rules.default_policies(POLICIES_EFFECTIVE_FROM))
    if added:
        log.info("default reporting policies installed", count=added)
    links = EventConsumer(
        pool=ctx.pool,
        name="incident-call-links",
        subjects=CALL_SUBJECTS,
        handle=CallLinks(client).handle,
        wants=linking_calls,
        nats_url=settings.nats_url,
        nats_creds=settings.nats_creds,
        stream=settings.stream,
        replicas=settings.stream_replicas,
    )
    ctx.background.append(links.run())
    servicer = IncidentServicer(ctx, starter=starter, client=client, nats_client=nats_client)
    serve_instructions(ctx, server, client)  # leaders' instructions (领导批示), in this process
    serve_oversight(ctx, server)  # 瞒报 signals for supervisors, and their findings
    serve_plans(ctx, server, client)  # emergency plans (应急预案) and response levels
    # The report inbox (报告收件箱): signing for a report opens the receiving office's incident as OpenIncident does.
    serve_inbox(
        ctx,
        server,
        client,
        new_incident=new_incident,
        register=servicer._register,
        start_incident=starter.ensure_started,
    )
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    incident_pb2_grpc.add_IncidentServiceServicer_to_server(servicer, server)
    return str(incident_pb2.DESCRIPTOR.services_by_name["IncidentService"].full_name)
