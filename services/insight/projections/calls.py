"""The calls projection (来电): every call record, every call the switch saw ring (line calls, with the
line, the extension's officer and the shift) and every callback, message and follow-up promised.

Rows are keyed by the call, line call or callback. A call's record columns come from the events that
carry the whole record (``call.registered`` and the ``CallChanged`` events about the call itself) and
change only for a newer version of the call; its incident also changes with ``call.escalated`` and
``call.linked``, under a version of its own. Versions are ranked ``2 × aggregate_version``, plus one
for a whole record: ``call.registered`` and ``notice.incomplete`` of the same registration share a
version, and the whole record (the latter) must win whichever comes first. A callback's events do
not version it (completed and overdue both say 2), so its row merges: the first promise, the first
completion, overdue once seen.
Every write is thus independent of the order the events arrive in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.events_catalog import LINE_CALL_CHANGED
from dutyline.intake.v1 import intake_pb2
from dutyline.projection import Projection
from services.insight.projections.common import at, call_category, channel, occurred, unpack, values

# Events whose CallChanged payload is the call after the change when they are about the call itself
# (aggregate id = call id), or a callback with the call it belongs to.
CALL_CHANGED = (
    "call.reclassified",
    "call.transferred",
    "call.note_added",
    "call.completed",
    "call.switch_times",
    "call.missed",
    "notice.incomplete",
    "notice.completed",
)
# Callbacks: the first three make one (callback, message, notice follow-up), the others change it.
CALLBACK_MADE = ("callback.promised", "message.taken", "notice.follow_up")
CALLBACK_CHANGED = ("callback.completed", "callback.overdue")
TYPES = (
    "call.registered",
    "call.escalated",
    "call.linked",
    *CALL_CHANGED,
    *CALLBACK_MADE,
    *CALLBACK_CHANGED,
    *LINE_CALL_CHANGED,
)


@dataclass(frozen=True)
class CallRow:
    """A call's record as of ``version`` (a rank: module docstring)."""

    call_id: str
    site_id: str
    drill: bool
    channel: str | None
    category: str | None
    officer_id: str | None
    assignment_id: str | None
    line_call_id: str | None
    ring_started_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    answer_delay_seconds: float
    answered_late: bool
    registered_at: datetime | None
    status: str | None
    duty_gap: bool | None
    version: int
    incident_id: str | None
    # What the call was about in the officer's words (the duty log's line).
    summary: str | None

    def link(self) -> CallIncident:
        """The incident the record names, at the record's version."""
        return CallIncident(self.call_id, self.site_id, self.drill, self.incident_id, self.version)


@dataclass(frozen=True)
class CallIncident:
    """The incident a call belongs to as of ``version`` (a rank, as ``CallRow.version``)."""

    call_id: str
    site_id: str
    drill: bool
    incident_id: str | None
    version: int


@dataclass(frozen=True)
class LineCallRow:
    """A call the switch reported, as of ``version``: missed when its state is abandoned or not_answered."""

    line_call_id: str
    site_id: str
    drill: bool
    line_id: str
    state: str
    ring_started_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    answer_delay_seconds: float
    answered_late: bool
    officer_id: str | None
    shift_name: str | None
    call_id: str | None
    callback_id: str | None
    registration_overdue: bool
    version: int


@dataclass(frozen=True)
class CallbackRow:
    """What one event says of a callback (merged with what others said: module docstring)."""

    callback_id: str
    site_id: str
    drill: bool
    call_id: str
    kind: str
    recipient_id: str | None
    urgent: bool
    due_at: datetime | None
    promised_at: datetime | None
    completed_at: datetime | None
    overdue: bool


@dataclass
class Changes:
    """A batch's rows: the newest version of each call, incident link and line call; every callback fact."""

    calls: dict[str, CallRow] = field(default_factory=dict)
    incidents: dict[str, CallIncident] = field(default_factory=dict)
    line_calls: dict[str, LineCallRow] = field(default_factory=dict)
    callbacks: list[CallbackRow] = field(default_factory=list)

    def call(self, row: CallRow) -> None:
        if (seen := self.calls.get(row.call_id)) is None or seen.version < row.version:
            self.calls[row.call_id] = row

    def incident(self, row: CallIncident) -> None:
        if (seen := self.incidents.get(row.call_id)) is None or seen.version < row.version:
            self.incidents[row.call_id] = row


def _registered(event: event_pb2.Event) -> CallRow:
    p = unpack(event, event_pb2.CallRegistered)
    return CallRow(
        call_id=p.call_id,
        site_id=event.site_id,
        drill=event.drill,
        channel=p.channel or None,
        category=p.category or None,
        officer_id=p.officer_id or None,
        assignment_id=p.assignment_id or None,
        line_call_id=p.line_call_id or None,
        ring_started_at=at(p.ring_started_at),
        answered_at=at(p.answered_at),
        ended_at=None,
        answer_delay_seconds=p.answer_delay_seconds,
        answered_late=p.answered_late,
        registered_at=occurred(event),
        status=None,
        duty_gap=p.duty_gap,
        version=2 * event.aggregate_version,
        incident_id=p.incident_id or None,
        summary=p.summary[:500] or None,
    )


def _record(event: event_pb2.Event, call: intake_pb2.Call) -> CallRow:
    return CallRow(
        call_id=call.id,
        site_id=event.site_id,
        drill=event.drill,
        channel=channel(call.channel),
        category=call_category(call.category),
        officer_id=call.officer_id or None,
        assignment_id=call.assignment_id or None,
        line_call_id=call.line_call_id or None,
        ring_started_at=at(call.ring_started_at),
        answered_at=at(call.answered_at),
        ended_at=at(call.ended_at),
        answer_delay_seconds=call.answer_delay_seconds,
        answered_late=call.answered_late,
        registered_at=at(call.registered_at) or occurred(event),
        status=call.status or None,
        duty_gap=call.duty_gap,
        version=2 * event.aggregate_version + 1,
        incident_id=call.incident_id or None,
        summary=call.summary[:500] or None,
    )


def _callback(event: event_pb2.Event, callback: intake_pb2.Callback) -> CallbackRow:
    return CallbackRow(
        callback_id=callback.id,
        site_id=event.site_id,
        drill=event.drill,
        call_id=callback.call_id,
        kind=callback.kind,
        recipient_id=callback.recipient_id or None,
        urgent=callback.urgent,
        due_at=at(callback.due_at),
        promised_at=occurred(event) if event.type in CALLBACK_MADE else None,
        completed_at=at(callback.completed_at),
        overdue=callback.overdue,
    )


def _line_call(event: event_pb2.Event) -> LineCallRow:
    c = unpack(event, event_pb2.LineCallChanged).call
    return LineCallRow(
        line_call_id=c.id,
        site_id=event.site_id,
        drill=event.drill,
        line_id=c.line_id,
        state=c.state,
        ring_started_at=at(c.ring_started_at),
        answered_at=at(c.answered_at),
        ended_at=at(c.ended_at),
        answer_delay_seconds=c.answer_delay_seconds,
        answered_late=c.answered_late,
        officer_id=c.officer_id or None,
        shift_name=c.shift_name or None,
        call_id=c.call_id or None,
        callback_id=c.callback_id or None,
        registration_overdue=c.registration_overdue,
        version=event.aggregate_version,
    )


def changes(events: Sequence[event_pb2.Event]) -> Changes:
    """The rows ``events`` write (pure)."""
    out = Changes()
    for event in events:
        if event.type == "call.registered":
            row = _registered(event)
            out.call(row)
            out.incident(row.link())
        elif event.type == "call.escalated":
            escalated = unpack(event, event_pb2.CallEscalated)
            out.incident(
                CallIncident(
                    escalated.call_id,
                    event.site_id,
                    event.drill,
                    escalated.incident_id or None,
                    2 * event.aggregate_version + 1,
                )
            )
        elif event.type == "call.linked":
            linked = unpack(event, event_pb2.CallLinked)
            out.incident(
                CallIncident(
                    linked.call_id,
                    event.site_id,
                    event.drill,
                    linked.incident_id or None,
                    2 * event.aggregate_version + 1,
                )
            )
        elif event.type.startswith("line_call."):
            row_ = _line_call(event)
            if (seen := out.line_calls.get(row_.line_call_id)) is None or seen.version < row_.version:
                out.line_calls[row_.line_call_id] = row_
        else:
            changed = unpack(event, event_pb2.CallChanged)
            # The call's own version only comes with events about the call (not about its callbacks).
            if changed.call.id and event.aggregate_id == changed.call.id:
                record = _record(event, changed.call)
                out.call(record)
                out.incident(record.link())
            if changed.HasField("callback") and changed.callback.id:
                out.callbacks.append(_callback(event, changed.callback))
    return out


UPSERT_CALL = """
INSERT INTO calls AS c (call_id, site_id, drill, channel, category, officer_id, assignment_id, line_call_id,
    ring_started_at, answered_at, ended_at, answer_delay_seconds, answered_late, registered_at, status, duty_gap,
    record_version, incident_id, incident_version, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $17, $19)
ON CONFLICT (call_id) DO UPDATE SET
    channel = excluded.channel, category = excluded.category, officer_id = excluded.officer_id,
    assignment_id = coalesce(excluded.assignment_id, c.assignment_id),
    line_call_id = coalesce(excluded.line_call_id, c.line_call_id),
    ring_started_at = excluded.ring_started_at, answered_at = excluded.answered_at,
    ended_at = coalesce(excluded.ended_at, c.ended_at),
    answer_delay_seconds = excluded.answer_delay_seconds, answered_late = excluded.answered_late,
    registered_at = excluded.registered_at, status = coalesce(excluded.status, c.status),
    duty_gap = coalesce(excluded.duty_gap, c.duty_gap), record_version = excluded.record_version,
    summary = coalesce(excluded.summary, c.summary),
    incident_id = CASE WHEN excluded.incident_version > c.incident_version THEN excluded.incident_id
                       ELSE c.incident_id END,
    incident_version = greatest(c.incident_version, excluded.incident_version)
WHERE c.record_version < excluded.record_version
"""
UPSERT_CALL_INCIDENT = """
INSERT INTO calls AS c (call_id, site_id, drill, incident_id, incident_version) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (call_id) DO UPDATE SET incident_id = excluded.incident_id, incident_version = excluded.incident_version
WHERE c.incident_version < excluded.incident_version
"""
UPSERT_LINE_CALL = """
INSERT INTO line_calls AS l (line_call_id, site_id, drill, line_id, state, ring_started_at, answered_at, ended_at,
    answer_delay_seconds, answered_late, officer_id, shift_name, call_id, callback_id, registration_overdue, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (line_call_id) DO UPDATE SET
    state = excluded.state, ring_started_at = excluded.ring_started_at, answered_at = excluded.answered_at,
    ended_at = excluded.ended_at, answer_delay_seconds = excluded.answer_delay_seconds,
    answered_late = excluded.answered_late, officer_id = excluded.officer_id, shift_name = excluded.shift_name,
    call_id = excluded.call_id, callback_id = excluded.callback_id,
    registration_overdue = excluded.registration_overdue, version = excluded.version
WHERE l.version < excluded.version
"""
MERGE_CALLBACK = """
INSERT INTO callbacks AS b (callback_id, site_id, drill, call_id, kind, recipient_id, urgent, due_at, promised_at,
    completed_at, overdue)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (callback_id) DO UPDATE SET
    recipient_id = coalesce(b.recipient_id, excluded.recipient_id),
    due_at = coalesce(b.due_at, excluded.due_at),
    promised_at = least(b.promised_at, excluded.promised_at),
    completed_at = least(b.completed_at, excluded.completed_at),
    overdue = b.overdue OR excluded.overdue
"""


async def apply(conn: Connection, events: Sequence[event_pb2.Event]) -> None:
    """Write a batch's rows (each statement once per batch, its rows pipelined)."""
    out = changes(events)
    if out.calls:
        await conn.executemany(UPSERT_CALL, [values(r) for r in out.calls.values()])
    # A record's incident went with it; the links newer than their call's record go alone.
    links = [r for r in out.incidents.values() if (c := out.calls.get(r.call_id)) is None or c.version < r.version]
    if links:
        await conn.executemany(UPSERT_CALL_INCIDENT, [values(r) for r in links])
    if out.line_calls:
        await conn.executemany(UPSERT_LINE_CALL, [values(r) for r in out.line_calls.values()])
    if out.callbacks:
        await conn.executemany(MERGE_CALLBACK, [values(r) for r in out.callbacks])


CALLS = Projection(name="insight-calls", types=TYPES, tables=("calls", "line_calls", "callbacks"), apply=apply)
