"""Which failures the gRPC kit answers UNAVAILABLE (a dependency is down: retry) instead of INTERNAL (a bug)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import grpc
import nats.errors
import pytest
from temporalio.service import RPCError, RPCStatusCode

from dutyline.grpckit.faults import unavailable
from dutyline.stack.postgres import EmbeddedPostgres
from dutyline.stack.process import free_port
from tests.support import start_on_free_ports


def _raised_from(cause: BaseException) -> Exception:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.InterfaceError("connection is closed"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),  # a pool acquire that waited too long
        nats.errors.NoServersError(),
        nats.errors.TimeoutError(),
        RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b""),
        RPCError("deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b""),
        _raised_from(ConnectionResetError()),
        ExceptionGroup("tasks", [ValueError("x"), asyncpg.ConnectionDoesNotExistError("gone")]),
    ],
)
def test_an_unavailable_dependency_is_recognised(exc: BaseException) -> None:
    assert unavailable(exc) is not None


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("a bug"),
        KeyError("a bug"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        asyncpg.UniqueViolationError("duplicate key"),
        FileNotFoundError("/etc/missing"),
        RPCError("bad request", RPCStatusCode.INVALID_ARGUMENT, b""),
        grpc.aio.AioRpcError(grpc.StatusCode.INVALID_ARGUMENT, grpc.aio.Metadata(), grpc.aio.Metadata()),
    ],
)
def test_a_bug_is_not_taken_for_an_outage(exc: BaseException) -> None:
    assert unavailable(exc) is None


def test_a_downstream_service_that_is_unavailable_is_an_outage() -> None:
    down = grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata())
    assert unavailable(down) is down


@contextlib.asynccontextmanager
async def fin_held_proxy(port: int) -> AsyncIterator[tuple[int, asyncio.Event]]:
    """A TCP proxy to ``port`` that passes every byte but holds back the server's close (the event is set
    when the server closed): the moment between a backend's last message and its socket's end, which a
    loaded machine stretches, made as long as the test needs."""
    server_closed = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()

    async def serve(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", port)
        writers.extend((client_w, server_w))
        upstream = asyncio.create_task(pipe(client_r, server_w))
        await pipe(server_r, client_w)
        server_closed.set()
        await upstream

    proxy = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield proxy.sockets[0].getsockname()[1], server_closed
    finally:
        for writer in writers:
            writer.close()
        proxy.close()


@pytest.mark.stack
async def test_a_query_on_a_connection_whose_backend_said_goodbye_is_an_outage() -> None:
    """A backend whose postmaster was killed sends FATAL, then closes: a query asyncpg starts in between
    fails in its protocol state machine (InternalClientError), which is the outage, not a bug."""
    state = Path(tempfile.mkdtemp(prefix="dutyline-faults-"))
    os.chmod(state, 0o755)
    pg = await start_on_free_ports(
        lambda: EmbeddedPostgres(state / "pg", free_port(), state / "pg.log"), lambda s: s.start_async()
    )
    try:
        async with fin_held_proxy(pg.port) as (port, server_closed):
            # Over TCP through the proxy (the stack's own DSN is the unix socket).
            conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres")
            admin = await asyncpg.connect(pg.admin_dsn)
            try:
                # What the backends of a killed postmaster do: FATAL (57P01), then exit.
                await admin.fetchval("SELECT pg_terminate_backend($1)", conn.get_server_pid())
                await asyncio.wait_for(server_closed.wait(), 10)
                with pytest.raises(asyncpg.InternalClientError) as raised:
                    await conn.fetchval("SELECT 1")
                assert unavailable(raised.value) is raised.value
            finally:
                conn.terminate()
                await admin.close()
    finally:
        await pg.stop_async()
        shutil.rmtree(state, ignore_errors=True)


async def test_a_postgres_socket_that_is_gone_is_an_outage(tmp_path: Path) -> None:
    # The embedded stack connects over a unix socket: a stopped server leaves no socket file.
    with pytest.raises(OSError) as raised:
        await asyncpg.connect(f"postgresql://postgres@/dutyline?host={tmp_path}&port=5432", timeout=5)
    assert unavailable(raised.value) is raised.value


def test_a_file_that_is_missing_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        (tmp_path / "missing.json").open()
    assert unavailable(raised.value) is None
