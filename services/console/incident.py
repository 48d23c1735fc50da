"""The incident screen: one incident's summary, its calls (callers masked as intake returns them), its
pending deadlines counting down, its timeline and its escalation with who acknowledged, and the steps
its stage allows as forms. Every read and every step is made with the signed-in person's own token:
the services decide; the forms shown only spare a person buttons the services would refuse."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import grpc
from aiohttp import web
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import from_ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console.board import TABLE_HELPERS, next_deadline, short
from services.console.clock import local_time
from services.console.sessions import Session
from services.console.web import Console, console_of, render, require_signed_in, violations_by_field

T = TypeVar("T")
TIMELINE_PAGE = 50
CALLS_PAGE = 100
# The steps each stage allows, as the incident service's process rules have them (services/incident
# rules.py; the console may not import a service): the service refuses any other with
# FAILED_PRECONDITION, the page just does not offer it.
BEFORE_VERIFICATION = ("verify", "report", "progress", "merge")
AFTER_VERIFICATION = ("reclassify", "report", "progress", "feedback", "close", "merge")
ACTIONS_BY_STAGE: dict[str, tuple[str, ...]] = {
    "register": BEFORE_VERIFICATION,
    "verify": BEFORE_VERIFICATION,
    "escalate": AFTER_VERIFICATION,
    "track": AFTER_VERIFICATION,
    "feedback": AFTER_VERIFICATION,
    "closed": (),
}
# Who may take the steps (services/incident/policy.py): staff act, agencies only read; merging is
# the duty leader's (or an admin's) decision; closing despite missing reports is an admin's.
STAFF = ("officer", "leader", "unit_head", "admin", "supervisor")
MERGERS = ("leader", "admin")
CASUALTY_COUNTS = ("deaths", "serious_injuries", "injuries", "missing", "loss_yuan")
ACCIDENT_ITEMS = ("unit", "time_place_scene", "what_happened", "measures", "other")
# Each form's fields: a violation of another field (e.g. an accident report's items) shows at the top.
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "verify": ("confirmed", "category", "sub_type", "severity", "reason"),
    "reclassify": ("severity", "category", "sub_type", "reason"),
    "report": (
        "kind",
        "recipient",
        "content",
        "casualties",
        *(f"casualties.{f}" for f in CASUALTY_COUNTS),
        *(f"accident.{f}" for f in ACCIDENT_ITEMS),
    ),
    "progress": ("text",),
    "feedback": ("method", "message", "call_id"),
    "close": ("summary", "override_reason"),
    "merge": ("primary_id", "reason"),
}
CATEGORIES = [v.name for v in incident_pb2.IncidentCategory.DESCRIPTOR.values if v.number != 0]
RATED = [v.name for v in common_pb2.Severity.DESCRIPTOR.values if v.number > common_pb2.SEVERITY_UNRATED]
REPORT_KINDS = [v.name for v in incident_pb2.ReportKind.DESCRIPTOR.values if v.number != 0]


@dataclass
class View:
    """What the page shows; parts the person may not read (an agency: calls, notifications) are None."""

    incident: incident_pb2.Incident
    site: roster_pb2.Site
    names: dict[str, str]
    calls: list[intake_pb2.Call] | None
    timeline: incident_pb2.GetTimelineResponse
    escalations: list[notify_pb2.Escalation] | None
    notifications: list[notify_pb2.Notification] | None
    actions: tuple[str, ...] = ()
    admin: bool = False

    @property
    def stage(self) -> str:
        return short(incident_pb2.Stage.Name(self.incident.stage), "STAGE_")

    @property
    def severity(self) -> str:
        return short(common_pb2.Severity.Name(self.incident.severity), "SEVERITY_")

    @property
    def category(self) -> str:
        return short(incident_pb2.IncidentCategory.Name(self.incident.category), "INCIDENT_CATEGORY_")

    @property
    def deadlines(self) -> list[incident_pb2.Deadline]:
        """Unmet deadlines, the nearest first; those without a time (the final report) last."""
        pending = [d for d in self.incident.pending_deadlines if not d.met]
        return sorted(pending, key=lambda d: (not d.HasField("due_at"), d.due_at.ToDatetime()))

    def name(self, person_id: str) -> str:
        return self.names.get(person_id, person_id)


@dataclass
class Failure:
    """A refused step, to show on its form: field violations at their fields, a refusal at the top."""

    form: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""


async def _optional(read: Callable[[], Awaitable[T]]) -> T | None:
    """A part the person may not read (PERMISSION_DENIED) is left out rather than failing the page."""
    try:
        return await read()
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.PERMISSION_DENIED:
            raise
        return None


async def read_view(console: Console, session: Session, incident_id: str, timeline_token: str = "") -> View:
    async with (
        console.channel("incident", session) as ich,
        console.channel("roster", session) as rch,
        console.channel("intake", session) as kch,
        console.channel("notify", session) as nch,
    ):
        incidents = incident_pb2_grpc.IncidentServiceStub(ich)
        roster = roster_pb2_grpc.RosterServiceStub(rch)
        intake = intake_pb2_grpc.IntakeServiceStub(kch)
        notify = notify_pb2_grpc.NotifyServiceStub(nch)
        incident = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id), timeout=10)
        site = await roster.GetSite(roster_pb2.GetSiteRequest(site_id=incident.site_id), timeout=10)
        timeline = await incidents.GetTimeline(
            incident_pb2.GetTimelineRequest(
                incident_id=incident.id,
                page=common_pb2.PageRequest(page_size=TIMELINE_PAGE, page_token=timeline_token),
            ),
            timeout=10,
        )

        async def people() -> dict[str, str]:
            found = await roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=incident.site_id), timeout=10)
            return {p.id: p.display_name for p in found.people}

        async def calls() -> list[intake_pb2.Call]:
            request = intake_pb2.ListCallsRequest(
                site_id=incident.site_id, incident_id=incident.id, page=common_pb2.PageRequest(page_size=CALLS_PAGE)
            )
            return list((await intake.ListCalls(request, timeout=10)).calls)

        async def notifications() -> list[notify_pb2.Notification]:
            request = notify_pb2.ListNotificationsRequest(site_id=incident.site_id, ref_id=incident.id)
            return list((await notify.ListNotifications(request, timeout=10)).notifications)

        names = await _optional(people) or {}
        sent = await _optional(notifications)
        escalations = None
        if sent is not None:
            ids = list(dict.fromkeys(n.escalation_id for n in sent if n.escalation_id))
            escalations = [
                await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=e), timeout=10) for e in ids
            ]
            names.update({n.person_id: n.person_name for n in sent if n.person_name and n.person_id not in names})
        view = View(
            incident=incident,
            site=site,
            names=names,
            calls=await _optional(calls),
            timeline=timeline,
            escalations=escalations,
            notifications=sent,
        )
    principal = session.principal
    assert principal is not None
    if principal.has_role(*STAFF):
        view.actions = tuple(
            a for a in ACTIONS_BY_STAGE.get(view.stage, ()) if a != "merge" or principal.has_role(*MERGERS)
        )
    view.admin = principal.has_role("admin")
    return view


def _helpers() -> dict[str, Any]:
    return {
        **TABLE_HELPERS,
        "local": local_time,
        "short": short,
        "categories": [short(c, "INCIDENT_CATEGORY_") for c in CATEGORIES],
        "rated": [short(s, "SEVERITY_") for s in RATED],
        "report_kinds": [short(k, "REPORT_KIND_") for k in REPORT_KINDS],
        "casualty_counts": CASUALTY_COUNTS,
        "accident_items": ACCIDENT_ITEMS,
        "seconds_to": _seconds_to,
        "next_deadline": next_deadline,
        "channel_name": intake_pb2.Channel.Name,
        "call_category_name": intake_pb2.CallCategory.Name,
    }


def _seconds_to(deadline: incident_pb2.Deadline) -> int:
    return int((from_ts(deadline.due_at) - datetime.now(UTC)).total_seconds())


async def page(
    request: web.Request, *, status: int = 200, failure: Failure | None = None, values: Any = None
) -> web.StreamResponse:
    session = require_signed_in(request)
    incident_id = request.match_info["incident_id"]
    timeline_token = request.query.get("timeline", "")
    view = await read_view(console_of(request), session, incident_id, timeline_token)
    failed = failure or Failure(form="")
    return render(
        request,
        "incident.html",
        status=status,
        context={
            "v": view,
            "timeline_token": timeline_token,
            "failed_form": failed.form,
            "errors": failed.errors,
            "refusal": failed.message,
            "unplaced": [e for f, es in failed.errors.items() if f not in FORM_FIELDS.get(failed.form, ()) for e in es],
            "values": values or {},
            # A fresh key per rendered form: a double submission is one step; a new attempt a new one.
            "new_key": lambda: str(uuid.uuid4()),
            **_helpers(),
        },
    )


async def incident(request: web.Request) -> web.StreamResponse:
    return await page(request)


async def live(request: web.Request) -> web.StreamResponse:
    """The parts that change (summary, deadlines, calls, timeline, escalation), fetched again by htmx
    when the incident's event arrives. When the stage moved on, the whole page is reloaded instead:
    the steps on offer changed with it."""
    session = require_signed_in(request)
    timeline_token = request.query.get("timeline", "")
    view = await read_view(console_of(request), session, request.match_info["incident_id"], timeline_token)
    if request.query.get("stage", view.stage) != view.stage:
        return web.Response(text="", headers={"HX-Refresh": "true"})
    context = {"v": view, "timeline_token": timeline_token, **_helpers()}
    return render(request, "incident_live.html", context=context)


def _enum(names: list[str], prefix: str, value: object) -> str | None:
    """A form's choice as the API enum's name; an empty or unknown choice is left unset (the service
    says what is missing, at the field)."""
    name = f"{prefix}{str(value or '').upper()}"
    return name if name in names else None


def _text(form: Any, name: str) -> str:
    return str(form.get(name, ""))


class FormViolations(Exception):
    """Input the console cannot even put in a request (a count that is not a number), by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _casualties(form: Any) -> incident_pb2.Casualties | None:
    """The casualty counts typed (blank ones 0), or None when none was typed; a count that is not a
    whole number is refused at its field before anything is sent."""
    typed = {name: _text(form, f"casualties.{name}").strip() for name in CASUALTY_COUNTS}
    if not any(typed.values()):
        return None
    bad = {f"casualties.{n}": ["请填写整数 a whole number"] for n, v in typed.items() if v and not v.isdigit()}
    if bad:
        raise FormViolations(bad)
    return incident_pb2.Casualties(**{n: int(v or 0) for n, v in typed.items()})


def _placed(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Violations of an accident report's casualties shown at the one set of casualty fields."""
    placed: dict[str, list[str]] = {}
    for name, found in errors.items():
        at = name.removeprefix("accident.") if name.startswith("accident.casualties") else name
        placed.setdefault(at, []).extend(found)
    return placed


def _step_request(action: str, incident_id: str, key: str, form: Any) -> tuple[str, Message]:
    """The RPC and its request for a step of the form ``action``."""
    if action == "verify":
        return "Verify", incident_pb2.VerifyRequest(
            idempotency_key=key,
            incident_id=incident_id,
            confirmed=_text(form, "confirmed") != "no",
            category=_enum(CATEGORIES, "INCIDENT_CATEGORY_", form.get("category")),
            sub_type=_text(form, "sub_type"),
            severity=_enum(RATED, "SEVERITY_", form.get("severity")),
            reason=_text(form, "reason"),
        )
    if action == "reclassify":
        return "Reclassify", incident_pb2.ReclassifyRequest(
            idempotency_key=key,
            incident_id=incident_id,
            severity=_enum(RATED, "SEVERITY_", form.get("severity")),
            category=_enum(CATEGORIES, "INCIDENT_CATEGORY_", form.get("category")),
            sub_type=_text(form, "sub_type"),
            reason=_text(form, "reason"),
        )
    if action == "report":
        report = incident_pb2.SubmitReportRequest(
            idempotency_key=key,
            incident_id=incident_id,
            kind=_enum(REPORT_KINDS, "REPORT_KIND_", form.get("kind")),
            recipient=_text(form, "recipient"),
            content=_text(form, "content"),
        )
        casualties = _casualties(form)
        if casualties is not None:
            report.casualties.CopyFrom(casualties)
        # An accident's written reports carry the six items (事故报告六要素); the service says which
        # report needs them and what is missing, at each item.
        items = {name: _text(form, f"accident.{name}") for name in ACCIDENT_ITEMS}
        if form.get("accident_form") and (casualties is not None or any(v.strip() for v in items.values())):
            report.accident.CopyFrom(incident_pb2.AccidentReportContent(**items, casualties=casualties))
        return "SubmitReport", report
    if action == "progress":
        return "AddProgress", incident_pb2.AddProgressRequest(
            idempotency_key=key, incident_id=incident_id, text=_text(form, "text")
        )
    if action == "feedback":
        return "RecordFeedback", incident_pb2.RecordFeedbackRequest(
            idempotency_key=key,
            incident_id=incident_id,
            method=_text(form, "method"),
            message=_text(form, "message"),
            call_id=_text(form, "call_id"),
        )
    if action == "close":
        return "Close", incident_pb2.CloseRequest(
            idempotency_key=key,
            incident_id=incident_id,
            summary=_text(form, "summary"),
            override_reason=_text(form, "override_reason"),
        )
    if action == "merge":
        return "Merge", incident_pb2.MergeRequest(
            idempotency_key=key,
            duplicate_id=incident_id,
            primary_id=_text(form, "primary_id").strip(),
            reason=_text(form, "reason"),
        )
    raise web.HTTPNotFound()


async def step(request: web.Request) -> web.StreamResponse:
    """POST /incidents/<id>/<action>: the step, as the signed-in person. Field violations return the
    page with them at their fields and what was typed kept; a step the process refuses now
    (FAILED_PRECONDITION, e.g. closing with reports missing) returns it with the refusal above the form;
    PERMISSION_DENIED goes to the middleware (403 naming the code)."""
    session = require_signed_in(request)
    incident_id = request.match_info["incident_id"]
    action = request.match_info["action"]
    form = await request.post()
    key = _text(form, "idempotency_key") or str(uuid.uuid4())
    try:
        method, message = _step_request(action, incident_id, key, form)
        async with console_of(request).channel("incident", session) as ch:
            await getattr(incident_pb2_grpc.IncidentServiceStub(ch), method)(message, timeout=40)
    except FormViolations as exc:
        return await page(request, status=400, failure=Failure(form=action, errors=exc.errors), values=form)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            failure = Failure(form=action, errors=_placed(violations_by_field(exc, whole_path=True)))
            return await page(request, status=400, failure=failure, values=form)
        if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
            failure = Failure(form=action, message=exc.details() or "")
            return await page(request, status=409, failure=failure, values=form)
        raise
    # A merged incident lives on in the one it joined.
    target = message.primary_id if isinstance(message, incident_pb2.MergeRequest) else incident_id
    raise web.HTTPSeeOther(f"/incidents/{target}")
