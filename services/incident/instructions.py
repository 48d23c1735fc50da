"""Leaders' instructions (领导批示/指令) in the incident schema: the row, its message, its event.
Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import instructions_pb2
from services.incident import convert, store

OPEN, COMPLETED = "open", "completed"


@dataclass(frozen=True)
class InstructionRow:
    id: str
    site_id: str
    incident_id: str | None
    instructed_by_id: str
    instructed_by: str
    content: str
    assignee_id: str
    due_at: datetime
    status: str
    overdue_at: datetime | None
    result: str
    recorded_by_id: str
    recorded_by_name: str
    recorded_by_kind: str
    recorded_at: datetime
    completed_by_id: str
    completed_by_name: str
    completed_by_kind: str
    completed_at: datetime | None
    drill: bool
    version: int
    workflow_started_at: datetime | None

    @property
    def overdue(self) -> bool:
        """Recorded overdue while open, or completed after the deadline."""
        late = self.completed_at is not None and self.completed_at > self.due_at
        return self.overdue_at is not None or late

    @property
    def who_instructed(self) -> str:
        """The person who instructed, as a person of the platform and/or in text."""
        return " ".join(part for part in (self.instructed_by, self.instructed_by_id) if part)


def _row(record: asyncpg.Record) -> InstructionRow:
    return InstructionRow(**dict(record))


def instruction_message(row: InstructionRow) -> instructions_pb2.Instruction:
    def actor(prefix: str) -> common_pb2.Actor | None:
        person = getattr(row, f"{prefix}_id")
        if not person:
            return None
        return common_pb2.Actor(
            person_id=person, display_name=getattr(row, f"{prefix}_name"), kind=getattr(row, f"{prefix}_kind")
        )

    return instructions_pb2.Instruction(
        id=row.id,
        site_id=row.site_id,
        incident_id=row.incident_id or "",
        instructed_by_id=row.instructed_by_id,
        instructed_by=row.instructed_by,
        content=row.content,
        assignee_id=row.assignee_id,
        due_at=ts(row.due_at),
        status=row.status,
        overdue=row.overdue,
        result=row.result,
        recorded_by=actor("recorded_by"),
        recorded_at=ts(row.recorded_at),
        completed_by=actor("completed_by"),
        completed_at=ts(row.completed_at),
        drill=row.drill,
        version=row.version,
    )


async def insert(conn: Connection, *, row: InstructionRow) -> None:
    await conn.execute(
        """INSERT INTO instructions (id, site_id, incident_id, instructed_by_id, instructed_by, content, assignee_id,
               due_at, recorded_by_id, recorded_by_name, recorded_by_kind, recorded_at, drill)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
        row.id,
        row.site_id,
        row.incident_id,
        row.instructed_by_id,
        row.instructed_by,
        row.content,
        row.assignee_id,
        row.due_at,
        row.recorded_by_id,
        row.recorded_by_name,
        row.recorded_by_kind,
        row.recorded_at,
        row.drill,
    )


async def get(conn: Connection, *, instruction_id: str, for_update: bool = False) -> InstructionRow | None:
    record = await conn.fetchrow(
        f"SELECT * FROM instructions WHERE id = $1{' FOR UPDATE' if for_update else ''}", instruction_id
    )
    return _row(record) if record is not None else None


async def complete(
    conn: Connection, *, instruction_id: str, result: str, by: common_pb2.Actor, at: datetime
) -> InstructionRow | None:
    """Open → completed; None when it was not open."""
    record = await conn.fetchrow(
        """UPDATE instructions SET status = 'completed', result = $2, completed_by_id = $3, completed_by_name = $4,
                  completed_by_kind = $5, completed_at = $6, version = version + 1
            WHERE id = $1 AND status = 'open' RETURNING *""",
        instruction_id,
        result,
        by.person_id,
        by.display_name,
        by.kind,
        at,
    )
    return _row(record) if record is not None else None


async def mark_overdue(conn: Connection, *, instruction_id: str, at: datetime) -> InstructionRow | None:
    """Marks an open instruction overdue once; None when it is not open or was marked already."""
    record = await conn.fetchrow(
        """UPDATE instructions SET overdue_at = $2, version = version + 1
            WHERE id = $1 AND status = 'open' AND overdue_at IS NULL RETURNING *""",
        instruction_id,
        at,
    )
    return _row(record) if record is not None else None


async def mark_workflow_started(conn: Connection, *, instruction_id: str) -> None:
    await conn.execute(
        "UPDATE instructions SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL",
        instruction_id,
    )


async def without_workflow(conn: Connection, *, older_than: datetime) -> list[InstructionRow]:
    rows = await conn.fetch(
        "SELECT * FROM instructions WHERE workflow_started_at IS NULL AND recorded_at < $1 ORDER BY recorded_at "
        "LIMIT 100",
        older_than,
    )
    return [_row(r) for r in rows]


async def listed(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    incident_id: str | None,
    assignee_id: str | None,
    open_only: bool,
    include_drills: bool,
    limit: int,
    offset: int,
) -> list[InstructionRow]:
    rows = await conn.fetch(
        """SELECT * FROM instructions
            WHERE ($1::text[] IS NULL OR site_id = ANY($1)) AND ($2::text IS NULL OR incident_id = $2)
              AND ($3::text IS NULL OR assignee_id = $3) AND (NOT $4 OR status = 'open') AND ($5 OR NOT drill)
            ORDER BY due_at, id LIMIT $6 OFFSET $7""",
        site_ids,
        incident_id,
        assignee_id,
        open_only,
        include_drills,
        limit,
        offset,
    )
    return [_row(r) for r in rows]


async def publish(
    conn: Connection,
    *,
    event_type: str,
    row: InstructionRow,
    entry_kind: str,
    text: str,
    actor: common_pb2.Actor,
    at: datetime,
) -> instructions_pb2.Instruction:
    """The change's entry on the incident's timeline (when it is on an incident; once per change) and
    its event ``incident.instruction_*``, in the caller's transaction. The aggregate is the instruction."""
    message = instruction_message(row)
    payload = event_pb2.IncidentChanged(instruction=message, detail=text)
    if row.incident_id is not None:
        key = f"instruction:{row.id}:{entry_kind}"
        await store.append_timeline(
            conn,
            incident_id=row.incident_id,
            at=at,
            actor_id=actor.person_id,
            actor_name=actor.display_name,
            actor_kind=actor.kind,
            kind=entry_kind,
            text=text,
            dedupe_key=key,
        )
        entry = await store.timeline_entry(conn, dedupe_key=key)
        incident = await store.get_incident(conn, incident_id=row.incident_id)
        assert entry is not None and incident is not None
        payload.entry.CopyFrom(convert.timeline_message(entry))
        payload.incident.CopyFrom(convert.incident_message(incident))
    await emit(
        conn,
        event_type=event_type,
        site_id=row.site_id,
        aggregate_id=row.id,
        aggregate_version=row.version,
        payload=payload,
        drill=row.drill,
        actor=actor,
        occurred_at=at,
    )
    return message
