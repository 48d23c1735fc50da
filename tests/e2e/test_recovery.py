"""Nothing is lost when a service or Temporal is down between a commit and its follow-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from temporalio.client import Client, Interceptor, OutboundInterceptor, StartWorkflowInput, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.temporal_worker import task_queue_of
from services.incident import starter as starter_module
from services.incident import store
from services.incident.starter import RECONCILE_AFTER, WorkflowStarter
from tests.e2e.test_emergency_call_slice import emergency_call

pytestmark = pytest.mark.stack


async def wait_for(predicate: Any, timeout: float = 40.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await predicate()
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(0.5)


async def verify_as_accident(
    incidents: incident_pb2_grpc.IncidentServiceStub, incident_id: str, timeout: float
) -> None:
    """Verify the incident as a 一般 (IV) accident."""
    await incidents.Verify(
        incident_pb2.VerifyRequest(
            idempotency_key=f"verify-{incident_id}",
            incident_id=incident_id,
            confirmed=True,
            category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
            severity=common_pb2.SEVERITY_IV,
        ),
        timeout=timeout,
    )


async def test_an_emergency_call_taken_while_incident_is_down_is_escalated_later(
    platform: Any, intake: intake_pb2_grpc.IntakeServiceStub, db: asyncpg.Connection
) -> None:
    incident_service = platform.processes["incident"]
    await asyncio.to_thread(incident_service.stop)
    try:
        reply = await intake.RegisterCall(emergency_call(), timeout=30)
        # The call is safe even though the incident could not be opened yet: its id is reserved.
        assert reply.call.status == "escalated" and reply.escalation == "pending" and reply.incident_id
    finally:
        incident_service.start()
        await platform.wait_serving("incident")

    async def opened() -> bool:
        return bool(await db.fetchval("SELECT true FROM incident.incidents WHERE id = $1", reply.incident_id))

    assert await wait_for(opened), "the intake sweeper opens the reserved incident once incident is back"
    assert await db.fetchval("SELECT incident_id FROM incident.incident_calls WHERE call_id = $1", reply.call.id) == (
        reply.incident_id
    )


async def test_an_incident_registered_while_temporal_is_down_gets_its_workflow_later(
    platform: Any,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
    db: asyncpg.Connection,
) -> None:
    await platform.temporal.stop_async()
    try:
        reply = await intake.RegisterCall(emergency_call(), timeout=30)
        assert reply.incident_id, "the incident is committed without Temporal"
        started = await db.fetchval(
            "SELECT workflow_started_at FROM incident.incidents WHERE id = $1", reply.incident_id
        )
        assert started is None
    finally:
        await platform.temporal.start_async()

    # Temporal is back and the reconciler has not come yet (it waits 10 s after registration): a step asked
    # of the incident at once is applied, not answered UNAVAILABLE. Its workflow is started by the start
    # OpenIncident set going (the Temporal client retried it until the server was back) or, had that given
    # up, by the step itself.
    await verify_as_accident(incidents, reply.incident_id, timeout=30)
    assert await db.fetchval(
        "SELECT workflow_started_at IS NOT NULL FROM incident.incidents WHERE id = $1", reply.incident_id
    )
    client = await Client.connect(platform.temporal.address)
    handle = client.get_workflow_handle(reply.incident_id)
    assert await handle.query("stage") != "verify"
    verified = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=reply.incident_id), timeout=30)
    assert verified.severity == common_pb2.SEVERITY_IV


async def copies_of_an_incident(intake: intake_pb2_grpc.IntakeServiceStub, db: asyncpg.Connection, n: int) -> list[str]:
    """``n`` incidents committed now whose workflows have not been started: copies of a real one under new ids
    (the platform's reconciler leaves them alone for RECONCILE_AFTER)."""
    original = (await intake.RegisterCall(emergency_call(drill=True), timeout=30)).incident_id
    copies = [f"{original}-{i}" for i in range(n)]
    for copy in copies:
        await db.execute(
            "INSERT INTO incident.incidents SELECT (jsonb_populate_record(i, jsonb_build_object("
            "  'id', $2::text, 'workflow_started_at', NULL, 'registered_at', now()"
            "))).* FROM incident.incidents i WHERE i.id = $1",
            original,
            copy,
        )
    return copies


async def test_a_step_asked_of_an_incident_whose_workflow_never_started_starts_it_first(
    platform: Any,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
    db: asyncpg.Connection,
) -> None:
    # An incident committed whose start never ran (the process died between commit and start).
    (orphan,) = await copies_of_an_incident(intake, db, 1)
    client = await Client.connect(platform.temporal.address)
    with pytest.raises(RPCError) as missing:
        await client.get_workflow_handle(orphan).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND

    # The step finds no workflow, starts it, and is applied: not UNAVAILABLE until the reconciler comes.
    await verify_as_accident(incidents, orphan, timeout=9)
    started, registered = await db.fetchrow(
        "SELECT workflow_started_at, registered_at FROM incident.incidents WHERE id = $1", orphan
    )
    assert started is not None and started - registered < RECONCILE_AFTER, "started by the step, not the reconciler"
    assert await client.get_workflow_handle(orphan).query("stage") != "verify"
    verified = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=orphan), timeout=30)
    assert verified.severity == common_pb2.SEVERITY_IV


class StartsSeen(Interceptor, OutboundInterceptor):
    """The workflow starts a client asks for, in order, and how many it has under way at once, at most
    (the real client's calls, seen on their way)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.now = self.most = 0

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        OutboundInterceptor.__init__(self, next)
        return self

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        self.ids.append(input.id)
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            return await super().start_workflow(input)
        finally:
            self.now -= 1


@asynccontextmanager
async def incident_starter(
    platform: Any, incident_ids: list[str], *interceptors: Interceptor
) -> AsyncIterator[tuple[WorkflowStarter, list[store.IncidentRow]]]:
    """A WorkflowStarter of the test's own (with the bounds the test set) against the platform's servers,
    and the incidents ``incident_ids`` as it reads them."""
    pool = await asyncpg.create_pool(
        platform.postgres.dsn, server_settings={"search_path": "incident"}, min_size=1, max_size=2
    )
    client = await Client.connect(platform.temporal.address, interceptors=list(interceptors))
    starter = WorkflowStarter(pool=pool, client=client, task_queue=task_queue_of("incident"))
    try:
        rows = []
        async with pool.acquire() as conn:
            for incident_id in incident_ids:
                row = await store.get_incident(conn, incident_id=incident_id)
                assert row is not None
                rows.append(row)
        yield starter, rows
    finally:
        await starter.close()
        await pool.close()


STARTED = "SELECT workflow_started_at FROM incident.incidents WHERE id = $1"


async def test_incident_starts_wait_their_turn_in_order_a_few_at_a_time(
    platform: Any, intake: intake_pb2_grpc.IntakeServiceStub, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Incidents opening faster than Temporal starts their workflows: their starts are made STARTS_IN_FLIGHT
    at a time, in order (more at once only queued in the server until they timed out)."""
    copies = await copies_of_an_incident(intake, db, 6)
    monkeypatch.setattr(starter_module, "STARTS_IN_FLIGHT", 2)
    seen = StartsSeen()
    async with incident_starter(platform, copies, seen) as (starter, rows):
        for row in rows:  # in the same instant, as OpenIncident would under a surge
            starter.start_soon(row)
        assert await wait_for(lambda: db.fetchval(STARTED, copies[-1]), timeout=9)
    assert all([await db.fetchval(STARTED, copy) for copy in copies])
    assert seen.ids == copies and seen.most == 2


async def test_incident_starts_beyond_those_waiting_are_left_to_the_reconciler(
    platform: Any, intake: intake_pb2_grpc.IntakeServiceStub, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond STARTS_WAITING, a start is not kept waiting in the process: the incident stays pending, and the
    reconciler starts it."""
    copies = await copies_of_an_incident(intake, db, 2)
    monkeypatch.setattr(starter_module, "STARTS_WAITING", 1)
    async with incident_starter(platform, copies) as (starter, rows):
        for row in rows:
            starter.start_soon(row)
        assert await wait_for(lambda: db.fetchval(STARTED, copies[0]), timeout=9)
        client = await Client.connect(platform.temporal.address)
        with pytest.raises(RPCError) as missing:
            await client.get_workflow_handle(copies[1]).describe()
        assert missing.value.status == RPCStatusCode.NOT_FOUND
        assert not await db.fetchval(STARTED, copies[1])
    # The platform's reconciler finds it once RECONCILE_AFTER has passed.
    assert await wait_for(lambda: db.fetchval(STARTED, copies[1]), timeout=40)
    assert await client.get_workflow_handle(copies[1]).query("stage")


async def test_notifications_committed_before_notify_died_are_delivered_after_it_restarts(
    platform: Any, db: asyncpg.Connection
) -> None:
    """Notify killed (SIGKILL) with notifications queued and maybe one attempt in flight: after a
    restart every one is delivered, and an attempt is never recorded twice."""
    import os
    import signal
    import uuid

    from dutyline.grpckit.client import channel
    from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
    from tests.support import token_for

    notify_service = platform.processes["notify"]
    async with channel(platform.address("notify"), token_for("p-admin", ["admin"], ["*"])) as ch:
        reply = await notify_pb2_grpc.NotifyServiceStub(ch).Send(
            notify_pb2.SendRequest(
                idempotency_key=str(uuid.uuid4()),
                site_id="nb-01",
                recipients=[
                    notify_pb2.Recipient(person_id=p) for p in ("p-nb-leader-1", "p-nb-leader-2", "p-nb-officer-1")
                ],
                template="generic",
                data={"subject": "恢复测试 Recovery", "body": "杀掉通知服务 notify killed"},
                channel="email",
            )
        )
    assert notify_service.pid is not None
    os.kill(notify_service.pid, signal.SIGKILL)
    await asyncio.to_thread(notify_service.stop)
    notify_service.start()
    await platform.wait_serving("notify")
    ids = [n.id for n in reply.notifications]

    async def all_delivered() -> bool:
        statuses = await db.fetch("SELECT status FROM notify.notifications WHERE id = ANY($1::text[])", ids)
        return [r["status"] for r in statuses] == ["delivered"] * len(ids)

    assert await wait_for(all_delivered, timeout=90.0), (
        "a lease left by the killed dispatcher expires and is taken over"
    )
    attempts = await db.fetch("SELECT id FROM notify.delivery_attempts WHERE notification_id = ANY($1::text[])", ids)
    assert len(attempts) == len({a["id"] for a in attempts}) >= len(ids)
