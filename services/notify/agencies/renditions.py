"""Renditions of dutyline events for subscribing agencies (公安, 消防, 卫健, 上级应急局).

Two pure functions over a ``dutyline.events.v1.Event``, so a relay can render the same event again and
get the same bytes:

``event_json``
    The JSON rendition of any event: the proto3 JSON mapping (``google.protobuf.json_format``) with the
    ``Any`` payload resolved (``"@type"`` plus the payload's fields), field names as in the ``.proto``
    files (``occurred_at``, not ``occurredAt``), enum values by name (``"SEVERITY_II"``), every field
    without presence printed even at its default (``"drill": false``, ``"summary": ""``, ``[]``) so a
    consumer always finds the same keys, fields with presence (``place.latitude``) only when set, keys
    sorted (``"@type"`` first in a payload), int64 values as strings (``"aggregate_version": "3"``, as
    proto3 JSON says), timestamps as RFC 3339 UTC (``"2026-11-27T00:30:00.123Z"``), UTF-8 with non-ASCII
    text as is and no insignificant whitespace. ``json_format.Parse`` turns it back into the same
    ``Event``.

``incident_cap``
    The OASIS CAP 1.2 rendition (``urn:oasis:names:tc:emergency:cap:1.2``) of an incident event, valid
    against ``services/notify/agencies/standards/CAP-v1.2.xsd``:

    * ``msgType``: ``incident.registered`` is the Alert; ``incident.unfounded``, ``incident.closed`` and
      the ``incident.merged`` of the duplicate (the one with ``merged_into``) are Cancels; every other
      ``incident.*`` change (verified, reclassified, escalated, report_submitted, progress,
      deadline_missed, feedback_recorded, plan_activated, response_declared and response_lifted (启动/解除
      响应级别, the level in the description and ``dutyline:response_level``), and the ``incident.merged`` of
      the primary that absorbed a duplicate) is an Update. ``incident.calls_changed``,
      ``incident.merge_suggested``, ``incident.merge_decided`` and ``incident.plan_task_changed`` have no
      CAP message (nothing the alert shows changes); their JSON rendition is published.
    * ``identifier``: the Alert is ``urn:dutyline:incident:<incident id>`` and its ``sent`` is the
      incident's ``registered_at``, so every later message can name it in ``references``
      (``<sender>,urn:dutyline:incident:<id>,<registered_at>``) from the incident alone. Updates and
      Cancels are ``urn:dutyline:event:<event id>``, sent at the event's ``occurred_at``. Ids are
      percent-encoded where CAP forbids a character (spaces, commas, ``<``, ``&``).
    * times: UTC, whole seconds, written ``YYYY-MM-DDThh:mm:ss-00:00`` (CAP forbids ``Z`` and writes
      UTC as ``-00:00``).
    * ``status`` Exercise for drills (演练: ``event.drill`` or ``incident.drill``), else Actual; ``scope``
      Restricted to the subscribed agencies.
    * two ``info`` blocks, zh-CN then en-US, with category, event (the title), urgency, severity,
      certainty, headline, description, instruction, ``dutyline:*`` parameters and an ``area`` (the
      place's text, and a ``circle`` around its coordinates when they are known). Category: natural
      disaster Geo, accident Safety, public health Health, social safety Security, else Other (sub-types
      fire and road_traffic add Fire and Transport). Severity: I Extreme, II Severe, III Moderate,
      IV Minor, unrated Unknown. Certainty: Possible until verified, then Observed; Unlikely when
      unfounded. Urgency: Immediate while open, Past once closed, unfounded or merged away.

    User text (titles, summaries, places) is written as text, escaped by ElementTree; characters XML 1.0
    cannot carry (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped and line ends become
    ``\\n``, so no user input can make the document invalid.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC
from urllib.parse import quote

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2  # importing it registers every payload type for Any
from dutyline.incident.v1 import incident_pb2
from services.notify.settings import DEFAULT_CAP_SENDER

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
DEFAULT_SENDER = DEFAULT_CAP_SENDER
# The circle drawn around a place with coordinates: CAP radii are in kilometres.
AREA_RADIUS_KM = 1.0
HEADLINE_LIMIT = 160  # CAP 1.2 recommends headlines of fewer than 160 characters

ALERT = "Alert"
UPDATE = "Update"
CANCEL = "Cancel"
_CANCELLING = frozenset({"incident.unfounded", "incident.closed", "incident.merged"})
# Incident events that change nothing an agency's alert shows: JSON only, no CAP message. Which calls
# came and proposals to the duty leader; a plan's task list; a leader's instruction (领导批示: the duty
# room's internal command, and one on a site's duty work has no incident whose Alert it could update);
# a report's way up the duty offices (delivered, signed for, returned, unreceived — the report itself is
# incident.report_submitted). 瞒报 signals are not incident events at all (aggregate "oversight"): an
# agency reads them only when subscribed to oversight.* explicitly.
_NOT_IN_CAP = frozenset(
    {
        "incident.calls_changed",
        "incident.merge_suggested",
        "incident.merge_decided",
        "incident.plan_task_changed",
        "incident.instruction_recorded",
        "incident.instruction_completed",
        "incident.instruction_overdue",
        "incident.report_delivered",
        "incident.report_received",
        "incident.report_returned",
        "incident.report_unreceived",
    }
)
_LANGUAGES = ("zh-CN", "en-US")

_CATEGORY_VALUES: dict[str, incident_pb2.IncidentCategory] = {
    "natural_disaster": incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
    "accident": incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
    "public_health": incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH,
    "social_safety": incident_pb2.INCIDENT_CATEGORY_SOCIAL_SAFETY,
}
# dutyline category (突发事件类别) → CAP category.
CAP_CATEGORIES = {
    incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER: "Geo",
    incident_pb2.INCIDENT_CATEGORY_ACCIDENT: "Safety",
    incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH: "Health",
    incident_pb2.INCIDENT_CATEGORY_SOCIAL_SAFETY: "Security",
}
# Sub-types the reporting policies know, with the CAP category they add to the main one.
CAP_SUB_TYPE_CATEGORIES = {"fire": "Fire", "road_traffic": "Transport"}
# dutyline severity (事件等级) → CAP severity.
CAP_SEVERITIES = {
    common_pb2.SEVERITY_I: "Extreme",
    common_pb2.SEVERITY_II: "Severe",
    common_pb2.SEVERITY_III: "Moderate",
    common_pb2.SEVERITY_IV: "Minor",
}

_SEVERITY_NAMES = {
    common_pb2.SEVERITY_UNRATED: "unrated",
    common_pb2.SEVERITY_I: "I",
    common_pb2.SEVERITY_II: "II",
    common_pb2.SEVERITY_III: "III",
    common_pb2.SEVERITY_IV: "IV",
}
_SEVERITY_LABELS = {
    "unrated": ("未定级", "unrated"),
    "I": ("特别重大（I级）", "I (particularly serious)"),
    "II": ("重大（II级）", "II (serious)"),
    "III": ("较大（III级）", "III (major)"),
    "IV": ("一般（IV级）", "IV (general)"),
}
_CATEGORY_LABELS = {
    incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER: ("自然灾害", "natural disaster"),
    incident_pb2.INCIDENT_CATEGORY_ACCIDENT: ("事故灾难", "accident"),
    incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH: ("公共卫生事件", "public health"),
    incident_pb2.INCIDENT_CATEGORY_SOCIAL_SAFETY: ("社会安全事件", "social safety"),
}
# What the message says happened, by event type (zh-CN, en-US).
_CHANGE_LABELS = {
    "incident.registered": ("新突发事件", "New incident"),
    "incident.verified": ("核实属实", "Verified"),
    "incident.reclassified": ("等级调整", "Reclassified"),
    "incident.escalated": ("已报告带班领导", "Duty leader notified"),
    "incident.report_submitted": ("报告已报送", "Report submitted"),
    "incident.report_corrected": ("报告已更正", "Report corrected"),
    "incident.progress": ("事件进展", "Progress"),
    "incident.deadline_missed": ("报告超时（迟报）", "Report overdue"),
    "incident.feedback_recorded": ("已反馈来电人", "Caller informed"),
    "incident.unfounded": ("核实不实", "Unfounded"),
    "incident.closed": ("事件结案", "Closed"),
    "incident.merged": ("合并重复事件", "Duplicate merged in"),
    "incident.plan_activated": ("启动应急预案", "Emergency plan activated"),
    "incident.response_declared": ("启动应急响应", "Response level declared"),
    "incident.response_lifted": ("解除应急响应", "Response level lifted"),
}
_MERGED_AWAY_LABEL = ("并入其他事件", "Merged into another incident")
_UPDATED_LABEL = ("事件更新", "Updated")
_DRILL_MARK = ("【演练】", "[EXERCISE] ")
_RESTRICTION = "仅限订阅机构内部使用，不得向公众发布。For subscribed agencies only; not for public release."
_DRILL_NOTE = "演练 EXERCISE：非真实事件，请勿按真实事件处置。Not a real event; do not act on it as one."

# Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_ENDS = re.compile("\r\n?")


def event_json(event: event_pb2.Event) -> bytes:
    """The JSON rendition of ``event`` (see the module docstring for its exact shape).

    Raises ``TypeError`` when the payload's type is not one dutyline's generated code registers."""
    as_dict = json_format.MessageToDict(
        event, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return json.dumps(as_dict, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def cap_message_type(event_type: str, *, incident: incident_pb2.Incident | None = None) -> str | None:
    """The CAP ``msgType`` of an event type, or None when it is not an incident event.

    ``incident.merged`` is published for both sides of a merge: the duplicate (closed, with
    ``merged_into``), which is cancelled, and the primary that absorbed it, which lives on. From the type
    alone it is a Cancel; given the incident of the event, the primary's is an Update."""
    if not event_type.startswith("incident.") or event_type in _NOT_IN_CAP:
        return None
    if event_type == "incident.registered":
        return ALERT
    if event_type == "incident.merged" and incident is not None and not _merged_away(incident):
        return UPDATE
    return CANCEL if event_type in _CANCELLING else UPDATE


def alert_identifier(incident_id: str) -> str:
    """The identifier of an incident's CAP Alert, derived from the incident alone."""
    if not incident_id:
        raise ValueError("an incident event without an incident id cannot be rendered as CAP")
    return f"urn:dutyline:incident:{_token(incident_id)}"


def message_identifier(event_id: str) -> str:
    """The identifier of the CAP Update or Cancel rendering the event ``event_id``."""
    if not event_id:
        raise ValueError("an event without an id cannot be rendered as CAP")
    return f"urn:dutyline:event:{_token(event_id)}"


def cap_time(value: Timestamp) -> str:
    """A protobuf timestamp in CAP's format: UTC, whole seconds, ``-00:00`` (``Z`` is not allowed)."""
    at = value.ToDatetime(tzinfo=UTC)
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}-00:00"


def incident_cap(event: event_pb2.Event, *, sender: str = DEFAULT_SENDER) -> bytes | None:
    """The CAP 1.2 alert (UTF-8 XML with its declaration) rendering an incident event; None for any other
    event. ``sender`` names dutyline to the agencies (no spaces, commas, ``<`` or ``&``); keep it the
    same for all messages, since ``references`` name the Alert by it.

    Raises ``ValueError`` for an ``incident.*`` event whose payload is neither ``IncidentRegistered`` nor
    ``IncidentChanged``, or that lacks its ids."""
    if not event.type.startswith("incident.") or event.type in _NOT_IN_CAP:
        return None
    if not sender or any(c.isspace() or c in ",<&" for c in sender) or _NOT_XML.search(sender):
        raise ValueError(f"CAP sender {sender!r} must be non-empty, without whitespace, commas, '<' or '&'")
    incident, detail = _incident_of(event)
    msg_type = cap_message_type(event.type, incident=incident)
    assert msg_type is not None
    drill = event.drill or incident.drill
    alert_id = alert_identifier(incident.id)
    alert_sent = cap_time(incident.registered_at)

    root = ET.Element(_q("alert"))
    if msg_type == ALERT:
        _add(root, "identifier", alert_id)
        _add(root, "sender", sender)
        _add(root, "sent", alert_sent)
    else:
        _add(root, "identifier", message_identifier(event.id))
        _add(root, "sender", sender)
        _add(root, "sent", cap_time(event.occurred_at))
    _add(root, "status", "Exercise" if drill else "Actual")
    _add(root, "msgType", msg_type)
    if event.site_id or incident.site_id:
        _add(root, "source", f"dutyline site {event.site_id or incident.site_id}")
    _add(root, "scope", "Restricted")
    _add(root, "restriction", _RESTRICTION)
    if drill:
        _add(root, "note", _DRILL_NOTE)
    if msg_type != ALERT:
        _add(root, "references", f"{sender},{alert_id},{alert_sent}")
    incidents = [incident.id] + ([incident.merged_into] if incident.merged_into else [])
    _add(root, "incidents", " ".join(_token(i) for i in incidents))
    for index, language in enumerate(_LANGUAGES):
        _add_info(root, index, language, event=event, incident=incident, detail=detail, msg_type=msg_type)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NAMESPACE)
    return body


def _incident_of(event: event_pb2.Event) -> tuple[incident_pb2.Incident, str]:
    """The incident an incident event is about, and what changed (IncidentChanged.detail)."""
    changed = event_pb2.IncidentChanged()
    registered = event_pb2.IncidentRegistered()
    if event.payload.Unpack(changed):
        incident = changed.incident
        detail = changed.detail
    elif event.payload.Unpack(registered):
        incident = incident_pb2.Incident(
            id=registered.incident_id,
            site_id=event.site_id,
            title=registered.title,
            category=_category_value(registered.category),
            severity=registered.severity,
            stage=incident_pb2.STAGE_REGISTER,
            place=registered.place,
            call_ids=registered.call_ids,
            first_responder_id=registered.first_responder_id,
            registered_at=registered.registered_at if registered.HasField("registered_at") else event.occurred_at,
            drill=event.drill,
            workflow_id=registered.workflow_id,
        )
        detail = ""
    else:
        raise ValueError(f"{event.type} event {event.id} carries {event.payload.type_url or 'no payload'}")
    if not incident.id:
        incident.id = event.aggregate_id
    return incident, detail


def _category_value(name: str) -> incident_pb2.IncidentCategory:
    """IncidentRegistered names its category ("natural_disaster"); the enum value, or unspecified."""
    return _CATEGORY_VALUES.get(name.strip().lower(), incident_pb2.INCIDENT_CATEGORY_UNSPECIFIED)


def _merged_away(incident: incident_pb2.Incident) -> bool:
    return bool(incident.merged_into)


def _add_info(
    root: ET.Element,
    index: int,
    language: str,
    *,
    event: event_pb2.Event,
    incident: incident_pb2.Incident,
    detail: str,
    msg_type: str,
) -> None:
    """One ``info`` block, its elements in the order the schema requires."""
    drill = event.drill or incident.drill
    ended = msg_type == CANCEL or incident.stage == incident_pb2.STAGE_CLOSED
    info = _add(root, "info")
    _add(info, "language", language)
    for category in _cap_categories(incident):
        _add(info, "category", category)
    title = _clean(incident.title).strip() or ("突发事件", "Incident")[index]
    _add(info, "event", title)
    if msg_type == CANCEL and _merged_away(incident):
        pass  # the event goes on under the primary incident: no response of its own
    else:
        _add(info, "responseType", "AllClear" if ended else "Monitor")
    _add(info, "urgency", "Past" if ended else "Immediate")
    _add(info, "severity", CAP_SEVERITIES.get(incident.severity, "Unknown"))
    _add(info, "certainty", _certainty(event.type, incident))
    sender_name = ("dutyline 应急值班值守平台", "dutyline emergency duty platform")[index]
    if incident.site_id:
        sender_name += f"（{incident.site_id}）" if index == 0 else f" ({incident.site_id})"
    _add(info, "senderName", sender_name)
    _add(info, "headline", _headline(index, event.type, incident, title, drill))
    _add(info, "description", _description(index, incident, detail, drill))
    _add(info, "instruction", _instruction(index, incident, msg_type, drill))
    for name, value in _parameters(event, incident):
        parameter = _add(info, "parameter")
        _add(parameter, "valueName", name)
        _add(parameter, "value", value)
    area = _add(info, "area")
    _add(area, "areaDesc", _clean(incident.place.text).strip() or ("地点不详", "Place unknown")[index])
    circle = _circle(incident.place)
    if circle is not None:
        _add(area, "circle", circle)


def _cap_categories(incident: incident_pb2.Incident) -> list[str]:
    categories = [CAP_CATEGORIES.get(incident.category, "Other")]
    extra = CAP_SUB_TYPE_CATEGORIES.get(incident.sub_type.strip().lower())
    if extra is not None and extra not in categories:
        categories.append(extra)
    return categories


def _certainty(event_type: str, incident: incident_pb2.Incident) -> str:
    """Registered and not yet verified: Possible; verified (核实属实): Observed; unfounded: Unlikely."""
    if event_type == "incident.unfounded":
        return "Unlikely"
    if incident.HasField("verified_at"):
        return "Observed"
    return "Possible"


def _headline(index: int, event_type: str, incident: incident_pb2.Incident, title: str, drill: bool) -> str:
    if event_type == "incident.merged" and _merged_away(incident):
        label = _MERGED_AWAY_LABEL[index]
    else:
        label = _CHANGE_LABELS.get(event_type, _UPDATED_LABEL)[index]
    text = (_DRILL_MARK[index] if drill else "") + label + ("：" if index == 0 else ": ") + title
    return text if len(text) <= HEADLINE_LIMIT else text[: HEADLINE_LIMIT - 1] + "…"


def _description(index: int, incident: incident_pb2.Incident, detail: str, drill: bool) -> str:
    zh = index == 0
    lines: list[str] = []
    if drill:
        lines.append("本信息为演练，不是真实事件。" if zh else "This is an exercise, not a real event.")
    if detail.strip():
        lines.append(("变化：" if zh else "Change: ") + _clean(detail).strip())
    if incident.summary.strip():
        lines.append(("概况：" if zh else "Summary: ") + _clean(incident.summary).strip())
    if incident.place.text.strip():
        lines.append(("地点：" if zh else "Place: ") + _clean(incident.place.text).strip())
    category = _CATEGORY_LABELS.get(incident.category, ("未分类", "not classified"))[index]
    if incident.sub_type.strip():
        category += f" / {_clean(incident.sub_type).strip()}"
    severity = _SEVERITY_LABELS[_SEVERITY_NAMES.get(incident.severity, "unrated")][index]
    lines.append(f"类别：{category}；等级：{severity}" if zh else f"Category: {category}; severity: {severity}")
    lines.extend(_casualties(index, incident.casualties))
    if level := _response_level(incident):
        lines.append(f"应急响应：{level}级" if zh else f"Response level: {level}")
    if incident.summary_at_close.strip():
        lines.append(("结案情况：" if zh else "At close: ") + _clean(incident.summary_at_close).strip())
    if incident.merged_into:
        merged = _clean(incident.merged_into)
        lines.append(f"已并入事件 {merged}" if zh else f"Merged into incident {merged}")
    return "\n".join(lines)


def _casualties(index: int, c: incident_pb2.Casualties) -> list[str]:
    if not (c.deaths or c.serious_injuries or c.injuries or c.missing or c.loss_yuan):
        return []
    if index == 0:
        text = f"伤亡：死亡 {c.deaths} 人，重伤 {c.serious_injuries} 人，受伤 {c.injuries} 人，失踪 {c.missing} 人"
        return [text + (f"；直接经济损失约 {c.loss_yuan} 元" if c.loss_yuan else "")]
    text = (
        f"Casualties: {c.deaths} dead, {c.serious_injuries} seriously injured, {c.injuries} injured, "
        f"{c.missing} missing"
    )
    return [text + (f"; estimated direct loss {c.loss_yuan} yuan" if c.loss_yuan else "")]


def _instruction(index: int, incident: incident_pb2.Incident, msg_type: str, drill: bool) -> str:
    zh = index == 0
    prefix = (
        (
            "演练：请按演练方案处置，勿当作真实事件。"
            if zh
            else "Exercise: act per the exercise plan, not as in a real event. "
        )
        if drill
        else ""
    )
    if msg_type == CANCEL and _merged_away(incident):
        merged = _clean(incident.merged_into)
        text = (
            f"本事件已并入事件 {merged}，请关注该事件的后续信息。"
            if zh
            else f"Follow incident {merged}, which this one was merged into."
        )
    elif msg_type == CANCEL:
        text = "本事件已结束，无需再据此行动。" if zh else "This incident has ended; no further action on it is needed."
    else:
        text = (
            "请在职责范围内做好联动处置准备，并关注本事件的后续信息。"
            if zh
            else "Stand by to act within your remit and follow the updates on this incident."
        )
    return prefix + text


def _parameters(event: event_pb2.Event, incident: incident_pb2.Incident) -> list[tuple[str, str]]:
    stage = incident_pb2.Stage.Name(incident.stage).removeprefix("STAGE_").lower() if incident.stage else ""
    values = [
        ("dutyline:incident_id", incident.id),
        ("dutyline:site_id", incident.site_id or event.site_id),
        ("dutyline:event_id", event.id),
        ("dutyline:event_type", event.type),
        ("dutyline:stage", stage),
        ("dutyline:severity", _SEVERITY_NAMES.get(incident.severity, "unrated")),
        ("dutyline:category", _category_name(incident.category)),
        ("dutyline:sub_type", incident.sub_type),
        ("dutyline:merged_into", incident.merged_into),
        ("dutyline:response_level", _response_level(incident)),
        ("dutyline:drill", "true" if event.drill or incident.drill else "false"),
    ]
    return [(name, _clean(value)) for name, value in values if value]


def _response_level(incident: incident_pb2.Incident) -> str:
    """The response level declared (响应级别, PlanService.DeclareResponse): "I".."IV", or "" while none is."""
    if not incident.response_level:
        return ""
    return incident_pb2.ResponseLevel.Name(incident.response_level).removeprefix("RESPONSE_LEVEL_")


def _category_name(value: int) -> str:
    return next((name for name, v in _CATEGORY_VALUES.items() if v == value), "")


def _circle(place: common_pb2.Place) -> str | None:
    """``"lat,lon radius"`` (WGS 84, kilometres) when the place has usable coordinates."""
    if not (place.HasField("latitude") and place.HasField("longitude")):
        return None
    lat, lon = place.latitude, place.longitude
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return f"{lat:.6f},{lon:.6f} {AREA_RADIUS_KM:g}"


def _token(value: str) -> str:
    """An id made safe for CAP identifiers and lists: spaces, commas, '<', '&' and the like
    percent-encoded (dutyline's own ids, ``inc-01J…``, pass unchanged)."""
    return quote(_clean(value), safe="-._~:")


def _clean(text: str) -> str:
    """User text as XML 1.0 can carry it: forbidden characters dropped, line ends as ``\\n``."""
    return _NOT_XML.sub("", _LINE_ENDS.sub("\n", text))


def _q(tag: str) -> str:
    return f"{{{CAP_NAMESPACE}}}{tag}"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, _q(tag))
    if text is not None:
        child.text = _clean(text)
    return child
