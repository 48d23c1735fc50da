"""Intake persistence. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection
from dutyline.db.writes import Writes, write


@dataclass(frozen=True)
class CallRow:
    id: str
    site_id: str
    channel: str
    category: str
    ring_started_at: datetime
    # None only for a missed call's record (it rang; nobody answered).
    answered_at: datetime | None
    ended_at: datetime | None
    answer_delay_seconds: float
    answered_late: bool
    caller_key_id: str
    caller_name_enc: bytes | None
    caller_phone_enc: bytes | None
    caller_name_masked: str
    caller_phone_masked: str
    # Clear unit and address of rows registered before they were sealed; "" once re-sealed.
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
    duty_gap: bool = False
    # The six elements of a notice from a superior as JSON text, and those still missing.
    notice: str | None = None
    notice_missing: tuple[str, ...] = ()
    # The caller's unit and address, sealed like the name and number, and masked for display.
    caller_unit_enc: bytes | None = None
    caller_address_enc: bytes | None = None
    caller_unit_masked: str = ""
    caller_address_masked: str = ""
    # The switch's record of the call (telephony's line_calls), if it rang on a duty line.
    line_call_id: str | None = None


SEALED_FIELDS = ("caller_name_enc", "caller_phone_enc", "caller_unit_enc", "caller_address_enc")


def _row(record: asyncpg.Record) -> CallRow:
    values = dict(record)
    for field in SEALED_FIELDS:
        if values[field] is not None:
            values[field] = bytes(values[field])
    values["notice_missing"] = tuple(values["notice_missing"])
    return CallRow(**values)


_INSERT_COLUMNS = [f for f in CallRow.__dataclass_fields__ if f != "version"]
_CASTS = {"notice": "::jsonb", "notice_missing": "::text[]"}
_INSERT_SQL = (
    f"INSERT INTO calls ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('$' + str(i) + _CASTS.get(c, '') for i, c in enumerate(_INSERT_COLUMNS, 1))})"
)


async def insert_call(conn: Connection | Writes, *, call: CallRow) -> None:
    await write(
        conn,
        _INSERT_SQL,
        *(list(v) if isinstance(v, tuple) else v for v in (getattr(call, c) for c in _INSERT_COLUMNS)),
    )


async def get_call(conn: Connection, *, call_id: str, for_update: bool = False) -> CallRow | None:
    record = await conn.fetchrow("SELECT * FROM calls WHERE id = $1" + (" FOR UPDATE" if for_update else ""), call_id)
    return _row(record) if record else None


async def mark_escalated(conn: Connection, *, call_id: str, incident_id: str, status: str) -> CallRow:
    """Tie a call to its incident ("escalated": it opened it; "linked": about an open one, or moved there)."""
    record = await conn.fetchrow(
        "UPDATE calls SET incident_id = $2, status = $3, version = version + 1 WHERE id = $1 RETURNING *",
        call_id,
        incident_id,
        status,
    )
    assert record is not None
    return _row(record)


async def pending_escalations(conn: Connection, *, older_than: datetime, limit: int = 100) -> list[CallRow]:
    rows = await conn.fetch(
        "SELECT * FROM calls WHERE status = 'escalation_pending' AND registered_at < $1 "
        "ORDER BY registered_at LIMIT $2",
        older_than,
        limit,
    )
    return [_row(r) for r in rows]


async def list_calls(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    category: str | None,
    officer_id: str | None,
    status: str | None,
    incident_id: str | None,
    notice_incomplete_only: bool,
    limit: int,
    offset: int,
) -> list[CallRow]:
    rows = await conn.fetch(
        """SELECT * FROM calls
           WHERE ($1::text[] IS NULL OR site_id = ANY($1)) AND ($2::timestamptz IS NULL OR registered_at >= $2)
             AND ($3::timestamptz IS NULL OR registered_at < $3) AND ($4::text IS NULL OR category = $4)
             AND ($5::text IS NULL OR officer_id = $5) AND ($6::text IS NULL OR status = $6)
             AND ($7::text IS NULL OR incident_id = $7) AND (NOT $8 OR cardinality(notice_missing) > 0)
           ORDER BY registered_at DESC, id LIMIT $9 OFFSET $10""",
        site_ids,
        start,
        end,
        category,
        officer_id,
        status,
        incident_id,
        notice_incomplete_only,
        limit,
        offset,
    )
    return [_row(r) for r in rows]


async def reclassify(conn: Connection, *, call_id: str, category: str, reason: str, by: str, at: datetime) -> CallRow:
    await conn.execute(
        "INSERT INTO call_classifications (call_id, category, reason, classified_by, at) VALUES ($1, $2, $3, $4, $5)",
        call_id,
        category,
        reason,
        by,
        at,
    )
    record = await conn.fetchrow(
        "UPDATE calls SET category = $2, version = version + 1, status = CASE WHEN $2 = 'emergency' "
        "AND incident_id IS NULL THEN 'escalation_pending' ELSE status END WHERE id = $1 RETURNING *",
        call_id,
        category,
    )
    assert record is not None
    return _row(record)


async def classifications(conn: Connection, *, call_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM call_classifications WHERE call_id = $1 ORDER BY seq", call_id))


async def add_transfer(
    conn: Connection,
    *,
    call_id: str,
    target_id: str,
    caller_agreed: bool,
    briefing: str,
    outcome: str,
    by: str,
    at: datetime,
    callback_id: str | None,
) -> CallRow:
    await conn.execute(
        """INSERT INTO transfers (call_id, target_id, caller_agreed, briefing, outcome, transferred_by, at, callback_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        call_id,
        target_id,
        caller_agreed,
        briefing,
        outcome,
        by,
        at,
        callback_id,
    )
    record = await conn.fetchrow(
        "UPDATE calls SET status = 'transferred', version = version + 1 WHERE id = $1 RETURNING *", call_id
    )
    assert record is not None
    return _row(record)


async def transfers(conn: Connection, *, call_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM transfers WHERE call_id = $1 ORDER BY seq", call_id))


async def set_notice(conn: Connection, *, call_id: str, notice: str, missing: list[str]) -> CallRow:
    record = await conn.fetchrow(
        "UPDATE calls SET notice = $2::jsonb, notice_missing = $3::text[], version = version + 1 "
        "WHERE id = $1 RETURNING *",
        call_id,
        notice,
        missing,
    )
    assert record is not None
    return _row(record)


@dataclass(frozen=True)
class CallbackRow:
    id: str
    call_id: str
    site_id: str
    kind: str
    recipient_id: str
    content: str
    urgent: bool
    due_at: datetime
    status: str
    overdue: bool
    outcome: str
    created_by: str
    created_at: datetime
    completed_at: datetime | None
    workflow_started_at: datetime | None
    # "person" (of the roster) or "directory" (an entry of the directory, reached through its contacts).
    recipient_kind: str = "person"


async def insert_callback(conn: Connection | Writes, *, callback: CallbackRow) -> None:
    await write(
        conn,
        """INSERT INTO callbacks (id, call_id, site_id, kind, recipient_id, content, urgent, due_at, status, overdue,
               outcome, created_by, created_at, recipient_kind)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', false, '', $9, $10, $11)""",
        callback.id,
        callback.call_id,
        callback.site_id,
        callback.kind,
        callback.recipient_id,
        callback.content,
        callback.urgent,
        callback.due_at,
        callback.created_by,
        callback.created_at,
        callback.recipient_kind,
    )


async def get_callback(conn: Connection, *, callback_id: str, for_update: bool = False) -> CallbackRow | None:
    row = await conn.fetchrow(
        "SELECT * FROM callbacks WHERE id = $1" + (" FOR UPDATE" if for_update else ""), callback_id
    )
    return CallbackRow(**dict(row)) if row else None


async def complete_callback(conn: Connection, *, callback_id: str, outcome: str, at: datetime) -> CallbackRow:
    row = await conn.fetchrow(
        "UPDATE callbacks SET status = 'completed', outcome = $2, completed_at = $3 WHERE id = $1 RETURNING *",
        callback_id,
        outcome,
        at,
    )
    assert row is not None
    return CallbackRow(**dict(row))


async def open_notice_follow_up(conn: Connection, *, call_id: str) -> CallbackRow | None:
    """The open follow-up of a notice from a superior with missing elements, locked."""
    row = await conn.fetchrow(
        "SELECT * FROM callbacks WHERE call_id = $1 AND kind = 'notice' AND status = 'open' FOR UPDATE", call_id
    )
    return CallbackRow(**dict(row)) if row else None


async def mark_callback_overdue(conn: Connection, *, callback_id: str) -> CallbackRow | None:
    """None when it was completed (or already marked)."""
    row = await conn.fetchrow(
        "UPDATE callbacks SET overdue = true WHERE id = $1 AND status = 'open' AND NOT overdue RETURNING *", callback_id
    )
    return CallbackRow(**dict(row)) if row else None


async def list_callbacks(
    conn: Connection, *, site_ids: list[str] | None, open_only: bool, limit: int, offset: int
) -> list[CallbackRow]:
    """A page of the callbacks of these sites (None: every site), soonest due first."""
    rows = await conn.fetch(
        """SELECT * FROM callbacks WHERE ($1::text[] IS NULL OR site_id = ANY($1))
             AND (NOT $2 OR status = 'open') ORDER BY due_at, id LIMIT $3 OFFSET $4""",
        site_ids,
        open_only,
        limit,
        offset,
    )
    return [CallbackRow(**dict(r)) for r in rows]


async def callbacks_without_workflow(conn: Connection, *, limit: int = 100) -> list[CallbackRow]:
    rows = await conn.fetch(
        "SELECT * FROM callbacks WHERE workflow_started_at IS NULL AND status = 'open' ORDER BY due_at LIMIT $1", limit
    )
    return [CallbackRow(**dict(r)) for r in rows]


async def mark_callback_workflow_started(conn: Connection, *, callback_id: str) -> None:
    await conn.execute("UPDATE callbacks SET workflow_started_at = now() WHERE id = $1", callback_id)


async def calls_to_reseal(conn: Connection, *, limit: int = 100) -> list[CallRow]:
    """Calls with a clear unit or address, or values sealed before they were bound to their place
    (the partial index calls_to_reseal), locked."""
    rows = await conn.fetch(
        """SELECT * FROM calls WHERE caller_unit <> '' OR caller_address <> ''
              OR substring(caller_name_enc FROM 1 FOR 3) <> 'v2:'::bytea
              OR substring(caller_phone_enc FROM 1 FOR 3) <> 'v2:'::bytea
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""",
        limit,
    )
    return [_row(r) for r in rows]


async def reseal(conn: Connection, *, call: CallRow) -> None:
    """Store ``call``'s sealed and masked caller values; the clear unit and address go."""
    await conn.execute(
        """UPDATE calls SET caller_key_id = $2, caller_name_enc = $3, caller_phone_enc = $4, caller_unit_enc = $5,
               caller_address_enc = $6, caller_unit_masked = $7, caller_address_masked = $8, caller_unit = '',
               caller_address = '' WHERE id = $1""",
        call.id,
        call.caller_key_id,
        call.caller_name_enc,
        call.caller_phone_enc,
        call.caller_unit_enc,
        call.caller_address_enc,
        call.caller_unit_masked,
        call.caller_address_masked,
    )


async def audit_reveal(conn: Connection, *, audit_id: str, call_id: str, by: str, reason: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO reveal_audit (id, call_id, revealed_by, reason, at) VALUES ($1, $2, $3, $4, $5)",
        audit_id,
        call_id,
        by,
        reason,
        at,
    )
