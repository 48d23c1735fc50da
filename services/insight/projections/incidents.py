"""The incidents and reports projection (事件与报告): each incident as of its newest version — category,
severity, stage, when it was registered, verified and closed, how it ended, who answers for it — and
every report made (kind, number, author, when, how late).

Every ``incident.*`` event after ``incident.registered`` carries the whole incident, so a row changes
only for a newer version of it (``incident.registered`` is version 1 and carries less). Reports never
change once submitted: a report is written once, from the event that made it or from any later
incident that lists it. Late and missed reports as violations are the violations projection's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.projection import Projection
from services.insight.projections.common import (
    at,
    incident_category,
    occurred,
    report_kind,
    severity,
    stage,
    unpack,
    values,
)

# The events that carry the incident after the change (IncidentChanged).
INCIDENT_CHANGED = (
    "incident.verified",
    "incident.unfounded",
    "incident.reclassified",
    "incident.report_submitted",
    "incident.progress",
    "incident.feedback_recorded",
    "incident.deadline_missed",
    "incident.escalated",
    "incident.step_failed",
    "incident.verification_overdue",
    "incident.scene_silent",
    "incident.report_corrected",
    "incident.closed",
    "incident.merged",
)
# How an incident ended, by the event that ended it; when several say so (unfounded, then closed),
# the last here wins, whatever order they arrive in.
OUTCOMES = {"incident.closed": "closed", "incident.unfounded": "unfounded", "incident.merged": "merged"}
OUTCOME_RANK = {outcome: n for n, outcome in enumerate(OUTCOMES.values(), start=1)}
TYPES = ("incident.registered", *INCIDENT_CHANGED)


@dataclass(frozen=True)
class IncidentRow:
    incident_id: str
    site_id: str
    drill: bool
    title: str
    category: str | None
    sub_type: str | None
    severity: str | None
    stage: str | None
    source_category: str | None
    registered_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    merged_into: str | None
    first_responder_id: str | None
    responsible_person_id: str | None
    call_count: int
    overdue: bool
    version: int


@dataclass(frozen=True)
class ReportRow:
    report_id: str
    incident_id: str
    site_id: str
    drill: bool
    kind: str | None
    number: int
    author_id: str | None
    submitted_at: datetime | None
    late_seconds: float


@dataclass
class Changes:
    incidents: dict[str, IncidentRow] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    reports: dict[str, ReportRow] = field(default_factory=dict)


def _report(event: event_pb2.Event, incident_id: str, report: incident_pb2.Report) -> ReportRow:
    return ReportRow(
        report_id=report.id,
        incident_id=report.incident_id or incident_id,
        site_id=event.site_id,
        drill=event.drill,
        kind=report_kind(report.kind),
        number=report.number,
        author_id=report.author_id or None,
        submitted_at=at(report.submitted_at),
        late_seconds=report.late_seconds,
    )


def _registered(event: event_pb2.Event) -> IncidentRow:
    p = unpack(event, event_pb2.IncidentRegistered)
    return IncidentRow(
        incident_id=p.incident_id,
        site_id=event.site_id,
        drill=event.drill,
        title=p.title,
        category=p.category or None,
        sub_type=None,
        severity=severity(p.severity),
        stage="register",
        source_category=None,
        registered_at=at(p.registered_at) or occurred(event),
        verified_at=None,
        closed_at=None,
        merged_into=None,
        first_responder_id=p.first_responder_id or None,
        responsible_person_id=p.first_responder_id or None,
        call_count=len(p.call_ids),
        overdue=False,
        version=event.aggregate_version,
    )


def _changed(event: event_pb2.Event, i: incident_pb2.Incident) -> IncidentRow:
    return IncidentRow(
        incident_id=i.id,
        site_id=event.site_id,
        drill=event.drill or i.drill,
        title=i.title,
        category=incident_category(i.category),
        sub_type=i.sub_type or None,
        severity=severity(i.severity),
        stage=stage(i.stage),
        source_category=i.source_category or None,
        registered_at=at(i.registered_at),
        verified_at=at(i.verified_at),
        closed_at=at(i.closed_at),
        merged_into=i.merged_into or None,
        first_responder_id=i.first_responder_id or None,
        responsible_person_id=i.responsible_person_id or None,
        call_count=i.call_count,
        overdue=i.overdue,
        version=event.aggregate_version,
    )


def changes(events: Sequence[event_pb2.Event]) -> Changes:
    """The rows ``events`` write (pure)."""
    out = Changes()
    for event in events:
        if event.type == "incident.registered":
            row = _registered(event)
        else:
            changed = unpack(event, event_pb2.IncidentChanged)
            row = _changed(event, changed.incident)
            for report in (*changed.incident.reports, *([changed.report] if changed.report.id else [])):
                out.reports.setdefault(report.id, _report(event, row.incident_id, report))
        seen = out.incidents.get(row.incident_id)
        if seen is None or seen.version < row.version:
            out.incidents[row.incident_id] = row
        outcome = OUTCOMES.get(event.type)
        if outcome and OUTCOME_RANK[outcome] > OUTCOME_RANK.get(out.outcomes.get(row.incident_id, ""), 0):
            out.outcomes[row.incident_id] = outcome
    return out


UPSERT_INCIDENT = """
INSERT INTO incidents AS i (incident_id, site_id, drill, title, category, sub_type, severity, stage, source_category,
    registered_at, verified_at, closed_at, merged_into, first_responder_id, responsible_person_id,
    call_count, overdue, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
ON CONFLICT (incident_id) DO UPDATE SET
    drill = excluded.drill, title = excluded.title, category = coalesce(excluded.category, i.category),
    sub_type = excluded.sub_type, severity = excluded.severity, stage = excluded.stage,
    source_category = coalesce(excluded.source_category, i.source_category),
    registered_at = coalesce(excluded.registered_at, i.registered_at), verified_at = excluded.verified_at,
    closed_at = excluded.closed_at, merged_into = excluded.merged_into,
    first_responder_id = excluded.first_responder_id, responsible_person_id = excluded.responsible_person_id,
    call_count = excluded.call_count, overdue = excluded.overdue, version = excluded.version
WHERE i.version < excluded.version
"""
# How it ended is said by the ending events only: kept whatever version wrote the row, the highest rank
# winning (the row exists: this batch or an earlier one wrote the incident).
SET_OUTCOME = """
UPDATE incidents SET outcome = $2 WHERE incident_id = $1
    AND coalesce(array_position($3::text[], outcome), 0) < array_position($3::text[], $2)
"""
INSERT_REPORT = """
INSERT INTO reports (report_id, incident_id, site_id, drill, kind, number, author_id, submitted_at, late_seconds)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (report_id) DO NOTHING
"""


async def apply(conn: Connection, events: Sequence[event_pb2.Event]) -> None:
    out = changes(events)
    if out.incidents:
        await conn.executemany(UPSERT_INCIDENT, [values(r) for r in out.incidents.values()])
    if out.outcomes:
        ranked = list(OUTCOME_RANK)
        await conn.executemany(SET_OUTCOME, [(i, outcome, ranked) for i, outcome in out.outcomes.items()])
    if out.reports:
        await conn.executemany(INSERT_REPORT, [values(r) for r in out.reports.values()])


INCIDENTS = Projection(name="insight-incidents", types=TYPES, tables=("incidents", "reports"), apply=apply)
