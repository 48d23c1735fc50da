"""Persistence of the leader's inspection (带班领导查岗): checklists and inspections. Keyword-only
functions over a connection; the caller owns the transaction."""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection
from services.roster.inspections import Checklist, ChecklistItem, InspectionRow, ItemResult


def _checklist(row: asyncpg.Record) -> Checklist:
    return Checklist(
        site_id=row["site_id"],
        items=tuple(ChecklistItem(code=i["code"], label=i["label"]) for i in json.loads(row["items"])),
        version=row["version"],
        updated_by=row["updated_by"],
        updated_by_name=row["updated_by_name"],
        updated_at=row["updated_at"],
    )


async def get_checklist(conn: Connection, *, site_id: str) -> Checklist | None:
    row = await conn.fetchrow("SELECT * FROM inspection_checklists WHERE site_id = $1", site_id)
    return _checklist(row) if row else None


async def upsert_checklist(
    conn: Connection, *, site_id: str, items: list[ChecklistItem], updated_by: str, updated_by_name: str
) -> Checklist:
    """Set the checklist; its version grows only when the items change."""
    encoded = json.dumps([{"code": i.code, "label": i.label} for i in items], ensure_ascii=False)
    row = await conn.fetchrow(
        """INSERT INTO inspection_checklists AS c (site_id, items, updated_by, updated_by_name)
           VALUES ($1, $2::jsonb, $3, $4)
           ON CONFLICT (site_id) DO UPDATE SET items = $2::jsonb, updated_by = $3, updated_by_name = $4,
               updated_at = now(), version = c.version + 1
           WHERE c.items IS DISTINCT FROM $2::jsonb
           RETURNING *""",
        site_id,
        encoded,
        updated_by,
        updated_by_name,
    )
    if row is None:  # the same items: nothing changed
        current = await get_checklist(conn, site_id=site_id)
        assert current is not None
        return current
    return _checklist(row)


_INSPECTION_SELECT = """
SELECT i.*, a.shift_name, a.local_date FROM inspections i JOIN assignments a ON a.id = i.assignment_id
"""


def _inspection(row: asyncpg.Record) -> InspectionRow:
    return InspectionRow(
        id=row["id"],
        site_id=row["site_id"],
        assignment_id=row["assignment_id"],
        shift_name=row["shift_name"],
        local_date=str(row["local_date"]),
        inspector_id=row["inspector_id"],
        inspector_name=row["inspector_name"],
        inspected_at=row["inspected_at"],
        checklist_version=row["checklist_version"],
        results=tuple(ItemResult(code=r["code"], ok=r["ok"], note=r["note"]) for r in json.loads(row["results"])),
        note=row["note"],
        recorded_at=row["recorded_at"],
    )


async def insert_inspection(
    conn: Connection,
    *,
    inspection_id: str,
    site_id: str,
    assignment_id: str,
    inspector_id: str,
    inspector_name: str,
    inspected_at: datetime,
    checklist_version: int,
    results: list[ItemResult],
    note: str,
) -> InspectionRow:
    await conn.execute(
        """INSERT INTO inspections (id, site_id, assignment_id, inspector_id, inspector_name, inspected_at,
               checklist_version, results, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)""",
        inspection_id,
        site_id,
        assignment_id,
        inspector_id,
        inspector_name,
        inspected_at,
        checklist_version,
        json.dumps([{"code": r.code, "ok": r.ok, "note": r.note} for r in results], ensure_ascii=False),
        note,
    )
    row = await conn.fetchrow(_INSPECTION_SELECT + "WHERE i.id = $1", inspection_id)
    assert row is not None  # inserted just now, in this transaction
    return _inspection(row)


async def list_inspections(
    conn: Connection,
    *,
    site_id: str,
    start: datetime | None,
    end: datetime | None,
    offset: int,
    limit: int,
) -> list[InspectionRow]:
    """A site's inspections within [start, end), newest first."""
    rows = await conn.fetch(
        _INSPECTION_SELECT
        + """WHERE i.site_id = $1
               AND ($2::timestamptz IS NULL OR i.inspected_at >= $2)
               AND ($3::timestamptz IS NULL OR i.inspected_at < $3)
             ORDER BY i.inspected_at DESC, i.id DESC
             OFFSET $4 LIMIT $5""",
        site_id,
        start,
        end,
        offset,
        limit,
    )
    return [_inspection(r) for r in rows]


async def inspected_between(conn: Connection, *, site_id: str, start: datetime, end: datetime) -> bool:
    """Whether anyone inspected the site within [start, end) (a leader's shift)."""
    found = await conn.fetchval(
        "SELECT true FROM inspections WHERE site_id = $1 AND inspected_at >= $2 AND inspected_at < $3 LIMIT 1",
        site_id,
        start,
        end,
    )
    return bool(found)


async def violation_recorded(conn: Connection, *, kind: str, assignment_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM violations WHERE kind = $1 AND assignment_id = $2", kind, assignment_id
    )
    return bool(found)
