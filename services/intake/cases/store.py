"""Cases in intake's schema. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection
from workflows.case.types import DEADLINE_MET


@dataclass(frozen=True)
class CaseRow:
    id: str
    site_id: str
    category: str
    status: str
    urgent: bool
    subject: str
    caller_key_id: str
    caller_name_enc: bytes | None
    caller_phone_enc: bytes | None
    caller_unit_enc: bytes | None
    caller_address_enc: bytes | None
    caller_name_masked: str
    caller_phone_masked: str
    caller_unit_masked: str
    caller_address_masked: str
    call_id: str | None
    owner_id: str
    owner_kind: str
    pending_owner_id: str
    pending_owner_kind: str
    assigned_by: str
    due_at: datetime
    remind_at: datetime
    deadline_round: int
    overdue_round: int
    policy_version: int
    answer: str
    feedback: str
    return_visit: str
    return_visit_comment: str
    reopened: int
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    drill: bool
    version: int
    workflow_started_at: datetime | None

    @property
    def overdue(self) -> bool:
        """The deadline in force was missed (recorded by the case's workflow)."""
        return self.overdue_round == self.deadline_round


@dataclass(frozen=True)
class NoteRow:
    kind: str
    text: str
    by: str
    at: datetime


_SEALED = ("caller_name_enc", "caller_phone_enc", "caller_unit_enc", "caller_address_enc")
_COLUMNS = [f.name for f in fields(CaseRow)]
_INSERT = (
    f"INSERT INTO cases ({', '.join(_COLUMNS)}) VALUES ({', '.join(f'${i}' for i in range(1, len(_COLUMNS) + 1))})"
)


def _row(record: asyncpg.Record) -> CaseRow:
    values = dict(record)
    for name in _SEALED:
        if values[name] is not None:
            values[name] = bytes(values[name])
    return CaseRow(**values)


async def insert_case(conn: Connection, *, case: CaseRow) -> None:
    await conn.execute(_INSERT, *(getattr(case, c) for c in _COLUMNS))


async def get_case(conn: Connection, *, case_id: str, for_update: bool = False) -> CaseRow | None:
    row = await conn.fetchrow("SELECT * FROM cases WHERE id = $1" + (" FOR UPDATE" if for_update else ""), case_id)
    return _row(row) if row else None


# The columns a change may set (never the id, site, caller or version).
_CHANGEABLE = frozenset(
    {
        "status",
        "owner_id",
        "owner_kind",
        "pending_owner_id",
        "pending_owner_kind",
        "assigned_by",
        "due_at",
        "remind_at",
        "deadline_round",
        "policy_version",
        "answer",
        "feedback",
        "return_visit",
        "return_visit_comment",
        "reopened",
        "closed_at",
    }
)


async def change_case(conn: Connection, *, case_id: str, **changes: object) -> CaseRow:
    """Set ``changes`` on the case and bump its version; the case as it now is."""
    unknown = set(changes) - _CHANGEABLE
    if unknown:
        raise ValueError(f"not a changeable column of cases: {sorted(unknown)}")
    names = sorted(changes)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, 2))
    row = await conn.fetchrow(
        f"UPDATE cases SET {assignments}, version = version + 1 WHERE id = $1 RETURNING *",
        case_id,
        *(changes[n] for n in names),
    )
    assert row is not None
    return _row(row)


async def add_note(conn: Connection, *, case_id: str, kind: str, text: str, by: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO case_notes (case_id, kind, text, by, at) VALUES ($1, $2, $3, $4, $5)", case_id, kind, text, by, at
    )


async def notes(conn: Connection, *, case_id: str) -> list[NoteRow]:
    rows = await conn.fetch("SELECT kind, text, by, at FROM case_notes WHERE case_id = $1 ORDER BY seq", case_id)
    return [NoteRow(**dict(r)) for r in rows]


async def list_cases(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    status: str | None,
    owner_id: str | None,
    open_only: bool,
    overdue_only: bool,
    limit: int,
    offset: int,
) -> list[CaseRow]:
    """Newest first; ``site_ids`` None: every site."""
    rows = await conn.fetch(
        """SELECT * FROM cases
           WHERE ($1::text[] IS NULL OR site_id = ANY($1::text[]))
             AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR owner_id = $3 OR pending_owner_id = $3)
             AND (NOT $4 OR status <> 'closed')
             AND (NOT $5 OR overdue_round = deadline_round)
           ORDER BY opened_at DESC, id LIMIT $6 OFFSET $7""",
        site_ids,
        status,
        owner_id,
        open_only,
        overdue_only,
        limit,
        offset,
    )
    return [_row(r) for r in rows]


async def mark_overdue(conn: Connection, *, case_id: str, deadline_round: int) -> CaseRow | None:
    """Record the deadline of ``deadline_round`` missed, once; None if it was already, or the case has
    moved on (a new deadline, or the caller told)."""
    row = await conn.fetchrow(
        """UPDATE cases SET overdue_round = $2, version = version + 1
           WHERE id = $1 AND deadline_round = $2 AND overdue_round < $2 AND NOT status = ANY($3::text[])
           RETURNING *""",
        case_id,
        deadline_round,
        sorted(DEADLINE_MET),
    )
    return _row(row) if row else None


async def cases_without_workflow(conn: Connection, *, limit: int = 100) -> list[CaseRow]:
    rows = await conn.fetch(
        "SELECT * FROM cases WHERE workflow_started_at IS NULL ORDER BY opened_at LIMIT $1",
        limit,
    )
    return [_row(r) for r in rows]


async def mark_workflow_started(conn: Connection, *, case_id: str) -> None:
    await conn.execute("UPDATE cases SET workflow_started_at = now() WHERE id = $1", case_id)


async def audit_reveal(conn: Connection, *, audit_id: str, case_id: str, by: str, reason: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO case_reveal_audit (id, case_id, revealed_by, reason, at) VALUES ($1, $2, $3, $4, $5)",
        audit_id,
        case_id,
        by,
        reason,
        at,
    )
