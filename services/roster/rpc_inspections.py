"""InspectionService over gRPC (带班领导查岗): a site's checklist and the duty leader's inspections of
its shifts. Served by the roster process next to RosterService, over the same pool; each change
commits with its event.

Who may record: a person holding the leader role at the inspected site or a region above it, not only
the leader rostered on that shift. The rostered leader may have been replaced by leave or a swap
after the workflow started, and a region's leaders inspect their sites' duty rooms too (上级查岗):
both are real inspections of the shift, and the shift is flagged only when nobody inspected it."""

from __future__ import annotations

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.roster.v1 import inspections_pb2, inspections_pb2_grpc
from services.roster import access, inspection_store, inspections, schedule_store
from services.roster.base import RosterBase
from services.roster.inspection_policy import CHECKLIST_EDITORS, INSPECTORS, POLICIES, SERVICE

PAGE_SIZE = 50


def checklist_message(c: inspections.Checklist) -> inspections_pb2.InspectionChecklist:
    return inspections_pb2.InspectionChecklist(
        site_id=c.site_id,
        items=[inspections_pb2.ChecklistItem(code=i.code, label=i.label) for i in c.items],
        version=c.version,
        updated_by=common_pb2.Actor(person_id=c.updated_by, display_name=c.updated_by_name, kind="person"),
        updated_at=ts(c.updated_at),
    )


def inspection_message(row: inspections.InspectionRow) -> inspections_pb2.Inspection:
    return inspections_pb2.Inspection(
        id=row.id,
        site_id=row.site_id,
        assignment_id=row.assignment_id,
        shift_name=row.shift_name,
        local_date=row.local_date,
        inspector=common_pb2.Actor(person_id=row.inspector_id, display_name=row.inspector_name, kind="person"),
        inspected_at=ts(row.inspected_at),
        results=[inspections_pb2.ItemResult(code=r.code, ok=r.ok, note=r.note) for r in row.results],
        all_ok=row.all_ok,
        note=row.note,
        checklist_version=row.checklist_version,
        recorded_at=ts(row.recorded_at),
    )


class InspectionServicer(RosterBase, inspections_pb2_grpc.InspectionServiceServicer):
    async def UpsertInspectionChecklist(
        self, request: inspections_pb2.UpsertInspectionChecklistRequest, context: grpc.aio.ServicerContext
    ) -> inspections_pb2.InspectionChecklist:
        principal = current_principal()
        site = await self.site(request.site_id)
        access.require_reader(principal, site)
        if not principal.has_role(*CHECKLIST_EDITORS):
            raise PermissionDenied(f"only the unit head or an admin may set the inspection checklist of {site.id}")
        items = [inspections.ChecklistItem(code=i.code, label=i.label) for i in request.items]

        async def work(conn: Connection) -> inspections_pb2.InspectionChecklist:
            before = await inspection_store.get_checklist(conn, site_id=site.id)
            checklist = await inspection_store.upsert_checklist(
                conn, site_id=site.id, items=items, updated_by=principal.person_id, updated_by_name=principal.name
            )
            message = checklist_message(checklist)
            if before is None or before.version != checklist.version:
                await emit(
                    conn,
                    event_type="inspection.checklist_updated",
                    site_id=site.id,
                    aggregate_id=site.id,
                    aggregate_version=checklist.version,
                    payload=message,
                )
            return message

        return await self.once("UpsertInspectionChecklist", request, inspections_pb2.InspectionChecklist, work)

    async def GetInspectionChecklist(
        self, request: inspections_pb2.GetInspectionChecklistRequest, context: grpc.aio.ServicerContext
    ) -> inspections_pb2.InspectionChecklist:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            checklist = await inspection_store.get_checklist(conn, site_id=site.id)
        if checklist is None:
            raise NotFound(f"{site.id} has no inspection checklist")
        return checklist_message(checklist)

    async def RecordInspection(
        self, request: inspections_pb2.RecordInspectionRequest, context: grpc.aio.ServicerContext
    ) -> inspections_pb2.Inspection:
        principal = current_principal()
        now = self.now()
        inspected_at = from_ts(request.inspected_at) if request.HasField("inspected_at") else now
        results = [inspections.ItemResult(code=r.code, ok=r.ok, note=r.note) for r in request.results]

        async def work(conn: Connection) -> inspections_pb2.Inspection:
            row = await schedule_store.get_assignment(conn, assignment_id=request.assignment_id)
            if row is None:
                raise InvalidArgument(
                    [FieldViolation("assignment_id", f"unknown assignment {request.assignment_id!r}")]
                )
            a = row.assignment
            site = await self.site(a.site_id, conn=conn, field="assignment_id")
            access.require_reader(principal, site)
            if not principal.has_role(*INSPECTORS):
                raise PermissionDenied(f"only a duty leader of {site.id} or a region above it may record an inspection")
            when = inspections.time_problem(
                inspected_at=inspected_at, starts_at=a.starts_at, ends_at=a.ends_at, now=now
            )
            if when:
                raise InvalidArgument([FieldViolation("inspected_at", when)])
            checklist = await inspection_store.get_checklist(conn, site_id=site.id)
            if checklist is None:
                raise FailedPrecondition(f"{site.id} has no inspection checklist: the unit head sets one first")
            problems = inspections.result_problems(checklist.items, results)
            if problems:
                raise InvalidArgument([FieldViolation("results", p) for p in problems])
            inspection = await inspection_store.insert_inspection(
                conn,
                inspection_id=new_id("insp"),
                site_id=site.id,
                assignment_id=a.id,
                inspector_id=principal.person_id,
                inspector_name=principal.name,
                inspected_at=inspected_at,
                checklist_version=checklist.version,
                results=results,
                note=request.note,
            )
            message = inspection_message(inspection)
            await emit(
                conn,
                event_type="inspection.recorded",
                site_id=site.id,
                aggregate_id=inspection.id,
                aggregate_version=1,
                payload=message,
                actor=actor_of(principal),
            )
            return message

        return await self.once("RecordInspection", request, inspections_pb2.Inspection, work)

    async def ListInspections(
        self, request: inspections_pb2.ListInspectionsRequest, context: grpc.aio.ServicerContext
    ) -> inspections_pb2.ListInspectionsResponse:
        """查岗记录: newest first, within the period and/or the shift of an assignment."""
        site = await self.readable_site(request.site_id)
        period = request.period
        start = from_ts(period.start) if period.HasField("start") else None
        end = from_ts(period.end) if period.HasField("end") else None
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            if request.assignment_id:
                row = await schedule_store.get_assignment(conn, assignment_id=request.assignment_id)
                if row is None or row.assignment.site_id != site.id:
                    raise InvalidArgument(
                        [FieldViolation("assignment_id", f"no assignment {request.assignment_id!r} at {site.id}")]
                    )
                # The shift narrows the period (both apply).
                start = max(start or row.assignment.starts_at, row.assignment.starts_at)
                end = min(end or row.assignment.ends_at, row.assignment.ends_at)
            rows = await inspection_store.list_inspections(
                conn, site_id=site.id, start=start, end=end, offset=offset, limit=size
            )
        return inspections_pb2.ListInspectionsResponse(
            inspections=[inspection_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )


def serve_inspections(ctx: ServiceContext, server: grpc.aio.Server) -> None:
    """Hosts InspectionService in the roster process; like RosterService, it does not start without a
    policy for each RPC."""
    ctx.hosted.append(SERVICE)
    ctx.policies.update(POLICIES)
    inspections_pb2_grpc.add_InspectionServiceServicer_to_server(InspectionServicer(ctx), server)
