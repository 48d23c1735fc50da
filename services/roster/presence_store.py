"""Persistence of presence on duty (在岗): check-outs (签退) and presence checks (在岗抽查).
Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection

# Rows the reconciler reads per round.
PENDING_BATCH = 100


@dataclass(frozen=True)
class CheckOutRow:
    """A check-out; a row of check_outs, field for column (but the alert's bookkeeping)."""

    assignment_id: str
    person_id: str
    checked_out_at: datetime
    status: str  # "on_time" | "early_leave" | "excused"
    early_seconds: float
    note: str
    recorded_by: str


@dataclass(frozen=True)
class PresenceCheckRow:
    """A presence check; a row of presence_checks, field for column (but the workflow's bookkeeping)."""

    id: str
    site_id: str
    assignment_id: str
    person_id: str
    requested_by: str
    requested_at: datetime
    due_at: datetime
    status: str = "pending"  # "pending" | "confirmed" | "unanswered"
    confirmed_at: datetime | None = None
    confirmed_via: str = ""  # "" | "confirm" | "notification"


def _check_out(row: asyncpg.Record) -> CheckOutRow:
    values = dict(row)
    values.pop("alert_started")
    return CheckOutRow(**values)


def _check(row: asyncpg.Record) -> PresenceCheckRow:
    values = dict(row)
    values.pop("workflow_started")
    return PresenceCheckRow(**values)


async def insert_check_out(conn: Connection, *, check_out: CheckOutRow) -> bool:
    """Record a check-out; False if the assignment was already checked out."""
    values = asdict(check_out)
    placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
    inserted = await conn.fetchval(
        f"INSERT INTO check_outs ({', '.join(values)}) VALUES ({placeholders})"
        " ON CONFLICT (assignment_id) DO NOTHING RETURNING true",
        *values.values(),
    )
    return bool(inserted)


async def get_check_out(conn: Connection, *, assignment_id: str) -> CheckOutRow | None:
    row = await conn.fetchrow("SELECT * FROM check_outs WHERE assignment_id = $1", assignment_id)
    return _check_out(row) if row else None


async def early_leaves_without_alert(conn: Connection) -> list[CheckOutRow]:
    rows = await conn.fetch(
        "SELECT * FROM check_outs WHERE status = 'early_leave' AND NOT alert_started ORDER BY checked_out_at LIMIT $1",
        PENDING_BATCH,
    )
    return [_check_out(r) for r in rows]


async def mark_alert_started(conn: Connection, *, assignment_id: str) -> None:
    await conn.execute("UPDATE check_outs SET alert_started = true WHERE assignment_id = $1", assignment_id)


async def accepted_handover(conn: Connection, *, outgoing_assignment_id: str) -> str | None:
    """The id of the handover of this assignment the incoming officer accepted, if any (an overdue
    one accepted later counts: the post was handed over)."""
    found = await conn.fetchval(
        "SELECT id FROM handovers WHERE outgoing_assignment_id = $1 AND accepted_at IS NOT NULL",
        outgoing_assignment_id,
    )
    return str(found) if found else None


async def insert_check(conn: Connection, *, check: PresenceCheckRow) -> None:
    values = asdict(check)
    placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
    await conn.execute(f"INSERT INTO presence_checks ({', '.join(values)}) VALUES ({placeholders})", *values.values())


async def get_check(conn: Connection, *, check_id: str, for_update: bool = False) -> PresenceCheckRow | None:
    row = await conn.fetchrow(
        "SELECT * FROM presence_checks WHERE id = $1" + (" FOR UPDATE" if for_update else ""), check_id
    )
    return _check(row) if row else None


async def settle_check(
    conn: Connection, *, check_id: str, status: str, confirmed_at: datetime | None, confirmed_via: str
) -> PresenceCheckRow | None:
    """Settle a pending check as confirmed or unanswered; None if it was settled already."""
    row = await conn.fetchrow(
        """UPDATE presence_checks SET status = $2, confirmed_at = $3, confirmed_via = $4
           WHERE id = $1 AND status = 'pending' RETURNING *""",
        check_id,
        status,
        confirmed_at,
        confirmed_via,
    )
    return _check(row) if row else None


async def checks_without_workflow(conn: Connection) -> list[PresenceCheckRow]:
    rows = await conn.fetch(
        "SELECT * FROM presence_checks WHERE NOT workflow_started ORDER BY requested_at LIMIT $1", PENDING_BATCH
    )
    return [_check(r) for r in rows]


async def mark_workflow_started(conn: Connection, *, check_id: str) -> None:
    await conn.execute("UPDATE presence_checks SET workflow_started = true WHERE id = $1", check_id)
