"""Transfers (转接), messages taken (留言) and promised callbacks (承诺回电) with their deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.directory import RosterDirectory
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import FailedPrecondition, NotFound
from dutyline.ids import new_id
from dutyline.intake.v1 import intake_pb2
from services.intake import store
from services.intake.callback_starter import CallbackStarter
from services.intake.messages import call_message, callback_message
from workflows.callback.types import URGENT_DUE_SECONDS

URGENT_DUE = timedelta(seconds=URGENT_DUE_SECONDS)
DEFAULT_DUE = timedelta(hours=2)
# A page of callbacks when the reader names no size (at most 500: the protos' PageRequest).
PAGE_SIZE = 100


async def emit_call_changed(
    conn: Connection | Writes, event_type: str, call: store.CallRow, detail: str
) -> intake_pb2.Call:
    """Stage ``event_type`` about a changed call (its CallChanged saying ``detail``); the call as readers see it."""
    message = call_message(call)
    await emit(
        conn,
        event_type=event_type,
        site_id=call.site_id,
        aggregate_id=call.id,
        aggregate_version=call.version,
        drill=call.drill,
        payload=event_pb2.CallChanged(call=message, detail=detail),
    )
    return message


class CallbackRpcs:
    _pool: asyncpg.Pool
    _callbacks: CallbackStarter
    _roster: RosterDirectory

    async def _call(self, call_id: str, *, acting: bool = False) -> tuple[store.CallRow, Principal]:
        raise NotImplementedError

    async def _full(self, call_id: str) -> intake_pb2.Call:
        raise NotImplementedError

    async def TransferCall(
        self, request: intake_pb2.TransferCallRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Call:
        call, principal = await self._call(request.call_id, acting=True)
        now = datetime.now(UTC)
        callback = None
        if request.outcome == "unreachable":
            # Nobody answered at the target: a message is taken for it instead.
            callback = self._new_callback(
                call,
                principal,
                kind="message",
                recipient_id=request.target_id,
                content=request.briefing.strip(),
                urgent=call.category == "emergency",
                due_at=None,
                now=now,
            )

        async def work(conn: Connection) -> intake_pb2.Call:
            if callback is not None:
                await self._add_callback(conn, call, callback)
            updated = await store.add_transfer(
                conn,
                call_id=call.id,
                target_id=request.target_id,
                caller_agreed=request.caller_agreed,
                briefing=request.briefing.strip(),
                outcome=request.outcome,
                by=principal.person_id,
                at=now,
                callback_id=callback.id if callback else None,
            )
            return await emit_call_changed(
                conn, "call.transferred", updated, f"{request.outcome} → {request.target_id}"
            )

        _, replayed = await idempotency.run_once(
            self._pool, method="TransferCall", request=request, response_type=intake_pb2.Call, work=work
        )
        if callback is not None and not replayed:
            await self._callbacks.ensure_started(callback)
        return await self._full(call.id)

    def _new_callback(
        self,
        call: store.CallRow,
        principal: Principal,
        *,
        kind: str,
        recipient_id: str,
        content: str,
        urgent: bool,
        due_at: datetime | None,
        now: datetime,
    ) -> store.CallbackRow:
        return store.CallbackRow(
            id=new_id("cb"),
            call_id=call.id,
            site_id=call.site_id,
            kind=kind,
            recipient_id=recipient_id,
            content=content,
            urgent=urgent,
            due_at=due_at or now + (URGENT_DUE if urgent else DEFAULT_DUE),
            status="open",
            overdue=False,
            outcome="",
            created_by=principal.person_id,
            created_at=now,
            completed_at=None,
            workflow_started_at=None,
        )

    async def _add_callback(self, conn: Connection, call: store.CallRow, callback: store.CallbackRow) -> None:
        await store.insert_callback(conn, callback=callback)
        await emit(
            conn,
            event_type="message.taken" if callback.kind == "message" else "callback.promised",
            site_id=callback.site_id,
            aggregate_id=callback.id,
            aggregate_version=1,
            drill=call.drill,
            payload=event_pb2.CallChanged(call=call_message(call), callback=callback_message(callback)),
        )

    async def _take(
        self, request: intake_pb2.TakeMessageRequest | intake_pb2.PromiseCallbackRequest, kind: str
    ) -> intake_pb2.Callback:
        now = datetime.now(UTC)
        due_at = from_ts(request.due_at) if request.HasField("due_at") else None
        call, principal = await self._call(request.call_id, acting=True)
        site = await self._roster.site(call.site_id)
        await self._roster.require_person_at(request.recipient_id, site, field="recipient_id")
        callback = self._new_callback(
            call,
            principal,
            kind=kind,
            recipient_id=request.recipient_id,
            content=request.content.strip(),
            urgent=request.urgent,
            due_at=due_at,
            now=now,
        )

        async def work(conn: Connection) -> intake_pb2.Callback:
            await self._add_callback(conn, call, callback)
            return callback_message(callback)

        answer, replayed = await idempotency.run_once(
            self._pool, method=f"Take:{kind}", request=request, response_type=intake_pb2.Callback, work=work
        )
        if not replayed:
            await self._callbacks.ensure_started(callback)
        return answer

    async def TakeMessage(
        self, request: intake_pb2.TakeMessageRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Callback:
        return await self._take(request, "message")

    async def PromiseCallback(
        self, request: intake_pb2.PromiseCallbackRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Callback:
        return await self._take(request, "callback")

    async def CompleteCallback(
        self, request: intake_pb2.CompleteCallbackRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.Callback:
        async with self._pool.acquire() as conn:
            found = await store.get_callback(conn, callback_id=request.callback_id)
        if found is None:
            raise NotFound(f"callback {request.callback_id} does not exist")
        call, _ = await self._call(found.call_id, acting=True)

        async def work(conn: Connection) -> intake_pb2.Callback:
            current = await store.get_callback(conn, callback_id=found.id, for_update=True)
            assert current is not None
            if current.status != "open":
                raise FailedPrecondition(f"callback {current.id} is already {current.status}")
            done = await store.complete_callback(
                conn, callback_id=current.id, outcome=request.outcome.strip(), at=datetime.now(UTC)
            )
            await emit(
                conn,
                event_type="callback.completed",
                site_id=done.site_id,
                aggregate_id=done.id,
                aggregate_version=2,
                drill=call.drill,
                payload=event_pb2.CallChanged(call=call_message(call), callback=callback_message(done)),
            )
            return callback_message(done)

        answer, replayed = await idempotency.run_once(
            self._pool, method="CompleteCallback", request=request, response_type=intake_pb2.Callback, work=work
        )
        if not replayed:
            await self._callbacks.completed(answer.id)
        return answer

    async def ListCallbacks(
        self, request: intake_pb2.ListCallbacksRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.ListCallbacksResponse:
        # A region's leader reads the callbacks of the region's sites (and a site's reader its own).
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            rows = await store.list_callbacks(
                conn, site_ids=site_ids, open_only=request.open_only, limit=size, offset=offset
            )
        return intake_pb2.ListCallbacksResponse(
            callbacks=[callback_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )
