"""The violations projection (违规记录): every fact the assessment (考核) charges, from the event that
recorded it, with the person, the site, the time, whether it was a drill and the record it comes
from — the facts of ``services.insight.scoring`` (its ``Fact``: unique per site, source and kind).

A fact is one row, whatever order its events arrive in. incident's violations change: one per report
due, 迟报 when its deadline passes, with how late once the report comes, and 漏报 instead when the
incident closes without it — so a ``missed_report`` replaces the ``late_report`` of the same violation
and keeps it from coming back, and of two words on one fact the one saying it was later stands (then
the earlier event's: event ids grow with time). Late answers are not events of their own (a call's lateness
may change when the switch's times come in): the view ``scoring_facts`` adds them from ``calls``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.projection import Projection
from dutyline.roster.v1 import inspections_pb2, roster_pb2
from services.insight.projections.common import at, occurred, report_kind, unpack, values

# incident's violation kinds (IncidentChanged.violations[].kind) → the assessment's kinds.
INCIDENT_KINDS = {"late": "late_report", "missed": "missed_report"}
# The incident events that may record a violation (deadline missed: 迟报; a late report: 迟报 with
# how late; closed or merged without a due report: 漏报; not verified in time: 未及时核实).
INCIDENT_TYPES = (
    "incident.deadline_missed",
    "incident.report_submitted",
    "incident.closed",
    "incident.merged",
    "incident.verification_overdue",
    # a material figure corrected too late: 错报 (wrong_report)
    "incident.report_corrected",
    # a supervisor confirmed 瞒报 (concealment), charged to each person the signal named
    "oversight.finding_recorded",
    # a report returned by the superior office as wrong: 错报 (wrong_report), charged to its author
    "incident.report_returned",
)
TYPES = (
    *INCIDENT_TYPES,
    "absence.recorded",
    "checkin.recorded",
    "checkout.recorded",
    "handover.overdue",
    "handover.missed",
    "inspection.missed",
    "call.missed",
    "line_call.unregistered",
    "callback.overdue",
    "case.overdue",
)


@dataclass(frozen=True)
class ViolationRow:
    """One fact: ``kind`` charged to ``person_id`` ("" for the site) at ``site_id``, from the record
    (``record_type``, ``record_id``) that ``event_id`` told of."""

    site_id: str
    record_type: str
    record_id: str
    kind: str
    person_id: str
    occurred_at: datetime
    drill: bool
    detail: str
    late_seconds: float
    event_id: str


def _row(
    event: event_pb2.Event, kind: str, record: tuple[str, str], person: str, when: datetime | None, detail: str
) -> ViolationRow:
    return ViolationRow(
        site_id=event.site_id,
        record_type=record[0],
        record_id=record[1],
        kind=kind,
        person_id=person,
        occurred_at=when or occurred(event),
        drill=event.drill,
        detail=detail[:300],
        late_seconds=0.0,
        event_id=event.id,
    )


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def _incident_violation(event: event_pb2.Event, v: incident_pb2.Violation) -> ViolationRow:
    late = f", {_minutes(v.late_seconds)} late" if v.late_seconds else ""
    # A charge about no report (未及时核实 …) names its kind instead.
    what = f"{report_kind(v.report_kind) or 'report'} #{v.number}" if v.report_kind else v.kind
    return ViolationRow(
        site_id=v.site_id or event.site_id,
        record_type="violation",
        record_id=v.id,
        kind=INCIDENT_KINDS.get(v.kind, v.kind),
        person_id=v.person_id,
        occurred_at=at(v.recorded_at) or occurred(event),
        drill=v.drill or event.drill,
        detail=f"{what} of {v.incident_id}{late}"[:300],
        late_seconds=v.late_seconds,
        event_id=event.id,
    )


def violations_of(event: event_pb2.Event) -> list[ViolationRow]:
    """The facts ``event`` records (pure): several for an incident change that recorded several."""
    if event.type in INCIDENT_TYPES:
        changed = unpack(event, event_pb2.IncidentChanged)
        # Events from before `violations` was carried have only the one (then the last) `violation`.
        recorded = changed.violations or ([changed.violation] if changed.violation.id else [])
        return [_incident_violation(event, v) for v in recorded]
    row = _fact_of(event)
    return [] if row is None else [row]


def _fact_of(event: event_pb2.Event) -> ViolationRow | None:
    """The fact an event other than an incident's records, if any (pure)."""
    kind = event.type
    if kind == "absence.recorded":
        absence = unpack(event, event_pb2.AbsenceRecorded)
        return _row(
            event,
            "absence",
            ("assignment", absence.assignment_id),
            absence.person_id,
            at(absence.shift_start),
            "no check-in",
        )
    if kind == "checkin.recorded":
        check_in = unpack(event, roster_pb2.CheckInRecord)
        if check_in.status != "late":
            return None
        return _row(
            event,
            "late_check_in",
            ("assignment", check_in.assignment_id),
            check_in.person_id,
            at(check_in.checked_in_at),
            f"checked in {_minutes(check_in.late_seconds)} late",
        )
    if kind == "checkout.recorded":
        record = unpack(event, roster_pb2.CheckInRecord)
        if record.check_out_status != "early_leave":
            return None
        return _row(
            event,
            "early_leave",
            ("assignment", record.assignment_id),
            record.person_id,
            at(record.checked_out_at),
            f"checked out {_minutes(record.early_seconds)} before the end",
        )
    if kind == "handover.overdue":
        handover = unpack(event, roster_pb2.Handover)
        # roster names whom it charges; events from before it did: the incoming officer's to accept.
        return _row(
            event,
            "handover_overdue",
            ("handover", handover.id),
            handover.charged_person_id or handover.incoming_person_id,
            None,
            f"not accepted; submitted by {handover.outgoing_person_id}",
        )
    if kind == "handover.missed":
        missed = unpack(event, event_pb2.HandoverMissed)
        return _row(
            event,
            "handover_missed",
            ("assignment", missed.assignment_id),
            missed.person_id,
            None,
            f"no handover to {missed.incoming_person_id or '-'} by the end of the overlap",
        )
    if kind == "inspection.missed":
        uninspected = unpack(event, inspections_pb2.InspectionMissed)
        return _row(
            event,
            "inspection_missed",
            ("assignment", uninspected.assignment_id),
            uninspected.person_id,
            at(uninspected.shift_end),
            f"no leader's inspection during the {uninspected.shift_name} shift of {uninspected.local_date}",
        )
    if kind == "call.missed":
        call = unpack(event, event_pb2.CallChanged).call
        return _row(
            event, "unanswered_call", ("call", call.id), call.officer_id, at(call.ring_started_at), call.summary
        )
    if kind == "line_call.unregistered":
        line_call = unpack(event, event_pb2.LineCallChanged).call
        return _row(
            event,
            "unregistered_call",
            ("line_call", line_call.id),
            line_call.officer_id,
            at(line_call.ended_at),
            f"answered on line {line_call.line_id}, not registered",
        )
    if kind == "callback.overdue":
        callback = unpack(event, event_pb2.CallChanged).callback
        return _row(
            event,
            "callback_overdue",
            ("callback", callback.id),
            callback.recipient_id,
            None,
            f"{callback.kind} due {at(callback.due_at)}",
        )
    if kind == "case.overdue":
        case = unpack(event, event_pb2.CaseChanged).case
        return _row(event, "case_overdue", ("case", case.id), case.owner_id, None, f"due {at(case.due_at)}")
    raise ValueError(f"the violations projection does not read {kind}")


INSERT = """
WITH outranked AS (
    DELETE FROM violations WHERE $4 = 'missed_report' AND record_type = 'violation' AND site_id = $1
        AND record_id = $3 AND kind = 'late_report'
)
INSERT INTO violations AS v (site_id, record_type, record_id, kind, person_id, occurred_at, drill, detail,
    late_seconds, event_id)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
WHERE NOT ($2 = 'violation' AND $4 = 'late_report' AND EXISTS (
    SELECT 1 FROM violations WHERE site_id = $1 AND record_type = 'violation' AND record_id = $3
        AND kind = 'missed_report'))
ON CONFLICT (site_id, record_type, record_id, kind) DO UPDATE SET
    person_id = excluded.person_id, occurred_at = excluded.occurred_at, drill = excluded.drill,
    detail = excluded.detail, late_seconds = excluded.late_seconds, event_id = excluded.event_id
WHERE excluded.late_seconds > v.late_seconds
    OR (excluded.late_seconds = v.late_seconds AND excluded.event_id < v.event_id)
"""


async def apply(conn: Connection, events: Sequence[event_pb2.Event]) -> None:
    rows = [row for event in events for row in violations_of(event)]
    if rows:
        await conn.executemany(INSERT, [values(r) for r in rows])


VIOLATIONS = Projection(name="insight-violations", types=TYPES, tables=("violations",), apply=apply)
