"""Persistence of shift patterns, rotations, publications and assignments. Keyword-only functions;
the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import asyncpg

from dutyline.db.pool import Connection
from services.roster.rules import Assignment, Pattern, RotationSpec, ShiftDef


@dataclass(frozen=True)
class PatternRow:
    pattern: Pattern
    name: str
    version: int


@dataclass(frozen=True)
class AssignmentRow:
    """An assignment as stored: the rule-level assignment plus who the rotation put there."""

    assignment: Assignment
    rostered_person_id: str
    display_name: str
    check_in_status: str
    version: int
    published_at: datetime | None = None


@dataclass(frozen=True)
class OnDutyRow:
    assignment_id: str
    person_id: str
    display_name: str
    role: str
    shift_name: str


def _shifts_json(pattern: Pattern) -> str:
    return json.dumps(
        [
            {
                "name": s.name,
                "local_start": s.local_start.strftime("%H:%M"),
                "duration_minutes": int(s.duration.total_seconds() // 60),
                "staffing": dict(s.staffing),
            }
            for s in pattern.shifts
        ]
    )


def _pattern(row: asyncpg.Record) -> PatternRow:
    shifts = tuple(
        ShiftDef(
            name=s["name"],
            local_start=time.fromisoformat(s["local_start"]),
            duration=timedelta(minutes=s["duration_minutes"]),
            staffing=dict(s["staffing"]),
        )
        for s in json.loads(row["shifts"])
    )
    return PatternRow(
        pattern=Pattern(
            id=row["id"],
            site_id=row["site_id"],
            shifts=shifts,
            double_leader_dates=frozenset(row["double_leader_dates"]),
        ),
        name=row["name"],
        version=row["version"],
    )


async def upsert_pattern(conn: Connection, *, pattern: Pattern, name: str) -> PatternRow:
    row = await conn.fetchrow(
        """INSERT INTO shift_patterns (id, site_id, name, shifts, double_leader_dates)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET name = $3, shifts = $4, double_leader_dates = $5,
               version = shift_patterns.version + 1, updated_at = now()
           RETURNING *""",
        pattern.id,
        pattern.site_id,
        name,
        _shifts_json(pattern),
        sorted(pattern.double_leader_dates),
    )
    assert row is not None
    return _pattern(row)


async def list_patterns(conn: Connection, *, site_id: str) -> list[PatternRow]:
    rows = await conn.fetch("SELECT * FROM shift_patterns WHERE site_id = $1 ORDER BY id", site_id)
    return [_pattern(r) for r in rows]


def _rotation(row: asyncpg.Record) -> RotationSpec:
    return RotationSpec(
        id=row["id"],
        pattern_id=row["pattern_id"],
        shift_names=tuple(row["shift_names"]),
        role=row["role"],
        person_ids=tuple(row["person_ids"]),
        period_days=row["period_days"],
        start_date=row["start_date"],
        slots=row["slots"],
        double_leader_dates_only=row["double_leader_dates_only"],
    )


async def upsert_rotation(conn: Connection, *, site_id: str, rotation: RotationSpec) -> None:
    await conn.execute(
        """INSERT INTO rotations (id, site_id, pattern_id, shift_names, role, person_ids, period_days, start_date,
               slots, double_leader_dates_only)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (id) DO UPDATE SET pattern_id = $3, shift_names = $4, role = $5, person_ids = $6,
               period_days = $7, start_date = $8, slots = $9, double_leader_dates_only = $10, updated_at = now()""",
        rotation.id,
        site_id,
        rotation.pattern_id,
        list(rotation.shift_names),
        rotation.role,
        list(rotation.person_ids),
        rotation.period_days,
        rotation.start_date,
        rotation.slots,
        rotation.double_leader_dates_only,
    )


async def rotation_site(conn: Connection, *, rotation_id: str) -> str | None:
    value: str | None = await conn.fetchval("SELECT site_id FROM rotations WHERE id = $1", rotation_id)
    return value


async def pattern_site(conn: Connection, *, pattern_id: str) -> str | None:
    value: str | None = await conn.fetchval("SELECT site_id FROM shift_patterns WHERE id = $1", pattern_id)
    return value


async def list_rotations(conn: Connection, *, site_id: str) -> list[RotationSpec]:
    rows = await conn.fetch("SELECT * FROM rotations WHERE site_id = $1 ORDER BY id", site_id)
    return [_rotation(r) for r in rows]


_ASSIGNMENT_SELECT = """
SELECT a.*, p.display_name, COALESCE(c.status, 'pending') AS check_in_status,
       CASE WHEN v.id IS NOT NULL THEN 'absent' END AS absence, pub.published_at
FROM assignments a
JOIN people p ON p.id = a.person_id
LEFT JOIN publications pub ON pub.id = a.publication_id
LEFT JOIN check_ins c ON c.assignment_id = a.id
LEFT JOIN violations v ON v.assignment_id = a.id AND v.kind = 'absence'
"""


def _assignment(row: asyncpg.Record) -> AssignmentRow:
    return AssignmentRow(
        assignment=Assignment(
            id=row["id"],
            site_id=row["site_id"],
            person_id=row["person_id"],
            role=row["role"],
            shift_name=row["shift_name"],
            local_date=row["local_date"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
        ),
        rostered_person_id=row["rostered_person_id"],
        display_name=row["display_name"],
        check_in_status=row["absence"] or row["check_in_status"],
        version=row["version"],
        published_at=row["published_at"],
    )


async def list_assignments(
    conn: Connection, *, site_id: str, start: datetime, end: datetime, person_id: str | None = None
) -> list[AssignmentRow]:
    """Assignments of a site that overlap [start, end)."""
    rows = await conn.fetch(
        _ASSIGNMENT_SELECT
        + """WHERE a.site_id = $1 AND a.starts_at < $3 AND a.ends_at > $2
               AND ($4::text IS NULL OR a.person_id = $4)
             ORDER BY a.starts_at, a.role, a.id""",
        site_id,
        start,
        end,
        person_id,
    )
    return [_assignment(r) for r in rows]


async def get_assignment(conn: Connection, *, assignment_id: str, for_update: bool = False) -> AssignmentRow | None:
    if for_update:
        await conn.execute("SELECT 1 FROM assignments WHERE id = $1 FOR UPDATE", assignment_id)
    row = await conn.fetchrow(_ASSIGNMENT_SELECT + "WHERE a.id = $1", assignment_id)
    return _assignment(row) if row else None


async def person_assignments(conn: Connection, *, person_id: str, start: datetime, end: datetime) -> list[Assignment]:
    """A person's assignments at any site overlapping [start, end) (for overlap checks)."""
    rows = await conn.fetch(
        _ASSIGNMENT_SELECT + "WHERE a.person_id = $1 AND a.starts_at < $3 AND a.ends_at > $2",
        person_id,
        start,
        end,
    )
    return [_assignment(r).assignment for r in rows]


async def insert_publication(
    conn: Connection,
    *,
    publication_id: str,
    site_id: str,
    start: datetime,
    end: datetime,
    override_reason: str,
    gaps: list[dict[str, object]],
    published_by: str,
) -> None:
    await conn.execute(
        """INSERT INTO publications (id, site_id, period_start, period_end, override_reason, gaps, published_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        publication_id,
        site_id,
        start,
        end,
        override_reason,
        json.dumps(gaps),
        published_by,
    )


async def publish_assignments(
    conn: Connection,
    *,
    site_id: str,
    start: datetime,
    end: datetime,
    assignments: list[Assignment],
    publication_id: str,
) -> None:
    """Make ``assignments`` the roster of [start, end). Approved leave and swaps on assignments that
    stay are kept; assignments that no longer exist go unless something refers to them."""
    await conn.execute(
        """DELETE FROM assignments a WHERE a.site_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3
             AND NOT (a.id = ANY($4::text[]))
             AND NOT EXISTS (SELECT 1 FROM leave_requests l WHERE l.assignment_id = a.id)
             AND NOT EXISTS (SELECT 1 FROM swap_requests s WHERE a.id IN (s.assignment_id, s.other_assignment_id))
             AND NOT EXISTS (SELECT 1 FROM check_ins c WHERE c.assignment_id = a.id)
             AND NOT EXISTS (SELECT 1 FROM handovers h
                             WHERE a.id IN (h.outgoing_assignment_id, h.incoming_assignment_id))
             AND NOT EXISTS (SELECT 1 FROM violations v WHERE v.assignment_id = a.id)
             AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.assignment_id = a.id)""",
        site_id,
        start,
        end,
        [a.id for a in assignments],
    )
    await conn.executemany(
        """INSERT INTO assignments (id, site_id, person_id, rostered_person_id, role, shift_name, local_date,
               starts_at, ends_at, publication_id)
           VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (id) DO UPDATE SET
               -- a person changed by approved leave or a swap stays; otherwise the new rotation wins
               person_id = CASE WHEN assignments.person_id = assignments.rostered_person_id
                                THEN EXCLUDED.person_id ELSE assignments.person_id END,
               rostered_person_id = EXCLUDED.rostered_person_id,
               starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
               publication_id = EXCLUDED.publication_id,
               version = assignments.version + 1""",
        [
            (
                a.id,
                site_id,
                a.person_id,
                a.role,
                a.shift_name,
                a.local_date,
                a.starts_at,
                a.ends_at,
                publication_id,
            )
            for a in assignments
        ],
    )


async def set_person(conn: Connection, *, assignment_id: str, person_id: str) -> None:
    await conn.execute(
        "UPDATE assignments SET person_id = $2, version = version + 1 WHERE id = $1", assignment_id, person_id
    )


async def add_assignment(conn: Connection, *, assignment: Assignment) -> None:
    """One assignment outside any publication (no ShiftWorkflow is started for it)."""
    await conn.execute(
        """INSERT INTO assignments (id, site_id, person_id, rostered_person_id, role, shift_name, local_date,
               starts_at, ends_at)
           VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING""",
        assignment.id,
        assignment.site_id,
        assignment.person_id,
        assignment.role,
        assignment.shift_name,
        assignment.local_date,
        assignment.starts_at,
        assignment.ends_at,
    )


async def on_duty(conn: Connection, *, site_id: str, at: datetime) -> tuple[list[OnDutyRow], datetime | None]:
    """Who is on duty at ``at``, and the next instant at which that can change (someone's duty at
    the site starts or ends) — one round trip, as every call registration asks this."""
    rows = await conn.fetch(
        """WITH next_change AS (
               SELECT least(
                   (SELECT min(starts_at) FROM assignments WHERE site_id = $1 AND starts_at > $2),
                   (SELECT min(ends_at) FROM assignments WHERE site_id = $1 AND ends_at > $2)) AS at)
           SELECT a.id, a.person_id, p.display_name, a.role, a.shift_name, next_change.at AS next_change
           FROM next_change
           LEFT JOIN assignments a ON a.site_id = $1 AND a.starts_at <= $2 AND $2 < a.ends_at
           LEFT JOIN people p ON p.id = a.person_id
           ORDER BY a.role, a.person_id""",
        site_id,
        at,
    )
    on = [
        OnDutyRow(
            assignment_id=r["id"],
            person_id=r["person_id"],
            display_name=r["display_name"],
            role=r["role"],
            shift_name=r["shift_name"],
        )
        for r in rows
        if r["id"] is not None
    ]
    return on, rows[0]["next_change"] if rows else None


async def assignments_without_workflow(
    conn: Connection, *, not_after: datetime, limit: int = 200
) -> list[AssignmentRow]:
    """Published assignments whose ShiftWorkflow has not started yet (ending after ``not_after``)."""
    rows = await conn.fetch(
        _ASSIGNMENT_SELECT
        + """WHERE a.workflow_started_at IS NULL AND a.publication_id IS NOT NULL AND a.ends_at > $1
             ORDER BY a.starts_at LIMIT $2""",
        not_after,
        limit,
    )
    return [_assignment(r) for r in rows]


async def mark_workflow_started(conn: Connection, *, assignment_ids: list[str]) -> None:
    await conn.execute(
        "UPDATE assignments SET workflow_started_at = now() WHERE id = ANY($1::text[]) AND workflow_started_at IS NULL",
        assignment_ids,
    )
