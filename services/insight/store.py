"""insight's own records: the versions of the scoring rules, the leaders' annotations and where each
projection stands. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection
from services.insight import scoring

# One writer of the scoring rules at a time: a version is validated against the others, then stored.
_RULES_LOCK = "insight-scoring-rules"


@dataclass(frozen=True)
class StoredRules:
    rules: scoring.ScoringRules
    changed_by: str
    changed_by_name: str
    changed_at: datetime


@dataclass(frozen=True)
class ProjectionRow:
    projection: str
    stream_sequence: int
    last_event_id: str
    last_event_at: datetime | None
    updated_at: datetime


def _rules(row: asyncpg.Record) -> StoredRules:
    return StoredRules(
        rules=scoring.ScoringRules(
            version=row["version"],
            effective_from=row["effective_from"],
            penalties=json.loads(row["penalties"]),
            bonuses=json.loads(row["bonuses"]),
        ),
        changed_by=row["changed_by"],
        changed_by_name=row["changed_by_name"],
        changed_at=row["changed_at"],
    )


async def lock_rules(conn: Connection) -> None:
    """Hold off other writers of the rules until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _RULES_LOCK)


async def rules_versions(conn: Connection) -> list[StoredRules]:
    """The stored versions, oldest first (the shipped defaults are not stored)."""
    rows = await conn.fetch("SELECT * FROM scoring_rules ORDER BY version")
    return [_rules(r) for r in rows]


async def save_rules(
    conn: Connection, *, rules: scoring.ScoringRules, changed_by: str, changed_by_name: str, at: datetime
) -> StoredRules:
    """Store ``rules`` as its version, replacing that version if it is stored (the caller validated that
    it may be replaced: it is not in force yet)."""
    row = await conn.fetchrow(
        """INSERT INTO scoring_rules (version, effective_from, penalties, bonuses, changed_by, changed_by_name,
               changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (version) DO UPDATE SET effective_from = excluded.effective_from,
               penalties = excluded.penalties, bonuses = excluded.bonuses, changed_by = excluded.changed_by,
               changed_by_name = excluded.changed_by_name, changed_at = excluded.changed_at
           RETURNING *""",
        rules.version,
        rules.effective_from,
        json.dumps(dict(rules.penalties), sort_keys=True),
        json.dumps(dict(rules.bonuses), sort_keys=True),
        changed_by,
        changed_by_name,
        at,
    )
    assert row is not None
    return _rules(row)


async def insert_annotation(conn: Connection, *, annotation: scoring.Annotation, decided_by_name: str) -> None:
    await conn.execute(
        """INSERT INTO annotations (id, site_id, reason, decided_by, decided_by_name, decided_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        annotation.id,
        annotation.site_id,
        annotation.reason,
        annotation.decided_by,
        decided_by_name,
        annotation.decided_at,
    )
    await conn.executemany(
        "INSERT INTO annotation_waivers (annotation_id, record_type, record_id) VALUES ($1, $2, $3)",
        [(annotation.id, ref.record_type, ref.record_id) for ref in annotation.waives],
    )


async def projections(conn: Connection) -> list[ProjectionRow]:
    rows = await conn.fetch(
        "SELECT projection, stream_sequence, last_event_id, last_event_at, updated_at FROM projection_state "
        "ORDER BY projection"
    )
    return [ProjectionRow(**dict(r)) for r in rows]
