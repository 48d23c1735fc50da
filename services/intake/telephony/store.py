"""Telephony persistence: lines, line calls and their events. Keyword-only functions; the caller owns
the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from dutyline.db.pool import Connection
from services.intake.telephony.rules import OPEN_CALL_HORIZON, SwitchEvent


@dataclass(frozen=True)
class LineRow:
    id: str
    site_id: str
    switch_id: str
    display_name: str
    # extension → person id
    extensions: dict[str, str]
    down_after_seconds: int
    callback_due_seconds: int
    register_within_seconds: int
    last_seen_at: datetime | None
    down_since: datetime | None
    down_alerted_at: datetime | None
    created_at: datetime
    version: int


def _line(record: asyncpg.Record | dict[str, Any]) -> LineRow:
    values = dict(record)
    values["extensions"] = {e["extension"]: e["person_id"] for e in json.loads(values["extensions"])}
    return LineRow(**values)


@dataclass(frozen=True)
class LineCallRow:
    id: str
    site_id: str
    line_id: str
    switch_id: str
    switch_call_id: str
    caller_key_id: str
    caller_number_enc: bytes | None
    caller_number_masked: str
    state: str
    ring_started_at: datetime
    answered_at: datetime | None
    transferred_at: datetime | None
    ended_at: datetime | None
    answer_delay_seconds: float
    answered_late: bool
    extension: str
    officer_id: str
    transfer_target: str
    recording_ref: str
    recording_retain_until: datetime | None
    shift_name: str
    callback_id: str | None
    # "pending", "registered" or "overdue" (an answered call's registration, as the sweep last saw it).
    registration: str
    unregistered_at: datetime | None
    version: int
    # The call record (a registration, or a missed call's record), from calls.line_call_id.
    call_id: str | None = None


_LINE_CALL = "SELECT lc.*, c.id AS call_id FROM line_calls lc LEFT JOIN calls c ON c.line_call_id = lc.id"


def _line_call(record: asyncpg.Record | dict[str, Any]) -> LineCallRow:
    values = dict(record)
    if values["caller_number_enc"] is not None:
        values["caller_number_enc"] = bytes(values["caller_number_enc"])
    return LineCallRow(**values)


async def upsert_line(
    conn: Connection,
    *,
    line_id: str,
    site_id: str,
    switch_id: str,
    display_name: str,
    extensions: dict[str, str],
    down_after_seconds: int,
    callback_due_seconds: int,
    register_within_seconds: int,
) -> LineRow:
    record = await conn.fetchrow(
        """INSERT INTO lines (id, site_id, switch_id, display_name, extensions, down_after_seconds,
               callback_due_seconds, register_within_seconds)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
           ON CONFLICT (id) DO UPDATE SET switch_id = $3, display_name = $4, extensions = $5::jsonb,
               down_after_seconds = $6, callback_due_seconds = $7, register_within_seconds = $8,
               version = lines.version + 1
           RETURNING *""",
        line_id,
        site_id,
        switch_id,
        display_name,
        json.dumps([{"extension": k, "person_id": v} for k, v in extensions.items()]),
        down_after_seconds,
        callback_due_seconds,
        register_within_seconds,
    )
    assert record is not None
    return _line(record)


async def get_line(conn: Connection, *, line_id: str) -> LineRow | None:
    record = await conn.fetchrow("SELECT * FROM lines WHERE id = $1", line_id)
    return _line(record) if record else None


async def list_lines(conn: Connection, *, site_ids: list[str] | None) -> list[LineRow]:
    rows = await conn.fetch("SELECT * FROM lines WHERE $1::text[] IS NULL OR site_id = ANY($1) ORDER BY id", site_ids)
    return [_line(r) for r in rows]


async def heard(conn: Connection, *, line_id: str, at: datetime, fresh: bool) -> tuple[LineRow, bool]:
    """The line heard from at ``at`` (the latest time heard is kept) and, if it was down and the event
    is ``fresh`` (not a late retry from before the outage), up again; returns the line and whether it
    came back up."""
    record = await conn.fetchrow(
        """UPDATE lines l SET last_seen_at = GREATEST(l.last_seen_at, $2),
               down_since = CASE WHEN $3 THEN NULL ELSE l.down_since END,
               down_alerted_at = CASE WHEN $3 THEN NULL ELSE l.down_alerted_at END,
               version = l.version + CASE WHEN $3 AND l.down_since IS NOT NULL THEN 1 ELSE 0 END
           FROM lines old WHERE l.id = $1 AND old.id = l.id
           RETURNING l.*, $3 AND old.down_since IS NOT NULL AS was_down""",
        line_id,
        at,
        fresh,
    )
    assert record is not None
    values = dict(record)
    was_down = values.pop("was_down")
    return _line(values), bool(was_down)


async def silent_lines(conn: Connection) -> list[LineRow]:
    """Lines not down yet, locked (one sweeper decides each)."""
    rows = await conn.fetch("SELECT * FROM lines WHERE down_since IS NULL ORDER BY id FOR UPDATE SKIP LOCKED")
    return [_line(r) for r in rows]


async def mark_down(conn: Connection, *, line_id: str, at: datetime) -> LineRow:
    record = await conn.fetchrow(
        "UPDATE lines SET down_since = $2, version = version + 1 WHERE id = $1 RETURNING *", line_id, at
    )
    assert record is not None
    return _line(record)


async def unalerted_down_lines(conn: Connection) -> list[LineRow]:
    rows = await conn.fetch("SELECT * FROM lines WHERE down_since IS NOT NULL AND down_alerted_at IS NULL")
    return [_line(r) for r in rows]


async def mark_alerted(conn: Connection, *, line_id: str, down_since: datetime) -> None:
    await conn.execute(
        "UPDATE lines SET down_alerted_at = now() WHERE id = $1 AND down_since = $2", line_id, down_since
    )


async def open_line_call(
    conn: Connection, *, new_id: str, line: LineRow, switch_call_id: str, at: datetime, shift_name: str
) -> LineCallRow:
    """The line call of ``switch_call_id``, opened (ringing at ``at``) if this is its first event; locked."""
    await conn.execute(
        """INSERT INTO line_calls (id, site_id, line_id, switch_id, switch_call_id, state, ring_started_at, shift_name)
           VALUES ($1, $2, $3, $4, $5, 'ringing', $6, $7) ON CONFLICT (switch_id, switch_call_id) DO NOTHING""",
        new_id,
        line.site_id,
        line.id,
        line.switch_id,
        switch_call_id,
        at,
        shift_name,
    )
    record = await conn.fetchrow(
        _LINE_CALL + " WHERE lc.switch_id = $1 AND lc.switch_call_id = $2 FOR UPDATE OF lc",
        line.switch_id,
        switch_call_id,
    )
    assert record is not None
    return _line_call(record)


async def add_event(conn: Connection, *, line_call: LineCallRow, event: SwitchEvent) -> bool:
    """Record ``event`` of the call; False when it was recorded before (a retry or a duplicate)."""
    inserted = await conn.fetchval(
        """INSERT INTO line_events (switch_id, switch_call_id, kind, line_call_id, at, extension, transfer_target,
               recording_ref, recording_retain_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT DO NOTHING RETURNING true""",
        line_call.switch_id,
        line_call.switch_call_id,
        event.kind,
        line_call.id,
        event.at,
        event.extension,
        event.transfer_target,
        event.recording_ref,
        event.recording_retain_until,
    )
    return bool(inserted)


async def events_of(conn: Connection, *, line_call_id: str) -> list[SwitchEvent]:
    rows = await conn.fetch(
        """SELECT kind, at, extension, transfer_target, recording_ref, recording_retain_until
           FROM line_events WHERE line_call_id = $1""",
        line_call_id,
    )
    return [SwitchEvent(**dict(r)) for r in rows]


async def update_line_call(conn: Connection, *, line_call: LineCallRow) -> LineCallRow:
    """Store the call's facts (everything the events decide, the caller's number, the callback)."""
    record = await conn.fetchrow(
        """UPDATE line_calls SET state = $2, ring_started_at = $3, answered_at = $4, transferred_at = $5,
               ended_at = $6, answer_delay_seconds = $7, answered_late = $8, extension = $9, officer_id = $10,
               transfer_target = $11, recording_ref = $12, recording_retain_until = $13, caller_key_id = $14,
               caller_number_enc = $15, caller_number_masked = $16, callback_id = $17, version = version + 1
           WHERE id = $1 RETURNING version""",
        line_call.id,
        line_call.state,
        line_call.ring_started_at,
        line_call.answered_at,
        line_call.transferred_at,
        line_call.ended_at,
        line_call.answer_delay_seconds,
        line_call.answered_late,
        line_call.extension,
        line_call.officer_id,
        line_call.transfer_target,
        line_call.recording_ref,
        line_call.recording_retain_until,
        line_call.caller_key_id,
        line_call.caller_number_enc,
        line_call.caller_number_masked,
        line_call.callback_id,
    )
    assert record is not None
    found = await get_line_call(conn, line_call_id=line_call.id)
    assert found is not None
    return found


async def sync_record(conn: Connection, *, line_call: LineCallRow) -> str | None:
    """Carry the switch's times of an answered line call to its registered record (the officer may have
    registered it before it ended, or before a late event corrected it); the record's id if it changed."""
    changed: str | None = await conn.fetchval(
        """UPDATE calls SET ring_started_at = $2, answered_at = $3, ended_at = $4, answer_delay_seconds = $5,
               answered_late = $6, version = version + 1
           WHERE line_call_id = $1 AND answered_at IS NOT NULL
             AND (ring_started_at, answered_at, ended_at, answer_delay_seconds, answered_late)
                 IS DISTINCT FROM ($2, $3, $4, $5, $6)
           RETURNING id""",
        line_call.id,
        line_call.ring_started_at,
        line_call.answered_at,
        line_call.ended_at,
        line_call.answer_delay_seconds,
        line_call.answered_late,
    )
    return changed


async def get_line_call(conn: Connection, *, line_call_id: str) -> LineCallRow | None:
    record = await conn.fetchrow(_LINE_CALL + " WHERE lc.id = $1", line_call_id)
    return _line_call(record) if record else None


async def open_calls_of(conn: Connection, *, line_ids: list[str], since: datetime) -> list[LineCallRow]:
    """Calls ringing or in progress on these lines that rang after ``since``, newest first."""
    rows = await conn.fetch(
        _LINE_CALL + " WHERE lc.line_id = ANY($1) AND lc.state IN ('ringing', 'answered', 'transferred')"
        " AND lc.ring_started_at >= $2 ORDER BY lc.ring_started_at DESC",
        line_ids,
        since,
    )
    return [_line_call(r) for r in rows]


def open_since(now: datetime) -> datetime:
    return now - OPEN_CALL_HORIZON


async def registrations_to_check(conn: Connection, *, limit: int = 100) -> list[tuple[LineCallRow, int, bool]]:
    """Answered, ended calls whose registration is pending, oldest end first, with their line's time to
    register and whether a record exists now; locked."""
    rows = await conn.fetch(
        """SELECT lc.*, NULL::text AS call_id, l.register_within_seconds,
                  EXISTS (SELECT 1 FROM calls c WHERE c.line_call_id = lc.id) AS registered
           FROM line_calls lc JOIN lines l ON l.id = lc.line_id
           WHERE lc.registration = 'pending' AND lc.answered_at IS NOT NULL AND lc.ended_at IS NOT NULL
           ORDER BY lc.ended_at LIMIT $1 FOR UPDATE OF lc SKIP LOCKED""",
        limit,
    )
    found = []
    for record in rows:
        values = dict(record)
        within, registered = values.pop("register_within_seconds"), values.pop("registered")
        found.append((_line_call(values), within, registered))
    return found


async def set_registration(conn: Connection, *, line_call_id: str, registration: str, at: datetime) -> LineCallRow:
    """Record what the sweep saw: "registered", or "overdue" (flagged at ``at``)."""
    await conn.execute(
        """UPDATE line_calls SET registration = $2,
               unregistered_at = CASE WHEN $2 = 'overdue' THEN $3 ELSE unregistered_at END,
               version = version + CASE WHEN $2 = 'overdue' THEN 1 ELSE 0 END
           WHERE id = $1""",
        line_call_id,
        registration,
        at,
    )
    found = await get_line_call(conn, line_call_id=line_call_id)
    assert found is not None
    return found


async def list_missed(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    include_unregistered: bool,
    limit: int,
    offset: int,
) -> list[LineCallRow]:
    rows = await conn.fetch(
        _LINE_CALL
        + """ WHERE ($1::text[] IS NULL OR lc.site_id = ANY($1))
             AND ($2::timestamptz IS NULL OR lc.ring_started_at >= $2)
             AND ($3::timestamptz IS NULL OR lc.ring_started_at < $3)
             AND (lc.state IN ('abandoned', 'not_answered') OR ($4 AND lc.registration = 'overdue'))
           ORDER BY lc.ring_started_at DESC, lc.id LIMIT $5 OFFSET $6""",
        site_ids,
        start,
        end,
        include_unregistered,
        limit,
        offset,
    )
    return [_line_call(r) for r in rows]


async def figures(
    conn: Connection, *, site_ids: list[str] | None, start: datetime, end: datetime
) -> list[asyncpg.Record]:
    """Per line, officer and shift (the grouping named in ``by``): calls that rang, answered, late,
    missed, mean and longest answer time."""
    return list(
        await conn.fetch(
            """SELECT CASE WHEN GROUPING(line_id) = 0 THEN 'line' WHEN GROUPING(officer_id) = 0 THEN 'officer'
                          ELSE 'shift' END AS by,
                      COALESCE(line_id, officer_id, shift_name) AS key,
                      count(*) AS rang,
                      count(answered_at) AS answered,
                      count(*) FILTER (WHERE answered_late) AS answered_late,
                      count(*) FILTER (WHERE state IN ('abandoned', 'not_answered')) AS missed,
                      COALESCE(avg(answer_delay_seconds) FILTER (WHERE answered_at IS NOT NULL), 0) AS mean_answer,
                      COALESCE(max(answer_delay_seconds) FILTER (WHERE answered_at IS NOT NULL), 0) AS max_answer
               FROM line_calls
               WHERE ($1::text[] IS NULL OR site_id = ANY($1)) AND ring_started_at >= $2 AND ring_started_at < $3
               GROUP BY GROUPING SETS ((line_id), (officer_id), (shift_name))
               ORDER BY 1, 2""",
            site_ids,
            start,
            end,
        )
    )
