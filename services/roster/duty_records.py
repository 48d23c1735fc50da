"""DutyRecordsService over gRPC (值班记录): duty counts per person (fairness) and the duty room's
violations in one place, for a site or the sites of a region."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
import structlog

from dutyline.grpckit.auth import current_principal, on_behalf
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, PermissionDenied
from dutyline.grpckit.server import ServiceContext
from dutyline.intake.v1 import case_pb2, case_pb2_grpc
from dutyline.roster.v1 import duty_records_pb2, duty_records_pb2_grpc
from services.roster import store
from services.roster.base import RosterBase
from services.roster.duty_counts import Calendar, duty_counts
from services.roster.duty_records_policy import POLICIES, SERVICE
from services.roster.duty_records_store import VIOLATION_EVENTS, assignments_starting, list_violations, site_zones

log = structlog.get_logger(__name__)

PAGE = 50
CALENDAR_TIMEOUT = 3.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Who reads everyone's violations at their sites; an officer reads their own (考核 is personal).
OVERSEERS = ("leader", "unit_head", "admin", "supervisor")


class DutyRecordsServicer(RosterBase, duty_records_pb2_grpc.DutyRecordsServiceServicer):
    def __init__(self, ctx: ServiceContext, *, cases: case_pb2_grpc.CaseServiceStub) -> None:
        super().__init__(ctx)
        self._cases = cases

    async def _scope(self, site_id: str) -> list[str]:
        """The site, or the region and every site below it, once the caller may read it."""
        site = await self.readable_site(site_id)
        async with self._pool.acquire() as conn:
            return await store.descendant_site_ids(conn, site_id=site.id)

    async def _calendar(self, site_id: str) -> Calendar | str:
        """The site's holiday calendar (intake keeps it with the case policies), read for the caller;
        else why not (intake's status code)."""
        try:
            reply: case_pb2.HolidayCalendar = await self._cases.GetHolidayCalendar(
                case_pb2.GetHolidayCalendarRequest(site_id=site_id), timeout=CALENDAR_TIMEOUT, metadata=on_behalf()
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("holiday calendar not read", site_id=site_id, code=exc.code().name)
            return exc.code().name
        return Calendar(
            holidays=frozenset(date.fromisoformat(d) for d in reply.holidays),
            working_days=frozenset(date.fromisoformat(d) for d in reply.working_days),
        )

    async def GetDutyCounts(
        self, request: duty_records_pb2.GetDutyCountsRequest, context: grpc.aio.ServicerContext
    ) -> duty_records_pb2.GetDutyCountsResponse:
        """值班统计: per person, the shifts, nights, weekends and holidays starting in the period."""
        site_ids = await self._scope(request.site_id)
        start, end = from_ts(request.period.start), from_ts(request.period.end)
        async with self._pool.acquire() as conn:
            assignments, names = await assignments_starting(
                conn, site_ids=site_ids, start=start, end=end, person_id=request.person_id or None
            )
            zones = {s: ZoneInfo(z) for s, z in (await site_zones(conn, site_ids=site_ids)).items()}
        calendars: dict[str, Calendar] = {}
        notes = []
        for site_id in sorted({a.site_id for a in assignments}):
            calendar = await self._calendar(site_id)
            if isinstance(calendar, str):
                notes.append(f"{site_id}: 节假日历不可用 holiday calendar unavailable ({calendar}), no holidays")
            else:
                calendars[site_id] = calendar
        counted = duty_counts(assignments, start=start, end=end, zones=zones, calendars=calendars)
        return duty_records_pb2.GetDutyCountsResponse(
            counts=[
                duty_records_pb2.DutyCount(
                    person_id=c.person_id,
                    display_name=names.get(c.person_id, ""),
                    site_id=c.site_id,
                    shifts=c.shifts,
                    nights=c.nights,
                    weekends=c.weekends,
                    holidays=c.holidays,
                    leader_shifts=c.leader_shifts,
                    hours=c.hours,
                )
                for c in counted
            ],
            notes=notes,
        )

    async def ListDutyViolations(
        self, request: duty_records_pb2.ListDutyViolationsRequest, context: grpc.aio.ServicerContext
    ) -> duty_records_pb2.ListDutyViolationsResponse:
        """违纪记录: the violations at the site or region, newest first, filtered and keyset-paged."""
        if request.kind and request.kind not in VIOLATION_EVENTS:
            raise InvalidArgument([FieldViolation("kind", f"one of {', '.join(sorted(VIOLATION_EVENTS))}")])
        site_ids = await self._scope(request.site_id)
        principal = current_principal()
        person_id = request.person_id or None
        if not principal.has_role(*OVERSEERS):
            if person_id not in (None, principal.person_id):
                raise PermissionDenied("an officer reads only their own violations")
            person_id = principal.person_id
        size = request.page_size or PAGE
        period = request.period
        async with self._pool.acquire() as conn:
            rows = await list_violations(
                conn,
                site_ids=site_ids,
                person_id=person_id,
                kind=request.kind or None,
                start=from_ts(period.start) if period.HasField("start") else None,
                end=from_ts(period.end) if period.HasField("end") else None,
                after=page_cursor(request.page_token),
                limit=size,
            )
        last = rows[-1] if len(rows) == size else None
        return duty_records_pb2.ListDutyViolationsResponse(
            violations=[
                duty_records_pb2.DutyViolation(
                    id=r.id,
                    kind=r.kind,
                    site_id=r.site_id,
                    person_id=r.person_id,
                    display_name=r.display_name,
                    assignment_id=r.assignment_id or "",
                    occurred_at=ts(r.occurred_at),
                    detail=r.detail,
                )
                for r in rows
            ],
            next_page_token=page_token(last.occurred_at, last.id) if last else "",
        )


def page_token(at: datetime, record_id: str) -> str:
    """The token of a keyset page that ends at (``at``, ``record_id``): microseconds~id."""
    return f"{(at - EPOCH) // timedelta(microseconds=1)}~{record_id}"


def page_cursor(token: str) -> tuple[datetime, str] | None:
    """The (time, id) a page token names (its shape is checked by the proto)."""
    if not token:
        return None
    micros, record_id = token.split("~", 1)
    return EPOCH + timedelta(microseconds=int(micros)), record_id


def serve_duty_records(ctx: ServiceContext, server: grpc.aio.Server, *, cases: case_pb2_grpc.CaseServiceStub) -> None:
    """Hosts DutyRecordsService in the roster process; like RosterService, it does not start without a
    policy for each RPC."""
    ctx.hosted.append(SERVICE)
    ctx.policies.update(POLICIES)
    duty_records_pb2_grpc.add_DutyRecordsServiceServicer_to_server(DutyRecordsServicer(ctx, cases=cases), server)
