"""What `dutyline events tail` subscribes to and prints: the subject of a site's events (protobuf
``dutyline.<site>.<aggregate>.<event>``, their JSON rendition on ``dutyline_json.…``, the CAP 1.2 XML
of incident events on ``dutyline_cap.…``), and one readable line per protobuf event. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from enum import StrEnum
from typing import Any

from google.protobuf.message import DecodeError, Message

from dutyline.cli.common.i18n import t
from dutyline.envelope import SITE_ID_PATTERN, SUBJECT_PREFIX
from dutyline.events.v1 import event_pb2

# The renditions' subjects, as services/notify/agencies/access.py publishes them (not imported from there:
# that module brings NATS and nkeys into every command of the CLI).
JSON_PREFIX = "dutyline_json"
CAP_PREFIX = "dutyline_cap"
CAP_AGGREGATE = "incident"
_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")


class Rendition(StrEnum):
    protobuf = "protobuf"
    json = "json"
    cap = "cap"


PREFIXES = {Rendition.protobuf: SUBJECT_PREFIX, Rendition.json: JSON_PREFIX, Rendition.cap: CAP_PREFIX}


class SubjectError(ValueError):
    """A site or event type that names no subject; the message says why, in the chosen language."""


def _tail(event_type: str | None) -> tuple[str | None, str]:
    """(the aggregate or None for every one, the subject after the site) of ``incident.registered``,
    ``incident.*`` or ``*``."""
    if event_type in (None, "*", ">"):
        return None, ">"
    parts = event_type.split(".")
    if len(parts) == 2 and _TOKEN.match(parts[0]) and (parts[1] in ("*", ">") or _TOKEN.match(parts[1])):
        return parts[0], f"{parts[0]}.>" if parts[1] in ("*", ">") else event_type
    raise SubjectError(t("events.bad_type", type=event_type))


def subject(rendition: Rendition, site: str | None = None, event_type: str | None = None) -> str:
    """The subject to subscribe to: every site when ``site`` is None, every type when ``event_type`` is."""
    if site is not None and not SITE_ID_PATTERN.match(site):
        raise SubjectError(t("error.not_a_site", site=site))
    aggregate, tail = _tail(event_type)
    if rendition is Rendition.cap:
        if aggregate not in (None, CAP_AGGREGATE):
            raise SubjectError(t("events.cap_incidents_only", type=event_type))
        if aggregate is None:
            tail = f"{CAP_AGGREGATE}.>"
    return f"{PREFIXES[rendition]}.{site or '*'}.{tail}"


# -- one line per event -----------------------------------------------------------------------------


def _call_registered(p: event_pb2.CallRegistered) -> str:
    late = " " + t("events.answered_late") if p.answered_late else ""
    return f"{p.category}/{p.channel} {p.call_id}: {p.summary}{late}"


def _incident_registered(p: event_pb2.IncidentRegistered) -> str:
    return " · ".join(part for part in (p.title, p.place.text) if part)


def _incident_changed(p: event_pb2.IncidentChanged) -> str:
    return p.detail or p.incident.title


def _notification_changed(p: event_pb2.NotificationChanged) -> str:
    n = p.notification
    who = f"{n.person_name} ({n.person_id})" if n.person_name else n.person_id
    return " ".join(part for part in (who, n.status, n.channel, p.detail) if part)


def _escalation_changed(p: event_pb2.EscalationChanged) -> str:
    people = ", ".join(p.person_ids)
    return " ".join(part for part in (p.escalation.status, p.detail, f"→ {people}" if people else "") if part)


def _roster_published(p: event_pb2.RosterPublished) -> str:
    return t("events.roster_published", count=p.assignments, gaps=len(p.gaps))


def _assignment_changed(p: event_pb2.AssignmentChanged) -> str:
    return f"{p.cause} {p.cause_id}: {p.previous_person_id} → {p.assignment.person_id}"


def _delivery_failed(p: event_pb2.AgencyDeliveryFailed) -> str:
    d = p.delivery
    return f"{d.agency_id} {d.event_type} {d.event_id}: {d.last_error}"


_DETAILS: dict[type[Message], Callable[[Any], str]] = {
    event_pb2.CallRegistered: _call_registered,
    event_pb2.CallEscalated: lambda p: f"→ {p.incident_id}",
    event_pb2.IncidentRegistered: _incident_registered,
    event_pb2.IncidentChanged: _incident_changed,
    event_pb2.CallChanged: lambda p: p.detail,
    event_pb2.NotificationChanged: _notification_changed,
    event_pb2.EscalationChanged: _escalation_changed,
    event_pb2.RosterPublished: _roster_published,
    event_pb2.AssignmentChanged: _assignment_changed,
    event_pb2.AbsenceRecorded: lambda p: p.person_id,
    event_pb2.AgencyDeliveryFailed: _delivery_failed,
}


def detail(event: event_pb2.Event) -> str:
    """A short account of the payload; its type name for a payload this CLI does not know."""
    if not event.HasField("payload"):
        return ""
    name = event.payload.TypeName()
    for kind, describe in _DETAILS.items():
        if kind.DESCRIPTOR.full_name == name:
            payload = kind()
            if event.payload.Unpack(payload):
                return describe(payload)
    return f"({name})"


def decode(data: bytes) -> event_pb2.Event | None:
    """The event in a message; None when it is not one."""
    event = event_pb2.Event()
    try:
        event.ParseFromString(data)
    except DecodeError:
        return None
    return event if event.id and event.type else None


def event_line(event: event_pb2.Event) -> str:
    """time (UTC), site, type, aggregate id, the drill mark, and a short detail — on one line."""
    at = (
        event.occurred_at.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if event.HasField("occurred_at") else ""
    )
    mark = t("incident.drill") if event.drill else ""
    text = " ".join(detail(event).split())
    return "  ".join(part for part in (at, event.site_id, event.type, event.aggregate_id, mark, text) if part)


def message_text(rendition: Rendition, subject: str, data: bytes) -> tuple[str, bool]:
    """What to print for a message that arrived, and whether it is a dutyline event."""
    if rendition is Rendition.protobuf:
        event = decode(data)
        if event is None:
            return t("events.not_an_event", subject=subject, size=len(data)), False
        return event_line(event), True
    return data.decode("utf-8", errors="replace").rstrip("\n"), True
