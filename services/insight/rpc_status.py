"""How far the read model is behind the stream: each projection's place (projection_state, moved by the
projection in the transaction of every batch it applies) and what JetStream says is still pending for
its durable consumer (of the same name)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import nats.errors
import nats.js.errors
import structlog
from nats.js import JetStreamContext

from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2
from services.insight import store
from services.insight.base import InsightBase

log = structlog.get_logger(__name__)

NATS_TIMEOUT = 2.0
# What the stream may answer with instead of the figures: away, slow, or no such consumer.
NATS_TROUBLE = (nats.errors.Error, asyncio.TimeoutError, OSError)


@dataclass(frozen=True)
class Pending:
    """Events of a consumer's subjects not applied yet, and when the oldest of them was stored."""

    events: int
    oldest_at: datetime | None


async def pending_of(js: JetStreamContext, stream: str, consumer: str) -> Pending:
    """What ``consumer`` has not applied: waiting, or delivered and not acknowledged; the oldest is the
    first message of its subjects after everything it acknowledged."""
    info = await js.consumer_info(stream, consumer, timeout=NATS_TIMEOUT)
    events = (info.num_pending or 0) + (info.num_ack_pending or 0)
    if not events:
        return Pending(0, None)
    floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
    config = info.config
    subjects = config.filter_subjects or ([config.filter_subject] if config.filter_subject else [">"])
    oldest: datetime | None = None
    for subject in subjects:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            msg = await js.get_msg(stream, seq=floor + 1, subject=subject, next=True)
            if msg.time is not None and (oldest is None or msg.time < oldest):
                oldest = msg.time
    return Pending(events, oldest)


class StatusRpcs(InsightBase):
    async def GetProjectionStatus(
        self, request: insight_pb2.GetProjectionStatusRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.GetProjectionStatusResponse:
        async with self._pool.acquire() as conn:
            rows = await store.projections(conn)
        js, stream = self._stream.js, self._stream.name
        answer = insight_pb2.GetProjectionStatusResponse()
        try:
            state = (await js.stream_info(stream)).state
            answer.stream_last_sequence = state.last_seq
            if state.last_seq:
                last = await js.get_msg(stream, seq=state.last_seq)
                if last.time is not None:
                    answer.stream_last_at.FromDatetime(last.time.astimezone(UTC))
        except NATS_TROUBLE as exc:
            log.warning("the stream cannot tell where it stands", error=repr(exc))
        now = self.now()
        for row in rows:
            status = insight_pb2.ProjectionStatus(
                name=row.projection,
                stream_sequence=row.stream_sequence,
                last_event_id=row.last_event_id,
                last_event_at=ts(row.last_event_at),
                updated_at=ts(row.updated_at),
            )
            try:
                pending = await pending_of(js, stream, row.projection)
            except NATS_TROUBLE as exc:
                log.warning("no lag for a projection", projection=row.projection, error=repr(exc))
            else:
                status.lag_known = True
                status.lag_events = pending.events
                if pending.oldest_at is not None:
                    status.lag_seconds = max(0.0, (now - pending.oldest_at).total_seconds())
            answer.projections.append(status)
        return answer
