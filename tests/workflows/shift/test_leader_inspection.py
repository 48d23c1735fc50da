"""The leader's inspection (带班领导查岗) in ShiftWorkflow, on Temporal's time-skipping test server with the
real inspection activities over the real stack (the other shift activities are the fakes of
test_shift_workflow): a duty leader's shift that ends without an inspection at the site is recorded
as the violation inspection_missed with inspection.missed, and the site's unit head is told; a shift
inspected in time raises nothing. Each history is replayed on the current code."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.roster import inspection_store, rules, schedule_store
from services.roster.inspection_activities import InspectionActivities
from services.roster.inspections import ItemResult
from tests.support import events_about, notifications_about, service_token_for, staffed_site, token_for
from tests.workflows.shift.test_shift_workflow import FakeShiftActivities
from workflows.shift.types import ShiftInput, ShiftOutcome, shift_workflow_id
from workflows.shift.workflow import ShiftWorkflow

pytestmark = pytest.mark.stack

SITE = "t-inspect-wf"
HEAD = f"{SITE}-head"


@pytest.fixture(scope="module")
async def site(platform: Any) -> str:
    """A fresh site with a leader and a unit head (单位负责人)."""
    async with channel(platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
        admin = roster_pb2_grpc.RosterServiceStub(ch)
        await staffed_site(admin, SITE, officers=1, leaders=1)
        await admin.UpsertPerson(
            roster_pb2.UpsertPersonRequest(
                idempotency_key=str(uuid.uuid4()),
                person=roster_pb2.Person(
                    id=HEAD,
                    display_name="单位负责人 Unit head",
                    site_id=SITE,
                    roles=[common_pb2.ROLE_UNIT_HEAD],
                    contacts=[roster_pb2.ContactMethod(channel="phone", address="13900000001")],
                ),
            )
        )
    return SITE


@pytest.fixture
async def roster_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture
async def worker(env: WorkflowEnvironment, platform: Any, roster_pool: asyncpg.Pool) -> AsyncIterator[Worker]:
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    real = InspectionActivities(pool=roster_pool, notifier=notifier)
    activities: list[Callable[..., Any]] = [
        *FakeShiftActivities().activities(),
        real.inspection_missed,
        real.flag_unit_head,
    ]
    async with Worker(
        env.client, task_queue=f"tq-{uuid.uuid4()}", workflows=[ShiftWorkflow], activities=activities
    ) as running:
        yield running
    await notifier.close()


async def leader_shift(env: WorkflowEnvironment, pool: asyncpg.Pool, site: str) -> rules.Assignment:
    """A 4 h leader's shift starting in a minute of the server's time, stored (unpublished: only the
    test's workflow follows it)."""
    starts_at = (await env.get_current_time()).replace(microsecond=0) + timedelta(minutes=1)
    a = rules.Assignment(
        id=f"a-lead-{uuid.uuid4()}",
        site_id=site,
        person_id=f"{site}-l1",
        role="leader",
        shift_name="day",
        local_date=starts_at.date(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
    )
    async with pool.acquire() as conn:
        await schedule_store.add_assignment(conn, assignment=a)
    return a


async def run_shift(env: WorkflowEnvironment, worker: Worker, a: rules.Assignment) -> ShiftOutcome:
    shift = ShiftInput(
        a.id,
        a.site_id,
        starts_at=a.starts_at.isoformat(),
        ends_at=a.ends_at.isoformat(),
        supervise_check_in=False,
        role=a.role,
    )
    handle = await env.client.start_workflow(
        ShiftWorkflow.run, shift, id=shift_workflow_id(a.id), task_queue=worker.task_queue
    )
    outcome: ShiftOutcome = await handle.result()
    await Replayer(workflows=[ShiftWorkflow]).replay_workflow(await handle.fetch_history())
    return outcome


async def violations(pool: asyncpg.Pool, a: rules.Assignment) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT person_id, kind FROM violations WHERE assignment_id = $1", a.id)
    return [(r["person_id"], r["kind"]) for r in rows]


async def test_a_leaders_shift_without_an_inspection_is_flagged_to_the_unit_head(
    env: WorkflowEnvironment, worker: Worker, platform: Any, roster_pool: asyncpg.Pool, site: str
) -> None:
    a = await leader_shift(env, roster_pool, site)
    await run_shift(env, worker, a)
    assert await violations(roster_pool, a) == [(f"{site}-l1", "inspection_missed")]
    told = await notifications_about(platform, a.id)
    assert {(n.person_id, n.template) for n in told} == {(HEAD, "inspection_missed")}
    assert [e.type for e in await events_about(platform, a.id)] == ["inspection.missed"]


async def test_a_leaders_shift_inspected_in_time_is_not_flagged(
    env: WorkflowEnvironment, worker: Worker, platform: Any, roster_pool: asyncpg.Pool, site: str
) -> None:
    a = await leader_shift(env, roster_pool, site)
    async with roster_pool.acquire() as conn:
        await inspection_store.insert_inspection(
            conn,
            inspection_id=f"insp-{uuid.uuid4()}",
            site_id=site,
            assignment_id=a.id,
            inspector_id=a.person_id,
            inspector_name="",
            inspected_at=a.starts_at + timedelta(hours=2),
            checklist_version=1,
            results=[ItemResult("on_post", True)],
            note="",
        )
    await run_shift(env, worker, a)
    assert await violations(roster_pool, a) == []
    assert await notifications_about(platform, a.id, timeout=2.0) == []
