"""The roster screen: one site's week (Monday to Sunday on the site's clock) from ListAssignments, shift
by shift with its leaders and officers, the coverage gaps FindCoverageGaps finds highlighted on the
shifts and days they fall in; the week's leave and swap requests (decided here by a leader of the
site, as on the leader's screen), and leave asked for myself (RequestLeave: the person of an
assignment that has not begun, with a substitute). The services decide; the page offers only what
they would admit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import grpc
from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import from_ts, ts
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console.board import my_sites
from services.console.clock import zone_of
from services.console.incident import Failure
from services.console.leader import Pending, decide, helpers, requests_of
from services.console.web import console_of, render, require_signed_in, violations_by_field

REQUEST_LEAVE_FORM = "request-leave"
# Fields of the leave form: a violation of another shows above it.
LEAVE_FIELDS = ("assignment_id", "substitute_id", "reason")


@dataclass
class Shift:
    start: datetime
    end: datetime
    name: str
    people: list[roster_pb2.Assignment] = field(default_factory=list)
    gaps: list[roster_pb2.CoverageGap] = field(default_factory=list)

    def of_role(self, role: int) -> list[roster_pb2.Assignment]:
        return [a for a in self.people if a.role == role]


@dataclass
class Day:
    day: date
    shifts: list[Shift] = field(default_factory=list)
    # Gaps in the day outside its shifts (a day nobody was rostered for).
    gaps: list[roster_pb2.CoverageGap] = field(default_factory=list)


def week_start(raw: str, today: date) -> date:
    """The Monday of the week of ``raw`` (YYYY-MM-DD), or of ``today`` when it is not a date."""
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


def _overlaps(gap: roster_pb2.CoverageGap, start: datetime, end: datetime) -> bool:
    return from_ts(gap.period.start) < end and from_ts(gap.period.end) > start


def build_week(
    monday: date, zone: str, assignments: list[roster_pb2.Assignment], gaps: list[roster_pb2.CoverageGap]
) -> list[Day]:
    tz = zone_of(zone)
    days = [Day(day=monday + timedelta(days=n)) for n in range(7)]
    shifts: dict[tuple[datetime, datetime, str], Shift] = {}
    for a in sorted(assignments, key=lambda a: (a.start.seconds, a.role, a.display_name)):
        start, end = from_ts(a.start).astimezone(tz), from_ts(a.end).astimezone(tz)
        shifts.setdefault((start, end, a.shift_name), Shift(start, end, a.shift_name)).people.append(a)
    for shift in shifts.values():
        shift.gaps = [g for g in gaps if _overlaps(g, shift.start, shift.end)]
        index = (shift.start.date() - monday).days
        if 0 <= index < 7:
            days[index].shifts.append(shift)
    for d in days:
        start = datetime.combine(d.day, time(), tzinfo=tz)
        end = datetime.combine(d.day + timedelta(days=1), time(), tzinfo=tz)
        d.gaps = [
            g for g in gaps if _overlaps(g, start, end) and not any(_overlaps(g, s.start, s.end) for s in d.shifts)
        ]
    return days


def gap_text(gap: roster_pb2.CoverageGap, zone: str) -> str:
    """From–to on the site's clock."""
    tz = zone_of(zone)
    start, end = from_ts(gap.period.start).astimezone(tz), from_ts(gap.period.end).astimezone(tz)
    return f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"


async def page(
    request: web.Request,
    *,
    site_id: str,
    week: str,
    status: int = 200,
    failure: Failure | None = None,
    values: Any = None,
) -> web.StreamResponse:
    session = require_signed_in(request)
    principal = session.principal
    assert principal is not None
    async with console_of(request).channel("roster", session) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        sites = await my_sites(roster, principal)
        site = next((s for s in sites if s.id == site_id), sites[0] if sites else None)
        if site is None:
            return render(request, "roster.html", context={"site": None, "sites": [], **helpers()})
        tz = zone_of(site.time_zone)
        monday = week_start(week, datetime.now(tz).date())
        start = datetime.combine(monday, time(), tzinfo=tz)
        period = common_pb2.TimeRange(
            start=ts(start), end=ts(datetime.combine(monday + timedelta(days=7), time(), tzinfo=tz))
        )
        assignments = list(
            (
                await roster.ListAssignments(
                    roster_pb2.ListAssignmentsRequest(site_id=site.id, period=period), timeout=10
                )
            ).assignments
        )
        gaps = list(
            (
                await roster.FindCoverageGaps(
                    roster_pb2.FindCoverageGapsRequest(site_id=site.id, period=period), timeout=10
                )
            ).gaps
        )
        people = list((await roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=site.id), timeout=10)).people)
        requests: list[Pending] = await requests_of(roster, principal, site, known={a.id: a for a in assignments})
    now = datetime.now(UTC)
    mine = [a for a in assignments if a.person_id == principal.person_id and from_ts(a.start) > now]
    failed = failure or Failure(form="")
    return render(
        request,
        "roster.html",
        status=status,
        context={
            "site": site,
            "sites": sites,
            "monday": monday,
            "week": monday.isoformat(),
            "prev_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
            "days": build_week(monday, site.time_zone, assignments, gaps),
            "gaps": gaps,
            "gap_text": gap_text,
            "requests": requests,
            "names": {p.id: p.display_name for p in people},
            "people": [p for p in people if p.id != principal.person_id],
            "mine": mine,
            "today": datetime.now(tz).date(),
            "ROLE_LEADER": common_pb2.ROLE_LEADER,
            "ROLE_OFFICER": common_pb2.ROLE_OFFICER,
            "failed_form": failed.form,
            "errors": failed.errors,
            "refusal": failed.message,
            "unplaced": [e for f, es in failed.errors.items() if f not in LEAVE_FIELDS for e in es],
            "values": values or {},
            **helpers(),
        },
    )


async def roster_week(request: web.Request) -> web.StreamResponse:
    return await page(request, site_id=request.query.get("site", ""), week=request.query.get("week", ""))


def _back(form: Any) -> str:
    return "/roster?" + urlencode({"site": str(form.get("site", "")), "week": str(form.get("week", ""))})


async def request_leave(request: web.Request) -> web.StreamResponse:
    """POST /roster/leave: RequestLeave for an assignment of mine, as me."""
    session = require_signed_in(request)
    form = await request.post()
    try:
        async with console_of(request).channel("roster", session) as ch:
            await roster_pb2_grpc.RosterServiceStub(ch).RequestLeave(
                roster_pb2.RequestLeaveRequest(
                    idempotency_key=str(form.get("idempotency_key", "")) or str(uuid.uuid4()),
                    assignment_id=str(form.get("assignment_id", "")),
                    substitute_id=str(form.get("substitute_id", "")),
                    reason=str(form.get("reason", "")),
                ),
                timeout=10,
            )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            failure = Failure(form=REQUEST_LEAVE_FORM, errors=violations_by_field(exc))
            return await _again(request, form, failure, 400)
        if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
            return await _again(request, form, Failure(form=REQUEST_LEAVE_FORM, message=exc.details() or ""), 409)
        raise
    raise web.HTTPSeeOther(_back(form))


async def _again(request: web.Request, form: Any, failure: Failure, status: int) -> web.StreamResponse:
    return await page(
        request,
        site_id=str(form.get("site", "")),
        week=str(form.get("week", "")),
        status=status,
        failure=failure,
        values=form,
    )


async def decide_leave(request: web.Request) -> web.StreamResponse:
    return await _decided(request, "leave")


async def decide_swap(request: web.Request) -> web.StreamResponse:
    return await _decided(request, "swap")


async def _decided(request: web.Request, kind: str) -> web.StreamResponse:
    failure = await decide(request, kind)
    form = await request.post()
    if failure is not None:
        return await _again(request, form, failure, 400 if failure.errors else 409)
    raise web.HTTPSeeOther(_back(form))
