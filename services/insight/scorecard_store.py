"""What a scorecard is computed from, as the pure module takes it (services/insight/scoring.py): the
scored facts of the read model (view ``scoring_facts``), the duties (projection ``duties``) and the
leaders' annotations with the names of who decided. Keyword-only functions over a connection."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection
from services.insight import scoring


async def scored_facts(
    conn: Connection, *, site_ids: list[str], start: datetime, end: datetime, person_ids: list[str] | None = None
) -> list[scoring.Fact]:
    """The scored facts of the sites in [start, end), drills included (the pure module leaves them out);
    with ``person_ids``, only theirs."""
    query = """SELECT kind, site_id, person_id, occurred_at, record_type, record_id, drill, detail FROM scoring_facts
               WHERE site_id = ANY($1::text[]) AND occurred_at >= $2 AND occurred_at < $3"""
    if person_ids is None:
        rows = await conn.fetch(query, site_ids, start, end)
    else:
        rows = await conn.fetch(query + " AND person_id = ANY($4::text[])", site_ids, start, end, person_ids)
    return [
        scoring.Fact(
            kind=r["kind"],
            site_id=r["site_id"],
            person_id=r["person_id"],
            occurred_at=r["occurred_at"],
            source=scoring.SourceRef(r["record_type"], r["record_id"]),
            drill=r["drill"],
            detail=r["detail"],
        )
        for r in rows
    ]


async def card_facts(
    conn: Connection, *, site_ids: list[str], start: datetime, end: datetime
) -> list[tuple[str, str, int]]:
    """(site, person, how many) of the facts at the sites in [start, end) that are on cards (not a
    drill's; person "" for the site's own), and (site, person, 0) for everyone who held a duty there:
    whoever has a card, as the pure module makes them, and about how long it is."""
    rows = await conn.fetch(
        """SELECT site_id, person_id, count(*)::int AS facts FROM scoring_facts
           WHERE site_id = ANY($1::text[]) AND occurred_at >= $2 AND occurred_at < $3 AND NOT drill
           GROUP BY site_id, person_id
           UNION ALL
           SELECT DISTINCT site_id, person_id, 0 FROM duties
           WHERE site_id = ANY($1::text[]) AND starts_at >= $2 AND starts_at < $3 AND NOT drill""",
        site_ids,
        start,
        end,
    )
    return [(r["site_id"], r["person_id"], r["facts"]) for r in rows]


async def held_duties(conn: Connection, *, site_ids: list[str], start: datetime, end: datetime) -> list[scoring.Duty]:
    """The shifts held at the sites starting in [start, end); an exercise's shifts earn nothing."""
    rows = await conn.fetch(
        """SELECT person_id, site_id, starts_at FROM duties
           WHERE site_id = ANY($1::text[]) AND starts_at >= $2 AND starts_at < $3 AND NOT drill""",
        site_ids,
        start,
        end,
    )
    return [scoring.Duty(person_id=r["person_id"], site_id=r["site_id"], starts_at=r["starts_at"]) for r in rows]


async def site_annotations(conn: Connection, *, site_ids: list[str]) -> tuple[list[scoring.Annotation], dict[str, str]]:
    """Every annotation of the sites, and the name of each decider by person id."""
    rows = await conn.fetch(
        """SELECT a.id, a.site_id, a.reason, a.decided_by, a.decided_by_name, a.decided_at, w.record_type,
               w.record_id
           FROM annotations a JOIN annotation_waivers w ON w.annotation_id = a.id
           WHERE a.site_id = ANY($1::text[]) ORDER BY a.id, w.record_type, w.record_id""",
        site_ids,
    )
    waives: dict[str, list[scoring.SourceRef]] = defaultdict(list)
    first: dict[str, asyncpg.Record] = {}
    names: dict[str, str] = {}
    for r in rows:
        waives[r["id"]].append(scoring.SourceRef(r["record_type"], r["record_id"]))
        first.setdefault(r["id"], r)
        names[r["decided_by"]] = r["decided_by_name"]
    found = [
        scoring.Annotation(
            id=annotation_id,
            site_id=r["site_id"],
            waives=tuple(waives[annotation_id]),
            reason=r["reason"],
            decided_by=r["decided_by"],
            decided_at=r["decided_at"],
        )
        for annotation_id, r in first.items()
    ]
    return found, names
