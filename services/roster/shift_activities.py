"""Activities of the shift workflow. They run at least once: each is idempotent (a reminder may be
repeated, but a violation or an overdue mark is recorded once per assignment or handover)."""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import ts
from dutyline.ids import new_id
from dutyline.notifier import NotifyClient, notify_key
from services.roster import convert, duty_store, handovers, schedule_store
from workflows.shift.types import (
    ALERT_LEADER,
    CHECK_IN_STATE,
    HANDOVER_MISSED,
    HANDOVER_OVERDUE,
    RECORD_ABSENCE,
    REMIND,
    CheckInState,
    HandoverRef,
    MissedHandover,
    ShiftNotice,
)

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:shift-workflow", display_name="ShiftWorkflow", kind="system")
# The notify template of each kind of notice (templates in zh-CN and English live in notify).
TEMPLATES = {
    "reminder": "shift_reminder",
    "not_checked_in": "not_checked_in",
    "late": "late_check_in",
    "absent": "absent",
    "handover_overdue": "handover_overdue",
    "handover_missed": "handover_missed",
    "handover_missed_incoming": "handover_missed_incoming",
    # workflows/presence: an early check-out (早退) and a presence check nobody confirmed in time
    "early_leave": "early_leave",
    "presence_unanswered": "presence_unanswered",
}


class ShiftActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def _assignment(self, assignment_id: str) -> schedule_store.AssignmentRow:
        async with self._pool.acquire() as conn:
            row = await schedule_store.get_assignment(conn, assignment_id=assignment_id)
        if row is None:
            # Deleted by a later publication: nothing to supervise any more.
            raise ApplicationError(f"assignment {assignment_id} no longer exists", non_retryable=True)
        return row

    @staticmethod
    def _data(row: schedule_store.AssignmentRow, notice: ShiftNotice) -> dict[str, str]:
        a = row.assignment
        return {
            "person_name": row.display_name,
            "shift_name": a.shift_name,
            "local_date": str(a.local_date),
            "starts_at": a.starts_at.isoformat(),
            "detail": notice.detail,
        }

    @activity.defn(name=REMIND)
    @classified
    async def remind(self, notice: ShiftNotice) -> None:
        """Remind whoever holds the assignment now (leave or a swap may have changed it)."""
        row = await self._assignment(notice.assignment_id)
        await self._notifier.send(
            site_id=notice.site_id,
            person_id=row.assignment.person_id,
            template=TEMPLATES[notice.kind],
            data=self._data(row, notice),
            key=notify_key(notice.assignment_id, notice.kind, row.assignment.person_id),
            ref_kind="assignment",
            ref_id=notice.assignment_id,
        )

    @activity.defn(name=CHECK_IN_STATE)
    @classified
    async def check_in_state(self, assignment_id: str) -> CheckInState:
        async with self._pool.acquire() as conn:
            record = await duty_store.get_check_in(conn, assignment_id=assignment_id)
        if record is None:
            return CheckInState(status="pending")
        return CheckInState(
            status=record.status,
            checked_in_at=record.checked_in_at.isoformat(),
            late_seconds=record.late_seconds,
        )

    @activity.defn(name=ALERT_LEADER)
    @classified
    async def alert_leader(self, notice: ShiftNotice) -> None:
        """Tell the duty leader on duty at the site now (带班领导), through an escalation that climbs to
        the unit head and the superior duty office if nobody acknowledges."""
        row = await self._assignment(notice.assignment_id)
        await self._notifier.escalate(
            site_id=notice.site_id,
            template=TEMPLATES[notice.kind],
            data=self._data(row, notice),
            key=notify_key(notice.assignment_id, notice.kind, notice.detail),
            ref_kind="assignment",
            ref_id=notice.assignment_id,
        )

    @activity.defn(name=RECORD_ABSENCE)
    @classified
    async def record_absence(self, assignment_id: str) -> None:
        """缺岗: a violation charged to the person on the assignment, with absence.recorded."""
        row = await self._assignment(assignment_id)
        a = row.assignment
        async with self._pool.acquire() as conn, conn.transaction():
            recorded = await duty_store.insert_violation(
                conn,
                violation_id=new_id("vio"),
                site_id=a.site_id,
                person_id=a.person_id,
                kind="absence",
                assignment_id=a.id,
                detail=f"未签到 no check-in for the {a.shift_name} shift of {a.local_date}",
            )
            if recorded:
                await emit(
                    conn,
                    event_type="absence.recorded",
                    site_id=a.site_id,
                    aggregate_id=a.id,
                    aggregate_version=row.version,
                    payload=event_pb2.AbsenceRecorded(
                        assignment_id=a.id, person_id=a.person_id, shift_start=ts(a.starts_at)
                    ),
                    actor=SYSTEM_ACTOR,
                )

    @activity.defn(name=HANDOVER_OVERDUE)
    @classified
    async def handover_overdue(self, ref: HandoverRef) -> bool:
        """Mark a handover overdue with handover.overdue; False if it was accepted meanwhile."""
        async with self._pool.acquire() as conn, conn.transaction():
            overdue = await duty_store.mark_handover_overdue(conn, handover_id=ref.handover_id)
            if overdue is None:
                current = await duty_store.get_handover(conn, handover_id=ref.handover_id)
                # Already marked by an earlier attempt of this activity: still overdue.
                return current is not None and current.status == "overdue"
            await emit(
                conn,
                event_type="handover.overdue",
                site_id=overdue.site_id,
                aggregate_id=overdue.id,
                aggregate_version=overdue.version,
                payload=convert.handover_message(overdue),
                actor=SYSTEM_ACTOR,
            )
            return True

    @activity.defn(name=HANDOVER_MISSED)
    @classified
    async def handover_missed(self, assignment_id: str) -> MissedHandover:
        """未交接班: no handover submitted by the end of the overlap. A violation charged to the outgoing
        officer, with handover.missed, once per assignment; nothing if a handover was submitted after
        all or nobody is rostered to take over."""
        async with self._pool.acquire() as conn, conn.transaction():
            if await duty_store.handover_of(conn, outgoing_assignment_id=assignment_id) is not None:
                return MissedHandover(handed_over=True)
            row = await schedule_store.get_assignment(conn, assignment_id=assignment_id)
            if row is None:
                raise ApplicationError(f"assignment {assignment_id} no longer exists", non_retryable=True)
            incoming = await handovers.following_assignment(conn, row)
            if incoming is None:
                return MissedHandover(handed_over=False)
            a, b = row.assignment, incoming.assignment
            recorded = await duty_store.insert_violation(
                conn,
                violation_id=new_id("vio"),
                site_id=a.site_id,
                person_id=a.person_id,
                kind="handover_missed",
                assignment_id=a.id,
                detail=f"未交接班 no handover of the {a.shift_name} shift of {a.local_date} to {b.person_id}",
            )
            if recorded:
                await emit(
                    conn,
                    event_type="handover.missed",
                    site_id=a.site_id,
                    aggregate_id=a.id,
                    aggregate_version=row.version,
                    payload=event_pb2.HandoverMissed(
                        assignment_id=a.id,
                        person_id=a.person_id,
                        incoming_assignment_id=b.id,
                        incoming_person_id=b.person_id,
                        shift_end=ts(a.ends_at),
                    ),
                    actor=SYSTEM_ACTOR,
                )
            return MissedHandover(handed_over=False, incoming_assignment_id=b.id)
