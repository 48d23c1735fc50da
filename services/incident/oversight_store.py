"""Persistence of the 瞒报 signals and what oversight remembers of calls and incidents (migration
0008). Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from dutyline.db.pool import Connection
from dutyline.ids import new_id
from dutyline.incident.v1 import oversight_pb2
from services.incident.oversight_rules import KINDS, Signal

KIND_VALUES: dict[str, Any] = {kind: oversight_pb2.SignalKind.Value(f"SIGNAL_KIND_{kind.upper()}") for kind in KINDS}
FINDING_VALUES: dict[str, Any] = {
    "": oversight_pb2.FINDING_UNSPECIFIED,
    "none": oversight_pb2.FINDING_NONE,
    "confirmed": oversight_pb2.FINDING_CONFIRMED,
}


@dataclass(frozen=True)
class SignalRow:
    id: str
    site_id: str
    kind: str
    incident_id: str | None
    call_id: str | None
    occurred_at: datetime
    raised_at: datetime
    summary: str
    # [{label, value, at (ISO 8601 or ""), link}] and [{person_id, role}]
    evidence: list[dict[str, str]]
    people: list[dict[str, str]]
    drill: bool
    source_event_id: str
    dedupe_key: str
    finding: str
    note: str
    decided_by: str | None
    decided_by_name: str
    decided_at: datetime | None
    violation_ids: list[str]
    version: int

    @property
    def person_ids(self) -> list[str]:
        """Everyone involved, once each, in the order the signal names them."""
        return list(dict.fromkeys(p["person_id"] for p in self.people))


def _row(record: asyncpg.Record) -> SignalRow:
    values = dict(record)
    for name in ("evidence", "people"):
        if isinstance(values[name], str):
            values[name] = json.loads(values[name])
    values["violation_ids"] = list(values["violation_ids"])
    return SignalRow(**values)


async def insert_signal(conn: Connection, *, signal: Signal, raised_at: datetime) -> SignalRow | None:
    """The signal, unless one with its dedupe key exists (None then)."""
    evidence = [
        {"label": e.label, "value": e.value, "at": e.at.isoformat() if e.at else "", "link": e.link}
        for e in signal.evidence
    ]
    record = await conn.fetchrow(
        """INSERT INTO concealment_signals (id, site_id, kind, incident_id, call_id, occurred_at, raised_at, summary,
               evidence, people, drill, source_event_id, dedupe_key)
           VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING *""",
        new_id("sig"),
        signal.site_id,
        signal.kind,
        signal.incident_id,
        signal.call_id,
        signal.occurred_at,
        raised_at,
        signal.summary,
        json.dumps(evidence, ensure_ascii=False),
        json.dumps([{"person_id": p.person_id, "role": p.role} for p in signal.people]),
        signal.drill,
        signal.source_event_id,
        signal.dedupe_key,
    )
    return _row(record) if record is not None else None


async def get_signal(conn: Connection, *, signal_id: str, for_update: bool = False) -> SignalRow | None:
    record = await conn.fetchrow(
        "SELECT * FROM concealment_signals WHERE id = $1" + (" FOR UPDATE" if for_update else ""), signal_id
    )
    return _row(record) if record is not None else None


async def list_signals(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    kind: str | None,
    decided: bool | None,
    include_drills: bool,
    limit: int,
    offset: int,
) -> list[SignalRow]:
    rows = await conn.fetch(
        """SELECT * FROM concealment_signals
           WHERE ($1::text[] IS NULL OR site_id = ANY($1)) AND ($2::timestamptz IS NULL OR raised_at >= $2)
             AND ($3::timestamptz IS NULL OR raised_at < $3) AND ($4::text IS NULL OR kind = $4)
             AND ($5::boolean IS NULL OR (finding <> '') = $5) AND ($6 OR NOT drill)
           ORDER BY raised_at DESC, id DESC LIMIT $7 OFFSET $8""",
        site_ids,
        start,
        end,
        kind,
        decided,
        include_drills,
        limit,
        offset,
    )
    return [_row(r) for r in rows]


async def decide(
    conn: Connection,
    *,
    signal_id: str,
    finding: str,
    note: str,
    by: str,
    by_name: str,
    at: datetime,
    violation_ids: list[str],
) -> SignalRow:
    record = await conn.fetchrow(
        """UPDATE concealment_signals SET finding = $2, note = $3, decided_by = $4, decided_by_name = $5,
               decided_at = $6, violation_ids = $7, version = version + 1
           WHERE id = $1 RETURNING *""",
        signal_id,
        finding,
        note,
        by,
        by_name,
        at,
        violation_ids,
    )
    assert record is not None
    return _row(record)


async def remember_call(conn: Connection, *, call_id: str, category: str, casualties: int, version: int) -> None:
    await conn.execute(
        """INSERT INTO oversight_calls (call_id, category, casualties, version) VALUES ($1, $2, $3, $4)
           ON CONFLICT (call_id) DO UPDATE SET category = EXCLUDED.category, casualties = EXCLUDED.casualties,
               version = EXCLUDED.version
           WHERE oversight_calls.version < EXCLUDED.version""",
        call_id,
        category,
        casualties,
        version,
    )


async def recategorize_call(conn: Connection, *, call_id: str, category: str, version: int, keep: bool) -> str | None:
    """The call's category before this change (None: not remembered, so not an emergency call), and
    the new one remembered — for a call not remembered yet only when ``keep`` (it became an emergency)."""
    before: str | None = await conn.fetchval(
        "SELECT category FROM oversight_calls WHERE call_id = $1 FOR UPDATE", call_id
    )
    if before is None and not keep:
        return None
    await conn.execute(
        """INSERT INTO oversight_calls (call_id, category, version) VALUES ($1, $2, $3)
           ON CONFLICT (call_id) DO UPDATE SET category = EXCLUDED.category, version = EXCLUDED.version
           WHERE oversight_calls.version < EXCLUDED.version""",
        call_id,
        category,
        version,
    )
    return before


async def remember_severity(conn: Connection, *, incident_id: str, severity: str, version: int) -> str | None:
    """The incident's severity before this change (None: never seen), and the new one remembered
    unless a later version is already."""
    before: str | None = await conn.fetchval(
        "SELECT severity FROM oversight_severities WHERE incident_id = $1 FOR UPDATE", incident_id
    )
    await conn.execute(
        """INSERT INTO oversight_severities (incident_id, severity, version) VALUES ($1, $2, $3)
           ON CONFLICT (incident_id) DO UPDATE SET severity = EXCLUDED.severity, version = EXCLUDED.version
           WHERE oversight_severities.version < EXCLUDED.version""",
        incident_id,
        severity,
        version,
    )
    return before


async def most_casualties_told(conn: Connection, *, incident_id: str) -> tuple[int, str]:
    """The most casualties one call of the incident told of, and that call (0, "" for none)."""
    row = await conn.fetchrow(
        """SELECT o.casualties, o.call_id FROM oversight_calls o JOIN incident_calls c USING (call_id)
           WHERE c.incident_id = $1 AND o.casualties > 0 ORDER BY o.casualties DESC, o.call_id LIMIT 1""",
        incident_id,
    )
    return (int(row["casualties"]), str(row["call_id"])) if row is not None else (0, "")
