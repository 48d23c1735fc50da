"""Idempotency keys for mutating RPCs.

In the caller's transaction, ``claim`` inserts (method, key) with the answer first. On the hot
paths the handler builds that answer from the rows it is about to write, so the claim costs one
statement; elsewhere ``run_once`` claims with an empty answer and ``remember``s the real one at
the end. Either way the claim commits or rolls back with the change. A concurrent request with
the same key blocks on that row until the first commits, then sees the stored answer; if the
first rolls back, the second proceeds. So a retry never duplicates a row, an event or a workflow.

A key belongs to its caller (the person or service of the bearer token): another caller's request
with the same key is a different request, so no one can use up a key another caller will send. The
request is remembered as an HMAC under a per-deployment key (DUTYLINE_IDEMPOTENCY_KEY), so the
table holds nothing a guessed request (e.g. a caller's number) could be checked against. Keys are
kept for a retention (DUTYLINE_IDEMPOTENCY_RETENTION_HOURS) and then purged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TypeVar

import asyncpg
import structlog
from google.protobuf.message import Message

from dutyline.config import DEV_IDEMPOTENCY_KEY
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.grpckit.auth import optional_principal
from dutyline.grpckit.errors import FieldViolation, InvalidArgument

log = structlog.get_logger(__name__)

R = TypeVar("R", bound=Message)

MAX_KEY_LENGTH = 200

# The HMAC key of request hashes: the process's setting (``configure``, called by grpckit.server).
_hash_key = DEV_IDEMPOTENCY_KEY.encode()


def configure(hash_key: str) -> None:
    global _hash_key
    _hash_key = hash_key.encode()


def _request_hash(request: Message) -> bytes:
    return hmac.new(_hash_key, request.SerializeToString(deterministic=True), hashlib.sha256).digest()


def caller_scope() -> str:
    """Whose key it is: the bearer token's subject; "" for the service's own work (no request). What
    a handler derives from a key (a dedupe key, a seed) must include it too. A component acting on a
    person's behalf chose the key itself: it is the component's (its retries, later as itself, find
    the first answer)."""
    principal = optional_principal()
    if principal is None:
        return ""
    return principal.via or principal.person_id


def check_key(key: str) -> list[FieldViolation]:
    if not key.strip():
        return [FieldViolation("idempotency_key", "required for a mutating request")]
    if len(key) > MAX_KEY_LENGTH:
        return [FieldViolation("idempotency_key", f"at most {MAX_KEY_LENGTH} characters")]
    return []


async def claim(
    conn: Connection, *, method: str, key: str, request: Message, response: R, formerly: Sequence[Message] = ()
) -> R | None:
    """Claim ``key`` for ``method`` with the answer ``response`` that this change will give.

    Returns None if the key is new (go ahead and write), or the answer stored by the first request
    (``request`` or one of its ``formerly`` forms: see ``first_answer``).
    """
    digest = _request_hash(request)
    inserted = await conn.fetchval(
        "INSERT INTO idempotency (method, caller, key, request_hash, response) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (method, caller, key) DO NOTHING RETURNING true",
        method,
        caller_scope(),
        key,
        digest,
        response.SerializeToString(),
    )
    if inserted:
        return None
    return await first_answer(
        conn, method=method, key=key, request=request, response_type=type(response), formerly=formerly
    )


def claim_with(writes: Writes, *, method: str, key: str, request: Message, response: Message) -> None:
    """Claim ``key`` with the batch of writes that makes the change: the batch fails as a whole on a key
    already claimed (``claimed_already``), and then ``first_answer`` has the first request's answer."""
    writes.add(
        "INSERT INTO idempotency (method, caller, key, request_hash, response) VALUES ($1, $2, $3, $4, $5)",
        method,
        caller_scope(),
        key,
        _request_hash(request),
        response.SerializeToString(),
    )


def claimed_already(exc: asyncpg.UniqueViolationError) -> bool:
    return exc.constraint_name == "idempotency_pkey"


async def first_answer(
    conn: Connection,
    *,
    method: str,
    key: str,
    request: Message,
    response_type: type[R],
    formerly: Sequence[Message] = (),
) -> R:
    """The answer stored with ``key`` (INVALID_ARGUMENT if it was used for a different request).
    ``formerly``: the forms this request was compared in by an earlier release (a key it stored is
    retried across the deploy), accepted too."""
    row = await conn.fetchrow(
        "SELECT request_hash, response FROM idempotency WHERE method = $1 AND caller = $2 AND key = $3",
        method,
        caller_scope(),
        key,
    )
    assert row is not None
    stored = bytes(row["request_hash"])
    if stored != _request_hash(request) and all(stored != _request_hash(f) for f in formerly):
        raise InvalidArgument([FieldViolation("idempotency_key", "already used for a different request")])
    prior = response_type()
    prior.ParseFromString(bytes(row["response"]))
    return prior


async def remember(conn: Connection, *, method: str, key: str, response: Message) -> None:
    await conn.execute(
        "UPDATE idempotency SET response = $4 WHERE method = $1 AND caller = $2 AND key = $3",
        method,
        caller_scope(),
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
    formerly: Sequence[Message] = (),
) -> tuple[R, bool]:
    """Run ``work`` in one transaction unless this request's key was used (by ``request``, or by one
    of its ``formerly`` forms: see ``first_answer``); returns the answer and whether it is a replay."""
    key = str(request.idempotency_key)  # type: ignore[attr-defined]
    problems = check_key(key)
    if problems:
        raise InvalidArgument(problems)
    async with pool.acquire() as conn, conn.transaction():
        prior = await claim(conn, method=method, key=key, request=request, response=response_type(), formerly=formerly)
        if prior is not None:
            return prior, True
        response = await work(conn)
        await remember(conn, method=method, key=key, response=response)
        return response, False


async def purge(pool: asyncpg.Pool, *, older_than: timedelta) -> int:
    """Forget keys claimed more than ``older_than`` ago (a retry comes within minutes, not days);
    returns how many."""
    async with pool.acquire() as conn:
        status = await conn.execute("DELETE FROM idempotency WHERE created_at < now() - $1::interval", older_than)
    return int(status.split()[-1])


async def purge_forever(pool: asyncpg.Pool, *, retention: timedelta, every: float = 3600.0) -> None:
    """``purge`` now and then; a failed round is logged and the next one tries again."""
    while True:
        try:
            purged = await purge(pool, older_than=retention)
            if purged:
                log.info("idempotency keys purged", count=purged)
        except Exception as exc:
            log.warning("idempotency purge failed; will retry", error=repr(exc))
        await asyncio.sleep(every)
