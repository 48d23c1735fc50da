"""Notify persistence: notifications and their delivery attempts, escalation chains and escalations.
Keyword-only functions; the caller owns the transaction. Agencies are in agency_store."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from dutyline.db.pool import Connection
from services.notify.people import contacts
from services.notify.people.channels.base import mask_address
from services.notify.people.rules import Route
from workflows.escalation.types import StepData


@dataclass(frozen=True)
class AttemptRow:
    id: str
    notification_id: str
    attempt: int
    channel: str
    address: str
    at: datetime
    status: str
    provider_answer: str


@dataclass(frozen=True)
class NotificationRow:
    id: str
    dedupe_key: str
    site_id: str
    person_id: str
    person_name: str
    template: str
    locale: str
    data: dict[str, str]
    subject: str
    body: str
    ref_kind: str
    ref_id: str
    escalation_id: str | None
    drill: bool
    routes: tuple[Route, ...]
    escalation_loop: int = 0
    escalation_step: int = 0
    route_index: int = 0
    route_attempts: int = 0
    status: str = "pending"
    next_attempt_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    created_at: datetime | None = None
    version: int = 1
    attempts: tuple[AttemptRow, ...] = field(default=())

    @property
    def route(self) -> Route:
        return self.routes[min(self.route_index, len(self.routes) - 1)]


_NOTIFICATION_COLUMNS = (
    "id, dedupe_key, site_id, person_id, person_name, template, locale, data, subject, body, ref_kind, ref_id, "
    "escalation_id, escalation_loop, escalation_step, drill, routes, route_index, route_attempts, status, "
    "next_attempt_at, acknowledged_at, acknowledged_by, created_at, version"
)


def _notification(record: asyncpg.Record, attempts: tuple[AttemptRow, ...] = ()) -> NotificationRow:
    values = dict(record)
    values["data"] = json.loads(values["data"])
    routes = json.loads(values["routes"])
    values["routes"] = tuple(
        Route(r["channel"], contacts.route_address(values["id"], index, r)) for index, r in enumerate(routes)
    )
    return NotificationRow(**values, attempts=attempts)


async def insert_notification(conn: Connection, *, row: NotificationRow) -> bool:
    """False if a notification with the same dedupe key exists (a retried send)."""
    inserted = await conn.fetchval(
        "INSERT INTO notifications (id, dedupe_key, site_id, person_id, person_name, template, locale, data, "
        "subject, body, ref_kind, ref_id, escalation_id, drill, routes, next_attempt_at, created_at, escalation_loop, "
        "escalation_step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15::jsonb, "
        "$16, $16, $17, $18) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING true",
        row.id,
        row.dedupe_key,
        row.site_id,
        row.person_id,
        row.person_name,
        row.template,
        row.locale,
        json.dumps(row.data, ensure_ascii=False),
        row.subject,
        row.body,
        row.ref_kind,
        row.ref_id,
        row.escalation_id,
        row.drill,
        json.dumps([contacts.sealed_route(row.id, i, r.channel, r.address) for i, r in enumerate(row.routes)]),
        row.created_at,
        row.escalation_loop,
        row.escalation_step,
    )
    return bool(inserted)


async def _attempts(conn: Connection, ids: list[str]) -> dict[str, list[AttemptRow]]:
    by_notification: dict[str, list[AttemptRow]] = {i: [] for i in ids}
    if ids:
        for record in await conn.fetch(
            "SELECT * FROM delivery_attempts WHERE notification_id = ANY($1::text[]) ORDER BY at, attempt", ids
        ):
            by_notification[record["notification_id"]].append(AttemptRow(**dict(record)))
    return by_notification


async def get_notification(
    conn: Connection, *, notification_id: str, for_update: bool = False
) -> NotificationRow | None:
    lock = " FOR UPDATE" if for_update else ""
    record = await conn.fetchrow(
        f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1{lock}", notification_id
    )
    if record is None:
        return None
    attempts = await _attempts(conn, [notification_id])
    return _notification(record, tuple(attempts[notification_id]))


async def notifications_by_dedupe_keys(conn: Connection, *, keys: list[str]) -> list[NotificationRow]:
    records = await conn.fetch(
        f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE dedupe_key = ANY($1::text[]) ORDER BY id", keys
    )
    attempts = await _attempts(conn, [r["id"] for r in records])
    return [_notification(r, tuple(attempts[r["id"]])) for r in records]


async def notifications_with_key_prefix(conn: Connection, *, prefix: str) -> list[NotificationRow]:
    """The notifications one send or one escalation step stored (their dedupe keys start alike)."""
    records = await conn.fetch(
        f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE starts_with(dedupe_key, $1) ORDER BY id", prefix
    )
    attempts = await _attempts(conn, [r["id"] for r in records])
    return [_notification(r, tuple(attempts[r["id"]])) for r in records]


async def list_notifications(
    conn: Connection,
    *,
    site_ids: list[str] | None,
    person_id: str = "",
    unacknowledged_only: bool = False,
    ref_id: str = "",
    escalation_id: str = "",
    offset: int = 0,
    limit: int = 50,
) -> list[NotificationRow]:
    """Newest first, from the ``offset``-th; ``site_ids`` None means every site."""
    records = await conn.fetch(
        f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications "
        "WHERE ($1::text[] IS NULL OR site_id = ANY($1::text[])) AND ($2 = '' OR person_id = $2) "
        "AND (NOT $3 OR status <> 'acknowledged') AND ($4 = '' OR ref_id = $4) "
        "AND ($5 = '' OR escalation_id = $5) ORDER BY id DESC OFFSET $6 LIMIT $7",
        site_ids,
        person_id,
        unacknowledged_only,
        ref_id,
        escalation_id,
        offset,
        limit,
    )
    attempts = await _attempts(conn, [r["id"] for r in records])
    return [_notification(r, tuple(attempts[r["id"]])) for r in records]


async def lease_due(conn: Connection, *, now: datetime, lease_until: datetime, limit: int) -> list[NotificationRow]:
    """Claim notifications due for an attempt; another dispatcher skips them until the lease ends."""
    records = await conn.fetch(
        f"UPDATE notifications SET lease_until = $2 WHERE id IN ("
        "  SELECT id FROM notifications WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)"
        "  ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED"
        f") RETURNING {_NOTIFICATION_COLUMNS}",
        now,
        lease_until,
        limit,
    )
    return [_notification(r) for r in records]


async def record_attempt(conn: Connection, *, attempt: AttemptRow) -> None:
    await conn.execute(
        "INSERT INTO delivery_attempts (id, notification_id, attempt, channel, address, at, status, provider_answer) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        attempt.id,
        attempt.notification_id,
        attempt.attempt,
        attempt.channel,
        mask_address(attempt.address),  # enough to tell attempts apart; the clear one is in the routes
        attempt.at,
        attempt.status,
        attempt.provider_answer,
    )


async def update_delivery(
    conn: Connection,
    *,
    notification_id: str,
    status: str,
    route_index: int,
    route_attempts: int,
    next_attempt_at: datetime | None,
) -> None:
    """The state after an attempt; an acknowledgement that came meanwhile keeps its status."""
    await conn.execute(
        "UPDATE notifications SET status = CASE WHEN status = 'acknowledged' THEN status ELSE $2 END, "
        "route_index = $3, route_attempts = $4, next_attempt_at = CASE WHEN status = 'acknowledged' THEN NULL "
        "ELSE $5::timestamptz END, lease_until = NULL, version = version + 1 WHERE id = $1",
        notification_id,
        status,
        route_index,
        route_attempts,
        next_attempt_at,
    )


async def acknowledge(conn: Connection, *, notification_id: str, by: str, at: datetime) -> bool:
    """False if it was acknowledged already."""
    updated = await conn.fetchval(
        "UPDATE notifications SET status = 'acknowledged', acknowledged_at = $3, acknowledged_by = $2, "
        "next_attempt_at = NULL, version = version + 1 WHERE id = $1 AND status <> 'acknowledged' RETURNING true",
        notification_id,
        by,
        at,
    )
    return bool(updated)


async def seal_clear_routes(conn: Connection, *, limit: int = 100) -> int:
    """Seal the routes of notifications stored before routes were sealed (reading opens both)."""
    records = await conn.fetch(
        "SELECT id, routes FROM notifications WHERE jsonb_path_exists(routes, '$[*].address') "
        "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    for record in records:
        routes = json.loads(record["routes"])
        sealed = [
            contacts.sealed_route(record["id"], i, r["channel"], contacts.route_address(record["id"], i, r))
            for i, r in enumerate(routes)
        ]
        await conn.execute(
            "UPDATE notifications SET routes = $2::jsonb WHERE id = $1", record["id"], json.dumps(sealed)
        )
    return len(records)


async def ack_token_failures(conn: Connection, *, target: str, source: str, since: datetime) -> tuple[int, int]:
    """Wrong acknowledgement tokens since ``since``: (on ``target``, from ``source``)."""
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE target = $1) AS on_target, count(*) FILTER (WHERE source = $2) AS from_source "
        "FROM ack_token_failures WHERE at >= $3 AND (target = $1 OR source = $2)",
        target,
        source,
        since,
    )
    assert row is not None
    return int(row["on_target"]), int(row["from_source"])


async def record_ack_token_failure(conn: Connection, *, target: str, source: str, forget_before: datetime) -> None:
    """One more wrong token; those older than the window go at the same time."""
    await conn.execute("DELETE FROM ack_token_failures WHERE at < $1", forget_before)
    await conn.execute("INSERT INTO ack_token_failures (target, source) VALUES ($1, $2)", target, source)


# ---- escalation chains and escalations -------------------------------------------------------


def _steps_json(steps: list[StepData]) -> str:
    return json.dumps([asdict(s) for s in steps], ensure_ascii=False)


def _steps(value: str) -> list[StepData]:
    return [StepData(**s) for s in json.loads(value)]


@dataclass(frozen=True)
class ChainRow:
    site_id: str
    steps: list[StepData]
    repeat: int
    updated_at: datetime | None
    is_default: bool = False


async def get_chain(conn: Connection, *, site_id: str) -> ChainRow | None:
    record = await conn.fetchrow("SELECT * FROM escalation_chains WHERE site_id = $1", site_id)
    if record is None:
        return None
    return ChainRow(record["site_id"], _steps(record["steps"]), record["repeat"], record["updated_at"])


async def upsert_chain(conn: Connection, *, chain: ChainRow, by: str) -> None:
    await conn.execute(
        "INSERT INTO escalation_chains (site_id, steps, repeat, updated_at, updated_by) "
        "VALUES ($1, $2::jsonb, $3, $4, $5) ON CONFLICT (site_id) DO UPDATE SET steps = EXCLUDED.steps, "
        "repeat = EXCLUDED.repeat, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
        chain.site_id,
        _steps_json(chain.steps),
        chain.repeat,
        chain.updated_at,
        by,
    )


@dataclass(frozen=True)
class EscalationRow:
    id: str
    site_id: str
    template: str
    data: dict[str, str]
    ref_kind: str
    ref_id: str
    drill: bool
    locale: str
    steps: list[StepData]
    repeat: int
    first_step: int
    created_at: datetime
    status: str = "running"
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    workflow_started_at: datetime | None = None
    version: int = 1

    @property
    def workflow_id(self) -> str:
        return f"escalation-{self.id}"


def _escalation(record: asyncpg.Record) -> EscalationRow:
    values: dict[str, Any] = dict(record)
    values["data"] = json.loads(values["data"])
    values["steps"] = _steps(values["steps"])
    return EscalationRow(**values)


async def insert_escalation(conn: Connection, *, row: EscalationRow) -> None:
    await conn.execute(
        "INSERT INTO escalations (id, site_id, template, data, ref_kind, ref_id, drill, locale, steps, repeat, "
        "first_step, created_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)",
        row.id,
        row.site_id,
        row.template,
        json.dumps(row.data, ensure_ascii=False),
        row.ref_kind,
        row.ref_id,
        row.drill,
        row.locale,
        _steps_json(row.steps),
        row.repeat,
        row.first_step,
        row.created_at,
    )


async def get_escalation(conn: Connection, *, escalation_id: str, for_update: bool = False) -> EscalationRow | None:
    lock = " FOR UPDATE" if for_update else ""
    record = await conn.fetchrow(f"SELECT * FROM escalations WHERE id = $1{lock}", escalation_id)
    return _escalation(record) if record is not None else None


async def mark_escalation_started(conn: Connection, *, escalation_id: str) -> None:
    await conn.execute(
        "UPDATE escalations SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL",
        escalation_id,
    )


async def escalations_without_workflow(conn: Connection, *, older_than: datetime) -> list[str]:
    rows = await conn.fetch(
        "SELECT id FROM escalations WHERE workflow_started_at IS NULL AND created_at < $1 "
        "ORDER BY created_at LIMIT 100",
        older_than,
    )
    return [r["id"] for r in rows]


async def finish_escalation(
    conn: Connection, *, escalation_id: str, status: str, by: str | None = None, at: datetime | None = None
) -> bool:
    """Running → acknowledged or exhausted, once; False if it had finished already."""
    updated = await conn.fetchval(
        "UPDATE escalations SET status = $2, acknowledged_by = $3, acknowledged_at = $4, version = version + 1 "
        "WHERE id = $1 AND status = 'running' RETURNING true",
        escalation_id,
        status,
        by,
        at,
    )
    return bool(updated)


async def first_acknowledgement(conn: Connection, *, escalation_id: str) -> NotificationRow | None:
    record = await conn.fetchrow(
        f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE escalation_id = $1 AND status = 'acknowledged' "
        "ORDER BY acknowledged_at LIMIT 1",
        escalation_id,
    )
    return _notification(record) if record is not None else None


async def record_once(conn: Connection, *, escalation_id: str, key: str) -> bool:
    """True the first time ``key`` is recorded for the escalation (activities run at least once)."""
    inserted = await conn.fetchval(
        "INSERT INTO escalation_records (escalation_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
        escalation_id,
        key,
    )
    return bool(inserted)


def step_key(loop: int, step: int) -> str:
    """The record of a step sent (record_once), committed with the step's notifications."""
    return f"step:{loop}:{step}"


async def recorded_step(conn: Connection, *, escalation_id: str, loop: int, step: int) -> list[tuple[str, str]] | None:
    """The (notification id, person id) pairs of the step ``loop``/``step`` if it is recorded as sent
    (step_key); None if it is not."""
    records = await conn.fetch(
        "SELECT n.id, n.person_id FROM escalation_records r LEFT JOIN notifications n "
        "ON n.escalation_id = r.escalation_id AND n.escalation_loop = $3 AND n.escalation_step = $4 "
        "WHERE r.escalation_id = $1 AND r.key = $2 ORDER BY n.id",
        escalation_id,
        step_key(loop, step),
        loop,
        step,
    )
    if not records:
        return None
    return [(r["id"], r["person_id"]) for r in records if r["id"] is not None]
