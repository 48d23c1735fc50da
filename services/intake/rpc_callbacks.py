"""Transfers (转接), messages taken (留言), promised callbacks (承诺回电) and the follow-up of notices
from superiors with missing elements, each with its deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import FailedPrecondition, InvalidArgument, NotFound
from dutyline.ids import new_id
from dutyline.intake.v1 import intake_pb2
from services.intake import store
from services.intake.callback_starter import CallbackStarter
from services.intake.messages import call_message, callback_message
from workflows.callback.types import URGENT_DUE_SECONDS

URGENT_DUE = timedelta(seconds=URGENT_DUE_SECONDS)
DEFAULT_DUE = timedelta(hours=2)
# A notice from a superior with missing elements: the issuing office is called back for them. An hour
# leaves room for an issuer who is away, and still completes the notice well within the shift.
NOTICE_DUE = timedelta(hours=1)
EVENT_OF_KIND = {"message": "message.taken", "callback": "callback.promised", "notice": "notice.follow_up"}
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
            # Nobody answered at the target: a message is taken for it instead. A target that is no
            # person of the site is taken for a directory entry; should there be none, the delivery
            # fails for good and the duty leader is told.
            try:
                await self._roster.require_person_at(request.target_id, await self._roster.site(call.site_id), field="")
                recipient_kind = "person"
            except InvalidArgument:
                recipient_kind = "directory"
            callback = self._new_callback(
                call,
                principal.person_id,
                kind="message",
                recipient_id=request.target_id,
                content=request.briefing.strip(),
                urgent=call.category == "emergency",
                due_at=None,
                now=now,
                recipient_kind=recipient_kind,
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
        created_by: str,
        *,
        kind: str,
        recipient_id: str,
        content: str,
        urgent: bool,
        due_at: datetime | None,
        now: datetime,
        recipient_kind: str = "person",
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
            created_by=created_by,
            created_at=now,
            completed_at=None,
            workflow_started_at=None,
            recipient_kind=recipient_kind,
        )

    def _notice_follow_up(self, call: store.CallRow, now: datetime) -> store.CallbackRow | None:
        """The follow-up of a notice from a superior with missing elements: the officer who took it
        completes it by the deadline; the duty leader is told at once (the callback process)."""
        if not call.notice_missing:
            return None
        return self._new_callback(
            call,
            call.officer_id,
            kind="notice",
            recipient_id=call.officer_id,
            content="缺少要素 missing: " + ", ".join(call.notice_missing),
            urgent=False,
            due_at=now + NOTICE_DUE,
            now=now,
        )

    async def _close_notice_follow_up(self, conn: Connection, call: store.CallRow) -> str | None:
        """The notice is whole: its open follow-up is completed (callback.completed); its id, to wake its process."""
        follow_up = await store.open_notice_follow_up(conn, call_id=call.id)
        if follow_up is None:
            return None
        await self._record_completed(
            conn, call, follow_up, outcome="要素已补全 elements completed", at=datetime.now(UTC)
        )
        return follow_up.id

    async def _record_completed(
        self, conn: Connection, call: store.CallRow, callback: store.CallbackRow, *, outcome: str, at: datetime
    ) -> intake_pb2.Callback:
        done = await store.complete_callback(conn, callback_id=callback.id, outcome=outcome, at=at)
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

    async def _add_callback(self, conn: Connection | Writes, call: store.CallRow, callback: store.CallbackRow) -> None:
        await store.insert_callback(conn, callback=callback)
        await emit(
            conn,
            event_type=EVENT_OF_KIND[callback.kind],
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
        # A message may be left for a department of the directory; a callback is an officer's to make.
        recipient_kind = await self._recipient_kind(request.recipient_id, site, directory=kind == "message")
        callback = self._new_callback(
            call,
            principal.person_id,
            kind=kind,
            recipient_id=request.recipient_id,
            content=request.content.strip(),
            urgent=request.urgent,
            due_at=due_at,
            now=now,
            recipient_kind=recipient_kind,
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

    async def _recipient_kind(self, recipient_id: str, site: SiteInfo, *, directory: bool) -> str:
        """ "person" for a person of the site (or of a region above it), "directory" (when ``directory``)
        for an entry of the site's directory or a region's above it; else INVALID_ARGUMENT on recipient_id."""
        try:
            await self._roster.require_person_at(recipient_id, site, field="recipient_id")
        except InvalidArgument:
            home = await self._roster.directory_entry_site(recipient_id) if directory else None
            if home is None or home not in (site.id, *site.ancestor_ids):
                raise
            return "directory"
        return "person"

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
            if current.kind == "notice":
                raise FailedPrecondition(
                    f"callback {current.id} follows up a notice: it closes when the notice is completed "
                    "(CompleteCall or CompleteNotice with the missing elements)"
                )
            return await self._record_completed(
                conn, call, current, outcome=request.outcome.strip(), at=datetime.now(UTC)
            )

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
