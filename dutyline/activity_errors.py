"""Which failures of an activity are worth retrying, and which are not.

Activities run under retry policies without a limit: a database or a service that is away comes back,
and the step then happens. A failure that the same input will meet again — the data cannot be stored,
a service refuses the request for what it is, something no longer exists — must not be retried
forever: it holds the workflow (and, for an update, the operator waiting for it) for nothing.
``@classified`` turns those into non-retryable ``ApplicationError``s, so the workflow hears of them
at once and can record the failure and go on.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg
import grpc
from temporalio.exceptions import ApplicationError

from dutyline.grpckit.errors import DomainError

P = ParamSpec("P")
R = TypeVar("R")

# What a service answers for the request itself: asking again changes nothing.
REFUSALS = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.OUT_OF_RANGE,
        grpc.StatusCode.UNIMPLEMENTED,
    }
)
# Data PostgreSQL will never take (a NUL in text, a value out of range, a broken constraint), and
# values the code cannot make sense of.
BAD_DATA = (
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
    ValueError,
    TypeError,
    KeyError,
    UnicodeError,
)
MAX_MESSAGE = 1000


def permanent(exc: BaseException) -> bool:
    """Whether retrying cannot help."""
    if isinstance(exc, ApplicationError):
        return exc.non_retryable
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() in REFUSALS
    if isinstance(exc, DomainError):
        return exc.code in REFUSALS
    return isinstance(exc, BAD_DATA)


def classified(activity: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Raise a permanent failure of ``activity`` as a non-retryable ApplicationError (type: the
    exception's class), every other one as it is (retried)."""

    @functools.wraps(activity)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await activity(*args, **kwargs)
        except Exception as exc:
            if isinstance(exc, ApplicationError) or not permanent(exc):
                raise
            detail = exc.details() if isinstance(exc, grpc.aio.AioRpcError) else str(exc)
            raise ApplicationError(
                f"{type(exc).__name__}: {detail}"[:MAX_MESSAGE], type=type(exc).__name__, non_retryable=True
            ) from exc

    return run
