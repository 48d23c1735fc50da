"""Roster persistence. Keyword-only functions over a connection; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass

import asyncpg

from dutyline.db.pool import Connection


@dataclass(frozen=True)
class SiteRow:
    id: str
    name: str
    kind: str
    parent_id: str | None
    time_zone: str
    jurisdiction: str
    answer_limit_seconds: int
    greeting: str
    ancestor_ids: tuple[str, ...]
    check_in_lead_minutes: int = 15
    absent_after_minutes: int = 30
    reminder_minutes: int = 60
    handover_accept_minutes: int = 30
    max_consecutive_shifts: int = 2


@dataclass(frozen=True)
class PersonRow:
    id: str
    display_name: str
    site_id: str
    roles: tuple[str, ...]
    qualifications: tuple[str, ...]
    contacts: tuple[tuple[str, str], ...]
    department: str


# Both walks of the hierarchy stop at a site they have seen: a loop in it (UpsertSite refuses one)
# must not make them run forever.
_SITE_SQL = """
WITH RECURSIVE up AS (
    SELECT id, parent_id, 0 AS depth, ARRAY[id] AS seen FROM sites WHERE id = $1
    UNION ALL
    SELECT s.id, s.parent_id, up.depth + 1, up.seen || s.id FROM sites s JOIN up ON s.id = up.parent_id
    WHERE s.id <> ALL (up.seen)
)
SELECT s.*, ARRAY(SELECT id FROM up WHERE depth > 0 ORDER BY depth DESC) AS ancestor_ids
FROM sites s WHERE s.id = $1
"""


def _site(row: asyncpg.Record) -> SiteRow:
    return SiteRow(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        parent_id=row["parent_id"],
        time_zone=row["time_zone"],
        jurisdiction=row["jurisdiction"],
        answer_limit_seconds=row["answer_limit_seconds"],
        greeting=row["greeting"],
        ancestor_ids=tuple(row["ancestor_ids"]),
        check_in_lead_minutes=row["check_in_lead_minutes"],
        absent_after_minutes=row["absent_after_minutes"],
        reminder_minutes=row["reminder_minutes"],
        handover_accept_minutes=row["handover_accept_minutes"],
        max_consecutive_shifts=row["max_consecutive_shifts"],
    )


async def get_site(conn: Connection, *, site_id: str) -> SiteRow | None:
    row = await conn.fetchrow(_SITE_SQL, site_id)
    return _site(row) if row else None


async def list_sites(conn: Connection, *, parent_id: str | None = None) -> list[SiteRow]:
    ids = await conn.fetch("SELECT id FROM sites WHERE $1::text IS NULL OR parent_id = $1 ORDER BY id", parent_id)
    sites = [await get_site(conn, site_id=r["id"]) for r in ids]
    return [s for s in sites if s is not None]


async def upsert_site(conn: Connection, *, site: SiteRow) -> None:
    await conn.execute(
        """INSERT INTO sites (id, name, kind, parent_id, time_zone, jurisdiction, answer_limit_seconds, greeting,
               check_in_lead_minutes, absent_after_minutes, reminder_minutes, handover_accept_minutes,
               max_consecutive_shifts)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, parent_id = $4, time_zone = $5,
               jurisdiction = $6, answer_limit_seconds = $7, greeting = $8, check_in_lead_minutes = $9,
               absent_after_minutes = $10, reminder_minutes = $11, handover_accept_minutes = $12,
               max_consecutive_shifts = $13""",
        site.id,
        site.name,
        site.kind,
        site.parent_id,
        site.time_zone,
        site.jurisdiction,
        site.answer_limit_seconds,
        site.greeting,
        site.check_in_lead_minutes,
        site.absent_after_minutes,
        site.reminder_minutes,
        site.handover_accept_minutes,
        site.max_consecutive_shifts,
    )


def _contacts_json(contacts: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([{"channel": c, "address": a} for c, a in contacts])


def _contacts(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((c["channel"], c["address"]) for c in json.loads(text))


def _person(row: asyncpg.Record) -> PersonRow:
    return PersonRow(
        id=row["id"],
        display_name=row["display_name"],
        site_id=row["site_id"],
        roles=tuple(row["roles"]),
        qualifications=tuple(row["qualifications"]),
        contacts=_contacts(row["contacts"]),
        department=row["department"],
    )


async def get_person(conn: Connection, *, person_id: str) -> PersonRow | None:
    row = await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id)
    return _person(row) if row else None


async def get_people(conn: Connection, *, person_ids: list[str]) -> dict[str, PersonRow]:
    rows = await conn.fetch("SELECT * FROM people WHERE id = ANY($1::text[])", person_ids)
    return {r["id"]: _person(r) for r in rows}


async def list_people(conn: Connection, *, site_id: str, role: str | None = None) -> list[PersonRow]:
    rows = await conn.fetch(
        "SELECT * FROM people WHERE site_id = $1 AND ($2::text IS NULL OR $2 = ANY (roles)) ORDER BY id",
        site_id,
        role,
    )
    return [_person(r) for r in rows]


async def upsert_person(
    conn: Connection,
    *,
    person_id: str,
    display_name: str,
    site_id: str,
    roles: list[str],
    contacts: tuple[tuple[str, str], ...] = (),
    department: str = "",
    qualifications: list[str] | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO people (id, display_name, site_id, roles, contacts, department, qualifications)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET display_name = $2, site_id = $3, roles = $4, contacts = $5,
               department = $6, qualifications = $7""",
        person_id,
        display_name,
        site_id,
        roles,
        _contacts_json(contacts),
        department,
        qualifications or [],
    )


async def is_empty(conn: Connection) -> bool:
    return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM sites)")


@dataclass(frozen=True)
class DirectoryRow:
    id: str
    site_id: str
    department: str
    name: str
    title: str
    contacts: tuple[tuple[str, str], ...]


async def upsert_directory_entry(conn: Connection, *, entry: DirectoryRow) -> None:
    await conn.execute(
        """INSERT INTO directory_entries (id, site_id, department, name, title, contacts)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET site_id = $2, department = $3, name = $4, title = $5, contacts = $6""",
        entry.id,
        entry.site_id,
        entry.department,
        entry.name,
        entry.title,
        _contacts_json(entry.contacts),
    )


async def directory_entry_site(conn: Connection, *, entry_id: str) -> str | None:
    """The site an existing directory entry belongs to now (None: a new entry)."""
    site_id = await conn.fetchval("SELECT site_id FROM directory_entries WHERE id = $1", entry_id)
    return str(site_id) if site_id is not None else None


async def get_directory_entry(conn: Connection, *, entry_id: str) -> DirectoryRow | None:
    row = await conn.fetchrow(
        "SELECT id, site_id, department, name, title, contacts FROM directory_entries WHERE id = $1", entry_id
    )
    if row is None:
        return None
    return DirectoryRow(
        id=row["id"],
        site_id=row["site_id"],
        department=row["department"],
        name=row["name"],
        title=row["title"],
        contacts=_contacts(row["contacts"]),
    )


async def search_directory(conn: Connection, *, site_ids: list[str], query: str, limit: int = 50) -> list[DirectoryRow]:
    """Departments and people of the given sites whose department, name, title or contact matches."""
    pattern = f"%{query.strip()}%"
    rows = await conn.fetch(
        """SELECT id, site_id, department, name, title, contacts FROM directory_entries
           WHERE site_id = ANY($1::text[])
             AND (department ILIKE $2 OR name ILIKE $2 OR title ILIKE $2 OR contacts::text ILIKE $2)
           UNION ALL
           SELECT id, site_id, department, display_name, array_to_string(roles, ','), contacts FROM people
           WHERE site_id = ANY($1::text[])
             AND (department ILIKE $2 OR display_name ILIKE $2 OR contacts::text ILIKE $2)
           ORDER BY department, name LIMIT $3""",
        site_ids,
        pattern,
        limit,
    )
    return [
        DirectoryRow(
            id=r["id"],
            site_id=r["site_id"],
            department=r["department"],
            name=r["name"],
            title=r["title"],
            contacts=_contacts(r["contacts"]),
        )
        for r in rows
    ]


async def descendant_site_ids(conn: Connection, *, site_id: str) -> list[str]:
    """The site and every site below it (a region's directory includes its sites')."""
    rows = await conn.fetch(
        """WITH RECURSIVE down AS (
               SELECT id FROM sites WHERE id = $1
               UNION SELECT s.id FROM sites s JOIN down ON s.parent_id = down.id)
           SELECT id FROM down""",
        site_id,
    )
    return [r["id"] for r in rows]
