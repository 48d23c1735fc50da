"""Activities of the case workflow, over intake's store. Idempotent: a reminder or an escalation is
sent once per deadline round (notify dedupes by key), an overdue mark and its event are recorded once."""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.notifier import NotifyClient, notify_key
from services.intake.cases import store
from services.intake.cases.messages import case_message
from workflows.case.types import DEADLINE_MET, ESCALATE, RECORD_OVERDUE, REMIND, STATE, CaseNotice, CaseState

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:case-workflow", display_name="CaseWorkflow", kind="system")


class CaseActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def _case(self, case_id: str) -> store.CaseRow:
        async with self._pool.acquire() as conn:
            row = await store.get_case(conn, case_id=case_id)
        if row is None:
            raise ApplicationError(f"case {case_id} does not exist", non_retryable=True)
        return row

    @activity.defn(name=STATE)
    @classified
    async def state(self, case_id: str) -> CaseState:
        row = await self._case(case_id)
        return CaseState(
            status=row.status,
            due_at=row.due_at.isoformat(),
            remind_at=row.remind_at.isoformat(),
            deadline_round=row.deadline_round,
            urgent=row.urgent,
            closed_at=row.closed_at.isoformat() if row.closed_at else "",
        )

    @staticmethod
    def _text(row: store.CaseRow, subject: str, lead: str, detail: str) -> dict[str, str]:
        """The generic template's subject and body, in Chinese and English."""
        owner = row.owner_id or row.pending_owner_id or "-"
        body = (
            f"{lead}\n工单 Case {row.id} ({row.category}{', 紧急 urgent' if row.urgent else ''})\n"
            f"诉求 Subject: {row.subject[:500]}\n承办 Owner: {owner}\n时限 Due: {row.due_at.isoformat()}"
        )
        return {"subject": subject, "body": body + (f"\n{detail}" if detail else "")}

    @activity.defn(name=REMIND)
    @classified
    async def remind(self, notice: CaseNotice) -> None:
        """督办: the owner (a person), or for a department the person who handed it over, is reminded."""
        row = await self._case(notice.case_id)
        person = row.owner_id if row.owner_kind == "person" else row.assigned_by or row.opened_by
        await self._notifier.send(
            site_id=row.site_id,
            person_id=person,
            template="generic",
            data=self._text(
                row,
                "工单督办 Case due soon",
                "请在时限前办结并反馈来电人。 Handle it and tell the caller by the deadline.",
                notice.detail,
            ),
            key=notify_key(row.id, "reminder", str(notice.deadline_round)),
            ref_kind="case",
            ref_id=row.id,
            drill=row.drill,
        )

    @activity.defn(name=ESCALATE)
    @classified
    async def escalate(self, notice: CaseNotice) -> None:
        """Tell the duty leader on duty that the case is overdue, up the chain until acknowledged."""
        row = await self._case(notice.case_id)
        await self._notifier.escalate(
            site_id=row.site_id,
            template="generic",
            data=self._text(
                row,
                "工单超时 Case overdue",
                "工单已超过办理时限，来电人尚未得到反馈。 The case is overdue; the caller has not been told.",
                notice.detail,
            ),
            key=notify_key(row.id, "overdue", str(notice.deadline_round), str(notice.escalation)),
            ref_kind="case",
            ref_id=row.id,
            drill=row.drill,
        )

    @activity.defn(name=RECORD_OVERDUE)
    @classified
    async def record_overdue(self, notice: CaseNotice) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            marked = await store.mark_overdue(conn, case_id=notice.case_id, deadline_round=notice.deadline_round)
            if marked is None:
                current = await store.get_case(conn, case_id=notice.case_id)
                # Marked by an earlier attempt, and still the round in force, not handled: still overdue.
                return (
                    current is not None
                    and current.deadline_round == notice.deadline_round
                    and current.overdue
                    and current.status not in DEADLINE_MET
                )
            await emit(
                conn,
                event_type="case.overdue",
                site_id=marked.site_id,
                aggregate_id=marked.id,
                aggregate_version=marked.version,
                payload=event_pb2.CaseChanged(case=case_message(marked), detail=f"due {marked.due_at.isoformat()}"),
                drill=marked.drill,
                actor=SYSTEM_ACTOR,
            )
            return True
