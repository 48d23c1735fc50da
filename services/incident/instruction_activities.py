"""Activities of the instruction workflow, over the incident schema. Idempotent: a reminder or an
escalation is sent once per step (notify dedupes by key); the overdue mark, its timeline entry and its
event are recorded once."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.notifier import NotifyClient, notify_key
from services.incident import instructions, store
from workflows.instruction.types import ESCALATE, RECORD_OVERDUE, REMIND, STATE, InstructionNotice, InstructionState

SYSTEM_ACTOR = common_pb2.Actor(
    person_id="system:instruction-workflow", display_name="InstructionWorkflow", kind="system"
)
REF_KIND = "instruction"


class InstructionActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def _instruction(self, instruction_id: str) -> instructions.InstructionRow:
        async with self._pool.acquire() as conn:
            row = await instructions.get(conn, instruction_id=instruction_id)
        if row is None:
            raise ApplicationError(f"instruction {instruction_id} does not exist", non_retryable=True)
        return row

    @activity.defn(name=STATE)
    @classified
    async def state(self, instruction_id: str) -> InstructionState:
        row = await self._instruction(instruction_id)
        return InstructionState(
            status=row.status,
            due_at=row.due_at.isoformat(),
            completed_at=row.completed_at.isoformat() if row.completed_at else "",
        )

    async def _data(self, row: instructions.InstructionRow, detail: str) -> dict[str, str]:
        """What the instruction templates show (notify's templates instruction_reminder / _overdue)."""
        title = ""
        if row.incident_id is not None:
            async with self._pool.acquire() as conn:
                incident = await store.get_incident(conn, incident_id=row.incident_id)
            title = incident.title if incident is not None else ""
        return {
            "instruction_id": row.id,
            "incident_id": row.incident_id or "",
            "title": title,
            "instructed_by": row.who_instructed,
            "content": row.content[:500],
            "assignee": row.assignee_id,
            "due_at": row.due_at.isoformat(),
            "detail": detail,
        }

    @activity.defn(name=REMIND)
    @classified
    async def remind(self, notice: InstructionNotice) -> None:
        """The assignee is reminded of the deadline."""
        row = await self._instruction(notice.instruction_id)
        await self._notifier.send(
            site_id=row.site_id,
            person_id=row.assignee_id,
            template="instruction_reminder",
            data=await self._data(row, notice.detail),
            key=notify_key(row.id, "reminder"),
            ref_kind=REF_KIND,
            ref_id=row.id,
            drill=row.drill,
        )

    @activity.defn(name=ESCALATE)
    @classified
    async def escalate(self, notice: InstructionNotice) -> None:
        """The duty leader on duty is told, up the chain until acknowledged; at the first escalation the
        person who instructed (when a person of the platform) hears of it too."""
        row = await self._instruction(notice.instruction_id)
        data = await self._data(row, notice.detail)
        await self._notifier.escalate(
            site_id=row.site_id,
            template="instruction_overdue",
            data=data,
            key=notify_key(row.id, "overdue", str(notice.escalation)),
            ref_kind=REF_KIND,
            ref_id=row.id,
            drill=row.drill,
        )
        if notice.escalation == 1 and row.instructed_by_id:
            await self._notifier.send(
                site_id=row.site_id,
                person_id=row.instructed_by_id,
                template="instruction_overdue",
                data=data,
                key=notify_key(row.id, "overdue-instructor"),
                ref_kind=REF_KIND,
                ref_id=row.id,
                drill=row.drill,
            )

    @activity.defn(name=RECORD_OVERDUE)
    @classified
    async def record_overdue(self, instruction_id: str) -> bool:
        """Marks it overdue with its timeline entry and event; whether it is (still) open and overdue."""
        async with self._pool.acquire() as conn, conn.transaction():
            now = datetime.now(UTC)
            marked = await instructions.mark_overdue(conn, instruction_id=instruction_id, at=now)
            if marked is None:
                current = await instructions.get(conn, instruction_id=instruction_id)
                # Marked by an earlier attempt and still open: still overdue.
                return current is not None and current.status == instructions.OPEN and current.overdue_at is not None
            await instructions.publish(
                conn,
                event_type="incident.instruction_overdue",
                row=marked,
                entry_kind="instruction_overdue",
                text=(
                    f"批示逾期未落实 Instruction {marked.id} overdue (due {marked.due_at.isoformat()}); "
                    f"承办人 assignee {marked.assignee_id}"
                ),
                actor=SYSTEM_ACTOR,
                at=now,
            )
            return True
