"""Faults on a platform of its own (killing the session platform's PostgreSQL would hurt the other tests):
PostgreSQL down → RegisterCall answers UNAVAILABLE and a retry with the same key stores the call once;
the supervisor restarts what was SIGKILLed (PostgreSQL's stale lock files cleaned) and one on request."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import grpc
import pytest

from dutyline.db import pool as db_pool
from dutyline.grpckit.client import channel
from dutyline.grpckit.faults import unavailable
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.stack.platform import Platform
from dutyline.stack.postgres import EmbeddedPostgres
from dutyline.stack.process import free_port
from dutyline.stack.supervisor import Supervisor, request_restart, restart_delay, write_pid
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import running_platform, token_for

pytestmark = pytest.mark.stack


def test_the_back_off_doubles_up_to_30_s_and_starts_over_after_a_long_run() -> None:
    assert restart_delay(None, started=0.0, exited=0.5) == 1.0
    delays = [1.0]
    for _ in range(6):
        delays.append(restart_delay(delays[-1], started=100.0, exited=103.0))
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert restart_delay(30.0, started=100.0, exited=160.0) == 1.0


async def test_a_killed_postgres_starts_though_another_cluster_s_postgres_got_its_pid(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    ours = EmbeddedPostgres(tmp_path / "ours", free_port(), tmp_path / "ours.log")
    other = EmbeddedPostgres(tmp_path / "other", free_port(), tmp_path / "other.log")
    await asyncio.gather(ours.start_async(), other.start_async())
    try:
        assert ours.pid is not None and other.pid is not None
        os.killpg(ours.pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        # The pid the dead postmaster left in its lock files now belongs to another postgres.
        for lock in (ours.data_dir / "postmaster.pid", ours.socket_dir / f".s.PGSQL.{ours.port}.lock"):
            lines = lock.read_text().splitlines()
            lock.write_text("\n".join([str(other.pid), *lines[1:]]) + "\n")
        await ours.start_async()
        conn = await asyncpg.connect(ours.dsn)
        await conn.close()
    finally:
        ours.stop()
        other.stop()


@pytest.fixture(scope="module")
async def own_platform() -> AsyncIterator[Platform]:
    # Unsupervised: the test runs a Supervisor of its own, to hear what it says.
    async with running_platform("supervisor") as stack:
        yield stack


def consultation() -> intake_pb2.RegisterCallRequest:
    return emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION)


async def calls_with_key(platform: Platform, key: str) -> int:
    conn = await asyncpg.connect(platform.postgres.dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM intake.idempotency WHERE key = $1", key))
    finally:
        await conn.close()


async def test_register_call_is_unavailable_while_postgres_is_down_and_a_retry_stores_it_once(
    own_platform: Platform,
) -> None:
    token = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    request = consultation()
    async with channel(own_platform.address("intake"), token) as ch:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        await intake.RegisterCall(consultation(), timeout=10)  # the pool has connections to lose
        own_platform.kill("postgres")
        try:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await intake.RegisterCall(request, timeout=10)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, refused.value.details()
        finally:
            await own_platform.restart("postgres")
        assert await calls_with_key(own_platform, request.idempotency_key) == 0
        first = await intake.RegisterCall(request, timeout=10)
        again = await intake.RegisterCall(request, timeout=10)
    assert again.call.id == first.call.id
    assert await calls_with_key(own_platform, request.idempotency_key) == 1


async def test_a_pool_acquire_that_waits_too_long_gives_up_as_unavailable(
    own_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_pool, "ACQUIRE_TIMEOUT", 0.2)
    pool = await db_pool.create_pool(own_platform.postgres.dsn, schema="public", min_size=1, max_size=1)
    try:
        async with pool.acquire(), asyncio.timeout(5):
            with pytest.raises(TimeoutError) as waited:
                async with pool.acquire():
                    pass
        assert unavailable(waited.value) is not None
    finally:
        await pool.close()


async def wait_restarted(platform: Platform, name: str, old_pid: int | None, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        process = platform.process_of(name)
        if process is not None and process.running and process.pid != old_pid and not platform.restarting(name):
            return
        assert loop.time() < deadline, f"{name} was not restarted"
        await asyncio.sleep(0.2)


async def test_the_supervisor_restarts_what_was_killed_and_one_on_request(own_platform: Platform) -> None:
    said: list[str] = []
    supervisor = asyncio.create_task(Supervisor(own_platform, say=said.append, interval=0.2).run())
    token = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    try:
        for name in ("postgres", "intake"):
            process = own_platform.process_of(name)
            assert process is not None
            old_pid = process.pid
            own_platform.kill(name)
            await wait_restarted(own_platform, name, old_pid)
            assert any(f"restarted {name} (退出码 exit code -9" in line for line in said), said
        async with channel(own_platform.address("intake"), token) as ch:
            assert (await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(consultation(), timeout=10)).call.id

        write_pid(own_platform.state_dir)
        # The small local gateway: the request path is the same for every component.
        gateway = own_platform.processes["gateway"]
        gateway_pid = gateway.pid
        ok, message = await request_restart(own_platform.state_dir, "gateway", timeout=60)
        assert ok, message
        assert gateway.running and gateway.pid != gateway_pid
        assert any("restarted gateway on request" in line for line in said), said
        ok, message = await request_restart(own_platform.state_dir, "no-such-thing", timeout=10)
        assert not ok and "no-such-thing" in message
    finally:
        supervisor.cancel()
        await asyncio.gather(supervisor, return_exceptions=True)
