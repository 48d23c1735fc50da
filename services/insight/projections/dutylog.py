"""The duty log projection (值班日志): what a shift's log lists that no other table of the read model
holds — each assignment's check-in (or its absence), each handover, and the shift's cases opened and
answered, notices missing elements, escalations started and acknowledged, as entries.

Order-independent: a check-in row is as of its newest event (the greater event id), but an absence,
once recorded, stays (a check-in after the absence limit is late, and the absence stands), a handover's
events merge (the first submission and acceptance, overdue once seen, names from whichever event has
them: handover.overdue names nobody), an entry is keyed by its event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.projection import Projection
from dutyline.roster.v1 import roster_pb2
from services.insight.projections.common import at, occurred, unpack, values

HANDOVERS = ("handover.submitted", "handover.accepted", "handover.overdue")
# The entries: the event type → the entry's kind.
ENTRY_KINDS = {
    "case.opened": "case_opened",
    "case.answered": "case_answered",
    "notice.incomplete": "notice_incomplete",
    "escalation.step": "escalation",
    "escalation.acknowledged": "acknowledgement",
}
TYPES = ("checkin.recorded", "absence.recorded", *HANDOVERS, *ENTRY_KINDS)


@dataclass(frozen=True)
class CheckInRow:
    assignment_id: str
    site_id: str
    person_id: str
    status: str
    checked_in_at: datetime | None
    late_seconds: float
    drill: bool
    event_id: str
    shift_start: datetime | None
    absent: bool


@dataclass(frozen=True)
class HandoverRow:
    handover_id: str
    site_id: str
    outgoing_assignment_id: str | None
    incoming_assignment_id: str | None
    outgoing_person_id: str | None
    incoming_person_id: str | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    open_items: int
    overdue: bool
    drill: bool


@dataclass(frozen=True)
class EntryRow:
    event_id: str
    site_id: str
    drill: bool
    kind: str
    at: datetime
    ref_id: str
    person_id: str
    summary: str


def _entry(event: event_pb2.Event) -> EntryRow | None:
    kind = ENTRY_KINDS[event.type]
    if event.type.startswith("case."):
        case = unpack(event, event_pb2.CaseChanged).case
        ref, person, summary = case.id, case.owner_id or event.actor.person_id, case.subject
    elif event.type == "notice.incomplete":
        call = unpack(event, event_pb2.CallChanged).call
        # Only the notice's own event, not a follow-up's (aggregate id = the call).
        if event.aggregate_id != call.id:
            return None
        # The elements' names, worded by the log's reader.
        ref, person, summary = call.id, call.officer_id, ", ".join(call.notice_missing)
    else:
        changed = unpack(event, event_pb2.EscalationChanged)
        escalation = changed.escalation
        # An escalation starts with its first step; later steps and loops are the same escalation.
        if event.type == "escalation.step" and (changed.loop, changed.step) != (1, 1):
            return None
        ref = escalation.id
        person = escalation.acknowledged_by if kind == "acknowledgement" else ",".join(changed.person_ids)
        summary = f"{escalation.ref_kind} {escalation.ref_id}".strip()
    return EntryRow(event.id, event.site_id, event.drill, kind, occurred(event), ref, person, summary[:500])


def _check_in(event: event_pb2.Event) -> CheckInRow:
    if event.type == "absence.recorded":
        absence = unpack(event, event_pb2.AbsenceRecorded)
        return CheckInRow(
            absence.assignment_id,
            event.site_id,
            absence.person_id,
            "absent",
            None,
            0.0,
            event.drill,
            event.id,
            at(absence.shift_start),
            True,
        )
    record = unpack(event, roster_pb2.CheckInRecord)
    return CheckInRow(
        record.assignment_id,
        event.site_id,
        record.person_id,
        record.status or "on_time",
        at(record.checked_in_at),
        record.late_seconds,
        event.drill,
        event.id,
        at(record.shift_start),
        False,
    )


def _handover(event: event_pb2.Event) -> HandoverRow:
    h = unpack(event, roster_pb2.Handover)
    return HandoverRow(
        handover_id=h.id or event.aggregate_id,
        site_id=h.site_id or event.site_id,
        outgoing_assignment_id=h.outgoing_assignment_id or None,
        incoming_assignment_id=h.incoming_assignment_id or None,
        outgoing_person_id=h.outgoing_person_id or None,
        incoming_person_id=h.incoming_person_id or None,
        submitted_at=at(h.submitted_at),
        accepted_at=at(h.accepted_at),
        open_items=len(h.open_items),
        overdue=h.overdue or event.type == "handover.overdue",
        drill=event.drill,
    )


_NEWER = "excluded.event_id > c.event_id"
UPSERT_CHECK_IN = f"""
INSERT INTO shift_check_ins AS c (assignment_id, site_id, person_id, status, checked_in_at, late_seconds, drill,
    event_id, shift_start, absent)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (assignment_id) DO UPDATE SET
    person_id = CASE WHEN {_NEWER} THEN excluded.person_id ELSE c.person_id END,
    status = CASE WHEN {_NEWER} THEN excluded.status ELSE c.status END,
    checked_in_at = CASE WHEN {_NEWER} THEN excluded.checked_in_at ELSE c.checked_in_at END,
    late_seconds = CASE WHEN {_NEWER} THEN excluded.late_seconds ELSE c.late_seconds END,
    event_id = greatest(c.event_id, excluded.event_id),
    shift_start = coalesce(c.shift_start, excluded.shift_start),
    absent = c.absent OR excluded.absent
"""
MERGE_HANDOVER = """
INSERT INTO shift_handovers AS h (handover_id, site_id, outgoing_assignment_id, incoming_assignment_id,
    outgoing_person_id, incoming_person_id, submitted_at, accepted_at, open_items, overdue, drill)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (handover_id) DO UPDATE SET
    outgoing_assignment_id = coalesce(h.outgoing_assignment_id, excluded.outgoing_assignment_id),
    incoming_assignment_id = coalesce(h.incoming_assignment_id, excluded.incoming_assignment_id),
    outgoing_person_id = coalesce(h.outgoing_person_id, excluded.outgoing_person_id),
    incoming_person_id = coalesce(h.incoming_person_id, excluded.incoming_person_id),
    submitted_at = least(h.submitted_at, excluded.submitted_at),
    accepted_at = least(h.accepted_at, excluded.accepted_at),
    open_items = greatest(h.open_items, excluded.open_items),
    overdue = h.overdue OR excluded.overdue
"""
INSERT_ENTRY = """
INSERT INTO duty_log_events (event_id, site_id, drill, kind, at, ref_id, person_id, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING
"""


async def apply(conn: Connection, events: Sequence[event_pb2.Event]) -> None:
    check_ins: list[CheckInRow] = []
    handovers: list[HandoverRow] = []
    entries: list[EntryRow] = []
    for event in events:
        if event.type in ("checkin.recorded", "absence.recorded"):
            check_ins.append(_check_in(event))
        elif event.type in HANDOVERS:
            handovers.append(_handover(event))
        elif (entry := _entry(event)) is not None:
            entries.append(entry)
    if check_ins:
        await conn.executemany(UPSERT_CHECK_IN, [values(r) for r in check_ins])
    if handovers:
        await conn.executemany(MERGE_HANDOVER, [values(r) for r in handovers])
    if entries:
        await conn.executemany(INSERT_ENTRY, [values(r) for r in entries])


DUTY_LOG = Projection(
    name="insight-duty-log",
    types=TYPES,
    tables=("shift_check_ins", "shift_handovers", "duty_log_events"),
    apply=apply,
)
