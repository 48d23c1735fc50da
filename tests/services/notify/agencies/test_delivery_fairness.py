"""Webhook deliveries leased fairly: an agency whose receiver is down — its backlog of first attempts
and retries — never holds back another agency's new event (on a PostgreSQL schema of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import asyncpg
import pytest

from services.notify.agencies import store
from tests.support import kit_schema

pytestmark = pytest.mark.stack


def notify_migrations() -> list[str]:
    files = sorted(resources.files("services.notify.migrations").iterdir(), key=lambda p: p.name)
    return ["SET search_path = {schema}; " + f.read_text(encoding="utf-8").replace("{", "{{").replace("}", "}}")
            for f in files if f.name.endswith(".sql")]  # fmt: skip


@pytest.fixture
async def conn(platform: Any) -> AsyncIterator[asyncpg.Connection]:
    async with kit_schema(platform.postgres.dsn, "fair", *notify_migrations()) as schema:
        connection = await asyncpg.connect(platform.postgres.dsn, server_settings={"search_path": schema})
        try:
            yield connection
        finally:
            await connection.close()


async def agency(conn: asyncpg.Connection, agency_id: str, now: datetime) -> None:
    row = store.AgencyRow(
        id=agency_id,
        name=agency_id,
        site_ids=("hz-01",),
        event_types=("incident.*",),
        webhook_url="https://receiver.example/hook",
        webhook_secret="s",
        nats_user="",
        created_at=now,
        created_by="p-admin",
    )
    assert await store.insert_agency(conn, row=row)


async def test_a_dead_receivers_backlog_does_not_hold_back_another_agencys_new_event(
    conn: asyncpg.Connection,
) -> None:
    now = datetime.now(UTC)
    await agency(conn, "dead", now)
    await agency(conn, "live", now)
    # 60 older deliveries to the dead receiver: 30 never tried, 30 retried and due again.
    for n in range(60):
        at = now - timedelta(minutes=10) + timedelta(seconds=n)
        await store.queue_delivery(
            conn, agency_id="dead", event_id=f"evt-{n}", event_type="incident.registered", site_id="hz-01",
            drill=False, body=b"{}", now=at,
        )  # fmt: skip
        if n >= 30:
            await conn.execute(
                "UPDATE agency_deliveries SET attempts = 2 WHERE agency_id = 'dead' AND event_id = $1", f"evt-{n}"
            )
    await store.queue_delivery(
        conn, agency_id="live", event_id="evt-new", event_type="incident.registered", site_id="hz-01",
        drill=False, body=b"{}", now=now,
    )  # fmt: skip

    leased = await store.lease_due(conn, now=now, lease_until=now + timedelta(seconds=30), limit=10, per_agency=5)
    assert ("live", "evt-new") in {(d.agency_id, d.event_id) for d in leased}
    dead = [d for d in leased if d.agency_id == "dead"]
    # At most five of one agency, first attempts before its retries.
    assert len(dead) == 5 and all(d.attempts == 0 for d in dead)
    # Leased once: a second round (another replica) takes none of them again.
    again = await store.lease_due(conn, now=now, lease_until=now + timedelta(seconds=30), limit=100, per_agency=100)
    assert not {(d.agency_id, d.event_id) for d in again} & {(d.agency_id, d.event_id) for d in leased}
