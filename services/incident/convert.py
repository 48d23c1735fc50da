"""Between stored incident rows and incident protobuf messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2
from services.incident import rules, store

STAGES: dict[str, Any] = {
    "register": incident_pb2.STAGE_REGISTER,
    "verify": incident_pb2.STAGE_VERIFY,
    "escalate": incident_pb2.STAGE_ESCALATE,
    "track": incident_pb2.STAGE_TRACK,
    "feedback": incident_pb2.STAGE_FEEDBACK,
    "closed": incident_pb2.STAGE_CLOSED,
}
SEVERITIES: dict[str, Any] = {
    "unrated": common_pb2.SEVERITY_UNRATED,
    "I": common_pb2.SEVERITY_I,
    "II": common_pb2.SEVERITY_II,
    "III": common_pb2.SEVERITY_III,
    "IV": common_pb2.SEVERITY_IV,
}
CATEGORIES: dict[str, Any] = {
    "natural_disaster": incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
    "accident": incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
    "public_health": incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH,
    "social_safety": incident_pb2.INCIDENT_CATEGORY_SOCIAL_SAFETY,
}
REPORT_KINDS: dict[str, Any] = {
    "leader_notice": incident_pb2.REPORT_KIND_LEADER_NOTICE,
    "initial_phone": incident_pb2.REPORT_KIND_INITIAL_PHONE,
    "initial_written": incident_pb2.REPORT_KIND_INITIAL_WRITTEN,
    "follow_up": incident_pb2.REPORT_KIND_FOLLOW_UP,
    "final": incident_pb2.REPORT_KIND_FINAL,
}
# 响应级别 (PlanService.DeclareResponse), Ⅰ the highest.
RESPONSE_LEVELS: dict[str, Any] = {
    "I": incident_pb2.RESPONSE_LEVEL_I,
    "II": incident_pb2.RESPONSE_LEVEL_II,
    "III": incident_pb2.RESPONSE_LEVEL_III,
    "IV": incident_pb2.RESPONSE_LEVEL_IV,
}


def name_of(table: Mapping[str, Any], value: int) -> str:
    """The name of an enum value ("" for unspecified or unknown)."""
    return next((name for name, v in table.items() if v == value), "")


def place_of(incident: store.IncidentRow) -> common_pb2.Place:
    place = common_pb2.Place(text=incident.place_text)
    if incident.latitude is not None and incident.longitude is not None:
        place.latitude, place.longitude = incident.latitude, incident.longitude
    return place


def casualties_message(values: dict[str, Any] | None) -> incident_pb2.Casualties:
    values = values or {}
    return incident_pb2.Casualties(**{k: int(v) for k, v in values.items() if k in CASUALTY_FIELDS})


CASUALTY_FIELDS = ("deaths", "serious_injuries", "injuries", "missing", "loss_yuan")


def casualties_rule(message: incident_pb2.Casualties) -> rules.Casualties:
    return rules.Casualties(**{f: getattr(message, f) for f in CASUALTY_FIELDS})


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def deadline_message(d: dict[str, Any]) -> incident_pb2.Deadline:
    return incident_pb2.Deadline(
        kind=REPORT_KINDS.get(d["kind"], 0),
        number=d.get("number", 0),
        recipient=d.get("recipient", ""),
        due_at=ts(_time(d.get("due_at"))),
        met=bool(d.get("met_at")),
        missed=bool(d.get("missed")),
        met_at=ts(_time(d.get("met_at"))),
    )


# A report's delivery to the superior office (report_inbox.status).
DELIVERY_STATUSES: dict[str, Any] = {
    "delivered": incident_pb2.DELIVERY_STATUS_DELIVERED,
    "escalated": incident_pb2.DELIVERY_STATUS_ESCALATED,
    "received": incident_pb2.DELIVERY_STATUS_RECEIVED,
    "returned": incident_pb2.DELIVERY_STATUS_RETURNED,
}


def accident_message(accident: dict[str, Any] | None) -> incident_pb2.AccidentReportContent | None:
    if not accident:
        return None
    return incident_pb2.AccidentReportContent(
        **{k: str(v) for k, v in accident.items() if k != "casualties"},
        casualties=casualties_message(accident.get("casualties")),
    )


def report_message(r: store.ReportRow) -> incident_pb2.Report:
    return incident_pb2.Report(
        id=r.id,
        incident_id=r.incident_id,
        kind=REPORT_KINDS[r.kind],
        number=r.number,
        recipient=r.recipient,
        content=r.content,
        author_id=r.author_id,
        submitted_at=ts(r.submitted_at),
        late_seconds=r.late_seconds,
        accident=accident_message(r.accident),
        delivery_status=DELIVERY_STATUSES.get(r.delivery_status, 0),
        recipient_site_id=r.recipient_site_id,
        received_by=common_pb2.Actor(person_id=r.received_by, display_name=r.received_by_name)
        if r.received_by
        else None,
        received_at=ts(r.received_at),
        return_reason=r.return_reason,
        version=r.version,
        casualties=casualties_message(r.casualties),
        severity=SEVERITIES.get(r.severity, 0),
        cause=r.cause,
        corrected_at=ts(r.corrected_at),
        correction_reason=r.correction_reason,
        corrected_by=r.corrected_by,
    )


def incident_message(
    incident: store.IncidentRow, *, reports: list[store.ReportRow] | None = None, now: datetime | None = None
) -> incident_pb2.Incident:
    casualties = rules.Casualties(**{k: int(v) for k, v in incident.casualties.items() if k in CASUALTY_FIELDS})
    now = now or datetime.now(UTC)
    pending = [d for d in incident.deadlines if not d.get("met_at")]
    return incident_pb2.Incident(
        id=incident.id,
        site_id=incident.site_id,
        title=incident.title,
        category=CATEGORIES.get(incident.category, 0),
        sub_type=incident.sub_type,
        severity=SEVERITIES[incident.severity],
        stage=STAGES[incident.stage],
        place=place_of(incident),
        summary=incident.summary,
        call_ids=list(incident.call_ids),
        call_count=incident.call_count,
        first_responder_id=incident.first_responder_id,
        assignee_id=incident.assignee_id or "",
        registered_at=ts(incident.registered_at),
        closed_at=ts(incident.closed_at),
        casualties=casualties_message(incident.casualties),
        pending_deadlines=[deadline_message(d) for d in pending],
        drill=incident.drill,
        workflow_id=incident.id,
        suggested_severity=SEVERITIES[
            rules.suggest_severity(casualties) if incident.category == "accident" else "unrated"
        ],
        responsible_person_id=incident.responsible_person_id,
        verified_at=ts(incident.verified_at),
        feedback_recorded=incident.feedback_recorded,
        merged_into=incident.merged_into or "",
        summary_at_close=incident.summary_at_close,
        policy_id=incident.policy_id or "",
        policy_version=incident.policy_version or 0,
        overdue=incident.stage != "closed" and incident.next_due_at is not None and incident.next_due_at <= now,
        reports=[report_message(r) for r in reports or []],
        close_reason=incident.close_reason,
        reported_from_incident_id=incident.reported_from_incident_id or "",
        reported_from_site_id=incident.reported_from_site_id,
        response_level=RESPONSE_LEVELS.get(incident.response_level, 0),
        response_changed_at=ts(incident.response_changed_at),
    )


def timeline_message(e: store.TimelineRow) -> incident_pb2.TimelineEntry:
    return incident_pb2.TimelineEntry(
        seq=e.seq,
        incident_id=e.incident_id,
        at=ts(e.at),
        actor=common_pb2.Actor(person_id=e.actor_id, display_name=e.actor_name, kind=e.actor_kind),
        kind=e.kind,
        text=e.text,
    )


def violation_message(v: store.ViolationRow) -> incident_pb2.Violation:
    return incident_pb2.Violation(
        id=v.id,
        incident_id=v.incident_id,
        site_id=v.site_id,
        person_id=v.person_id,
        kind=v.kind,
        report_kind=REPORT_KINDS.get(v.report_kind, 0),
        due_at=ts(v.due_at),
        recorded_at=ts(v.recorded_at),
        late_seconds=v.late_seconds,
        number=v.number,
        drill=v.drill,
        report_id=v.report_id or "",
        # A concealment's ref is "concealment:<signal id>:<person id>" (OversightService.RecordFinding).
        signal_id=v.ref.split(":")[1] if v.kind == "concealment" and v.ref else "",
    )
