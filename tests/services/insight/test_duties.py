"""The duties projection on a real PostgreSQL and JetStream: a published roster, a swap and a
republication that keeps the swap and drops a shift give the same rows in whatever order they arrive,
and a rebuild gives them again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from dutyline.db.pool import create_pool
from dutyline.events.v1 import event_pb2
from dutyline.projection import ProjectionRunner, rebuild
from services.insight.projections.duties import DUTIES
from tests.dutyline.projection_servers import Servers, fresh_stream, postgres_and_nats, publish, schema_with
from tests.services.insight.test_scorecards import assignment, roster_published, swapped
from tests.support import until

START = datetime(2025, 3, 1, 16, tzinfo=UTC)


@pytest.fixture(scope="module")
async def servers() -> AsyncIterator[Servers]:
    async with postgres_and_nats() as started:
        yield started


async def story() -> list[event_pb2.Event]:
    """A roster, a swap of one of its shifts, then the period republished: the swap kept, a shift gone,
    one added. Event ids grow with time: a pause between them orders them."""
    x, y, z = (assignment(f"asg-{n}", f"p-{n}", START + timedelta(hours=12 * i)) for i, n in enumerate("xyz"))
    events = [roster_published("pub-1", START, START + timedelta(days=2), x, y, z)]
    await asyncio.sleep(0.005)
    events.append(swapped(y, "p-swapped-in", "swap-1"))
    await asyncio.sleep(0.005)
    kept = assignment("asg-y", "p-swapped-in", START + timedelta(hours=12))
    added = assignment("asg-w", "p-w", START + timedelta(days=1, hours=12))
    events.append(roster_published("pub-2", START, START + timedelta(days=2), x, kept, added))
    return events


async def duties(pool: asyncpg.Pool) -> set[tuple[str, str]]:
    rows = await pool.fetch("SELECT assignment_id, person_id FROM duties")
    return {(r["assignment_id"], r["person_id"]) for r in rows}


EXPECTED = {("asg-x", "p-x"), ("asg-y", "p-swapped-in"), ("asg-w", "p-w")}


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
