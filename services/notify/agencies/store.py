"""Agencies (外部单位) subscribed to events, and the webhook deliveries of those events to them.
Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from dutyline.db.pool import Connection


@dataclass(frozen=True)
class AgencyRow:
    id: str
    name: str
    site_ids: tuple[str, ...]
    event_types: tuple[str, ...]
    webhook_url: str
    webhook_secret: str
    nats_user: str
    created_at: datetime
    created_by: str


def _agency(record: asyncpg.Record) -> AgencyRow:
    values = dict(record)
    values["site_ids"] = tuple(values["site_ids"])
    values["event_types"] = tuple(values["event_types"])
    return AgencyRow(**values)


async def insert_agency(conn: Connection, *, row: AgencyRow) -> bool:
    """False if an agency with this id exists."""
    inserted = await conn.fetchval(
        "INSERT INTO agencies (id, name, site_ids, event_types, webhook_url, webhook_secret, nats_user, created_at, "
        "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING true",
        row.id,
        row.name,
        list(row.site_ids),
        list(row.event_types),
        row.webhook_url,
        row.webhook_secret,
        row.nats_user,
        row.created_at,
        row.created_by,
    )
    return bool(inserted)


async def get_agency(conn: Connection, *, agency_id: str) -> AgencyRow | None:
    record = await conn.fetchrow("SELECT * FROM agencies WHERE id = $1", agency_id)
    return _agency(record) if record is not None else None


async def list_agencies(conn: Connection) -> list[AgencyRow]:
    return [_agency(r) for r in await conn.fetch("SELECT * FROM agencies ORDER BY id")]


async def set_scope(conn: Connection, *, agency_id: str, site_ids: Sequence[str], event_types: Sequence[str]) -> None:
    await conn.execute(
        "UPDATE agencies SET site_ids = $2, event_types = $3 WHERE id = $1",
        agency_id,
        list(site_ids),
        list(event_types),
    )


async def set_nats_user(conn: Connection, *, agency_id: str, nats_user: str) -> None:
    await conn.execute("UPDATE agencies SET nats_user = $2 WHERE id = $1", agency_id, nats_user)


async def record_nats_user(
    conn: Connection, *, agency_id: str, public_key: str, subjects: list[str], issued_at: datetime, expires_at: datetime
) -> bool:
    """Remember an issued user; False if that user was revoked (a retry must not bring it back)."""
    revoked = await conn.fetchval("SELECT revoked_at FROM agency_nats_users WHERE public_key = $1", public_key)
    if revoked is not None:
        return False
    await conn.execute(
        "INSERT INTO agency_nats_users (public_key, agency_id, subjects, issued_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (public_key) DO UPDATE SET expires_at = EXCLUDED.expires_at",
        public_key,
        agency_id,
        subjects,
        issued_at,
        expires_at,
    )
    return True


async def revoke_nats_users(conn: Connection, *, agency_id: str, now: datetime, keep: str = "") -> int:
    """Revoke the agency's users (all but ``keep``); how many were revoked."""
    status = await conn.execute(
        "UPDATE agency_nats_users SET revoked_at = $2 WHERE agency_id = $1 AND revoked_at IS NULL AND public_key <> $3",
        agency_id,
        now,
        keep,
    )
    return int(status.split()[-1])


async def nats_revocations(conn: Connection, *, now: datetime) -> dict[str, int]:
    """Public key → unix time of revocation, of every revoked user not yet expired (an expired one the
    server refuses anyway)."""
    rows = await conn.fetch(
        "SELECT public_key, revoked_at FROM agency_nats_users WHERE revoked_at IS NOT NULL AND expires_at > $1", now
    )
    return {r["public_key"]: int(r["revoked_at"].timestamp()) for r in rows}


@dataclass(frozen=True)
class DeliveryRow:
    agency_id: str
    event_id: str
    event_type: str
    site_id: str
    drill: bool
    body: bytes
    status: str
    attempts: int
    next_attempt_at: datetime | None
    receipt: str
    last_error: str
    acknowledged_at: datetime | None
    created_at: datetime


_DELIVERY_COLUMNS = (
    "agency_id, event_id, event_type, site_id, drill, body, status, attempts, next_attempt_at, receipt, last_error, "
    "acknowledged_at, created_at"
)


def _delivery(record: asyncpg.Record) -> DeliveryRow:
    values = dict(record)
    values["body"] = bytes(values["body"])
    return DeliveryRow(**values)


async def queue_delivery(
    conn: Connection,
    *,
    agency_id: str,
    event_id: str,
    event_type: str,
    site_id: str,
    drill: bool,
    body: bytes,
    now: datetime,
) -> bool:
    """False if this event was queued for the agency already (the feed may see an event twice)."""
    inserted = await conn.fetchval(
        "INSERT INTO agency_deliveries (agency_id, event_id, event_type, site_id, drill, body, next_attempt_at, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING true",
        agency_id,
        event_id,
        event_type,
        site_id,
        drill,
        body,
        now,
    )
    return bool(inserted)


async def lease_due(
    conn: Connection, *, now: datetime, lease_until: datetime, limit: int, per_agency: int
) -> list[DeliveryRow]:
    """Up to ``limit`` due deliveries, at most ``per_agency`` of any one agency, first attempts before
    retries: an agency whose receiver is down (its backlog and retries) never holds back the others'
    new events. The lease is checked again as each row is taken (replicas lease concurrently)."""
    records = await conn.fetch(
        "UPDATE agency_deliveries SET lease_until = $2 WHERE (agency_id, event_id) IN ("
        "  SELECT agency_id, event_id FROM ("
        "    SELECT agency_id, event_id, attempts, next_attempt_at,"
        "           row_number() OVER (PARTITION BY agency_id ORDER BY attempts, next_attempt_at) AS n"
        "    FROM agency_deliveries"
        "    WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)"
        "  ) due WHERE n <= $4 ORDER BY attempts, next_attempt_at LIMIT $3"
        f") AND (lease_until IS NULL OR lease_until < $1) RETURNING {_DELIVERY_COLUMNS}",
        now,
        lease_until,
        limit,
        per_agency,
    )
    return [_delivery(r) for r in records]


async def update_delivery(
    conn: Connection,
    *,
    agency_id: str,
    event_id: str,
    status: str,
    attempts: int,
    next_attempt_at: datetime | None,
    receipt: str = "",
    last_error: str = "",
    acknowledged_at: datetime | None = None,
) -> DeliveryRow:
    record = await conn.fetchrow(
        "UPDATE agency_deliveries SET status = $3, attempts = $4, next_attempt_at = $5, receipt = $6, "
        "last_error = $7, acknowledged_at = $8, lease_until = NULL WHERE agency_id = $1 AND event_id = $2 "
        f"RETURNING {_DELIVERY_COLUMNS}",
        agency_id,
        event_id,
        status,
        attempts,
        next_attempt_at,
        receipt,
        last_error,
        acknowledged_at,
    )
    assert record is not None
    return _delivery(record)


async def list_deliveries(
    conn: Connection, *, agency_id: str, status: str, limit: int, agency_ids: list[str] | None = None
) -> list[DeliveryRow]:
    """Deliveries of ``agency_id`` (every agency if empty), of ``agency_ids`` only if given."""
    records = await conn.fetch(
        f"SELECT {_DELIVERY_COLUMNS} FROM agency_deliveries WHERE ($1 = '' OR agency_id = $1) "
        "AND ($2 = '' OR status = $2) AND ($4::text[] IS NULL OR agency_id = ANY($4)) "
        "ORDER BY created_at DESC LIMIT $3",
        agency_id,
        status,
        limit,
        agency_ids,
    )
    return [_delivery(r) for r in records]
