"""Incident persistence. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from dutyline.db.pool import Connection


@dataclass(frozen=True)
class IncidentRow:
    id: str
    site_id: str
    title: str
    summary: str
    category: str
    severity: str
    stage: str
    place_text: str
    latitude: float | None
    longitude: float | None
    first_responder_id: str
    drill: bool
    occurred_at: datetime | None
    registered_at: datetime
    closed_at: datetime | None
    workflow_started_at: datetime | None
    version: int
    # The first calls (CALL_IDS_SHOWN), and how many there are.
    call_ids: tuple[str, ...] = ()
    call_count: int = 0
    sub_type: str = ""
    jurisdiction: str = ""
    time_zone: str = "Asia/Shanghai"
    casualties: dict[str, int] = field(default_factory=dict)
    verified_at: datetime | None = None
    assignee_id: str | None = None
    feedback_recorded: bool = False
    merged_into: str | None = None
    summary_at_close: str = ""
    close_reason: str = ""
    policy_id: str | None = None
    policy_version: int | None = None
    # The workflow's deadlines as last persisted: [{kind, number, recipient, due_at, met_at, missed}].
    deadlines: tuple[dict[str, Any], ...] = ()
    next_due_at: datetime | None = None
    # False when roster was away at opening: jurisdiction and time zone are guesses until filled in.
    site_confirmed: bool = True
    # The first call's answer: the reporting deadlines count from it (None: from registered_at).
    clock_from: datetime | None = None
    # The office reports go to by default, as roster said (None: not learned yet; "": a headquarters).
    parent_site_id: str | None = None
    # Opened by signing for a subordinate office's report (签收): that office's incident and site.
    reported_from_incident_id: str | None = None
    reported_from_site_id: str = ""
    # The response level declared (启动响应: "I".."IV"; "" none or lifted) and when it last changed.
    response_level: str = ""
    response_changed_at: datetime | None = None

    @property
    def responsible_person_id(self) -> str:
        """Who answers for the reports (第一责任人, or whoever it was assigned to)."""
        return self.assignee_id or self.first_responder_id


def incident_row(record: asyncpg.Record) -> IncidentRow:
    values = dict(record)
    values["call_ids"] = tuple(values.get("call_ids") or ())
    values["casualties"] = (
        json.loads(values["casualties"]) if isinstance(values["casualties"], str) else values["casualties"]
    )
    values["deadlines"] = tuple(
        json.loads(values["deadlines"]) if isinstance(values["deadlines"], str) else values["deadlines"]
    )
    return IncidentRow(**values)


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    incident_id: str
    at: datetime
    actor_id: str
    actor_name: str
    actor_kind: str
    kind: str
    text: str


async def insert_incident(conn: Connection, *, incident: IncidentRow) -> None:
    await conn.execute(
        """INSERT INTO incidents (id, site_id, title, summary, category, severity, stage, place_text,
               latitude, longitude, first_responder_id, drill, occurred_at, registered_at, jurisdiction, time_zone,
               site_confirmed, clock_from, parent_site_id, reported_from_incident_id, reported_from_site_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)""",
        incident.id,
        incident.site_id,
        incident.title,
        incident.summary,
        incident.category,
        incident.severity,
        incident.stage,
        incident.place_text,
        incident.latitude,
        incident.longitude,
        incident.first_responder_id,
        incident.drill,
        incident.occurred_at,
        incident.registered_at,
        incident.jurisdiction,
        incident.time_zone,
        incident.site_confirmed,
        incident.clock_from,
        incident.parent_site_id,
        incident.reported_from_incident_id,
        incident.reported_from_site_id,
    )
    if incident.call_ids:
        # A call linked elsewhere already stays there until intake says it moved (call.linked).
        await conn.execute(
            "INSERT INTO incident_calls (incident_id, call_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            incident.id,
            list(incident.call_ids),
        )


CALL_IDS_SHOWN = 100
# Incidents with their first calls, in the order they were linked, and the number of calls.
_SELECT_INCIDENTS = f"""SELECT i.*, ARRAY(SELECT call_id FROM incident_calls c WHERE c.incident_id = i.id
                                          ORDER BY linked_at, call_id LIMIT {CALL_IDS_SHOWN}) AS call_ids,
                               (SELECT count(*) FROM incident_calls c WHERE c.incident_id = i.id) AS call_count
                        FROM incidents i"""


async def has_call(conn: Connection, *, incident_id: str, call_id: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM incident_calls WHERE incident_id = $1 AND call_id = $2", incident_id, call_id
        )
    )


async def get_incident(conn: Connection, *, incident_id: str) -> IncidentRow | None:
    record = await conn.fetchrow(f"{_SELECT_INCIDENTS} WHERE i.id = $1", incident_id)
    return incident_row(record) if record is not None else None


async def await_verification(conn: Connection, *, incident_id: str) -> None:
    """Registered → verify (核实): the duty leader knows. Later stages stay as they are."""
    await conn.execute(
        "UPDATE incidents SET stage = 'verify', version = version + 1 WHERE id = $1 AND stage = 'register'",
        incident_id,
    )


async def mark_workflow_started(conn: Connection, *, incident_id: str) -> None:
    await conn.execute(
        "UPDATE incidents SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL",
        incident_id,
    )


async def incidents_without_workflow(conn: Connection, *, older_than: datetime) -> list[IncidentRow]:
    rows = await conn.fetch(
        f"{_SELECT_INCIDENTS} WHERE i.workflow_started_at IS NULL AND i.registered_at < $1 "
        "ORDER BY i.registered_at LIMIT 100",
        older_than,
    )
    return [incident_row(r) for r in rows]


async def append_timeline(
    conn: Connection,
    *,
    incident_id: str,
    at: datetime,
    actor_id: str,
    actor_name: str,
    actor_kind: str,
    kind: str,
    text: str,
    dedupe_key: str | None = None,
) -> bool:
    """Append an entry; returns False if an entry with ``dedupe_key`` already exists."""
    inserted = await conn.fetchval(
        """INSERT INTO timeline (incident_id, at, actor_id, actor_name, actor_kind, kind, text, dedupe_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING true""",
        incident_id,
        at,
        actor_id,
        actor_name,
        actor_kind,
        kind,
        text,
        dedupe_key,
    )
    return bool(inserted)


# A page of a list when the reader names no size (at most 500: the protos' PageRequest).
PAGE_SIZE = 100


async def timeline(conn: Connection, *, incident_id: str, limit: int, offset: int) -> list[TimelineRow]:
    rows = await conn.fetch(
        "SELECT seq, incident_id, at, actor_id, actor_name, actor_kind, kind, text FROM timeline "
        "WHERE incident_id = $1 ORDER BY seq LIMIT $2 OFFSET $3",
        incident_id,
        limit,
        offset,
    )
    return [TimelineRow(**dict(r)) for r in rows]


async def list_incidents(
    conn: Connection,
    *,
    site_ids: list[str],
    open_only: bool,
    stage: str | None,
    severity: str | None,
    include_drills: bool,
    limit: int,
    offset: int,
    category: str | None = None,
    overdue_at: datetime | None = None,
) -> list[IncidentRow]:
    rows = await conn.fetch(
        f"""{_SELECT_INCIDENTS}
           WHERE i.site_id = ANY($1::text[])
             AND (NOT $2 OR i.stage <> 'closed')
             AND ($3::text IS NULL OR i.stage = $3)
             AND ($4::text IS NULL OR i.severity = $4)
             AND ($5 OR NOT i.drill)
             AND ($8::text IS NULL OR i.category = $8)
             AND ($9::timestamptz IS NULL OR (i.stage <> 'closed' AND i.next_due_at <= $9))
           ORDER BY i.registered_at DESC, i.id
           LIMIT $6 OFFSET $7""",
        site_ids,
        open_only,
        stage,
        severity,
        include_drills,
        limit,
        offset,
        category,
        overdue_at,
    )
    return [incident_row(r) for r in rows]


# Columns the process may set (apply_change writes only these).
PROCESS_FIELDS = {
    "stage": "text",
    "category": "text",
    "sub_type": "text",
    "severity": "text",
    "casualties": "jsonb",
    "verified_at": "timestamptz",
    "closed_at": "timestamptz",
    "close_reason": "text",
    "summary_at_close": "text",
    "feedback_recorded": "boolean",
    "policy_id": "text",
    "policy_version": "integer",
}


async def apply_fields(
    conn: Connection,
    *,
    incident_id: str,
    fields: dict[str, Any],
    deadlines: list[dict[str, Any]],
    next_due_at: datetime | None,
) -> IncidentRow:
    unknown = set(fields) - set(PROCESS_FIELDS)
    if unknown:
        raise ValueError(f"not process fields: {sorted(unknown)}")
    names = list(fields)
    assignments = ", ".join(f"{n} = ${i + 4}::{PROCESS_FIELDS[n]}" for i, n in enumerate(names))
    values = [json.dumps(fields[n]) if PROCESS_FIELDS[n] == "jsonb" else fields[n] for n in names]
    await conn.execute(
        f"UPDATE incidents SET deadlines = $2::jsonb, next_due_at = $3, version = version + 1"
        f"{', ' + assignments if assignments else ''} WHERE id = $1",
        incident_id,
        json.dumps(deadlines),
        next_due_at,
        *values,
    )
    row = await get_incident(conn, incident_id=incident_id)
    assert row is not None
    return row


@dataclass(frozen=True)
class ReportRow:
    id: str
    incident_id: str
    kind: str
    number: int
    recipient: str
    content: str
    accident: dict[str, Any] | None
    author_id: str
    submitted_at: datetime
    late_seconds: float
    # Its delivery to the superior office's inbox, the latest version's (reports(); "" when not delivered).
    delivery_status: str = ""
    recipient_site_id: str = ""
    received_by: str | None = None
    received_by_name: str = ""
    received_at: datetime | None = None
    return_reason: str = ""
    # The current version (1 = as submitted) and the material figures it states (report_versions.py).
    version: int = 1
    casualties: dict[str, int] = field(default_factory=dict)
    severity: str = ""
    cause: str = ""
    corrected_at: datetime | None = None
    correction_reason: str = ""
    corrected_by: str = ""


_DELIVERY_DEFAULTS = ("delivery_status", "recipient_site_id", "received_by_name", "return_reason")


def _report(record: asyncpg.Record) -> ReportRow:
    values = {k: v for k, v in dict(record).items() if v is not None or k not in _DELIVERY_DEFAULTS}
    for name in ("accident", "casualties"):
        if isinstance(values.get(name), str):
            values[name] = json.loads(values[name])
    return ReportRow(**values)


async def insert_report(conn: Connection, *, report: ReportRow) -> None:
    """The report and its version 1 (report_versions keeps every version)."""
    accident = json.dumps(report.accident) if report.accident is not None else None
    await conn.execute(
        """INSERT INTO reports (id, incident_id, kind, number, recipient, content, accident, author_id, submitted_at,
               late_seconds, casualties, severity, cause)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING""",
        report.id,
        report.incident_id,
        report.kind,
        report.number,
        report.recipient,
        report.content,
        accident,
        report.author_id,
        report.submitted_at,
        report.late_seconds,
        json.dumps(report.casualties),
        report.severity,
        report.cause,
    )
    await conn.execute(
        """INSERT INTO report_versions (report_id, version, content, accident, casualties, severity, cause, author_id,
               recorded_at) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""",
        report.id,
        report.content,
        accident,
        json.dumps(report.casualties),
        report.severity,
        report.cause,
        report.author_id,
        report.submitted_at,
    )


async def reports(conn: Connection, *, incident_id: str) -> list[ReportRow]:
    rows = await conn.fetch(
        """SELECT r.*, d.status AS delivery_status, d.recipient_site_id, d.received_by, d.received_by_name,
                  d.received_at, d.return_reason
           FROM reports r LEFT JOIN LATERAL (
               SELECT * FROM report_inbox i WHERE i.report_id = r.id ORDER BY i.report_version DESC LIMIT 1
           ) d ON true
           WHERE r.incident_id = $1 ORDER BY r.submitted_at, r.id""",
        incident_id,
    )
    return [_report(r) for r in rows]


async def insert_feedback(
    conn: Connection,
    *,
    feedback_id: str,
    incident_id: str,
    call_id: str,
    method: str,
    message: str,
    author_id: str,
    recorded_at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO feedback (id, incident_id, call_id, method, message, author_id, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING""",
        feedback_id,
        incident_id,
        call_id,
        method,
        message,
        author_id,
        recorded_at,
    )


@dataclass(frozen=True)
class ViolationRow:
    id: str
    incident_id: str
    site_id: str
    person_id: str
    kind: str
    report_kind: str
    number: int
    due_at: datetime | None
    recorded_at: datetime
    late_seconds: float
    drill: bool
    # What a charge other than a deadline's is about (e.g. "wrong:<inbox item>"); None for 迟报/漏报.
    ref: str | None = None
    # The report a 错报 is about.
    report_id: str | None = None


async def record_violation(
    conn: Connection,
    *,
    violation_id: str,
    incident: IncidentRow,
    kind: str,
    report_kind: str,
    number: int,
    due_at: datetime | None,
    recorded_at: datetime,
    late_seconds: float | None,
) -> ViolationRow:
    """迟报 when a deadline passes (its lateness filled in once the report comes); 漏报 when the
    incident closes without it. One row per (incident, report, number)."""
    row = await conn.fetchrow(
        """INSERT INTO violations (id, incident_id, site_id, person_id, kind, report_kind, number, due_at, recorded_at,
               late_seconds, drill)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, 0), $11)
           ON CONFLICT (incident_id, report_kind, number) WHERE kind IN ('late', 'missed') DO UPDATE SET
               kind = CASE WHEN EXCLUDED.kind = 'missed' THEN 'missed' ELSE violations.kind END,
               late_seconds = COALESCE($10, violations.late_seconds)
           RETURNING *""",
        violation_id,
        incident.id,
        incident.site_id,
        incident.responsible_person_id,
        kind,
        report_kind,
        number,
        due_at,
        recorded_at,
        late_seconds,
        incident.drill,
    )
    assert row is not None
    return ViolationRow(**dict(row))


async def record_charge(
    conn: Connection,
    *,
    violation_id: str,
    incident: IncidentRow,
    person_id: str,
    kind: str,
    ref: str,
    report_kind: str,
    number: int,
    recorded_at: datetime,
    report_id: str | None = None,
    due_at: datetime | None = None,
) -> ViolationRow | None:
    """A violation other than a missed deadline (错报 wrong_report, 瞒报 concealment, …) charged to
    ``person_id``; ``ref`` names what it is about, and recording it again adds nothing (None).
    ``report_id``: the report it is about, if any; ``due_at``: what was due by when (未及时核实)."""
    row = await conn.fetchrow(
        """INSERT INTO violations (id, incident_id, site_id, person_id, kind, report_kind, number, recorded_at, drill,
               ref, report_id, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (ref) WHERE ref IS NOT NULL DO NOTHING
           RETURNING *""",
        violation_id,
        incident.id,
        incident.site_id,
        person_id,
        kind,
        report_kind,
        number,
        recorded_at,
        incident.drill,
        ref,
        report_id,
        due_at,
    )
    return ViolationRow(**dict(row)) if row is not None else None


async def list_violations(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    person_id: str | None,
    start: datetime | None,
    end: datetime | None,
    include_drills: bool,
    limit: int,
    offset: int,
) -> list[ViolationRow]:
    rows = await conn.fetch(
        """SELECT * FROM violations
           WHERE ($1::text[] IS NULL OR site_id = ANY($1)) AND ($2::text IS NULL OR person_id = $2)
             AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4)
             AND ($5 OR NOT drill)
           ORDER BY recorded_at, id LIMIT $6 OFFSET $7""",
        site_ids,
        person_id,
        start,
        end,
        include_drills,
        limit,
        offset,
    )
    return [ViolationRow(**dict(r)) for r in rows]


async def move_into(conn: Connection, *, duplicate_id: str, primary_id: str, at: datetime) -> list[ReportRow]:
    """Merge a duplicate: its calls and reports (with their deliveries to superior offices' inboxes) now
    belong to the primary, its timeline is copied there as new entries (the timeline is append-only).
    Returns the reports moved."""
    await conn.execute("UPDATE incident_calls SET incident_id = $2 WHERE incident_id = $1", duplicate_id, primary_id)
    moved = await conn.fetch(
        "UPDATE reports SET incident_id = $2 WHERE incident_id = $1 RETURNING *", duplicate_id, primary_id
    )
    await conn.execute("UPDATE report_inbox SET incident_id = $2 WHERE incident_id = $1", duplicate_id, primary_id)
    await conn.execute(
        """INSERT INTO timeline (incident_id, at, actor_id, actor_name, actor_kind, kind, text)
           SELECT $2, at, actor_id, actor_name, actor_kind, 'merged_entry', '[' || $1 || '] ' || kind || ': ' || text
           FROM timeline WHERE incident_id = $1 ORDER BY seq""",
        duplicate_id,
        primary_id,
    )
    await conn.execute("UPDATE incidents SET merged_into = $2 WHERE id = $1", duplicate_id, primary_id)
    return [_report(r) for r in moved]


async def timeline_entry(conn: Connection, *, dedupe_key: str) -> TimelineRow | None:
    row = await conn.fetchrow(
        "SELECT seq, incident_id, at, actor_id, actor_name, actor_kind, kind, text FROM timeline WHERE dedupe_key = $1",
        dedupe_key,
    )
    return TimelineRow(**dict(row)) if row else None
