"""Idempotency keys for mutating RPCs.

In the caller's transaction, ``claim`` inserts (method, key) with the answer first. On the hot
paths the handler builds that answer from the rows it is about to write, so the claim costs one
statement; elsewhere ``run_once`` claims with an empty answer and ``remember``s the real one at
the end. Either way the claim commits or rolls back with the change. A concurrent request with
the same key blocks on that row until the first commits, then sees the stored answer; if the
first rolls back, the second proceeds. So a retry never duplicates a row, an event or a workflow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from google.protobuf.message import Message

from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.grpckit.errors import FieldViolation, InvalidArgument

R = TypeVar("R", bound=Message)

MAX_KEY_LENGTH = 200


def _request_hash(request: Message) -> bytes:
    return hashlib.sha256(request.SerializeToString(deterministic=True)).digest()


def check_key(key: str) -> list[FieldViolation]:
    if not key.strip():
        return [FieldViolation("idempotency_key", "required for a mutating request")]
    if len(key) > MAX_KEY_LENGTH:
        return [FieldViolation("idempotency_key", f"at most {MAX_KEY_LENGTH} characters")]
    return []


async def claim(conn: Connection, *, method: str, key: str, request: Message, response: R) -> R | None:
    """Claim ``key`` for ``method`` with the answer ``response`` that this change will give.

    Returns None if the key is new (go ahead and write), or the answer stored by the first request.
    """
    digest = _request_hash(request)
    inserted = await conn.fetchval(
        "INSERT INTO idempotency (method, key, request_hash, response) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (method, key) DO NOTHING RETURNING true",
        method,
        key,
        digest,
        response.SerializeToString(),
    )
    if inserted:
        return None
    return await first_answer(conn, method=method, key=key, request=request, response_type=type(response))


def claim_with(writes: Writes, *, method: str, key: str, request: Message, response: Message) -> None:
    """Claim ``key`` with the batch of writes that makes the change: the batch fails as a whole on a key
    already claimed (``claimed_already``), and then ``first_answer`` has the first request's answer."""
    writes.add(
        "INSERT INTO idempotency (method, key, request_hash, response) VALUES ($1, $2, $3, $4)",
        method,
        key,
        _request_hash(request),
        response.SerializeToString(),
    )


def claimed_already(exc: asyncpg.UniqueViolationError) -> bool:
    return exc.constraint_name == "idempotency_pkey"


async def first_answer(conn: Connection, *, method: str, key: str, request: Message, response_type: type[R]) -> R:
    """The answer stored with ``key`` (INVALID_ARGUMENT if it was used for a different request)."""
    row = await conn.fetchrow(
        "SELECT request_hash, response FROM idempotency WHERE method = $1 AND key = $2", method, key
    )
    assert row is not None
    if bytes(row["request_hash"]) != _request_hash(request):
        raise InvalidArgument([FieldViolation("idempotency_key", "already used for a different request")])
    prior = response_type()
    prior.ParseFromString(bytes(row["response"]))
    return prior


async def remember(conn: Connection, *, method: str, key: str, response: Message) -> None:
    await conn.execute(
        "UPDATE idempotency SET response = $3 WHERE method = $1 AND key = $2",
        method,
        key,
        response.SerializeToString(),
    )


async def run_once(
    pool: asyncpg.Pool,
    *,
    method: str,
    request: Message,
    response_type: type[R],
    work: Callable[[Connection], Awaitable[R]],
) -> tuple[R, bool]:
    """Run ``work`` in one transaction unless this request's key was used; returns the answer and
    whether it is a replay."""
    key = str(request.idempotency_key)  # type: ignore[attr-defined]
    problems = check_key(key)
    if problems:
        raise InvalidArgument(problems)
    async with pool.acquire() as conn, conn.transaction():
        prior = await claim(conn, method=method, key=key, request=request, response=response_type())
        if prior is not None:
            return prior, True
        response = await work(conn)
        await remember(conn, method=method, key=key, response=response)
        return response, False
