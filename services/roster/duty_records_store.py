"""The duty records' reads: the assignments duty counts are made of, and the roster's violations in one
place (违纪记录), wherever each kind is kept. Keyword-only functions; the caller owns the connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection
from services.roster.rules import Assignment

# Every kind of violation the roster records (ListDutyViolations' kinds), with the event that tells
# insight of it (which charges it: tests/services/insight/test_roster_violations_charged.py). A new
# kind is one line here, and one in SOURCES unless it is kept in the violations table.
VIOLATION_EVENTS = {
    "absence": "absence.recorded",  # 缺岗
    "late_check_in": "checkin.recorded",  # 迟到 (a check-in of status "late")
    "handover_overdue": "handover.overdue",  # 交接超时
    "handover_missed": "handover.missed",  # 未交接班
    "inspection_missed": "inspection.missed",  # 领导未查岗
    "early_leave": "checkout.recorded",  # 早退 (a check-out of status "early_leave")
}

# Where each kind of violation is kept, as rows of (id, kind, site_id, person_id, assignment_id,
# occurred_at, detail): one line per source. The violations table holds every kind recorded as such
# (absence 缺岗, handover_missed 未交接班, early_leave 早退, inspection_missed 领导未巡查…): a new
# kind recorded there needs no line here.
SOURCES = (
    "SELECT kind || ':' || id, kind, site_id, person_id, assignment_id, recorded_at, detail FROM violations",
    "SELECT 'late_check_in:' || c.assignment_id, 'late_check_in', a.site_id, c.person_id, c.assignment_id,"
    " c.checked_in_at, format('迟到 checked in %s min late', round(c.late_seconds / 60))"
    " FROM check_ins c JOIN assignments a ON a.id = c.assignment_id WHERE c.status = 'late'",
    "SELECT 'handover_overdue:' || id, 'handover_overdue', site_id, incoming_person_id, outgoing_assignment_id,"
    " submitted_at, format('交接超时 not accepted in time; submitted by %s', outgoing_person_id)"
    " FROM handovers WHERE overdue",
)

LIST_VIOLATIONS = f"""
WITH records (id, kind, site_id, person_id, assignment_id, occurred_at, detail) AS (
    {" UNION ALL ".join(SOURCES)}
)
SELECT r.*, COALESCE(p.display_name, '') AS display_name
FROM records r LEFT JOIN people p ON p.id = r.person_id
WHERE r.site_id = ANY($1::text[])
  AND ($2::text IS NULL OR r.person_id = $2)
  AND ($3::text IS NULL OR r.kind = $3)
  AND ($4::timestamptz IS NULL OR r.occurred_at >= $4)
  AND ($5::timestamptz IS NULL OR r.occurred_at < $5)
  AND ($6::timestamptz IS NULL OR (r.occurred_at, r.id) < ($6, $7::text))
ORDER BY r.occurred_at DESC, r.id DESC
LIMIT $8
"""


@dataclass(frozen=True)
class ViolationRow:
    id: str
    kind: str
    site_id: str
    person_id: str
    display_name: str
    assignment_id: str | None
    occurred_at: datetime
    detail: str


async def list_violations(
    conn: Connection,
    *,
    site_ids: list[str],
    person_id: str | None,
    kind: str | None,
    start: datetime | None,
    end: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[ViolationRow]:
    """The violations at ``site_ids``, newest first; ``after`` is the (occurred_at, id) the previous
    page ended at (keyset paging: a page stays right while new violations are recorded)."""
    rows = await conn.fetch(
        LIST_VIOLATIONS,
        site_ids,
        person_id,
        kind,
        start,
        end,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [
        ViolationRow(
            id=r["id"],
            kind=r["kind"],
            site_id=r["site_id"],
            person_id=r["person_id"],
            display_name=r["display_name"],
            assignment_id=r["assignment_id"],
            occurred_at=r["occurred_at"],
            detail=r["detail"],
        )
        for r in rows
    ]


async def site_zones(conn: Connection, *, site_ids: list[str]) -> dict[str, str]:
    rows = await conn.fetch("SELECT id, time_zone FROM sites WHERE id = ANY($1::text[])", site_ids)
    return {r["id"]: r["time_zone"] for r in rows}


async def assignments_starting(
    conn: Connection, *, site_ids: list[str], start: datetime, end: datetime, person_id: str | None
) -> tuple[list[Assignment], dict[str, str]]:
    """The assignments at ``site_ids`` that start in [start, end), and their people's display names."""
    rows = await conn.fetch(
        """SELECT a.id, a.site_id, a.person_id, a.role, a.shift_name, a.local_date, a.starts_at, a.ends_at,
                  p.display_name
           FROM assignments a JOIN people p ON p.id = a.person_id
           WHERE a.site_id = ANY($1::text[]) AND a.starts_at >= $2 AND a.starts_at < $3
             AND ($4::text IS NULL OR a.person_id = $4)""",
        site_ids,
        start,
        end,
        person_id,
    )
    assignments = [
        Assignment(
            id=r["id"],
            site_id=r["site_id"],
            person_id=r["person_id"],
            role=r["role"],
            shift_name=r["shift_name"],
            local_date=r["local_date"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
        )
        for r in rows
    ]
    return assignments, {r["person_id"]: r["display_name"] for r in rows}
