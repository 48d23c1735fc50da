"""Signals of concealment (瞒报信号), pure: what happened to a call or an incident that may hide an
emergency from the superiors, with its evidence and the people involved. No I/O; every time is an
argument. A signal is not a finding: a supervisor decides (OversightService.RecordFinding)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

KINDS = (
    "call_reclassified",
    "unfounded",
    "unverified_overdue",
    "severity_lowered",
    "casualties_above_reported",
    "closed_by_override",
)
# 来电伤亡远高于上报: a caller told of at least FAR_ABOVE_RATIO times the casualties the incident
# reports, and at least FAR_ABOVE_MARGIN more (3 against none, 4 against 1 and 20 against 10 are far
# above; 2 against none and 19 against 10 are not: a caller's count is a first impression).
FAR_ABOVE_RATIO = 2
FAR_ABOVE_MARGIN = 3
# From the most to the least severe (特别重大 … 一般).
SEVERITY_ORDER = ("I", "II", "III", "IV")
EMERGENCY = "emergency"
CATEGORY_NAMES = {
    "consultation": "咨询 consultation",
    "complaint": "投诉 complaint",
    "emergency": "紧急 emergency",
    "notice": "通知 notice",
    "message": "留言 message",
    "other": "其他 other",
}


@dataclass(frozen=True)
class Evidence:
    label: str
    value: str
    at: datetime | None = None
    link: str = ""


@dataclass(frozen=True)
class Involved:
    """A person a signal is about: ``role`` says how ("call_officer", "reclassified_by",
    "responsible", "decided_by", "closed_by")."""

    person_id: str
    role: str


@dataclass(frozen=True)
class Signal:
    kind: str
    site_id: str
    incident_id: str
    call_id: str
    occurred_at: datetime
    summary: str
    evidence: tuple[Evidence, ...]
    people: tuple[Involved, ...]
    drill: bool
    source_event_id: str
    # One signal per key: the source event and kind; for casualties the incident and the figure reported.
    dedupe_key: str


@dataclass(frozen=True)
class IncidentFacts:
    """What a signal about an incident says of it (from the event that carries it)."""

    id: str
    site_id: str
    title: str
    severity: str
    responsible_id: str
    registered_at: datetime | None
    call_count: int
    casualties_reported: int
    drill: bool
    verified: bool = False
    close_reason: str = ""


def people(*pairs: tuple[str, str]) -> tuple[Involved, ...]:
    """The people involved, each (person, role) once; nobody for an empty id or the platform itself."""
    seen: dict[tuple[str, str], Involved] = {}
    for person_id, role in pairs:
        if person_id and not person_id.startswith("system:"):
            seen.setdefault((person_id, role), Involved(person_id, role))
    return tuple(seen.values())


def _incident_evidence(incident: IncidentFacts) -> list[Evidence]:
    return [
        Evidence("事件 incident", incident.title, incident.registered_at, f"incident:{incident.id}"),
        Evidence("等级 severity", incident.severity),
        Evidence("来电数 calls", str(incident.call_count)),
        Evidence("上报伤亡 casualties reported", str(incident.casualties_reported)),
    ]


def _signal(
    kind: str,
    incident: IncidentFacts,
    *,
    at: datetime,
    summary: str,
    evidence: list[Evidence],
    involved: tuple[Involved, ...],
    event_id: str,
    dedupe_key: str = "",
) -> Signal:
    return Signal(
        kind=kind,
        site_id=incident.site_id,
        incident_id=incident.id,
        call_id="",
        occurred_at=at,
        summary=summary,
        evidence=tuple(evidence + _incident_evidence(incident)),
        people=involved,
        drill=incident.drill,
        source_event_id=event_id,
        dedupe_key=dedupe_key or f"{kind}:{event_id}",
    )


def call_reclassified(
    *,
    call_id: str,
    site_id: str,
    incident_id: str,
    before: str,
    after: str,
    detail: str,
    officer_id: str,
    by: str,
    at: datetime,
    event_id: str,
    drill: bool,
) -> Signal | None:
    """An emergency call reclassified to another category (紧急来电被改类); None for any other change."""
    if before != EMERGENCY or after == EMERGENCY:
        return None
    evidence = [
        Evidence("原类别 category before", CATEGORY_NAMES.get(before, before), link=f"call:{call_id}"),
        Evidence("现类别 category after", CATEGORY_NAMES.get(after, after), at, f"event:{event_id}"),
        Evidence("改类说明 change", detail),
    ]
    if incident_id:
        evidence.append(Evidence("关联事件 incident", incident_id, link=f"incident:{incident_id}"))
    return Signal(
        kind="call_reclassified",
        site_id=site_id,
        incident_id=incident_id,
        call_id=call_id,
        occurred_at=at,
        summary=f"紧急来电被改为{CATEGORY_NAMES.get(after, after)} / an emergency call was reclassified as {after}",
        evidence=tuple(evidence),
        people=people((officer_id, "call_officer"), (by, "reclassified_by")),
        drill=drill,
        source_event_id=event_id,
        dedupe_key=f"call_reclassified:{event_id}",
    )


def unfounded(incident: IncidentFacts, *, reason: str, by: str, at: datetime, event_id: str) -> Signal:
    """An incident found unfounded (核实不实): its calls said otherwise, so a supervisor looks."""
    return _signal(
        "unfounded",
        incident,
        at=at,
        summary="事件被核实为不实 / the incident was found unfounded",
        evidence=[Evidence("不实理由 reason", reason, at, f"event:{event_id}")],
        involved=people((by, "decided_by"), (incident.responsible_id, "responsible")),
        event_id=event_id,
    )


def unverified_overdue(incident: IncidentFacts, *, due_at: datetime | None, at: datetime, event_id: str) -> Signal:
    """An incident still unverified past its verification deadline (超时未核实)."""
    waited = (
        f"{(at - incident.registered_at).total_seconds() / 60:.0f} min" if incident.registered_at is not None else "?"
    )
    return _signal(
        "unverified_overdue",
        incident,
        at=at,
        summary="事件超过核实时限仍未核实 / the incident is unverified past its deadline",
        evidence=[
            Evidence("核实时限 verification due", due_at.isoformat() if due_at else "", due_at),
            Evidence("登记至今 since registration", waited, at, f"event:{event_id}"),
        ],
        involved=people((incident.responsible_id, "responsible")),
        event_id=event_id,
    )


def lowered(before: str, after: str) -> bool:
    """A severity made less severe (I → II, say); from or to unrated is no lowering."""
    if before not in SEVERITY_ORDER or after not in SEVERITY_ORDER:
        return False
    return SEVERITY_ORDER.index(after) > SEVERITY_ORDER.index(before)


def severity_lowered(
    incident: IncidentFacts, *, before: str, reason: str, by: str, at: datetime, event_id: str
) -> Signal | None:
    """The incident's severity lowered (等级调低): fewer and later reports are due."""
    if not lowered(before, incident.severity):
        return None
    return _signal(
        "severity_lowered",
        incident,
        at=at,
        summary=(
            f"事件等级由 {before} 调低为 {incident.severity} / severity lowered from {before} to {incident.severity}"
        ),
        evidence=[
            Evidence("原等级 severity before", before),
            Evidence("调整说明 change", reason, at, f"event:{event_id}"),
        ],
        involved=people((by, "decided_by"), (incident.responsible_id, "responsible")),
        event_id=event_id,
    )


def far_above(told: int, reported: int) -> bool:
    """Whether a caller's casualty count is far above the reported one (FAR_ABOVE_RATIO, _MARGIN)."""
    return told >= FAR_ABOVE_RATIO * reported and told - reported >= FAR_ABOVE_MARGIN


def casualties_above_reported(
    incident: IncidentFacts, *, told: int, call_id: str, at: datetime, event_id: str
) -> Signal | None:
    """A linked call tells of far more casualties than the verified incident reports (伤亡瞒报).
    Before verification nothing is reported yet, so nothing is compared. One signal per figure
    reported: a further call changes nothing until the report does."""
    if not incident.verified or not far_above(told, incident.casualties_reported):
        return None
    return _signal(
        "casualties_above_reported",
        incident,
        at=at,
        summary=(
            f"来电所述伤亡 {told} 人，远高于上报的 {incident.casualties_reported} 人 / "
            f"a call tells of {told} casualties, the incident reports {incident.casualties_reported}"
        ),
        evidence=[Evidence("来电所述伤亡 casualties told by a call", str(told), link=f"call:{call_id}")],
        involved=people((incident.responsible_id, "responsible")),
        event_id=event_id,
        dedupe_key=f"casualties_above_reported:{incident.id}:{incident.casualties_reported}",
    )


def closed_by_override(
    incident: IncidentFacts, *, by: str, missed: list[str], at: datetime, event_id: str
) -> Signal | None:
    """An incident closed by an admin's override (强制结案); None for a regular close."""
    if not incident.close_reason:
        return None
    evidence = [Evidence("强制理由 override reason", incident.close_reason, at, f"event:{event_id}")]
    if missed:
        evidence.append(Evidence("漏报 reports missing", ", ".join(missed)))
    return _signal(
        "closed_by_override",
        incident,
        at=at,
        summary="事件被强制结案 / the incident was closed by an override",
        evidence=evidence,
        involved=people((by, "closed_by"), (incident.responsible_id, "responsible")),
        event_id=event_id,
    )
