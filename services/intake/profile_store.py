"""Intake's profiles of open incidents (事件画像) and the merges it proposes. Keyword-only functions;
the caller owns the transaction.

Every open incident of a site is a candidate for a new call: the candidates are found by a spatial
query (a GiST index on the profiles' centroids, core PostgreSQL), never by a LIMIT on the newest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection
from dutyline.db.writes import Writes, write
from services.intake import matching

_FIELDS = (
    "incident_id, site_id, drill, first_at, last_at, calls, located, ref_lat, ref_lon, sum_x, sum_y, sum_xx, "
    "sum_yy, category, title"
)
_COLUMNS = _FIELDS + ", terms, term_counts"


def _profile(record: asyncpg.Record) -> matching.Profile:
    values = {k: record[k] for k in _FIELDS.split(", ")}
    return matching.Profile(**values, terms=dict(zip(record["terms"], record["term_counts"], strict=True)))


async def locked_candidates(
    conn: Connection, *, call: matching.CallFacts, settings: matching.MatchSettings
) -> list[matching.Profile]:
    """In the caller's transaction: serialize, until it ends, the decisions that could collide with
    this call's (a located call takes the grid cells around it, and the site shared; an unlocated one
    the whole site: ``locked_candidates`` in the schema), then the open profiles of the site that could
    be about its event — every one whose centroid is within reach of a located call, or that has no
    position, in the time window — locked in id order, as everywhere profiles are locked."""
    since, until = call.at - settings.window, call.at + settings.early_call
    if call.latitude is None or call.longitude is None:
        cells: list[str] = []
        box: list[float | None] = [None, None, None, None]
    else:
        cells = matching.lock_keys(call.site_id, call.latitude, call.longitude, settings.max_distance_m)
        south, west, north, east = matching.bounding_box(call.latitude, call.longitude, settings.reach_m)
        box = [west, south, east, north]
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM locked_candidates($1, $2, $3, $4, $5, box(point($6, $7), point($8, $9)))",
        call.site_id,
        call.drill,
        since,
        until,
        cells,
        *box,
    )
    return [_profile(r) for r in rows]


async def candidates(
    conn: Connection, *, call: matching.CallFacts, settings: matching.MatchSettings
) -> list[matching.Profile]:
    """The same profiles as `locked_candidates`, read without locking anything (for suggestions)."""
    since, until = call.at - settings.window, call.at + settings.early_call
    near, box = "", []
    if call.latitude is not None and call.longitude is not None:
        south, west, north, east = matching.bounding_box(call.latitude, call.longitude, settings.reach_m)
        near, box = (
            "AND (centroid IS NULL OR centroid <@ box(point($5, $6), point($7, $8)))",
            [west, south, east, north],
        )
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM incident_profiles
             WHERE state = 'open' AND site_id = $1 AND drill = $2 AND last_at >= $3 AND first_at <= $4 {near}""",
        call.site_id,
        call.drill,
        since,
        until,
        *box,
    )
    return [_profile(r) for r in rows]


async def lock(conn: Connection, *, incident_ids: Sequence[str]) -> None:
    """Lock these profiles for the transaction, in id order (see `candidates`)."""
    await conn.execute(
        "SELECT 1 FROM incident_profiles WHERE incident_id = ANY($1::text[]) ORDER BY incident_id FOR UPDATE",
        list(incident_ids),
    )


async def get(conn: Connection, *, incident_id: str, for_update: bool = False) -> tuple[matching.Profile, str] | None:
    """A profile and its state ("open", "closed", "merged", "refused")."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, state FROM incident_profiles WHERE incident_id = $1{lock}", incident_id
    )
    return (_profile(row), row["state"]) if row else None


async def live(conn: Connection, *, incident_id: str) -> str:
    """The incident a merged one lives on in (its primary, transitively); itself otherwise."""
    current = incident_id
    for _ in range(100):  # a merge chain is short; this only stops a cycle from looping
        merged_into = await conn.fetchval(
            "SELECT merged_into FROM incident_profiles WHERE incident_id = $1 AND state = 'merged'", current
        )
        if not merged_into:
            break
        current = merged_into
    return current


def _values(profile: matching.Profile) -> list[object]:
    centroid = profile.centroid
    return [
        profile.incident_id,
        profile.site_id,
        profile.drill,
        profile.first_at,
        profile.last_at,
        profile.calls,
        profile.located,
        profile.ref_lat,
        profile.ref_lon,
        profile.sum_x,
        profile.sum_y,
        profile.sum_xx,
        profile.sum_yy,
        profile.category,
        profile.title,
        list(profile.terms),
        list(profile.terms.values()),
        centroid[1] if centroid else None,
        centroid[0] if centroid else None,
    ]


async def insert(
    conn: Connection | Writes, *, profile: matching.Profile, opening_call_id: str | None, opened: bool
) -> None:
    """A new profile (nothing if the incident has one already)."""
    await write(
        conn,
        f"""INSERT INTO incident_profiles ({_COLUMNS}, centroid, opening_call_id, opened)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                    CASE WHEN $18::float8 IS NULL THEN NULL ELSE point($18, $19) END, $20, $21)
            ON CONFLICT (incident_id) DO NOTHING""",
        *_values(profile),
        opening_call_id,
        opened,
    )


async def save(conn: Connection | Writes, *, profile: matching.Profile) -> None:
    """Store a profile's new figures (after a call came or went, or a merge)."""
    await write(
        conn,
        """UPDATE incident_profiles SET site_id = $2, drill = $3, first_at = $4, last_at = $5, calls = $6,
               located = $7, ref_lat = $8, ref_lon = $9, sum_x = $10, sum_y = $11, sum_xx = $12, sum_yy = $13,
               category = $14, title = $15, terms = $16, term_counts = $17,
               centroid = CASE WHEN $18::float8 IS NULL THEN NULL ELSE point($18, $19) END, updated_at = now()
           WHERE incident_id = $1""",
        *_values(profile),
    )


async def set_state(conn: Connection, *, incident_id: str, state: str, merged_into: str | None = None) -> bool:
    """Close a profile ("closed", "merged" into another, "refused"); False if it was not open."""
    done = await conn.fetchval(
        "UPDATE incident_profiles SET state = $2, merged_into = $3, updated_at = now() "
        "WHERE incident_id = $1 AND state = 'open' RETURNING true",
        incident_id,
        state,
        merged_into,
    )
    return bool(done)


async def set_incident_facts(conn: Connection, *, incident_id: str, version: int, category: str, title: str) -> None:
    """What the incident service says of the incident now (newer versions only)."""
    await conn.execute(
        "UPDATE incident_profiles SET category = $3, title = $4, incident_version = $2, opened = true "
        "WHERE incident_id = $1 AND incident_version < $2",
        incident_id,
        version,
        category,
        title,
    )


async def mark_opened(conn: Connection, *, incident_id: str) -> str | None:
    """The incident service confirmed the incident: returns the call that opened it, once."""
    return await conn.fetchval(
        "UPDATE incident_profiles SET opened = true WHERE incident_id = $1 AND NOT opened RETURNING opening_call_id",
        incident_id,
    )


async def unopened(conn: Connection, *, older_than: datetime, limit: int = 50) -> list[tuple[str, str, str]]:
    """(incident id, opening call id, title) of the open profiles whose incident is still to be opened."""
    rows = await conn.fetch(
        "SELECT incident_id, opening_call_id, title FROM incident_profiles "
        "WHERE NOT opened AND state = 'open' AND opening_call_id IS NOT NULL AND created_at < $1 "
        "ORDER BY created_at LIMIT $2",
        older_than,
        limit,
    )
    return [(r["incident_id"], r["opening_call_id"], r["title"]) for r in rows]


async def propose_merge(
    conn: Connection | Writes,
    *,
    site_id: str,
    call_id: str,
    primary_id: str,
    duplicate_id: str,
    score: float,
    evidence: Sequence[str],
) -> None:
    """A proposal that two incidents are one event (sent to the incident service later), once per pair."""
    await write(
        conn,
        """INSERT INTO merge_proposals (primary_id, duplicate_id, site_id, call_id, score, evidence)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        primary_id,
        duplicate_id,
        site_id,
        call_id,
        score,
        list(evidence),
    )


async def unsent_proposals(conn: Connection, *, limit: int = 50) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT * FROM merge_proposals WHERE sent_at IS NULL ORDER BY created_at LIMIT $1",
            limit,
        )
    )


async def mark_proposal_sent(conn: Connection, *, primary_id: str, duplicate_id: str, outcome: str) -> None:
    await conn.execute(
        "UPDATE merge_proposals SET sent_at = now(), outcome = $3 WHERE primary_id = $1 AND duplicate_id = $2",
        primary_id,
        duplicate_id,
        outcome,
    )
