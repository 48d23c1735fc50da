"""Persistence of a call's record after registration (来电记录): optional caller details, the handling
and result, handling notes. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.db.writes import Writes, write
from services.intake import store


@dataclass(frozen=True)
class RecordRow:
    call_id: str
    caller_gender: str = ""
    caller_age: int = 0
    caller_declined_number: bool = False
    handling: str = ""
    result: str = ""
    completed_by: str = ""
    completed_at: datetime | None = None
    # The casualties the caller told of (0: none told).
    casualties: int = 0


@dataclass(frozen=True)
class NoteRow:
    id: str
    call_id: str
    text: str
    written_by: str
    at: datetime


async def get_record(conn: Connection, *, call_id: str, for_update: bool = False) -> RecordRow:
    """The call's record (an empty one when nothing was recorded beyond the registration)."""
    row = await conn.fetchrow(
        "SELECT * FROM call_records WHERE call_id = $1" + (" FOR UPDATE" if for_update else ""), call_id
    )
    return RecordRow(**dict(row)) if row else RecordRow(call_id)


async def save_record(conn: Connection | Writes, *, record: RecordRow) -> None:
    await write(
        conn,
        """INSERT INTO call_records (call_id, caller_gender, caller_age, caller_declined_number, handling, result,
               completed_by, completed_at, casualties) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (call_id) DO UPDATE SET caller_gender = $2, caller_age = $3, caller_declined_number = $4,
               handling = $5, result = $6, completed_by = $7, completed_at = $8, casualties = $9""",
        record.call_id,
        record.caller_gender,
        record.caller_age,
        record.caller_declined_number,
        record.handling,
        record.result,
        record.completed_by,
        record.completed_at,
        record.casualties,
    )


async def add_note(conn: Connection, *, note: NoteRow) -> None:
    await conn.execute(
        "INSERT INTO call_notes (id, call_id, text, written_by, at) VALUES ($1, $2, $3, $4, $5)",
        note.id,
        note.call_id,
        note.text,
        note.written_by,
        note.at,
    )


async def notes(conn: Connection, *, call_id: str) -> list[NoteRow]:
    rows = await conn.fetch("SELECT * FROM call_notes WHERE call_id = $1 ORDER BY at, id", call_id)
    return [NoteRow(**dict(r)) for r in rows]


async def fill_call(conn: Connection, *, call: store.CallRow) -> store.CallRow:
    """Store ``call``'s place, request and masked name and number (the sealed caller goes through
    store.reseal) as a new version."""
    await conn.execute(
        "UPDATE calls SET place_text = $2, latitude = $3, longitude = $4, request = $5, caller_name_masked = $6, "
        "caller_phone_masked = $7, version = version + 1 WHERE id = $1",
        call.id,
        call.place_text,
        call.latitude,
        call.longitude,
        call.request,
        call.caller_name_masked,
        call.caller_phone_masked,
    )
    filled = await store.get_call(conn, call_id=call.id)
    assert filled is not None
    return filled


async def bump_version(conn: Connection, *, call_id: str) -> store.CallRow:
    """The call as a new version (its record changed), for the event that says so."""
    await conn.execute("UPDATE calls SET version = version + 1 WHERE id = $1", call_id)
    bumped = await store.get_call(conn, call_id=call_id)
    assert bumped is not None
    return bumped
