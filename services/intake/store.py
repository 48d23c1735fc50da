"""Intake persistence. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection


@dataclass(frozen=True)
class CallRow:
    id: str
    site_id: str
    channel: str
    category: str
    ring_started_at: datetime
    answered_at: datetime
    ended_at: datetime | None
    answer_delay_seconds: float
    answered_late: bool
    caller_key_id: str
    caller_name_enc: bytes | None
    caller_phone_enc: bytes | None
    caller_name_masked: str
    caller_phone_masked: str
    caller_unit: str
    caller_address: str
    place_text: str
    latitude: float | None
    longitude: float | None
    summary: str
    request: str
    actions_taken: str
    officer_id: str
    assignment_id: str
    incident_id: str | None
    status: str
    drill: bool
    registered_at: datetime
    version: int


def _row(record: asyncpg.Record) -> CallRow:
    values = dict(record)
    for field in ("caller_name_enc", "caller_phone_enc"):
        if values[field] is not None:
            values[field] = bytes(values[field])
    return CallRow(**values)


_INSERT_COLUMNS = [f for f in CallRow.__dataclass_fields__ if f != "version"]
_INSERT_SQL = (
    f"INSERT INTO calls ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join(f'${i}' for i in range(1, len(_INSERT_COLUMNS) + 1))})"
)


async def insert_call(conn: Connection, *, call: CallRow) -> None:
    await conn.execute(_INSERT_SQL, *(getattr(call, c) for c in _INSERT_COLUMNS))


async def get_call(conn: Connection, *, call_id: str) -> CallRow | None:
    record = await conn.fetchrow("SELECT * FROM calls WHERE id = $1", call_id)
    return _row(record) if record else None


async def mark_escalated(conn: Connection, *, call_id: str, incident_id: str) -> CallRow | None:
    """Link a pending emergency call to its incident; None if it was no longer pending."""
    record = await conn.fetchrow(
        "UPDATE calls SET incident_id = $2, status = 'escalated', version = version + 1 "
        "WHERE id = $1 AND status = 'escalation_pending' RETURNING *",
        call_id,
        incident_id,
    )
    return _row(record) if record else None


async def pending_escalations(conn: Connection, *, older_than: datetime, limit: int = 100) -> list[CallRow]:
    rows = await conn.fetch(
        "SELECT * FROM calls WHERE status = 'escalation_pending' AND registered_at < $1 "
        "ORDER BY registered_at LIMIT $2",
        older_than,
        limit,
    )
    return [_row(r) for r in rows]
