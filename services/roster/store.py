"""Roster persistence. Keyword-only functions over a connection; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class PersonRow:
    id: str
    display_name: str
    site_id: str
    roles: tuple[str, ...]
    qualifications: tuple[str, ...]
    contacts: tuple[tuple[str, str], ...]
    department: str


@dataclass(frozen=True)
class OnDutyRow:
    assignment_id: str
    person_id: str
    display_name: str
    role: str
    shift_name: str


_SITE_SQL = """
WITH RECURSIVE up AS (
    SELECT id, parent_id, 0 AS depth FROM sites WHERE id = $1
    UNION ALL
    SELECT s.id, s.parent_id, up.depth + 1 FROM sites s JOIN up ON s.id = up.parent_id
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
    )


async def get_site(conn: Connection, *, site_id: str) -> SiteRow | None:
    row = await conn.fetchrow(_SITE_SQL, site_id)
    return _site(row) if row else None


async def list_sites(conn: Connection, *, parent_id: str | None = None) -> list[SiteRow]:
    ids = await conn.fetch(
        "SELECT id FROM sites WHERE $1::text IS NULL OR parent_id = $1 ORDER BY id", parent_id
    )
    sites = [await get_site(conn, site_id=r["id"]) for r in ids]
    return [s for s in sites if s is not None]


async def upsert_site(
    conn: Connection,
    *,
    site_id: str,
    name: str,
    kind: str,
    parent_id: str | None,
    time_zone: str,
    jurisdiction: str = "",
    answer_limit_seconds: int = 15,
    greeting: str = "",
) -> None:
    await conn.execute(
        """INSERT INTO sites
               (id, name, kind, parent_id, time_zone, jurisdiction, answer_limit_seconds, greeting)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, parent_id = $4, time_zone = $5,
               jurisdiction = $6, answer_limit_seconds = $7, greeting = $8""",
        site_id,
        name,
        kind,
        parent_id,
        time_zone,
        jurisdiction,
        answer_limit_seconds,
        greeting,
    )


def _person(row: asyncpg.Record) -> PersonRow:
    return PersonRow(
        id=row["id"],
        display_name=row["display_name"],
        site_id=row["site_id"],
        roles=tuple(row["roles"]),
        qualifications=tuple(row["qualifications"]),
        contacts=tuple((c["channel"], c["address"]) for c in json.loads(row["contacts"])),
        department=row["department"],
    )


async def get_person(conn: Connection, *, person_id: str) -> PersonRow | None:
    row = await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id)
    return _person(row) if row else None


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
) -> None:
    await conn.execute(
        """INSERT INTO people (id, display_name, site_id, roles, contacts, department)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET display_name = $2, site_id = $3, roles = $4, contacts = $5,
               department = $6""",
        person_id,
        display_name,
        site_id,
        roles,
        json.dumps([{"channel": c, "address": a} for c, a in contacts]),
        department,
    )


async def add_assignment(
    conn: Connection,
    *,
    assignment_id: str,
    site_id: str,
    person_id: str,
    role: str,
    shift_name: str,
    starts_at: datetime,
    ends_at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO assignments (id, site_id, person_id, role, shift_name, starts_at, ends_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING""",
        assignment_id,
        site_id,
        person_id,
        role,
        shift_name,
        starts_at,
        ends_at,
    )


async def on_duty(conn: Connection, *, site_id: str, at: datetime) -> list[OnDutyRow]:
    rows = await conn.fetch(
        """SELECT a.id, a.person_id, p.display_name, a.role, a.shift_name
           FROM assignments a JOIN people p ON p.id = a.person_id
           WHERE a.site_id = $1 AND a.starts_at <= $2 AND $2 < a.ends_at
           ORDER BY a.role, a.person_id""",
        site_id,
        at,
    )
    return [
        OnDutyRow(
            assignment_id=r["id"],
            person_id=r["person_id"],
            display_name=r["display_name"],
            role=r["role"],
            shift_name=r["shift_name"],
        )
        for r in rows
    ]


async def next_change(conn: Connection, *, site_id: str, at: datetime) -> datetime | None:
    """The first instant after ``at`` at which someone's duty at the site starts or ends."""
    value: datetime | None = await conn.fetchval(
        """SELECT least(
               (SELECT min(starts_at) FROM assignments WHERE site_id = $1 AND starts_at > $2),
               (SELECT min(ends_at) FROM assignments WHERE site_id = $1 AND ends_at > $2))""",
        site_id,
        at,
    )
    return value


async def is_empty(conn: Connection) -> bool:
    return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM sites)")
