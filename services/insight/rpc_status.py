"""How far the read model is behind the stream: each projection's place (projection_state, moved by the
projection in the transaction of every batch it applies) and what JetStream says is still pending for
its durable consumer (of the same name)."""

from __future__ import annotations

import asyncio
from datetime import UTC

import grpc
import nats.errors
import structlog

from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2
from dutyline.projection import pending_of
from services.insight import store
from services.insight.base import InsightBase

log = structlog.get_logger(__name__)

NATS_TIMEOUT = 2.0
# What the stream may answer with instead of the figures: away, slow, or no such consumer.
NATS_TROUBLE = (nats.errors.Error, asyncio.TimeoutError, OSError)


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
                pending = await pending_of(js, stream, row.projection, timeout=NATS_TIMEOUT)
            except NATS_TROUBLE as exc:
                log.warning("no lag for a projection", projection=row.projection, error=repr(exc))
            else:
                status.lag_known = True
                status.lag_events = pending.events
                if pending.oldest_at is not None:
                    status.lag_seconds = max(0.0, (now - pending.oldest_at).total_seconds())
            answer.projections.append(status)
        return answer
