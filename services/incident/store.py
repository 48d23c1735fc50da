"""Incident persistence. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection


@dataclass(frozen=True)
class IncidentRow:
    id: str
    site_id: str
    title: str
    summary: str
    category: str
    severity: str
    stage: str
    place_text: str
    latitude: float | None
    longitude: float | None
    first_responder_id: str
    drill: bool
    occurred_at: datetime | None
    registered_at: datetime
    closed_at: datetime | None
    workflow_started_at: datetime | None
    version: int
    call_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    incident_id: str
    at: datetime
    actor_id: str
    actor_name: str
    actor_kind: str
    kind: str
    text: str


async def insert_incident(conn: Connection, *, incident: IncidentRow) -> None:
    await conn.execute(
        """INSERT INTO incidents (id, site_id, title, summary, category, severity, stage, place_text,
               latitude, longitude, first_responder_id, drill, occurred_at, registered_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        incident.id,
        incident.site_id,
        incident.title,
        incident.summary,
        incident.category,
        incident.severity,
        incident.stage,
        incident.place_text,
        incident.latitude,
        incident.longitude,
        incident.first_responder_id,
        incident.drill,
        incident.occurred_at,
        incident.registered_at,
    )
    if incident.call_ids:
        await conn.executemany(
            "INSERT INTO incident_calls (incident_id, call_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [(incident.id, c) for c in incident.call_ids],
        )


async def get_incident(conn: Connection, *, incident_id: str) -> IncidentRow | None:
    record = await conn.fetchrow(
        """SELECT i.*, ARRAY(SELECT call_id FROM incident_calls c WHERE c.incident_id = i.id
                             ORDER BY linked_at, call_id) AS call_ids
           FROM incidents i WHERE i.id = $1""",
        incident_id,
    )
    if record is None:
        return None
    values = dict(record)
    values["call_ids"] = tuple(values["call_ids"])
    return IncidentRow(**values)


async def mark_workflow_started(conn: Connection, *, incident_id: str) -> None:
    await conn.execute(
        "UPDATE incidents SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL",
        incident_id,
    )


async def incidents_without_workflow(conn: Connection, *, older_than: datetime) -> list[str]:
    rows = await conn.fetch(
        "SELECT id FROM incidents WHERE workflow_started_at IS NULL AND registered_at < $1 "
        "ORDER BY registered_at LIMIT 100",
        older_than,
    )
    return [r["id"] for r in rows]


async def append_timeline(
    conn: Connection,
    *,
    incident_id: str,
    at: datetime,
    actor_id: str,
    actor_name: str,
    actor_kind: str,
    kind: str,
    text: str,
    dedupe_key: str | None = None,
) -> bool:
    """Append an entry; returns False if an entry with ``dedupe_key`` already exists."""
    inserted = await conn.fetchval(
        """INSERT INTO timeline (incident_id, at, actor_id, actor_name, actor_kind, kind, text, dedupe_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING true""",
        incident_id,
        at,
        actor_id,
        actor_name,
        actor_kind,
        kind,
        text,
        dedupe_key,
    )
    return bool(inserted)


async def timeline(conn: Connection, *, incident_id: str) -> list[TimelineRow]:
    rows = await conn.fetch(
        "SELECT seq, incident_id, at, actor_id, actor_name, actor_kind, kind, text FROM timeline "
        "WHERE incident_id = $1 ORDER BY seq",
        incident_id,
    )
    return [TimelineRow(**dict(r)) for r in rows]


async def list_incidents(
    conn: Connection,
    *,
    site_ids: list[str],
    open_only: bool,
    stage: str | None,
    severity: str | None,
    include_drills: bool,
    limit: int,
    offset: int,
) -> list[IncidentRow]:
    rows = await conn.fetch(
        """SELECT i.*, ARRAY(SELECT call_id FROM incident_calls c WHERE c.incident_id = i.id
                             ORDER BY linked_at, call_id) AS call_ids
           FROM incidents i
           WHERE i.site_id = ANY($1::text[])
             AND (NOT $2 OR i.stage <> 'closed')
             AND ($3::text IS NULL OR i.stage = $3)
             AND ($4::text IS NULL OR i.severity = $4)
             AND ($5 OR NOT i.drill)
           ORDER BY i.registered_at DESC, i.id
           LIMIT $6 OFFSET $7""",
        site_ids,
        open_only,
        stage,
        severity,
        include_drills,
        limit,
        offset,
    )
    return [IncidentRow(**{**dict(r), "call_ids": tuple(r["call_ids"])}) for r in rows]
