"""Escalation and the incident service (issue 14): the sweeper that opens incidents reserved by
emergency calls tries each one on its own — one that fails is logged and counted, and the others are
still opened in the same round (finding 11); and no advisory lock or pool connection is held while
the incident service is asked (finding 22)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest
from structlog.testing import capture_logs

from dutyline.db.pool import create_pool
from dutyline.grpckit.auth import Principal, set_principal
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import InvalidArgument
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from services.intake.escalation import SWEEP_CONCURRENCY, Escalator
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import service_token_for


class Sweeper(Escalator):
    """The real sweeping loop over a fixed list of reserved incidents; opening the first one breaks."""

    def __init__(self) -> None:
        super().__init__(pool=None, incidents=None)  # type: ignore[arg-type]
        self.tried: list[str] = []

    async def _reserved(self) -> list[tuple[str, str, str]]:
        return [("inc-broken", "call-1", "t"), ("inc-slow", "call-2", "t"), ("inc-fine", "call-3", "t")]

    async def _open_reserved(self, incident_id: str, call_id: str, title: str) -> bool:
        self.tried.append(incident_id)
        if incident_id == "inc-broken":
            raise RuntimeError("a defect in one call's data")
        return incident_id != "inc-slow"  # not answered in time: tried again next round


async def test_one_failing_reserved_incident_does_not_stop_the_round() -> None:
    sweeper = Sweeper()
    with capture_logs() as logs:
        await sweeper.sweep_unopened()
    assert sweeper.tried == ["inc-broken", "inc-slow", "inc-fine"]
    assert sweeper.open_failures == 2
    errors: list[dict[str, Any]] = [e for e in logs if e["log_level"] == "error"]
    assert [e["incident_id"] for e in errors] == ["inc-broken"] and "a defect" in errors[0]["error"]


class Watching:
    """The real incident service's stub; while each call to it is in flight, notes how many of the
    escalator's pool connections are checked out and how many advisory locks their sessions hold."""

    def __init__(
        self, stub: incident_pb2_grpc.IncidentServiceStub, pool: asyncpg.Pool, pids: list[int], dsn: str
    ) -> None:
        self._stub, self._pool, self._pids, self._dsn = stub, pool, pids, dsn
        self.held: list[tuple[str, int, int]] = []

    async def _note(self, method: str) -> None:
        # Asked on a connection of its own: the escalator's pool is what is being watched.
        conn = await asyncpg.connect(self._dsn)
        try:
            locks = await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = ANY($1::int[])", self._pids
            )
        finally:
            await conn.close()
        self.held.append((method, self._pool.get_size() - self._pool.get_idle_size(), int(locks)))

    async def OpenIncident(self, request: Any, **kwargs: Any) -> Any:
        await self._note("OpenIncident")
        return await self._stub.OpenIncident(request, **kwargs)

    async def GetIncident(self, request: Any, **kwargs: Any) -> Any:
        await self._note("GetIncident")
        return await self._stub.GetIncident(request, **kwargs)


@pytest.mark.stack
async def test_no_lock_or_connection_is_held_while_the_incident_service_is_asked(
    platform: Any, intake: intake_pb2_grpc.IntakeServiceStub, on_duty_officer: str
) -> None:
    """Issue 14, finding 22: deciding takes advisory locks and connections, asking the incident service
    takes up to RPC_TIMEOUT: never both at once."""
    reply = await intake.RegisterCall(emergency_call())
    pool = await create_pool(platform.postgres.dsn, schema="intake", min_size=2, max_size=2)
    async with pool.acquire() as a, pool.acquire() as b:
        pids = [await a.fetchval("SELECT pg_backend_pid()"), await b.fetchval("SELECT pg_backend_pid()")]
    # The officer's request, as intake's interceptor would have authenticated it.
    set_principal(Principal(on_duty_officer, roles=("officer",), sites=("hz-01",)))
    try:
        async with channel(platform.address("incident"), service_token_for("intake")) as ch:
            watching = Watching(incident_pb2_grpc.IncidentServiceStub(ch), pool, pids, platform.postgres.dsn)
            escalator = Escalator(pool=pool, incidents=watching)  # type: ignore[arg-type]
            # Unlinked into an incident of its own: locks and a new profile, then OpenIncident.
            unlink = intake_pb2.UnlinkCallRequest(idempotency_key=str(uuid.uuid4()), call_id=reply.call.id, reason="t")
            moved = await escalator.move(reply.call.id, to=None, how="unlinked", request=unlink, method="UnlinkCall")
            # An incident intake has not heard of (a fresh id: the fixed ones of the bad-input fuzz may
            # be known by now): GetIncident first.
            with pytest.raises(InvalidArgument):
                await escalator.move(
                    reply.call.id,
                    to=new_id("inc"),
                    how="officer",
                    request=intake_pb2.LinkCallRequest(idempotency_key=str(uuid.uuid4()), call_id=reply.call.id),
                    method="LinkCall",
                )
    finally:
        set_principal(None)
        await pool.close()
    assert moved.incident_id and moved.incident_id != reply.incident_id
    assert watching.held == [("OpenIncident", 0, 0), ("GetIncident", 0, 0)]
    conn = await asyncpg.connect(platform.postgres.dsn)
    try:
        opened = "SELECT opened FROM intake.incident_profiles WHERE incident_id = $1"
        assert await conn.fetchval(opened, moved.incident_id)
    finally:
        await conn.close()


class Slow(Escalator):
    """Reserved incidents whose opening each takes a while: how many the sweeper has in flight at once."""

    def __init__(self, count: int) -> None:
        super().__init__(pool=None, incidents=None)  # type: ignore[arg-type]
        self._count = count
        self.in_flight = 0
        self.most = 0

    async def _reserved(self) -> list[tuple[str, str, str]]:
        return [(f"inc-{n}", f"call-{n}", "t") for n in range(self._count)]

    async def _open_reserved(self, incident_id: str, call_id: str, title: str) -> bool:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return True


async def test_a_backlog_is_opened_several_at_a_time_but_bounded() -> None:
    # One at a time, the backlog an outage leaves took minutes to open (0.2–0.5 per second).
    sweeper = Slow(3 * SWEEP_CONCURRENCY)
    await sweeper.sweep_unopened()
    assert sweeper.most == SWEEP_CONCURRENCY and sweeper.open_failures == 0
