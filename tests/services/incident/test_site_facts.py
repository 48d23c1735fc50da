"""Issue 14, finding 14: an incident opened while roster is away still opens, and its jurisdiction and
time zone are filled in from roster before a reporting policy is chosen (never a policy chosen on a
guess); its reporting clocks count from the first call's answer, as intake recorded it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts
from dutyline.ids import new_id
from dutyline.roster.v1 import roster_pb2_grpc
from dutyline.stack.process import free_port
from services.incident import store
from services.incident.activities import IncidentActivities
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import service_token_for
from workflows.incident.types import PolicyQuery

pytestmark = pytest.mark.stack


@pytest.fixture
async def incident_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="incident", min_size=1, max_size=2)
    yield pool
    await pool.close()


async def unconfirmed_incident(pool: asyncpg.Pool) -> str:
    """An incident as OpenIncident stores it when roster did not answer: no jurisdiction, a guessed zone."""
    now = datetime.now(UTC)
    incident = store.IncidentRow(
        id=new_id("inc"),
        site_id="hz-01",
        title="roster away",
        summary="",
        category="",
        severity="unrated",
        stage="register",
        place_text="",
        latitude=None,
        longitude=None,
        first_responder_id="p-test",
        drill=True,
        occurred_at=None,
        registered_at=now,
        closed_at=None,
        workflow_started_at=now,  # no workflow for the reconciler to start
        version=1,
        jurisdiction="",
        time_zone="UTC",
        site_confirmed=False,
    )
    async with pool.acquire() as conn:
        await store.insert_incident(conn, incident=incident)
    return incident.id


def query(incident_id: str) -> PolicyQuery:
    return PolicyQuery(
        jurisdiction="",
        category="social_safety",
        sub_type="",
        severity="I",
        at=datetime.now(UTC).isoformat(),
        incident_id=incident_id,
    )


async def test_the_policy_waits_for_the_sites_jurisdiction_when_roster_was_away(
    platform: Any, incident_pool: asyncpg.Pool
) -> None:
    incident_id = await unconfirmed_incident(incident_pool)
    facts = "SELECT jurisdiction, time_zone, site_confirmed FROM incidents WHERE id = $1"

    # Roster still away: the activity fails (and is retried), rather than pick the national policy.
    away = channel(f"127.0.0.1:{free_port()}", service_token_for("incident"))
    try:
        activities = IncidentActivities(
            pool=incident_pool,
            roster=roster_pb2_grpc.RosterServiceStub(away),
            notifier=None,  # type: ignore[arg-type]
            grant_keys=[],
        )
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await activities.load_policy(query(incident_id))
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await away.close()
    async with incident_pool.acquire() as conn:
        assert tuple(await conn.fetchrow(facts, incident_id)) == ("", "UTC", False)

    # Roster back: Hangzhou's jurisdiction and zone are stored, and Zhejiang's policy is chosen.
    async with channel(platform.address("roster"), service_token_for("incident")) as ch:
        activities = IncidentActivities(
            pool=incident_pool,
            roster=roster_pb2_grpc.RosterServiceStub(ch),
            notifier=None,  # type: ignore[arg-type]
            grant_keys=[],
        )
        chosen = await activities.load_policy(query(incident_id))
    assert chosen is not None and (chosen.id, chosen.time_zone) == ("zj-I", "Asia/Shanghai")
    async with incident_pool.acquire() as conn:
        assert tuple(await conn.fetchrow(facts, incident_id)) == ("330100", "Asia/Shanghai", True)


async def test_the_clocks_count_from_the_first_calls_answer(intake: Any, db: asyncpg.Connection) -> None:
    answered_at = datetime.now(UTC) - timedelta(minutes=4)
    request = emergency_call(ring_started_at=answered_at - timedelta(seconds=10), answered_at=answered_at)
    reply = await intake.RegisterCall(request)
    assert reply.escalation == "opened"
    row = await db.fetchrow(
        "SELECT clock_from, registered_at, site_confirmed FROM incident.incidents WHERE id = $1", reply.incident_id
    )
    assert row["clock_from"] == from_ts(request.answered_at) < row["registered_at"]
    assert row["site_confirmed"] is True
