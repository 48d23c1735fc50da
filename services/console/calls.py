"""Register a call (登记来电): the site's greeting to read, a ring/answer timer (or the switch's record
of the call on a duty line), the category with the fields it requires, the caller, the place with
coordinates, and after saving the call as intake answers it (caller masked), its answer delay, the
incident an emergency opened or joined and intake's "probably the same event" suggestions, each
linked with one click. Every call to intake is made with the signed-in person's own token."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc, telephony_pb2, telephony_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console import i18n
from services.console.board import my_sites
from services.console.clock import local_time
from services.console.web import console_of, lang_of, render, require_signed_in

# An emergency waits for intake to open or join its incident.
REGISTER_TIMEOUT = 30.0
# The categories in the order offered, the most pressing first; each has a digit typed to pick it.
CATEGORIES = ("emergency", "consultation", "complaint", "message", "notice", "other")
CHANNELS = ("phone", "sms", "fax", "web", "radio", "walk_in", "superior_notice")
# What a call's record must hold by category: intake's rule (services/intake/rules.py REQUIRED_FIELDS,
# which the console may not import; a test keeps the two equal). Registration does not refuse a
# missing one: the call's record lists it until completed, so the form marks them, nothing more.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "emergency": ("caller.phone", "place", "handling"),
    "consultation": ("caller.name", "caller.phone", "request", "handling"),
    "complaint": ("caller.name", "caller.phone", "request", "handling"),
    "message": ("caller.name", "caller.phone"),
    "notice": ("handling",),
    "other": ("handling",),
}
# The words for a required field still missing from a saved call's record (others show as named).
MISSING_LABELS = {
    "caller.phone": "call.caller.phone",
    "caller.name": "call.caller.name",
    "place": "call.place",
    "request": "call.request",
    "handling": "call.actions",
}
# Where a violation of the request is shown when it names no form field of its own.
VIOLATION_AT = {
    "place": "place.latitude",
    "place.coordinates": "place.latitude",
    "ring_started_at": "timer",
    "answered_at": "timer",
    "ended_at": "timer",
}
FORM_FIELDS = (
    "line_call_id",
    "channel",
    "category",
    "caller.phone",
    "caller.name",
    "caller.unit",
    "caller.address",
    "place.text",
    "place.latitude",
    "place.longitude",
    "summary",
    "request",
    "actions_taken",
    "timer",
)
# Refusals shown on the page the person is on, above the form: the request was understood and refused
# for the state of things (a line call another officer registered, an incident closed meanwhile).
REFUSALS_SHOWN = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)


def category_value(name: str) -> str:
    """The API's name of a category the form names (the request takes it as its value)."""
    return "CALL_CATEGORY_" + (name.upper() if name in CATEGORIES else "UNSPECIFIED")


def channel_value(name: str) -> str:
    return "CHANNEL_" + (name.upper() if name in CHANNELS else "UNSPECIFIED")


def category_name(value: int) -> str:
    return intake_pb2.CallCategory.Name(value).removeprefix("CALL_CATEGORY_").lower()


class BadForm(Exception):
    """What the console itself can tell is wrong before asking intake (a number that is not one)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def violations_at_fields(error: grpc.aio.AioRpcError) -> dict[str, list[str]]:
    """INVALID_ARGUMENT's field violations by form field: the form names its fields by the request's
    paths (caller.phone, place.latitude), so the whole path is kept; the rest go to the top ("_")."""
    found: dict[str, list[str]] = {}
    for v in field_violations(error):
        at = VIOLATION_AT.get(v.field, v.field)
        found.setdefault(at if at in FORM_FIELDS else "_", []).append(f"{v.field}: {v.description}")
    return found or {"_": [error.details() or ""]}


def _moment(form: Mapping[str, str], name: str, must_be_number: str) -> datetime | None:
    """A time the page's script recorded, in milliseconds since the epoch; absent when empty."""
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        raise BadForm({"timer": [f"{name}: {must_be_number}"]}) from None


def _coordinate(form: Mapping[str, str], name: str, must_be_number: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise BadForm({name: [must_be_number]}) from None


def register_request(
    form: Mapping[str, str], *, received_at: datetime, must_be_number: str
) -> intake_pb2.RegisterCallRequest:
    """The RegisterCall request the form describes. The ring started when the form was opened, and it
    was answered when the officer pressed "answered" (the page's script; without it, when the form
    arrives); against the switch's record of the call, the switch's times count instead."""
    line_call_id = form.get("line_call_id", "").strip()
    ring = _moment(form, "opened_at", must_be_number)
    answered = _moment(form, "answered_at", must_be_number) or received_at
    return intake_pb2.RegisterCallRequest(
        idempotency_key=form.get("idempotency_key", ""),
        site_id=form.get("site_id", ""),
        channel=channel_value(form.get("channel", "phone")),
        category=category_value(form.get("category", "")),
        ring_started_at=None if line_call_id else ts(ring),
        answered_at=None if line_call_id else ts(answered),
        line_call_id=line_call_id,
        caller=intake_pb2.Caller(
            name=form.get("caller.name", ""),
            unit=form.get("caller.unit", ""),
            phone=form.get("caller.phone", "").strip(),
            address=form.get("caller.address", ""),
        ),
        place=common_pb2.Place(
            text=form.get("place.text", ""),
            latitude=_coordinate(form, "place.latitude", must_be_number),
            longitude=_coordinate(form, "place.longitude", must_be_number),
        ),
        summary=form.get("summary", ""),
        request=form.get("request", ""),
        actions_taken=form.get("actions_taken", ""),
        drill=form.get("drill") == "on",
        caller_declined_number=form.get("caller_declined_number") == "on",
    )


@dataclass(frozen=True)
class Ringing:
    """A call on one of the site's duty lines, ringing or answered, as the switch reported it."""

    id: str
    line_name: str
    caller_number: str
    state: str
    ring_started_at: str


async def _ringing(intake_channel: grpc.aio.Channel, site: roster_pb2.Site) -> list[Ringing]:
    lines = await telephony_pb2_grpc.TelephonyServiceStub(intake_channel).ListLines(
        telephony_pb2.ListLinesRequest(site_id=site.id), timeout=10
    )
    return [
        Ringing(
            id=s.current_call.id,
            line_name=s.line.display_name,
            caller_number=s.current_call.caller_number,
            state=s.current_call.state,
            ring_started_at=local_time(s.current_call.ring_started_at, site.time_zone),
        )
        for s in lines.lines
        if s.state in (telephony_pb2.LINE_STATE_RINGING, telephony_pb2.LINE_STATE_IN_CALL) and s.current_call.id
    ]


async def form_page(
    request: web.Request,
    *,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> web.StreamResponse:
    session = require_signed_in(request)
    assert session.principal is not None
    console = console_of(request)
    fresh = values is None
    values = dict(values or {})
    async with console.channel("roster", session) as rch:
        roster = roster_pb2_grpc.RosterServiceStub(rch)
        sites = await my_sites(roster, session.principal)
        wanted = values.get("site_id") or request.query.get("site", "")
        chosen = next((s for s in sites if s.id == wanted), sites[0] if sites else None)
        site = await roster.GetSite(roster_pb2.GetSiteRequest(site_id=chosen.id), timeout=10) if chosen else None
    ringing: list[Ringing] = []
    if site is not None:
        async with console.channel("intake", session) as ich:
            ringing = await _ringing(ich, site)
    # A new form: a new key (a retry of this form sends the same one) and the time it opened.
    values.setdefault("idempotency_key", str(uuid.uuid4()))
    values.setdefault("opened_at", str(int(time.time() * 1000)))
    values.setdefault("answered_at", "")
    values.setdefault("channel", "phone")
    return render(
        request,
        "call_new.html",
        status=status,
        context={
            "sites": sites,
            "site": site,
            "ringing": ringing,
            "categories": CATEGORIES,
            "channels": CHANNELS,
            "required": REQUIRED_FIELDS,
            "values": values,
            "errors": errors or {},
            "fresh": fresh,
        },
    )


async def new_call(request: web.Request) -> web.StreamResponse:
    return await form_page(request)


async def register(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    # Text fields only: the form uploads no files.
    form = {k: str(v) for k, v in (await request.post()).items()}
    t = i18n.translator(lang_of(request))
    try:
        message = register_request(form, received_at=datetime.now(UTC), must_be_number=t("call.not_a_number"))
    except BadForm as bad:
        return await form_page(request, status=400, values=form, errors=bad.errors)
    if message.HasField("answered_at"):
        # Shown again on a refusal, so that the corrected form sends the same answer time.
        form["answered_at"] = str(message.answered_at.ToMilliseconds())
    try:
        async with console_of(request).channel("intake", session) as ch:
            reply = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(message, timeout=REGISTER_TIMEOUT)
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in REFUSALS_SHOWN:
            raise
        errors = (
            violations_at_fields(exc)
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT
            else {"_": [exc.details() or ""]}
        )
        return await form_page(request, status=400, values=form, errors=errors)
    # Post/redirect/get: reloading the saved call's page registers nothing again.
    raise web.HTTPSeeOther(f"/calls/{reply.call.id}" + ("?replayed=1" if reply.replayed else ""))


def escalation_of(call: intake_pb2.Call) -> str:
    """How an emergency call reached its incident: "opened", "linked" or "pending" (as the CLI says);
    empty once it moved on (transferred)."""
    return {"linked": "linked", "escalated": "opened", "escalation_pending": "pending"}.get(call.status, "")


async def saved_call(request: web.Request) -> web.StreamResponse:
    return await saved_page(request)


async def saved_page(request: web.Request, *, status: int = 200, error: str = "") -> web.StreamResponse:
    """The call as intake holds it (the caller masked), its answer delay and lateness, and for an
    emergency its incident and the open incidents that may be the same event."""
    session = require_signed_in(request)
    console = console_of(request)
    call_id = request.match_info["call_id"]
    async with console.channel("intake", session) as ch:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        call = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id), timeout=10)
        suggestions: list[intake_pb2.IncidentSuggestion] = []
        if call.category == intake_pb2.CALL_CATEGORY_EMERGENCY:
            found = await intake.SuggestIncidents(intake_pb2.SuggestIncidentsRequest(call_id=call.id), timeout=10)
            suggestions = list(found.suggestions)
    incident: incident_pb2.Incident | None = None
    if call.incident_id:
        try:
            async with console.channel("incident", session) as ch:
                incident = await incident_pb2_grpc.IncidentServiceStub(ch).GetIncident(
                    incident_pb2.GetIncidentRequest(incident_id=call.incident_id), timeout=10
                )
        except grpc.aio.AioRpcError as exc:
            # Reserved and not opened yet (intake opens it as soon as the incident service answers).
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
    async with console.channel("roster", session) as ch:
        site = await roster_pb2_grpc.RosterServiceStub(ch).GetSite(
            roster_pb2.GetSiteRequest(site_id=call.site_id), timeout=10
        )
    return render(
        request,
        "call_saved.html",
        status=status,
        context={
            "error": error,
            "call": call,
            "site": site,
            "category": category_name(call.category),
            "channel": intake_pb2.Channel.Name(call.channel).removeprefix("CHANNEL_").lower(),
            "escalation": escalation_of(call),
            "incident": incident,
            "suggestions": suggestions,
            "replayed": request.query.get("replayed") == "1",
            "registered": local_time(call.registered_at, site.time_zone),
            "link_key": str(uuid.uuid4()),
            "missing_labels": MISSING_LABELS,
        },
    )


async def link(request: web.Request) -> web.StreamResponse:
    """One click on a suggestion: the call joins that incident (intake LinkCall)."""
    session = require_signed_in(request)
    form = await request.post()
    call_id = request.match_info["call_id"]
    try:
        async with console_of(request).channel("intake", session) as ch:
            await intake_pb2_grpc.IntakeServiceStub(ch).LinkCall(
                intake_pb2.LinkCallRequest(
                    idempotency_key=str(form.get("idempotency_key", "")) or str(uuid.uuid4()),
                    call_id=call_id,
                    incident_id=str(form.get("incident_id", "")),
                    reason=str(form.get("reason", "")),
                ),
                timeout=REGISTER_TIMEOUT,
            )
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in REFUSALS_SHOWN:
            raise
        return await saved_page(request, status=400, error=f"{exc.code().name}: {exc.details() or ''}")
    raise web.HTTPSeeOther(f"/calls/{call_id}")
