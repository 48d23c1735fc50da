"""The intake service's Temporal worker: the callback process (CallbackWorkflow: 回复/回访 until
the caller is told), the case process (CaseWorkflow: a 工单's deadlines) and their activities, on
task queue dutyline-intake, over the intake schema only."""

from __future__ import annotations

from contextlib import AsyncExitStack

from dutyline.db.service_pool import service_pool
from dutyline.notifier import NotifyClient
from dutyline.temporal_worker import WorkerPlan
from services.intake.callback_activities import CallbackActivities
from services.intake.cases.activities import CaseActivities
from services.intake.settings import IntakeSettings
from workflows.callback.workflow import CallbackWorkflow
from workflows.case.workflow import CaseWorkflow

SERVICE = "intake"


async def build(settings: IntakeSettings, resources: AsyncExitStack) -> WorkerPlan:
    pool = await service_pool(settings, min_size=1, max_size=5)
    resources.push_async_callback(pool.close)
    notifier = NotifyClient.from_settings(settings, caller=SERVICE)
    resources.push_async_callback(notifier.close)
    callback = CallbackActivities(pool=pool, notifier=notifier)
    case = CaseActivities(pool=pool, notifier=notifier)
    return WorkerPlan(
        service=SERVICE,
        workflows=[CallbackWorkflow, CaseWorkflow],
        activities=[
            *(callback.state, callback.deliver, callback.remind, callback.escalate, callback.record_overdue),
            *(case.state, case.remind, case.escalate, case.record_overdue),
        ],
    )
