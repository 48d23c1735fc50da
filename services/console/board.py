"""The board: open incidents of my sites with stage, severity, next deadline (a live countdown), the
responsible person, drills marked; filters by site, stage and severity; beside them what else is due
(callbacks and messages, cases, calls whose record is not complete). Live through server-sent events
fed by IncidentService.WatchIncidents with the person's own token (which filters by the person's
sites and ends when the token expires), so the console stays a pure gRPC client: each change is sent
as its rendered row, so the browser swaps one row and never fetches the table again."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import grpc
from aiohttp import web
from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import Principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console import i18n
from services.console.clock import local_time
from services.console.sessions import Session
from services.console.web import SESSION, Console, console_of, lang_of, render, require_signed_in

T = TypeVar("T")

# A comment line this often keeps proxies from closing an idle stream and finds closed browsers.
HEARTBEAT_SECONDS = 15.0
# A deadline this close shows amber (red once passed); console.js uses the same figure.
AMBER_SECONDS = 600
PAGE_SIZE = 500
STAGES = [v.name for v in incident_pb2.Stage.DESCRIPTOR.values if v.number not in (0, incident_pb2.STAGE_CLOSED)]
SEVERITIES = [v.name for v in common_pb2.Severity.DESCRIPTOR.values if v.number != 0]
# The open event streams, ended at shutdown.
STREAMS: web.AppKey[set[asyncio.Task[object]]] = web.AppKey("streams")
# Rows without a deadline sort after every deadline (board.js compares the same numbers).
NO_DEADLINE_ORDER = 1e11
# Items shown per "due" panel (the rest counted), and how far back calls are looked for.
DUE_ITEMS = 5
OPEN_CALLS_SINCE = timedelta(hours=24)
# Callbacks and calls read for the panels: one page (they come in the panels' order).
DUE_PAGE_SIZE = 100


def short(enum_name: str, prefix: str) -> str:
    return enum_name.removeprefix(prefix).lower()


@dataclass(frozen=True)
class Row:
    incident: incident_pb2.Incident
    site_name: str
    stage: str
    severity: str
    responsible: str
    deadline: incident_pb2.Deadline | None

    @property
    def due_at(self) -> datetime | None:
        return from_ts(self.deadline.due_at) if self.deadline is not None else None

    @property
    def seconds_left(self) -> int | None:
        due = self.due_at
        return None if due is None else int((due - datetime.now(UTC)).total_seconds())

    @property
    def urgency(self) -> str:
        left = self.seconds_left
        if left is None:
            return ""
        return "red" if left <= 0 else "amber" if left <= AMBER_SECONDS else ""

    @property
    def order(self) -> float:
        """The board's order as one number: the nearest deadline first, then the incidents without
        one, the newest of them first."""
        due = self.due_at
        if due is not None:
            return due.timestamp()
        return NO_DEADLINE_ORDER - from_ts(self.incident.registered_at).timestamp()

    @property
    def unverified(self) -> bool:
        # The reporting deadlines are planned when the incident is verified: none before.
        return self.stage in ("register", "verify")


def make_row(incident: incident_pb2.Incident, site_name: str, names: dict[str, str]) -> Row:
    return Row(
        incident=incident,
        site_name=site_name,
        stage=short(incident_pb2.Stage.Name(incident.stage), "STAGE_"),
        severity=short(common_pb2.Severity.Name(incident.severity), "SEVERITY_"),
        responsible=names.get(incident.responsible_person_id, incident.responsible_person_id),
        deadline=next_deadline(incident),
    )


def next_deadline(incident: incident_pb2.Incident) -> incident_pb2.Deadline | None:
    pending = [d for d in incident.pending_deadlines if not d.met and d.HasField("due_at")]
    return min(pending, key=lambda d: d.due_at.ToDatetime()) if pending else None


async def my_sites(roster: roster_pb2_grpc.RosterServiceStub, principal: Principal) -> list[roster_pb2.Site]:
    """The duty sites the person acts for (directly or through a region above them)."""
    sites = (await roster.ListSites(roster_pb2.ListSitesRequest(), timeout=10)).sites
    return [s for s in sites if s.kind == roster_pb2.SITE_KIND_SITE and principal.covers(s.id, list(s.ancestor_ids))]


@dataclass(frozen=True)
class Filters:
    site: str
    stage: str
    severity: str

    @classmethod
    def of(cls, request: web.Request) -> Filters:
        q = request.query
        stage = q.get("stage", "")
        severity = q.get("severity", "")
        return cls(
            site=q.get("site", ""),
            stage=stage if stage in STAGES else "",
            severity=severity if severity in SEVERITIES else "",
        )

    def query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in vars(self).items() if v)

    def admits(self, incident: incident_pb2.Incident) -> bool:
        """Whether ``incident`` belongs on a board with these filters (open, and matching them)."""
        return (
            incident.stage not in (incident_pb2.STAGE_CLOSED, incident_pb2.STAGE_UNSPECIFIED)
            and (not self.site or incident.site_id == self.site)
            and (not self.stage or incident.stage == incident_pb2.Stage.Value(self.stage))
            and (not self.severity or incident.severity == common_pb2.Severity.Value(self.severity))
        )


async def board_rows(console: Console, session: Session, filters: Filters) -> tuple[list[roster_pb2.Site], list[Row]]:
    assert session.principal is not None
    async with console.channel("roster", session) as rch, console.channel("incident", session) as ich:
        roster = roster_pb2_grpc.RosterServiceStub(rch)
        incidents = incident_pb2_grpc.IncidentServiceStub(ich)
        sites = await my_sites(roster, session.principal)
        rows: list[Row] = []
        for site in sites:
            if filters.site and site.id != filters.site:
                continue
            found = await _open_incidents(incidents, site.id, filters)
            if not found:
                continue
            people = (await roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=site.id), timeout=10)).people
            names = {p.id: p.display_name for p in people}
            rows.extend(make_row(incident, site.name, names) for incident in found)
    rows.sort(key=lambda r: r.order)
    return sites, rows


async def _open_incidents(
    incidents: incident_pb2_grpc.IncidentServiceStub, site_id: str, filters: Filters
) -> list[incident_pb2.Incident]:
    request = incident_pb2.ListIncidentsRequest(
        site_id=site_id,
        open_only=True,
        include_drills=True,
        stage=filters.stage or None,
        severity=filters.severity or None,
        page=common_pb2.PageRequest(page_size=PAGE_SIZE),
    )
    found: list[incident_pb2.Incident] = []
    while True:
        reply = await incidents.ListIncidents(request, timeout=10)
        found.extend(reply.incidents)
        if not reply.page.next_page_token:
            return found
        request.page.page_token = reply.page.next_page_token


def report_label(kind: int) -> str:
    return "report." + short(incident_pb2.ReportKind.Name(kind), "REPORT_KIND_")


def countdown(seconds: int | None) -> str:
    """H:MM:SS left, or since (minus) once passed; console.js keeps it ticking."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


TABLE_HELPERS = {"report_label": report_label, "countdown": countdown}


@dataclass(frozen=True)
class Panel(Generic[T]):
    """The first few of what is due (the most pressing first), and how many there are; ``partial``:
    only the first page was read, so there are at least that many."""

    items: list[T]
    total: int
    partial: bool = False

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def count(self) -> str:
        return f"{self.total}+" if self.partial else str(self.total)

    @property
    def rest(self) -> str:
        return f"{self.more}+" if self.partial else str(self.more)

    @classmethod
    def of(cls, found: list[T], partial: bool = False) -> Panel[T]:
        return cls(items=found[:DUE_ITEMS], total=len(found), partial=partial)


@dataclass(frozen=True)
class Due:
    """What else is due at my sites; a panel is None when the services do not let this person read it."""

    sites: dict[str, roster_pb2.Site]
    callbacks: Panel[intake_pb2.Callback] | None
    cases: Panel[case_pb2.Case] | None
    calls: Panel[intake_pb2.Call] | None

    def site_name(self, site_id: str) -> str:
        site = self.sites.get(site_id)
        return site.name if site is not None else site_id

    def local_time(self, call: intake_pb2.Call) -> str:
        site = self.sites.get(call.site_id)
        return local_time(call.registered_at, site.time_zone if site is not None else "")


async def _readable(read: Callable[[], Awaitable[T]]) -> T | None:
    """``read()``, or None when the person may not read it (the panel is left out, not an error page)."""
    try:
        return await read()
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.PERMISSION_DENIED:
            return None
        raise


async def _all_pages(list_page: Callable[[str], Awaitable[tuple[list[T], str]]]) -> list[T]:
    found: list[T] = []
    token = ""
    while True:
        page, token = await list_page(token)
        found.extend(page)
        if not token:
            return found


def _due_key(item: intake_pb2.Callback | case_pb2.Case) -> float:
    # Without a due time: after every dated one.
    return from_ts(item.due_at).timestamp() if item.HasField("due_at") else NO_DEADLINE_ORDER


async def due_lists(console: Console, session: Session, filters: Filters) -> Due:
    """Callbacks and messages not completed, cases not closed (both soonest due first) and the last
    day's calls whose record is not complete (newest first), at my sites or the site chosen.

    Callbacks and calls come soonest due and newest first from intake, so their first page holds what
    the panel shows (the count then reads "100+"); cases come newest first, so all open ones are read."""
    assert session.principal is not None
    async with console.channel("roster", session) as rch, console.channel("intake", session) as ich:
        sites = await my_sites(roster_pb2_grpc.RosterServiceStub(rch), session.principal)
        chosen = [s for s in sites if not filters.site or s.id == filters.site]
        intake = intake_pb2_grpc.IntakeServiceStub(ich)
        cases = case_pb2_grpc.CaseServiceStub(ich)
        first_page = common_pb2.PageRequest(page_size=DUE_PAGE_SIZE)

        async def callbacks() -> Panel[intake_pb2.Callback]:
            replies = await asyncio.gather(
                *(
                    intake.ListCallbacks(
                        intake_pb2.ListCallbacksRequest(site_id=s.id, open_only=True, page=first_page), timeout=10
                    )
                    for s in chosen
                )
            )
            found = sorted((c for r in replies for c in r.callbacks), key=_due_key)
            return Panel.of(found, partial=any(r.page.next_page_token for r in replies))

        async def open_cases() -> Panel[case_pb2.Case]:
            async def page(token: str) -> tuple[list[case_pb2.Case], str]:
                reply = await cases.ListCases(
                    case_pb2.ListCasesRequest(
                        site_id=filters.site,
                        open_only=True,
                        page=common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=token),
                    ),
                    timeout=10,
                )
                return list(reply.cases), reply.page.next_page_token

            return Panel.of(sorted(await _all_pages(page), key=_due_key))

        async def open_calls() -> Panel[intake_pb2.Call]:
            reply = await intake.ListCalls(
                intake_pb2.ListCallsRequest(
                    site_id=filters.site,
                    period=common_pb2.TimeRange(start=ts(datetime.now(UTC) - OPEN_CALLS_SINCE)),
                    page=first_page,
                ),
                timeout=10,
            )
            # CompleteCall records the handling and result: until then the call's record is open.
            found = [c for c in reply.calls if not c.record.HasField("completed_at")]
            return Panel.of(found, partial=bool(reply.page.next_page_token))

        found_callbacks, found_cases, found_calls = await asyncio.gather(
            _readable(callbacks), _readable(open_cases), _readable(open_calls)
        )
    return Due(sites={s.id: s for s in sites}, callbacks=found_callbacks, cases=found_cases, calls=found_calls)


def _seconds_to(at: Timestamp) -> int:
    return int((from_ts(at) - datetime.now(UTC)).total_seconds())


DUE_HELPERS: dict[str, Any] = {
    "countdown": countdown,
    "seconds_to": _seconds_to,
    "iso": lambda at: from_ts(at).isoformat(),
    "case_status": lambda status: short(case_pb2.CaseStatus.Name(status), "CASE_STATUS_"),
    "call_category": lambda category: short(intake_pb2.CallCategory.Name(category), "CALL_CATEGORY_"),
}


async def board(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    filters = Filters.of(request)
    console = console_of(request)
    (sites, rows), due = await asyncio.gather(
        board_rows(console, session, filters), due_lists(console, session, filters)
    )
    return render(
        request,
        "board.html",
        context={
            "sites": sites,
            "rows": rows,
            "due": due,
            "filters": filters,
            "stages": [short(s, "STAGE_") for s in STAGES],
            "severities": [short(s, "SEVERITY_") for s in SEVERITIES],
            "wall": request.query.get("wall") == "1",
            **TABLE_HELPERS,
            **DUE_HELPERS,
        },
    )


async def board_due(request: web.Request) -> web.StreamResponse:
    """The "due" panels alone: the board fetches them again every minute."""
    session = require_signed_in(request)
    filters = Filters.of(request)
    due = await due_lists(console_of(request), session, filters)
    return render(request, "board_due.html", context={"due": due, "filters": filters, **DUE_HELPERS})


def sse(event: str, data: str, *, event_id: int | None = None) -> bytes:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return ("\n".join(lines) + "\n\n").encode()


Send = Callable[[web.StreamResponse, list[incident_pb2.IncidentChange]], Awaitable[None]]


async def _watch(request: web.Request, site: str, send: Send) -> web.StreamResponse:
    """An event stream over WatchIncidents with the person's token: ``send`` gets the changes that
    arrived together (a burst is handed over at once, so it can be coalesced); a comment line keeps
    the stream alive; an error of the watch ends it with an ``end`` event naming the gRPC code."""
    session = request[SESSION]
    if not session.signed_in:
        raise web.HTTPUnauthorized()
    console = console_of(request)
    try:
        resume = int(request.headers.get("Last-Event-ID", "0") or 0)
    except ValueError:
        resume = 0
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    task = asyncio.current_task()
    assert task is not None
    request.app[STREAMS].add(task)
    changes: asyncio.Queue[incident_pb2.IncidentChange | grpc.aio.AioRpcError | None] = asyncio.Queue()

    async def read() -> None:
        async with console.channel("incident", session) as ch:
            call = incident_pb2_grpc.IncidentServiceStub(ch).WatchIncidents(
                incident_pb2.WatchIncidentsRequest(site_id=site, include_drills=True, resume_after=resume)
            )
            try:
                async for change in call:
                    await changes.put(change)
                await changes.put(None)
            except grpc.aio.AioRpcError as exc:
                await changes.put(exc)

    reader = asyncio.create_task(read())
    try:
        await response.write(b": connected\n\n")
        while True:
            try:
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    item = await changes.get()
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            batch: list[incident_pb2.IncidentChange] = []
            # Whatever else has already arrived goes with it: no waiting, so no added delay.
            while isinstance(item, incident_pb2.IncidentChange):
                batch.append(item)
                if changes.empty():
                    break
                item = changes.get_nowait()
            if batch:
                await send(response, batch)
            if item is None:
                break
            if isinstance(item, grpc.aio.AioRpcError):
                # E.g. the token expired (UNAUTHENTICATED) or too many open boards (RESOURCE_EXHAUSTED).
                await response.write(sse("end", json.dumps({"code": item.code().name})))
                break
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        request.app[STREAMS].discard(task)
    return response


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: one ``incident`` event per change to an incident the person may see (the
    site filter, and an incident's screen's incident filter, applied), with the stream's cursor as the
    event id, so a reconnecting browser (Last-Event-ID) gets the changes it missed."""
    # One incident's changes only (its screen); empty: every incident the person may see.
    only = request.query.get("incident", "")

    async def send(response: web.StreamResponse, batch: list[incident_pb2.IncidentChange]) -> None:
        for change in batch:
            incident = change.incident
            if only and incident.id != only:
                continue
            data = {
                "id": incident.id,
                "site_id": incident.site_id,
                "event_type": change.event_type,
                "stage": short(incident_pb2.Stage.Name(incident.stage), "STAGE_"),
            }
            await response.write(sse("incident", json.dumps(data), event_id=change.cursor))

    return await _watch(request, request.query.get("site", ""), send)


async def rows(request: web.Request) -> web.StreamResponse:
    """The board's rows, live: per changed incident a ``row`` event carrying its rendered row, or a
    ``gone`` event with its id once it is closed or no longer matches the filters. A burst is
    coalesced: an incident changed several times is sent once, as it is now. The event id is the
    stream's cursor (Last-Event-ID resumes after it)."""
    session = request[SESSION]
    if not session.signed_in or session.principal is None:
        raise web.HTTPUnauthorized()
    filters = Filters.of(request)
    console = console_of(request)
    async with console.channel("roster", session) as ch:
        sites = {s.id: s.name for s in await my_sites(roster_pb2_grpc.RosterServiceStub(ch), session.principal)}
    # Names of the people of a site, fetched once per site the stream meets.
    people: dict[str, dict[str, str]] = {}
    template = console.templates.get_template("board_row.html")
    t = i18n.translator(lang_of(request))

    async def names(site_id: str) -> dict[str, str]:
        if site_id not in people:
            async with console.channel("roster", session) as ch:
                reply = await roster_pb2_grpc.RosterServiceStub(ch).ListPeople(
                    roster_pb2.ListPeopleRequest(site_id=site_id), timeout=10
                )
            people[site_id] = {p.id: p.display_name for p in reply.people}
        return people[site_id]

    async def send(response: web.StreamResponse, batch: list[incident_pb2.IncidentChange]) -> None:
        latest: dict[str, incident_pb2.IncidentChange] = {}
        for change in batch:
            # Re-inserted, so the events go out in cursor order and the last id is the newest.
            latest.pop(change.incident.id, None)
            latest[change.incident.id] = change
        out: list[bytes] = []
        for change in latest.values():
            incident = change.incident
            if filters.admits(incident):
                row = make_row(incident, sites.get(incident.site_id, incident.site_id), await names(incident.site_id))
                html = template.render(t=t, row=row, **TABLE_HELPERS)
                out.append(sse("row", html.strip(), event_id=change.cursor))
            else:
                out.append(sse("gone", incident.id, event_id=change.cursor))
        await response.write(b"".join(out))

    return await _watch(request, filters.site, send)
