"""Which failures the gRPC kit answers UNAVAILABLE (a dependency is down: retry) instead of INTERNAL (a bug)."""

from __future__ import annotations

import asyncpg
import grpc
import nats.errors
import pytest
from temporalio.service import RPCError, RPCStatusCode

from dutyline.grpckit.faults import unavailable


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
