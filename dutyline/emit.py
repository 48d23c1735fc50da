"""Staging an event for the change being written: actor, request id and time filled in."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.envelope import build_event
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.outbox import add_event


async def emit(
    conn: Connection | Writes,
    *,
    event_type: str,
    site_id: str,
    aggregate_id: str,
    aggregate_version: int,
    payload: Message,
    drill: bool = False,
    actor: common_pb2.Actor | None = None,
    occurred_at: datetime | None = None,
) -> None:
    """Write ``event_type`` to the outbox in the current transaction (or with a batch of writes). The
    actor defaults to the caller of the RPC being served.

    An event over ``MAX_EVENT_BYTES`` raises ``InvalidArgument`` naming the payload's largest field
    before anything is written: the caller's transaction rolls back and nothing commits."""
    await add_event(
        conn,
        build_event(
            event_type=event_type,
            site_id=site_id,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            actor=actor if actor is not None else actor_of(current_principal()),
            payload=payload,
            occurred_at=occurred_at or datetime.now(UTC),
            drill=drill,
            request_id=str(structlog.contextvars.get_contextvars().get("request_id", "")),
        ),
    )
