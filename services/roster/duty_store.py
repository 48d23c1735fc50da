"""Persistence of what happens on duty: leave (请假) and swaps (换班) with their decisions, check-ins
(签到), violations (缺岗) and handovers (交接班). Keyword-only functions; the caller owns the
transaction."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import ClassVar, TypeVar

import asyncpg

from dutyline.db.pool import Connection


@dataclass(frozen=True)
class LeaveRow:
    """A leave request (请假) naming the substitute (替班人); a row of leave_requests, field for column."""

    TABLE: ClassVar[str] = "leave_requests"

    id: str
    site_id: str
    assignment_id: str
    person_id: str
    substitute_id: str
    reason: str
    requested_at: datetime
    status: str = "requested"
    decided_by: str | None = None
    decided_at: datetime | None = None
    remark: str = ""


@dataclass(frozen=True)
class SwapRow:
    """A request to swap two assignments (换班); a row of swap_requests, field for column."""

    TABLE: ClassVar[str] = "swap_requests"

    id: str
    site_id: str
    assignment_id: str
    other_assignment_id: str
    requested_by: str
    reason: str
    requested_at: datetime
    status: str = "requested"
    decided_by: str | None = None
    decided_at: datetime | None = None
    remark: str = ""


# Leave and swaps are asked for, decided and listed alike.
Request = TypeVar("Request", LeaveRow, SwapRow)


@dataclass(frozen=True)
class CheckInRow:
    assignment_id: str
    person_id: str
    checked_in_at: datetime
    status: str
    late_seconds: float


@dataclass(frozen=True)
class OpenItem:
    kind: str
    ref_id: str
    text: str
    due_at: datetime | None = None


@dataclass(frozen=True)
class HandoverRow:
    id: str
    site_id: str
    outgoing_assignment_id: str
    incoming_assignment_id: str
    outgoing_person_id: str
    incoming_person_id: str
    shift_log: str
    notes: str
    open_items: tuple[OpenItem, ...]
    gathering_notes: tuple[str, ...]
    status: str
    overdue: bool
    submitted_at: datetime
    accepted_at: datetime | None
    remarks: str = ""
    countersigned_by_id: str | None = None
    countersigned_at: datetime | None = None
    countersign_remarks: str = ""
    # Bumped by every change; its event carries it as the aggregate version.
    version: int = 1


async def insert_request(conn: Connection, *, request: LeaveRow | SwapRow) -> None:
    """Record a new leave or swap request (every field, the decision's still empty)."""
    values = asdict(request)
    placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
    await conn.execute(f"INSERT INTO {request.TABLE} ({', '.join(values)}) VALUES ({placeholders})", *values.values())


async def get_request(
    conn: Connection, *, kind: type[Request], request_id: str, for_update: bool = False
) -> Request | None:
    row = await conn.fetchrow(
        f"SELECT * FROM {kind.TABLE} WHERE id = $1" + (" FOR UPDATE" if for_update else ""), request_id
    )
    return kind(**dict(row)) if row else None


async def decide_request(
    conn: Connection,
    *,
    kind: type[Request],
    request_id: str,
    approve: bool,
    decided_by: str,
    decided_at: datetime,
    remark: str,
) -> Request:
    """Record the decision on a leave or swap request (the caller checked it was still open)."""
    row = await conn.fetchrow(
        f"UPDATE {kind.TABLE} SET status = $2, decided_by = $3, decided_at = $4, remark = $5 WHERE id = $1 RETURNING *",
        request_id,
        "approved" if approve else "rejected",
        decided_by,
        decided_at,
        remark,
    )
    assert row is not None
    return kind(**dict(row))


async def list_requests(conn: Connection, *, kind: type[Request], site_id: str, status: str | None) -> list[Request]:
    rows = await conn.fetch(
        f"SELECT * FROM {kind.TABLE} WHERE site_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY requested_at",
        site_id,
        status,
    )
    return [kind(**dict(r)) for r in rows]


async def insert_check_in(conn: Connection, *, check_in: CheckInRow) -> bool:
    """Record a check-in; False if the assignment was already checked in."""
    inserted = await conn.fetchval(
        """INSERT INTO check_ins (assignment_id, person_id, checked_in_at, status, late_seconds)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (assignment_id) DO NOTHING RETURNING true""",
        check_in.assignment_id,
        check_in.person_id,
        check_in.checked_in_at,
        check_in.status,
        check_in.late_seconds,
    )
    return bool(inserted)


async def get_check_in(conn: Connection, *, assignment_id: str) -> CheckInRow | None:
    row = await conn.fetchrow("SELECT * FROM check_ins WHERE assignment_id = $1", assignment_id)
    return CheckInRow(**dict(row)) if row else None


async def insert_violation(
    conn: Connection,
    *,
    violation_id: str,
    site_id: str,
    person_id: str,
    kind: str,
    assignment_id: str,
    detail: str,
) -> bool:
    """Record a violation once per (kind, assignment); False if it was already recorded."""
    inserted = await conn.fetchval(
        """INSERT INTO violations (id, site_id, person_id, kind, assignment_id, detail)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, assignment_id) DO NOTHING RETURNING true""",
        violation_id,
        site_id,
        person_id,
        kind,
        assignment_id,
        detail,
    )
    return bool(inserted)


def _handover(row: asyncpg.Record) -> HandoverRow:
    return HandoverRow(
        id=row["id"],
        site_id=row["site_id"],
        outgoing_assignment_id=row["outgoing_assignment_id"],
        incoming_assignment_id=row["incoming_assignment_id"],
        outgoing_person_id=row["outgoing_person_id"],
        incoming_person_id=row["incoming_person_id"],
        shift_log=row["shift_log"],
        notes=row["notes"],
        open_items=tuple(
            OpenItem(
                kind=i["kind"],
                ref_id=i["ref_id"],
                text=i["text"],
                due_at=datetime.fromisoformat(i["due_at"]) if i.get("due_at") else None,
            )
            for i in json.loads(row["open_items"])
        ),
        gathering_notes=tuple(row["gathering_notes"]),
        status=row["status"],
        overdue=row["overdue"],
        submitted_at=row["submitted_at"],
        accepted_at=row["accepted_at"],
        remarks=row["remarks"],
        countersigned_by_id=row["countersigned_by_id"],
        countersigned_at=row["countersigned_at"],
        countersign_remarks=row["countersign_remarks"],
        version=row["version"],
    )


async def insert_handover(conn: Connection, *, handover: HandoverRow) -> bool:
    """False if the outgoing assignment already handed over."""
    inserted = await conn.fetchval(
        """INSERT INTO handovers (id, site_id, outgoing_assignment_id, incoming_assignment_id, outgoing_person_id,
               incoming_person_id, shift_log, notes, open_items, gathering_notes, status, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'submitted', $11)
           ON CONFLICT (outgoing_assignment_id) DO NOTHING RETURNING true""",
        handover.id,
        handover.site_id,
        handover.outgoing_assignment_id,
        handover.incoming_assignment_id,
        handover.outgoing_person_id,
        handover.incoming_person_id,
        handover.shift_log,
        handover.notes,
        json.dumps(
            [
                {
                    "kind": i.kind,
                    "ref_id": i.ref_id,
                    "text": i.text,
                    "due_at": i.due_at.isoformat() if i.due_at else None,
                }
                for i in handover.open_items
            ]
        ),
        list(handover.gathering_notes),
        handover.submitted_at,
    )
    return bool(inserted)


async def get_handover(conn: Connection, *, handover_id: str, for_update: bool = False) -> HandoverRow | None:
    row = await conn.fetchrow(
        "SELECT * FROM handovers WHERE id = $1" + (" FOR UPDATE" if for_update else ""), handover_id
    )
    return _handover(row) if row else None


async def handover_of(conn: Connection, *, outgoing_assignment_id: str) -> HandoverRow | None:
    """The handover of a shift, if its officer submitted one."""
    row = await conn.fetchrow("SELECT * FROM handovers WHERE outgoing_assignment_id = $1", outgoing_assignment_id)
    return _handover(row) if row else None


async def list_handovers(
    conn: Connection,
    *,
    site_id: str,
    statuses: tuple[str, ...] | None,
    start: datetime | None,
    end: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[HandoverRow]:
    """A site's handovers, newest first; ``after`` is the (submitted_at, id) the previous page ended
    at (keyset paging: a page stays right while new handovers arrive)."""
    rows = await conn.fetch(
        """SELECT * FROM handovers
           WHERE site_id = $1
             AND ($2::text[] IS NULL OR status = ANY($2))
             AND ($3::timestamptz IS NULL OR submitted_at >= $3)
             AND ($4::timestamptz IS NULL OR submitted_at < $4)
             AND ($5::timestamptz IS NULL OR (submitted_at, id) < ($5, $6))
           ORDER BY submitted_at DESC, id DESC
           LIMIT $7""",
        site_id,
        list(statuses) if statuses is not None else None,
        start,
        end,
        after[0] if after else None,
        after[1] if after else "",
        limit,
    )
    return [_handover(r) for r in rows]


async def accept_handover(conn: Connection, *, handover_id: str, accepted_at: datetime, remarks: str) -> HandoverRow:
    row = await conn.fetchrow(
        """UPDATE handovers SET status = 'accepted', accepted_at = $2, remarks = $3, version = version + 1
           WHERE id = $1 RETURNING *""",
        handover_id,
        accepted_at,
        remarks,
    )
    assert row is not None
    return _handover(row)


async def countersign_handover(
    conn: Connection, *, handover_id: str, leader_id: str, at: datetime, remarks: str
) -> HandoverRow | None:
    """The duty leader's countersignature (带班领导签字); None if the handover was countersigned already."""
    row = await conn.fetchrow(
        """UPDATE handovers SET countersigned_by_id = $2, countersigned_at = $3, countersign_remarks = $4,
               version = version + 1
           WHERE id = $1 AND countersigned_at IS NULL RETURNING *""",
        handover_id,
        leader_id,
        at,
        remarks,
    )
    return _handover(row) if row else None


async def mark_handover_overdue(conn: Connection, *, handover_id: str) -> HandoverRow | None:
    """Mark a still-unaccepted handover overdue; None if it was accepted (or already overdue)."""
    row = await conn.fetchrow(
        """UPDATE handovers SET status = 'overdue', overdue = true, version = version + 1
           WHERE id = $1 AND status = 'submitted' RETURNING *""",
        handover_id,
    )
    return _handover(row) if row else None
