"""The case workflow's activities against the real intake schema and notify: the state read, the
overdue mark recorded once per deadline round with its event, the owner reminded, the leader told."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.intake.v1 import case_pb2, case_pb2_grpc
from dutyline.notifier import NotifyClient
from services.intake.cases.activities import CaseActivities
from tests.support import events_about, notifications_about, service_token_for, token_for
from workflows.case.types import CaseNotice

pytestmark = pytest.mark.stack

OWNER = "p-hz-officer-2"


@pytest.fixture
async def intake_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="intake", min_size=1, max_size=2)
    yield pool
    await pool.close()


async def test_an_overdue_case_is_marked_once_per_round_the_owner_reminded_and_the_leader_told(
    platform: Any, intake_pool: asyncpg.Pool
) -> None:
    async with channel(platform.address("intake"), token_for(OWNER, ["officer"], ["hz-01"])) as ch:
        cases = case_pb2_grpc.CaseServiceStub(ch)
        opened = await cases.OpenCase(
            case_pb2.OpenCaseRequest(
                idempotency_key=str(uuid.uuid4()),
                site_id="hz-01",
                category=case_pb2.CASE_CATEGORY_REQUEST,
                subject="井盖缺失 a missing manhole cover",
                owner_id=OWNER,
                drill=True,
            )
        )
        await cases.AcknowledgeCase(
            case_pb2.AcknowledgeCaseRequest(idempotency_key=str(uuid.uuid4()), case_id=opened.id)
        )
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    try:
        activities = CaseActivities(pool=intake_pool, notifier=notifier)
        state = await activities.state(opened.id)
        assert (state.status, state.deadline_round, state.urgent) == ("in_progress", 1, False)
        overdue = CaseNotice(opened.id, "hz-01", 1, "overdue", "escalation 1 of 3", escalation=1)
        assert await activities.record_overdue(overdue)
        assert await activities.record_overdue(overdue)  # a retry: still overdue, nothing added
        assert not await activities.record_overdue(CaseNotice(opened.id, "hz-01", 2, "overdue"))  # not in force
        await activities.remind(CaseNotice(opened.id, "hz-01", 1, "reminder"))
        await activities.escalate(overdue)
    finally:
        await notifier.close()
    async with intake_pool.acquire() as conn:
        assert await conn.fetchval("SELECT overdue_round FROM cases WHERE id = $1", opened.id) == 1
    told = await notifications_about(platform, opened.id, at_least=2)
    assert any(n.person_id == OWNER and not n.escalation_id for n in told)
    assert any(n.person_id.startswith("p-hz-leader") and n.escalation_id for n in told)
    assert [e.type for e in await events_about(platform, opened.id)].count("case.overdue") == 1
