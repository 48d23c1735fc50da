"""Reporting policies as versioned data (报告规则). Keyword-only functions; the caller owns the
transaction."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import asyncpg

from dutyline.db.pool import Connection
from services.incident import rules


def _requirements_json(policy: rules.Policy) -> str:
    return json.dumps(
        [
            {
                "kind": r.kind,
                "recipient": r.recipient,
                "due_after_seconds": int(r.due_after.total_seconds()) if r.due_after is not None else None,
                "anchor": r.anchor,
                "fixed_local_times": [t.strftime("%H:%M") for t in r.fixed_local_times],
                "required_content": list(r.required_content),
            }
            for r in policy.requirements
        ]
    )


def _policy(row: asyncpg.Record) -> rules.Policy:
    return rules.Policy(
        id=row["id"],
        version=row["version"],
        name=row["name"],
        jurisdiction=row["jurisdiction"],
        category=row["category"],
        severity=row["severity"],
        sub_types=tuple(row["sub_types"]),
        requirements=tuple(
            rules.Requirement(
                kind=r["kind"],
                recipient=r["recipient"],
                due_after=timedelta(seconds=r["due_after_seconds"]) if r["due_after_seconds"] is not None else None,
                anchor=r["anchor"],
                fixed_local_times=tuple(time.fromisoformat(t) for t in r["fixed_local_times"]),
                required_content=tuple(r["required_content"]),
            )
            for r in json.loads(row["requirements"])
        ),
        effective_from=row["effective_from"],
        verify_within=timedelta(seconds=row["verify_within_seconds"]),
        progress_every=timedelta(seconds=row["progress_every_seconds"]),
        recipient_site_id=row["recipient_site_id"],
        receipt_window_seconds=row["receipt_window_seconds"],
        correction_within=(
            timedelta(seconds=row["correction_within_seconds"]) if row["correction_within_seconds"] else None
        ),
    )


async def insert_version(conn: Connection, *, policy: rules.Policy, created_by: str) -> rules.Policy:
    """Store ``policy`` as the next version of its id (the version given is ignored)."""
    version = await conn.fetchval(
        "SELECT COALESCE(max(version), 0) + 1 FROM reporting_policies WHERE id = $1", policy.id
    )
    row = await conn.fetchrow(
        """INSERT INTO reporting_policies (id, version, name, jurisdiction, category, severity, sub_types,
               requirements, effective_from, created_by, recipient_site_id, receipt_window_seconds,
               verify_within_seconds, progress_every_seconds, correction_within_seconds)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *""",
        policy.id,
        version,
        policy.name,
        policy.jurisdiction,
        policy.category,
        policy.severity,
        list(policy.sub_types),
        _requirements_json(policy),
        policy.effective_from,
        created_by,
        policy.recipient_site_id,
        policy.receipt_window_seconds,
        int(policy.verify_within.total_seconds()),
        int(policy.progress_every.total_seconds()),
        int(policy.correction_within.total_seconds()) if policy.correction_within is not None else None,
    )
    assert row is not None
    return _policy(row)


async def ensure_defaults(conn: Connection, *, policies: list[rules.Policy]) -> int:
    """Ship the default policies: insert each id that has no version yet. Run in a transaction: replicas
    starting together take turns (the lock), so each default is inserted once."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('incident-default-policies'))")
    stored = {row["id"] for row in await conn.fetch("SELECT DISTINCT id FROM reporting_policies")}
    missing = [policy for policy in policies if policy.id not in stored]
    for policy in missing:
        await insert_version(conn, policy=policy, created_by="system:defaults")
    return len(missing)


async def latest(conn: Connection, *, jurisdiction: str | None, at: datetime) -> list[rules.Policy]:
    """The version of each policy in force at ``at`` that applies to ``jurisdiction`` (or all)."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (id) * FROM reporting_policies
           WHERE effective_from <= $2 AND ($1::text IS NULL OR starts_with($1, jurisdiction))
           ORDER BY id, version DESC""",
        jurisdiction,
        at,
    )
    return [_policy(r) for r in rows]
