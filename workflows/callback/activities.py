"""Activities of the callback workflow, over intake's store. Idempotent: a reminder may repeat, an
overdue mark and its event are recorded once."""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.notifier import Notifier
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.intake import store
from services.intake.messages import call_message, callback_message
from workflows.callback.types import ESCALATE, RECORD_OVERDUE, REMIND, STATE, CallbackNotice, CallbackState

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:callback-workflow", display_name="CallbackWorkflow", kind="system")


class CallbackActivities:
    def __init__(self, *, pool: asyncpg.Pool, roster: roster_pb2_grpc.RosterServiceStub, notifier: Notifier) -> None:
        self._pool = pool
        self._roster = roster
        self._notifier = notifier

    async def _callback(self, callback_id: str) -> store.CallbackRow:
        async with self._pool.acquire() as conn:
            row = await store.get_callback(conn, callback_id=callback_id)
        if row is None:
            raise ApplicationError(f"callback {callback_id} does not exist", non_retryable=True)
        return row

    @activity.defn(name=STATE)
    async def state(self, callback_id: str) -> CallbackState:
        row = await self._callback(callback_id)
        return CallbackState(status=row.status, completed_at=row.completed_at.isoformat() if row.completed_at else None)

    @activity.defn(name=REMIND)
    async def remind(self, notice: CallbackNotice) -> None:
        row = await self._callback(notice.callback_id)
        what = "留言待阅 A message waits for you" if row.kind == "message" else "请回电 Call the caller back"
        await self._notifier.send(
            person_id=row.recipient_id,
            subject=f"{what} ({'紧急 urgent' if row.urgent else ''})",
            body=f"{row.content} — due {row.due_at.isoformat()}",
            dedupe_key=f"{row.id}:reminder",
        )

    @activity.defn(name=ESCALATE)
    async def escalate(self, notice: CallbackNotice) -> None:
        """Tell the duty leader(s) on duty that a callback or message is overdue."""
        row = await self._callback(notice.callback_id)
        on_duty = await self._roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=row.site_id), timeout=5.0)
        for leader in on_duty.leaders:
            await self._notifier.send(
                person_id=leader.person_id,
                subject="回电/留言超时 Callback overdue",
                body=f"{row.kind} {row.id} for {row.recipient_id} was due {row.due_at.isoformat()}. {notice.detail}",
                dedupe_key=f"{row.id}:overdue:{leader.person_id}:{notice.detail}",
            )

    @activity.defn(name=RECORD_OVERDUE)
    async def record_overdue(self, callback_id: str) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            marked = await store.mark_callback_overdue(conn, callback_id=callback_id)
            if marked is None:
                current = await store.get_callback(conn, callback_id=callback_id)
                # Marked by an earlier attempt and still open: still overdue.
                return current is not None and current.status == "open" and current.overdue
            call = await store.get_call(conn, call_id=marked.call_id)
            assert call is not None
            await emit(
                conn,
                event_type="callback.overdue",
                site_id=marked.site_id,
                aggregate_id=marked.id,
                aggregate_version=2,
                payload=event_pb2.CallChanged(call=call_message(call), callback=callback_message(marked)),
                drill=call.drill,
                actor=SYSTEM_ACTOR,
            )
            return True
