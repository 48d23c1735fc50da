"""The callback activities against the real intake schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.intake.v1 import intake_pb2
from dutyline.notifier import NotifyClient
from services.intake import store
from services.intake.callback_activities import CallbackActivities
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import notifications_about, service_token_for
from workflows.callback.types import CallbackNotice

pytestmark = pytest.mark.stack


@pytest.fixture
async def intake_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="intake", min_size=1, max_size=2)
    yield pool
    await pool.close()


async def test_an_overdue_callback_is_marked_once_and_the_leader_told(
    platform: Any, intake: Any, intake_pool: asyncpg.Pool
) -> None:
    reply = await intake.RegisterCall(emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION))
    now = datetime.now(UTC)
    callback = store.CallbackRow(
        id=f"cb-test-{uuid.uuid4()}",
        call_id=reply.call.id,
        site_id="hz-01",
        kind="callback",
        recipient_id="p-hz-officer-2",
        content="回电",
        urgent=True,
        due_at=now - timedelta(minutes=1),
        status="open",
        overdue=False,
        outcome="",
        created_by="test",
        created_at=now,
        completed_at=None,
        workflow_started_at=None,
    )
    async with intake_pool.acquire() as conn:
        await store.insert_callback(conn, callback=callback)
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    try:
        activities = CallbackActivities(pool=intake_pool, notifier=notifier)
        assert (await activities.state(callback.id)).status == "open"
        assert await activities.record_overdue(callback.id)
        assert await activities.record_overdue(callback.id)  # a retry: still overdue, nothing added
        await activities.escalate(CallbackNotice(callback.id, "hz-01", "overdue", "p-hz-officer-2"))
        await activities.remind(CallbackNotice(callback.id, "hz-01", "reminder", "p-hz-officer-2"))
    finally:
        await notifier.close()
    async with intake_pool.acquire() as conn:
        stored = await store.get_callback(conn, callback_id=callback.id)
        done = await store.complete_callback(conn, callback_id=callback.id, outcome="ok", at=datetime.now(UTC))
    assert stored is not None and stored.overdue
    assert done.status == "completed"
    assert not await activities.record_overdue(callback.id)
    told = await notifications_about(platform, callback.id, at_least=2)
    assert {n.template for n in told} == {"callback_reminder", "callback_overdue"}
    assert any(n.person_id == "p-hz-officer-2" and n.template == "callback_reminder" for n in told)
    assert any(n.person_id.startswith("p-hz-leader") and n.escalation_id for n in told)
