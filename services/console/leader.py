"""The duty leader's screen (带班领导): the escalations waiting for my acknowledgement (acknowledged from
the page, as me), the leave (请假) and swap (换班) requests of my sites to decide, and the violations
(迟报/漏报) of my sites, a page at a time.

Live: notify has no watch of its own, so the page's event stream (``events``) follows the incidents of
my sites through IncidentService.WatchIncidents with my token (an incident's escalation is what
notifies a leader) and reads my unacknowledged notifications again on each change, a moment after it
(the EscalationWorkflow notifies just after the incident's change), and every few seconds (shift and
callback escalations come with no incident change); it sends an ``escalations`` event only when what
the list shows changed, and htmx then fetches the list again.

The services decide everything: Acknowledge only for the person notified, DecideLeave/DecideSwap only
for a leader (or admin) of the site who is not part of the request; the forms shown spare a person
buttons the services would refuse, and a forged request comes back as 403 naming the gRPC code."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from aiohttp import web

from dutyline.cancellation import wait_until_set
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import Principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console.board import HEARTBEAT_SECONDS, STREAMS, my_sites, report_label, short, sse
from services.console.clock import local_time, zone_of
from services.console.duty import role_name
from services.console.incident import Failure
from services.console.sessions import Session
from services.console.web import SESSION, Console, console_of, render, require_signed_in, violations_by_field

# Unacknowledged escalation notifications read at once (a leader has a handful at most).
NOTIFICATIONS_PAGE = 100
VIOLATIONS_PAGE = 20
# Violations of this many days back (the list is oldest first).
VIOLATION_DAYS = 30
# How often the event stream reads my notifications when nothing happened.
RECHECK_SECONDS = 5.0
# After an incident changed: read again this long after (its escalation notifies a moment later).
FOLLOW_UPS = (0.5, 1.5, 3.0)
DECIDERS = ("leader", "admin")


@dataclass(frozen=True)
class Waiting:
    """An escalation waiting for me: the (latest) notification it sent me, and the escalation (None
    when I may not read it)."""

    notification: notify_pb2.Notification
    escalation: notify_pb2.Escalation | None

    @property
    def status(self) -> str:
        return self.escalation.status if self.escalation is not None else ""


async def waiting_escalations(
    console: Console, session: Session, acknowledged: set[str] | None = None
) -> list[Waiting]:
    """The escalations that notified me and that nobody has acknowledged yet, the newest first.
    ``acknowledged``: escalation ids known to be acknowledged (for good), not read again; those found
    acknowledged are added (the event stream keeps it across its reads)."""
    acknowledged = set() if acknowledged is None else acknowledged
    assert session.principal is not None
    async with console.channel("notify", session) as ch:
        notify = notify_pb2_grpc.NotifyServiceStub(ch)
        reply = await notify.ListNotifications(
            notify_pb2.ListNotificationsRequest(
                person_id=session.principal.person_id,
                unacknowledged_only=True,
                page=common_pb2.PageRequest(page_size=NOTIFICATIONS_PAGE),
            ),
            timeout=10,
        )
        # Newest first: a chain walked twice notified me twice; the latest one stands for it.
        latest: dict[str, notify_pb2.Notification] = {}
        for n in reply.notifications:
            if n.escalation_id:
                latest.setdefault(n.escalation_id, n)
        found = []
        for escalation_id, notification in latest.items():
            if escalation_id in acknowledged:
                continue
            try:
                escalation: notify_pb2.Escalation | None = await notify.GetEscalation(
                    notify_pb2.GetEscalationRequest(escalation_id=escalation_id), timeout=10
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.PERMISSION_DENIED:
                    raise
                escalation = None
            # Someone else acknowledged it: it waits for nobody.
            if escalation is not None and escalation.status == "acknowledged":
                acknowledged.add(escalation_id)
            else:
                found.append(Waiting(notification, escalation))
    return found


def fingerprint(waiting: Iterable[Waiting]) -> str:
    """What the list shows, in a few characters: the stream tells the page when this changes."""
    shown = ",".join(sorted(f"{w.notification.id}:{w.status}" for w in waiting))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


@dataclass
class Pending:
    """A leave or swap request with the assignments it is about, and whether I may decide it."""

    kind: str  # "leave" or "swap"
    request: roster_pb2.LeaveRequest | roster_pb2.SwapRequest
    site: roster_pb2.Site
    assignments: list[roster_pb2.Assignment]
    may_decide: bool = False

    @property
    def form(self) -> str:
        return f"{self.kind}-{self.request.id}"

    @property
    def requester(self) -> str:
        r = self.request
        return r.person_id if isinstance(r, roster_pb2.LeaveRequest) else r.requested_by


def may_decide(principal: Principal, pending: Pending) -> bool:
    """What roster's DecideLeave/DecideSwap admit: a leader or admin of the site, still undecided, and
    nobody decides their own request or a swap of their own shift."""
    if pending.request.status != "requested" or not principal.has_role(*DECIDERS):
        return False
    if not principal.covers(pending.site.id, list(pending.site.ancestor_ids)):
        return False
    involved = {pending.requester, *(a.person_id for a in pending.assignments)}
    return principal.person_id not in involved


async def requests_of(
    roster: roster_pb2_grpc.RosterServiceStub,
    principal: Principal,
    site: roster_pb2.Site,
    *,
    status: str = "",
    known: dict[str, roster_pb2.Assignment] | None = None,
) -> list[Pending]:
    """The site's leave and swap requests (of ``status``, else all). With ``known`` (the assignments of
    a week), only the requests about those; otherwise each request's assignments are read."""
    leave = (await roster.ListLeave(roster_pb2.ListLeaveRequest(site_id=site.id, status=status), timeout=10)).requests
    swaps = (await roster.ListSwaps(roster_pb2.ListSwapsRequest(site_id=site.id, status=status), timeout=10)).requests
    asked: list[tuple[str, Any, list[str]]] = [("leave", r, [r.assignment_id]) for r in leave]
    asked += [("swap", r, [r.assignment_id, r.other_assignment_id]) for r in swaps]
    found = []
    for kind, request, ids in asked:
        if known is not None:
            if not any(i in known for i in ids):
                continue
            assignments = [known[i] for i in ids if i in known]
        else:
            assignments = [
                await roster.GetAssignment(roster_pb2.GetAssignmentRequest(assignment_id=i), timeout=10) for i in ids
            ]
        pending = Pending(kind=kind, request=request, site=site, assignments=assignments)
        pending.may_decide = may_decide(principal, pending)
        found.append(pending)
    found.sort(key=lambda p: (p.request.status != "requested", -p.request.requested_at.seconds))
    return found


async def decide(request: web.Request, kind: str) -> Failure | None:
    """POST of a leave or swap decision (``decision`` = approve or refuse, ``remark``), as the signed-in
    person. Field violations and a refusal of the roster (FAILED_PRECONDITION: it would open a gap, it
    was decided meanwhile) come back as a Failure of that request's form; PERMISSION_DENIED goes to the
    middleware (403 naming the code)."""
    session = require_signed_in(request)
    request_id = request.match_info["request_id"]
    form = await request.post()
    key = str(form.get("idempotency_key", "")) or str(uuid.uuid4())
    approve = form.get("decision") == "approve"
    remark = str(form.get("remark", ""))
    try:
        async with console_of(request).channel("roster", session) as ch:
            roster = roster_pb2_grpc.RosterServiceStub(ch)
            if kind == "leave":
                await roster.DecideLeave(
                    roster_pb2.DecideLeaveRequest(
                        idempotency_key=key, leave_id=request_id, approve=approve, remark=remark
                    ),
                    timeout=10,
                )
            else:
                await roster.DecideSwap(
                    roster_pb2.DecideSwapRequest(
                        idempotency_key=key, swap_id=request_id, approve=approve, remark=remark
                    ),
                    timeout=10,
                )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            return Failure(form=f"{kind}-{request_id}", errors=violations_by_field(exc))
        if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
            return Failure(form=f"{kind}-{request_id}", message=exc.details() or "")
        raise
    return None


@dataclass
class Violations:
    rows: list[incident_pb2.Violation] = field(default_factory=list)
    next_token: str = ""


async def violations_of(console: Console, session: Session, site_id: str, token: str) -> Violations:
    """A page of the violations of the last VIOLATION_DAYS days at ``site_id`` (every site I act for
    when empty), drills included and marked."""
    since = datetime.now(UTC) - timedelta(days=VIOLATION_DAYS)
    async with console.channel("incident", session) as ch:
        reply = await incident_pb2_grpc.IncidentServiceStub(ch).ListViolations(
            incident_pb2.ListViolationsRequest(
                site_id=site_id,
                period=common_pb2.TimeRange(start=ts(since)),
                include_drills=True,
                page=common_pb2.PageRequest(page_size=VIOLATIONS_PAGE, page_token=token),
            ),
            timeout=10,
        )
    return Violations(rows=list(reply.violations), next_token=reply.page.next_page_token)


def shift_of(assignment: roster_pb2.Assignment, zone: str) -> str:
    """The shift on the site's clock: "12-14 08:00–20:00 day"."""
    end = from_ts(assignment.end).astimezone(zone_of(zone)).strftime("%H:%M")
    return f"{local_time(assignment.start, zone)}–{end} {assignment.shift_name}".strip()


def helpers() -> dict[str, Any]:
    return {
        "local": local_time,
        "shift_of": shift_of,
        "role_name": role_name,
        "report_label": report_label,
        "short": short,
        "new_key": lambda: str(uuid.uuid4()),
    }


async def page(
    request: web.Request, *, status: int = 200, failure: Failure | None = None, values: Any = None
) -> web.StreamResponse:
    session = require_signed_in(request)
    assert session.principal is not None
    console = console_of(request)
    site_id = request.query.get("site", "")
    async with console.channel("roster", session) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        sites = await my_sites(roster, session.principal)
        pending: list[Pending] = []
        names: dict[str, str] = {}
        for site in sites:
            pending += await requests_of(roster, session.principal, site, status="requested")
            people = await roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=site.id), timeout=10)
            names.update({p.id: p.display_name for p in people.people})
    if site_id not in {s.id for s in sites}:
        site_id = ""
    violations = await violations_of(console, session, site_id, request.query.get("vpage", ""))
    failed = failure or Failure(form="")
    return render(
        request,
        "leader.html",
        status=status,
        context={
            **await escalations_context(console, session),
            "pending": pending,
            "sites": sites,
            "zones": {s.id: s.time_zone for s in sites},
            "site_names": {s.id: s.name for s in sites},
            "site_id": site_id,
            "names": names,
            "violations": violations,
            "vpage": request.query.get("vpage", ""),
            "decider": session.principal.has_role(*DECIDERS),
            "failed_form": failed.form,
            "errors": failed.errors,
            "refusal": failed.message,
            "values": values or {},
            **helpers(),
        },
    )


async def leader(request: web.Request) -> web.StreamResponse:
    return await page(request)


async def escalations_context(console: Console, session: Session) -> dict[str, Any]:
    waiting = await waiting_escalations(console, session)
    async with console.channel("roster", session) as ch:
        sites = (await roster_pb2_grpc.RosterServiceStub(ch).ListSites(roster_pb2.ListSitesRequest(), timeout=10)).sites
    return {
        "waiting": waiting,
        "seen": fingerprint(waiting),
        "all_zones": {s.id: s.time_zone for s in sites},
        "all_site_names": {s.id: s.name for s in sites},
    }


async def escalations(request: web.Request) -> web.StreamResponse:
    """The list of waiting escalations alone: what htmx fetches when the stream says it changed."""
    session = require_signed_in(request)
    context = await escalations_context(console_of(request), session)
    return render(request, "leader_escalations.html", context={**context, **helpers()})


async def acknowledge(request: web.Request) -> web.StreamResponse:
    """POST /leader/ack: Acknowledge(notification_id) as the signed-in person (notify admits only the
    person notified, or an admin of its site)."""
    session = require_signed_in(request)
    form = await request.post()
    async with console_of(request).channel("notify", session) as ch:
        await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
            notify_pb2.AcknowledgeRequest(
                idempotency_key=str(form.get("idempotency_key", "")) or str(uuid.uuid4()),
                notification_id=str(form.get("notification_id", "")).strip(),
            ),
            timeout=10,
        )
    raise web.HTTPSeeOther("/leader")


async def decide_leave(request: web.Request) -> web.StreamResponse:
    return await _decided(request, "leave")


async def decide_swap(request: web.Request) -> web.StreamResponse:
    return await _decided(request, "swap")


async def _decided(request: web.Request, kind: str) -> web.StreamResponse:
    failure = await decide(request, kind)
    if failure is not None:
        status = 400 if failure.errors else 409
        return await page(request, status=status, failure=failure, values=await request.post())
    raise web.HTTPSeeOther("/leader")


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``escalations`` whenever the list of escalations waiting for me changed
    (``seen``: the fingerprint of the list the page shows, so a change between the page and the stream
    is not missed)."""
    session = request[SESSION]
    if not session.signed_in:
        raise web.HTTPUnauthorized()
    console = console_of(request)
    last = request.query.get("seen", "")
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    task = asyncio.current_task()
    assert task is not None
    request.app[STREAMS].add(task)
    changed = asyncio.Event()

    async def watch() -> None:
        # Without the watch (refused, ended) the stream goes on reading every RECHECK_SECONDS.
        with contextlib.suppress(grpc.aio.AioRpcError):
            async with console.channel("incident", session) as ch:
                call = incident_pb2_grpc.IncidentServiceStub(ch).WatchIncidents(
                    incident_pb2.WatchIncidentsRequest(include_drills=True)
                )
                async for _ in call:
                    changed.set()

    watcher = asyncio.create_task(watch())
    follow_ups: list[float] = []
    acknowledged: set[str] = set()
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    try:
        await response.write(b": connected\n\n")
        while True:
            now = fingerprint(await waiting_escalations(console, session, acknowledged))
            if now != last:
                await response.write(sse("escalations", now))
                last = now
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= HEARTBEAT_SECONDS:
                await response.write(b": heartbeat\n\n")
                quiet_since = loop.time()
            wait = min([RECHECK_SECONDS, *(f - loop.time() for f in follow_ups)])
            await wait_until_set(changed, wait)
            if changed.is_set():
                changed.clear()
                follow_ups = [loop.time() + d for d in FOLLOW_UPS]
            follow_ups = [f for f in follow_ups if f > loop.time()]
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    except grpc.aio.AioRpcError as exc:
        # E.g. the token expired: the page says so and stops listening.
        with contextlib.suppress(ConnectionResetError):
            await response.write(sse("end", exc.code().name))
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        request.app[STREAMS].discard(task)
    return response
