"""OversightService over gRPC (督查): the 瞒报 signals of the sites a supervisor oversees, and the
supervisor's finding on each. A confirmed finding charges a "concealment" violation to every person
the signal names, in incident's violations, published with ``oversight.finding_recorded`` (its
IncidentChanged.violations are what insight scores)."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.consumer import EventConsumer
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import FailedPrecondition, NotFound, PermissionDenied
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import oversight_pb2, oversight_pb2_grpc
from services.incident import convert, oversight_store, store
from services.incident.oversight_policy import SERVICE
from services.incident.oversight_signals import SUBJECTS, ConcealmentSignals, convert_signal, publish, wants

FINDINGS = {oversight_pb2.FINDING_NONE: "none", oversight_pb2.FINDING_CONFIRMED: "confirmed"}
KINDS = {value: name for name, value in oversight_store.KIND_VALUES.items()}
STATUS_DECIDED = {"": None, "open": False, "decided": True}


class OversightServicer(oversight_pb2_grpc.OversightServiceServicer):
    def __init__(self, ctx: ServiceContext, *, roster: RosterDirectory) -> None:
        self._pool = ctx.pool
        self._roster = roster

    async def ListConcealmentSignals(
        self, request: oversight_pb2.ListConcealmentSignalsRequest, context: grpc.aio.ServicerContext
    ) -> oversight_pb2.ListConcealmentSignalsResponse:
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        size, offset = request.page.page_size or store.PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            rows = await oversight_store.list_signals(
                conn,
                site_ids=site_ids,
                start=from_ts(request.period.start) if request.period.HasField("start") else None,
                end=from_ts(request.period.end) if request.period.HasField("end") else None,
                kind=KINDS.get(request.kind),
                decided=STATUS_DECIDED[request.status],
                include_drills=request.include_drills,
                limit=size,
                offset=offset,
            )
        return oversight_pb2.ListConcealmentSignalsResponse(
            signals=[convert_signal(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def RecordFinding(
        self, request: oversight_pb2.RecordFindingRequest, context: grpc.aio.ServicerContext
    ) -> oversight_pb2.ConcealmentSignal:
        principal = current_principal()
        async with self._pool.acquire() as conn:
            signal = await oversight_store.get_signal(conn, signal_id=request.signal_id)
        if signal is None:
            raise NotFound(f"signal {request.signal_id} does not exist")
        site = await self._roster.site(signal.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        if principal.person_id in signal.person_ids:
            raise PermissionDenied(
                "不能对涉及本人的信号作出认定 / a supervisor does not decide a signal about themselves"
            )
        finding = FINDINGS[request.finding]

        async def work(conn: Connection) -> oversight_pb2.ConcealmentSignal:
            current = await oversight_store.get_signal(conn, signal_id=signal.id, for_update=True)
            assert current is not None
            if current.finding:
                raise FailedPrecondition(
                    f"该信号已认定为 {current.finding} / signal {current.id} was decided already ({current.finding})"
                )
            now = datetime.now(UTC)
            charged = await self._charge(conn, current, now) if finding == "confirmed" else []
            decided = await oversight_store.decide(
                conn,
                signal_id=current.id,
                finding=finding,
                note=request.note.strip(),
                by=principal.person_id,
                by_name=principal.name,
                at=now,
                violation_ids=[v.id for v in charged],
            )
            return await publish(
                conn,
                decided,
                event_type="oversight.finding_recorded",
                actor=actor_of(principal),
                violations=[convert.violation_message(v) for v in charged],
            )

        answer, _ = await idempotency.run_once(
            self._pool,
            method="RecordFinding",
            request=request,
            response_type=oversight_pb2.ConcealmentSignal,
            work=work,
        )
        return answer

    async def _charge(
        self, conn: Connection, signal: oversight_store.SignalRow, at: datetime
    ) -> list[store.ViolationRow]:
        """瞒报 confirmed: one violation per person involved, on the signal's incident (a call that never
        reached an incident has none to charge it on: the finding stands on the signal alone)."""
        incident = await store.get_incident(conn, incident_id=signal.incident_id) if signal.incident_id else None
        if incident is None:
            return []
        charged = []
        for person_id in signal.person_ids:
            row = await store.record_charge(
                conn,
                violation_id=new_id("vio"),
                incident=incident,
                person_id=person_id,
                kind="concealment",
                ref=f"concealment:{signal.id}:{person_id}",
                report_kind="",
                number=0,
                recorded_at=at,
            )
            if row is not None:
                charged.append(row)
        return charged


def serve_oversight(ctx: ServiceContext, server: grpc.aio.Server) -> None:
    """Hosts OversightService in the incident process, with the consumer that raises the signals."""
    settings = ctx.settings
    ctx.hosted.append(SERVICE)
    channel = service_channel(settings, target="roster", caller="incident")
    ctx.on_close.append(channel.close)
    servicer = OversightServicer(ctx, roster=RosterDirectory(channel))
    oversight_pb2_grpc.add_OversightServiceServicer_to_server(servicer, server)
    signals = EventConsumer(
        pool=ctx.pool,
        name="incident-concealment-signals",
        subjects=SUBJECTS,
        handle=ConcealmentSignals().handle,
        wants=wants,
        nats_url=settings.nats_url,
        nats_creds=settings.nats_creds,
        stream=settings.stream,
        replicas=settings.stream_replicas,
    )
    ctx.background.append(signals.run())
