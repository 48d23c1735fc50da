"""The roster service's Temporal worker: the shift process (ShiftWorkflow: reminders, check-in,
absence, handover) and its activities, on task queue dutyline-roster, over the roster schema only."""

from __future__ import annotations

from contextlib import AsyncExitStack

from dutyline.db.service_pool import service_pool
from dutyline.notifier import NotifyClient
from dutyline.temporal_worker import WorkerPlan
from services.roster.inspection_activities import InspectionActivities
from services.roster.presence_activities import PresenceActivities
from services.roster.settings import RosterSettings
from services.roster.shift_activities import ShiftActivities
from workflows.presence.workflow import EarlyLeaveWorkflow, PresenceCheckWorkflow
from workflows.shift.workflow import ShiftWorkflow

SERVICE = "roster"


async def build(settings: RosterSettings, resources: AsyncExitStack) -> WorkerPlan:
    pool = await service_pool(settings, min_size=1, max_size=10)
    resources.push_async_callback(pool.close)
    notifier = NotifyClient.from_settings(settings, caller=SERVICE)
    resources.push_async_callback(notifier.close)
    shift = ShiftActivities(pool=pool, notifier=notifier)
    inspection = InspectionActivities(pool=pool, notifier=notifier)
    presence = PresenceActivities(pool=pool, notifier=notifier)
    return WorkerPlan(
        service=SERVICE,
        workflows=[ShiftWorkflow, PresenceCheckWorkflow, EarlyLeaveWorkflow],
        activities=[
            shift.remind,
            shift.check_in_state,
            shift.alert_leader,
            shift.record_absence,
            shift.handover_overdue,
            shift.handover_missed,
            inspection.inspection_missed,
            inspection.flag_unit_head,
            presence.send_check,
            presence.settle_check,
        ],
    )
