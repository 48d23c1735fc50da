"""Which failures mean "a dependency is unavailable now", so the caller hears UNAVAILABLE (retry with the
same idempotency key) and not INTERNAL (a bug): the one place that knows the connection-level errors of
PostgreSQL (asyncpg), Temporal, NATS and the other services (gRPC).

A commit whose reply was lost also lands here (the connection died after COMMIT was sent): the retry
finds the idempotency key that committed with the change and gets the first answer.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

import asyncpg
import grpc
import nats.errors
from temporalio.service import RPCError, RPCStatusCode

# Filesystem errors are OSErrors too, but a missing file is a bug or a misconfiguration, not an outage.
_NOT_NETWORK = (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError)
# asyncpg's InterfaceError is mostly misuse (a bug); these messages are a connection or pool going away.
_CLOSED = ("connection is closed", "connection was closed", "pool is closing", "pool is closed")
_ASYNCPG = (
    asyncpg.PostgresConnectionError,  # SQLSTATE 08: the connection failed or does not exist
    asyncpg.OperatorInterventionError,  # 57: shutting down, starting up, crash recovery, cancelled
    asyncpg.TooManyConnectionsError,
    # The protocol state machine of a connection the server gave up on: a backend whose postmaster died
    # sends FATAL before it closes the socket, and a query started on that connection in between (it
    # looks idle to the pool) fails with "cannot switch to state 12; another operation (2) is in progress".
    # Our own misuse of a connection is an InterfaceError, never this.
    asyncpg.InternalClientError,
)
_NATS = (
    nats.errors.NoServersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.StaleConnectionError,
    nats.errors.NoRespondersError,  # no JetStream (leader) answering the publish
    nats.errors.OutboundBufferLimitError,
)
_GRPC_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, what it was raised from or during (a rollback failing after the connection died), and
    the members of an exception group; each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
        if isinstance(current, BaseExceptionGroup):
            todo += current.exceptions


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, (*_ASYNCPG, *_NATS)):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return any(text in str(exc) for text in _CLOSED)
    if isinstance(exc, RPCError):
        # A saturated Temporal frontend times a start out: retried like an unreachable one.
        return exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() in _GRPC_RETRYABLE
    if isinstance(exc, FileNotFoundError) and exc.errno == errno.ENOENT and exc.filename is None:
        # A unix socket's connect (PostgreSQL stopped: its socket file is gone) names no file; a
        # missing file that open() failed on does.
        return True
    # Connection refused/reset, a timeout (nats' and a pool acquire that waited too long included).
    return isinstance(exc, OSError) and not isinstance(exc, _NOT_NETWORK)


def unavailable(exc: BaseException) -> BaseException | None:
    """The connection-level failure behind ``exc``, or None if ``exc`` is something else."""
    return next((e for e in _chain(exc) if _is_outage(e)), None)
