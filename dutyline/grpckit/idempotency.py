"""Idempotency keys for mutating RPCs.

In the caller's transaction, ``claim`` inserts (method, key) first. A concurrent request with the
same key blocks on that row until the first commits, then sees the stored answer; if the first
rolls back, the second proceeds. ``remember`` stores the answer in the same transaction as the
change, so a retry never duplicates a row, an event or a workflow.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from google.protobuf.message import Message

from dutyline.db.pool import Connection
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


async def claim(
    conn: Connection, *, method: str, key: str, request: Message, response_type: type[R]
) -> R | None:
    """Claim ``key`` for ``method``; return the stored answer if it was already used."""
    digest = _request_hash(request)
    inserted = await conn.fetchval(
        "INSERT INTO idempotency (method, key, request_hash) VALUES ($1, $2, $3) "
        "ON CONFLICT (method, key) DO NOTHING RETURNING true",
        method,
        key,
        digest,
    )
    if inserted:
        return None
    row = await conn.fetchrow(
        "SELECT request_hash, response FROM idempotency WHERE method = $1 AND key = $2", method, key
    )
    assert row is not None
    if bytes(row["request_hash"]) != digest:
        raise InvalidArgument([FieldViolation("idempotency_key", "already used for a different request")])
    response = response_type()
    response.ParseFromString(bytes(row["response"]))
    return response


async def remember(conn: Connection, *, method: str, key: str, response: Message) -> None:
    await conn.execute(
        "UPDATE idempotency SET response = $3 WHERE method = $1 AND key = $2",
        method,
        key,
        response.SerializeToString(),
    )
