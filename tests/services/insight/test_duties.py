"""The duties projection on a real PostgreSQL and JetStream: a published roster, a swap and a
republication that keeps the swap, drops a shift and lists other coverage gaps give the same rows in
whatever order they arrive, and a rebuild gives them again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import create_pool
from dutyline.envelope import timestamp
from dutyline.events.v1 import event_pb2
from dutyline.projection import ProjectionRunner, rebuild
from dutyline.roster.v1 import roster_pb2
from services.insight.projections.duties import DUTIES
from tests.dutyline.projection_servers import Servers, fresh_stream, postgres_and_nats, publish, schema_with
from tests.services.insight.test_scorecards import assignment, roster_published, swapped
from tests.support import until

START = datetime(2025, 3, 1, 16, tzinfo=UTC)


@pytest.fixture(scope="module")
async def servers() -> AsyncIterator[Servers]:
    async with postgres_and_nats() as started:
        yield started


def with_gap(published: event_pb2.Event, start: datetime, role: int) -> event_pb2.Event:
    """The publication, listing a 12-hour span short of one ``role``."""
    payload = event_pb2.RosterPublished()
    published.payload.Unpack(payload)
    period = common_pb2.TimeRange(start=timestamp(start), end=timestamp(start + timedelta(hours=12)))
    payload.gaps.append(roster_pb2.CoverageGap(site_id="hz-01", period=period, role=role, required=1, present=0))
    published.payload.Pack(payload)
    return published


async def story() -> list[event_pb2.Event]:
    """A roster, a swap of one of its shifts, then the period republished: the swap kept, a shift gone,
    one added. Event ids grow with time: a pause between them orders them."""
    x, y, z = (assignment(f"asg-{n}", f"p-{n}", START + timedelta(hours=12 * i)) for i, n in enumerate("xyz"))
    first = roster_published("pub-1", START, START + timedelta(days=2), x, y, z)
    events = [with_gap(first, START, common_pb2.ROLE_LEADER)]
    await asyncio.sleep(0.005)
    events.append(swapped(y, "p-swapped-in", "swap-1"))
    await asyncio.sleep(0.005)
    kept = assignment("asg-y", "p-swapped-in", START + timedelta(hours=12))
    added = assignment("asg-w", "p-w", START + timedelta(days=1, hours=12))
    again = roster_published("pub-2", START, START + timedelta(days=2), x, kept, added)
    events.append(with_gap(again, START + timedelta(days=1), common_pb2.ROLE_OFFICER))
    return events


async def duties(pool: asyncpg.Pool) -> set[tuple[str, str]]:
    rows = await pool.fetch("SELECT assignment_id, person_id FROM duties")
    gaps = await pool.fetch("SELECT role, starts_at FROM coverage_gaps")
    return {(r["assignment_id"], r["person_id"]) for r in rows} | {
        (g["role"], g["starts_at"].isoformat()) for g in gaps
    }


# The shifts, and the gap the republication lists (the first one's is gone).
EXPECTED = {
    ("asg-x", "p-x"),
    ("asg-y", "p-swapped-in"),
    ("asg-w", "p-w"),
    ("officer", (START + timedelta(days=1)).isoformat()),
}


@pytest.mark.stack
@pytest.mark.parametrize("order", ["as_published", "reversed"])
async def test_the_roster_as_it_stands_in_any_order_and_after_a_rebuild(servers: Servers, order: str) -> None:
    events = await story()
    delivered = events if order == "as_published" else events[::-1]
    async with (
        fresh_stream(servers.nats.url) as nc,
        schema_with(servers.postgres.dsn, "services.insight.migrations", "insight_d") as schema,
    ):
        pool = await create_pool(servers.postgres.dsn, schema=schema, min_size=1, max_size=4)
        runner = ProjectionRunner(pool=pool, projection=DUTIES, nats_url=servers.nats.url, batch=1)
        task = asyncio.create_task(runner.run())
        try:
            await publish(nc, delivered)
            await until(lambda: duties(pool), EXPECTED)
            async with pool.acquire() as conn:
                await rebuild(conn, nc.jetstream(), DUTIES)
            await until(lambda: duties(pool), EXPECTED)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await pool.close()
