"""On duty: who is on duty at my sites now and next (roster GetOnDuty), my check-in, and the handover
to submit (outgoing) or accept (incoming): the register (roster ListHandovers) offers the incoming
officer the handovers waiting for them and shows the outgoing officer whether theirs was accepted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import grpc
from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console.board import my_sites
from services.console.clock import local_time
from services.console.sessions import Session
from services.console.web import Console, console_of, render, require_signed_in, violations_by_field

# Submitting a handover gathers the open items from the other services first.
HANDOVER_TIMEOUT = 30.0
# My own handovers shown with their outcome: those of the last day (a shift is at most 24 h).
MINE_SINCE = timedelta(hours=24)
# Handovers still to accept at one site: a few at most (one per role and shift change).
PENDING_PAGE = 50


@dataclass
class SiteDuty:
    site: roster_pb2.Site
    now: roster_pb2.OnDuty
    next: roster_pb2.OnDuty
    # My place in the current shift, its check-in status, and who may take over from me.
    mine: roster_pb2.DutyPerson | None = None
    check_in_status: str = ""
    incoming: list[roster_pb2.DutyPerson] = field(default_factory=list)
    # Handovers waiting for me to accept, and mine handed over lately (newest first) with their status.
    to_accept: list[roster_pb2.Handover] = field(default_factory=list)
    handed_over: list[roster_pb2.Handover] = field(default_factory=list)

    def name_of(self, person_id: str) -> str:
        """The display name of someone on duty now or next, else their id."""
        everyone = [*self.now.officers, *self.now.leaders, *self.next.officers, *self.next.leaders]
        return next((p.display_name for p in everyone if p.person_id == person_id), person_id)


def role_name(role: int) -> str:
    return common_pb2.Role.Name(role).removeprefix("ROLE_").lower()


async def duty_of(console: Console, session: Session) -> list[SiteDuty]:
    assert session.principal is not None
    me = session.principal.person_id
    found = []
    async with console.channel("roster", session) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        for site in await my_sites(roster, session.principal):
            now = await roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site.id), timeout=10)
            later = roster_pb2.GetOnDutyRequest(site_id=site.id)
            if now.HasField("valid_until"):
                later.at.CopyFrom(now.valid_until)
            upcoming = await roster.GetOnDuty(later, timeout=10)
            duty = SiteDuty(site=site, now=now, next=upcoming)
            for person in [*now.officers, *now.leaders]:
                if person.person_id == me:
                    duty.mine = person
                    assignment = await roster.GetAssignment(
                        roster_pb2.GetAssignmentRequest(assignment_id=person.assignment_id), timeout=10
                    )
                    duty.check_in_status = assignment.check_in_status
                    duty.incoming = [p for p in [*upcoming.officers, *upcoming.leaders] if p.role == person.role]
            pending = await roster.ListHandovers(
                roster_pb2.ListHandoversRequest(site_id=site.id, status="pending", page_size=PENDING_PAGE), timeout=10
            )
            duty.to_accept = [h for h in pending.handovers if h.incoming_person_id == me]
            recent = await roster.ListHandovers(
                roster_pb2.ListHandoversRequest(
                    site_id=site.id, period=common_pb2.TimeRange(start=ts(datetime.now(UTC) - MINE_SINCE))
                ),
                timeout=10,
            )
            duty.handed_over = [h for h in recent.handovers if h.outgoing_person_id == me]
            found.append(duty)
    return found


async def page(
    request: web.Request, *, status: int = 200, errors: dict[str, list[str]] | None = None, form: str = ""
) -> web.StreamResponse:
    session = require_signed_in(request)
    console = console_of(request)
    handover = None
    handover_id = request.query.get("handover", "")
    if handover_id:
        async with console.channel("roster", session) as ch:
            handover = await roster_pb2_grpc.RosterServiceStub(ch).GetHandover(
                roster_pb2.GetHandoverRequest(handover_id=handover_id), timeout=10
            )
    return render(
        request,
        "duty.html",
        status=status,
        context={
            "duties": await duty_of(console, session),
            "role_name": role_name,
            "local": local_time,
            "handover": handover,
            "errors": errors or {},
            "failed_form": form,
            "values": await request.post() if request.method == "POST" else {},
        },
    )


async def duty(request: web.Request) -> web.StreamResponse:
    return await page(request)


async def check_in(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    form = await request.post()
    async with console_of(request).channel("roster", session) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).CheckIn(
            roster_pb2.CheckInRequest(
                idempotency_key=str(uuid.uuid4()), assignment_id=str(form.get("assignment_id", ""))
            ),
            timeout=10,
        )
    raise web.HTTPSeeOther("/duty")


async def submit_handover(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    form = await request.post()
    request_message = roster_pb2.SubmitHandoverRequest(
        idempotency_key=str(form.get("idempotency_key", "")) or str(uuid.uuid4()),
        outgoing_assignment_id=str(form.get("outgoing_assignment_id", "")),
        incoming_assignment_id=str(form.get("incoming_assignment_id", "")),
        shift_log=str(form.get("shift_log", "")),
        notes=str(form.get("notes", "")),
    )
    try:
        async with console_of(request).channel("roster", session) as ch:
            handover = await roster_pb2_grpc.RosterServiceStub(ch).SubmitHandover(
                request_message, timeout=HANDOVER_TIMEOUT
            )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return await page(request, status=400, errors=violations_by_field(exc), form="submit")
    raise web.HTTPSeeOther(f"/duty?handover={handover.id}")


async def accept_handover(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    form = await request.post()
    handover_id = str(form.get("handover_id", "")).strip()
    try:
        async with console_of(request).channel("roster", session) as ch:
            handover = await roster_pb2_grpc.RosterServiceStub(ch).AcceptHandover(
                roster_pb2.AcceptHandoverRequest(
                    idempotency_key=str(uuid.uuid4()), handover_id=handover_id, remarks=str(form.get("remarks", ""))
                ),
                timeout=10,
            )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return await page(request, status=400, errors=violations_by_field(exc), form=f"accept-{handover_id}")
    raise web.HTTPSeeOther(f"/duty?handover={handover.id}")
