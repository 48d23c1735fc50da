"""Activities of the callback workflow, over intake's store. Idempotent: a delivery or reminder may
repeat (notify sends once per key), an overdue mark and its event are recorded once."""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.notifier import NotifyClient, notify_key
from services.intake import store
from services.intake.messages import call_message, callback_message
from workflows.callback.types import (
    DELIVER,
    ESCALATE,
    RECORD_OVERDUE,
    REMIND,
    STATE,
    CallbackNotice,
    CallbackState,
)

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:callback-workflow", display_name="CallbackWorkflow", kind="system")
# A notification in one of these states has reached its recipient's channel.
OUT = frozenset({"sent", "delivered", "acknowledged"})
# Templates of the leader's notices, by the workflow's notice kind.
LEADER_TEMPLATES = {"overdue": "callback_overdue", "undeliverable": "message_undeliverable"}


class CallbackActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def _callback(self, callback_id: str) -> store.CallbackRow:
        async with self._pool.acquire() as conn:
            row = await store.get_callback(conn, callback_id=callback_id)
        if row is None:
            raise ApplicationError(f"callback {callback_id} does not exist", non_retryable=True)
        return row

    @activity.defn(name=STATE)
    @classified
    async def state(self, callback_id: str) -> CallbackState:
        row = await self._callback(callback_id)
        return CallbackState(status=row.status, completed_at=row.completed_at.isoformat() if row.completed_at else None)

    @staticmethod
    def _data(row: store.CallbackRow, detail: str = "") -> dict[str, str]:
        return {
            "callback_id": row.id,
            "kind": row.kind,
            "content": row.content,
            "due_at": row.due_at.isoformat(),
            "recipient": row.recipient_id,
            "urgent": "yes" if row.urgent else "",
            "detail": detail,
        }

    async def _send(self, row: store.CallbackRow, template: str, step: str) -> set[str]:
        """Tell the recipient (a person, or a directory entry through its contacts); the notifications' states."""
        sent = await self._notifier.send(
            site_id=row.site_id,
            person_id=row.recipient_id,
            template=template,
            data=self._data(row),
            key=notify_key(row.id, step),
            ref_kind=row.kind,
            ref_id=row.id,
            directory_entry=row.recipient_kind == "directory",
        )
        return {n.status for n in sent}

    @activity.defn(name=DELIVER)
    @classified
    async def deliver(self, notice: CallbackNotice) -> None:
        """A message to its recipient as it is taken, confirmed out; a notice with missing elements to the
        duty leader. Refusals by notify (an unknown recipient, an entry of another site's directory, no
        reachable contact) and a delivery failed on every channel are final: retrying cannot help."""
        row = await self._callback(notice.callback_id)
        if row.kind == "notice":
            await self._notifier.escalate(
                site_id=row.site_id,
                template="notice_incomplete",
                data=self._data(row, row.content),
                key=notify_key(row.id, "notice"),
                ref_kind=row.kind,
                ref_id=row.id,
            )
            return
        states = await self._send(row, "message_taken", "delivery")
        if states and states <= {"failed"}:
            raise ApplicationError(
                f"{row.kind} {row.id}: every channel to {row.recipient_id} failed",
                type="Undeliverable",
                non_retryable=True,
            )
        if not states & OUT:
            # Queued, not out yet: asked again (the same key answers the state now) with the retry policy's backoff.
            raise ApplicationError(f"{row.kind} {row.id}: delivery to {row.recipient_id} pending", type="Pending")

    @activity.defn(name=REMIND)
    @classified
    async def remind(self, notice: CallbackNotice) -> None:
        await self._send(await self._callback(notice.callback_id), "callback_reminder", "reminder")

    @activity.defn(name=ESCALATE)
    @classified
    async def escalate(self, notice: CallbackNotice) -> None:
        """Tell the duty leader on duty that a callback or message is overdue, or cannot reach its recipient,
        up the chain until acknowledged."""
        row = await self._callback(notice.callback_id)
        await self._notifier.escalate(
            site_id=row.site_id,
            template=LEADER_TEMPLATES.get(notice.kind, "callback_overdue"),
            data=self._data(row, notice.detail),
            key=notify_key(row.id, notice.kind, notice.detail),
            ref_kind=row.kind,
            ref_id=row.id,
        )

    @activity.defn(name=RECORD_OVERDUE)
    @classified
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
