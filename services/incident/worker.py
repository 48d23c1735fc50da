"""The incident service's Temporal worker: the incident process (IncidentWorkflow) and its
activities, on task queue dutyline-incident, over the incident schema only."""

from __future__ import annotations

from contextlib import AsyncExitStack

from dutyline.db.service_pool import service_pool
from dutyline.grpckit.client import service_channel
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import roster_pb2_grpc
from dutyline.temporal_worker import WorkerPlan
from services.incident.activities import IncidentActivities
from services.incident.inbox_activities import ReceiptActivities
from services.incident.instruction_activities import InstructionActivities
from services.incident.plan_activities import PlanActivities
from services.incident.report_versions import ReportVersionActivities
from services.incident.settings import IncidentSettings
from workflows.incident.types import INCIDENT_REVISION
from workflows.incident.workflow import IncidentWorkflow
from workflows.instruction.workflow import InstructionWorkflow
from workflows.plan_activation.workflow import PlanActivationWorkflow
from workflows.report_receipt.workflow import ReportReceiptWorkflow

SERVICE = "incident"


async def build(settings: IncidentSettings, resources: AsyncExitStack) -> WorkerPlan:
    pool = await service_pool(settings, min_size=1, max_size=10)
    resources.push_async_callback(pool.close)
    roster = service_channel(settings, target="roster", caller=SERVICE)
    resources.push_async_callback(roster.close)
    notifier = NotifyClient.from_settings(settings, caller=SERVICE)
    resources.push_async_callback(notifier.close)
    activities = IncidentActivities(
        pool=pool,
        roster=roster_pb2_grpc.RosterServiceStub(roster),
        notifier=notifier,
        grant_keys=settings.grant_keys(),
    )
    instruction = InstructionActivities(pool=pool, notifier=notifier)
    plan = PlanActivities(pool=pool, notifier=notifier)
    return WorkerPlan(
        service=SERVICE,
        revision=INCIDENT_REVISION,
        workflows=[InstructionWorkflow, IncidentWorkflow, ReportReceiptWorkflow, PlanActivationWorkflow],
        activities=[
            activities.notify_duty_leader,
            activities.load_policy,
            activities.load_verify_within,
            activities.notify_responsible,
            activities.apply_change,
            activities.record_failure,
            ReportVersionActivities(pool=pool).load_report,
            ReceiptActivities(pool=pool, notifier=notifier).escalate_unreceived,
            *(instruction.state, instruction.remind, instruction.escalate, instruction.record_overdue),
            *(plan.notify_contacts, plan.task_notice, plan.state, plan.end),
        ],
    )
