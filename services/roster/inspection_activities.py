"""Activities of the shift workflow for the leader's inspection (带班领导查岗). Idempotent: the violation
and its event are recorded once per leader assignment, the unit head is told once per assignment."""

from __future__ import annotations

import asyncpg
from temporalio import activity

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.grpckit.convert import ts
from dutyline.ids import new_id
from dutyline.notifier import NotifyClient, notify_key
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import inspections_pb2
from services.roster import duty_store, inspection_store, schedule_store
from workflows.shift.types import FLAG_UNIT_HEAD, INSPECTION_MISSED, ShiftNotice

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:shift-workflow", display_name="ShiftWorkflow", kind="system")
VIOLATION = "inspection_missed"  # 领导未查岗


class InspectionActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    @activity.defn(name=INSPECTION_MISSED)
    @classified
    async def inspection_missed(self, assignment_id: str) -> bool:
        """Whether the duty leader's shift ended without an inspection at the site; the first time it is
        found so, the violation is charged to the leader on the assignment now, with inspection.missed."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await schedule_store.get_assignment(conn, assignment_id=assignment_id, for_update=True)
            if row is None or row.assignment.role != "leader":
                return False  # deleted by a later publication, or no longer a leader's: nobody to hold to it
            a = row.assignment
            # Already recorded by an earlier attempt: still missed, whatever was entered since.
            if await inspection_store.violation_recorded(conn, kind=VIOLATION, assignment_id=a.id):
                return True
            if await inspection_store.inspected_between(conn, site_id=a.site_id, start=a.starts_at, end=a.ends_at):
                return False
            await duty_store.insert_violation(
                conn,
                violation_id=new_id("vio"),
                site_id=a.site_id,
                person_id=a.person_id,
                kind=VIOLATION,
                assignment_id=a.id,
                detail=f"领导未查岗 no inspection during the {a.shift_name} shift of {a.local_date}",
            )
            await emit(
                conn,
                event_type="inspection.missed",
                site_id=a.site_id,
                aggregate_id=a.id,
                aggregate_version=row.version,
                payload=inspections_pb2.InspectionMissed(
                    assignment_id=a.id,
                    person_id=a.person_id,
                    shift_name=a.shift_name,
                    local_date=str(a.local_date),
                    shift_start=ts(a.starts_at),
                    shift_end=ts(a.ends_at),
                ),
                actor=SYSTEM_ACTOR,
            )
            return True

    @activity.defn(name=FLAG_UNIT_HEAD)
    @classified
    async def flag_unit_head(self, notice: ShiftNotice) -> None:
        """Tell the site's unit head (单位负责人): a record for them to follow up, not an alarm that climbs."""
        async with self._pool.acquire() as conn:
            row = await schedule_store.get_assignment(conn, assignment_id=notice.assignment_id)
        if row is None:
            return  # deleted by a later publication: nothing left to flag
        a = row.assignment
        await self._notifier.send_to(
            notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id=a.site_id, role=common_pb2.ROLE_UNIT_HEAD)),
            site_id=a.site_id,
            template=notice.kind,
            data={
                "person_name": row.display_name,
                "shift_name": a.shift_name,
                "local_date": str(a.local_date),
                "starts_at": a.starts_at.isoformat(),
                "detail": notice.detail,
            },
            key=notify_key(notice.assignment_id, notice.kind),
            ref_kind="assignment",
            ref_id=a.id,
        )
