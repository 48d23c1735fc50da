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
from services.incident.settings import IncidentSettings
from workflows.incident.workflow import IncidentWorkflow

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
    return WorkerPlan(
        service=SERVICE,
        workflows=[IncidentWorkflow],
        activities=[
            activities.notify_duty_leader,
            activities.load_policy,
            activities.apply_change,
            activities.record_failure,
        ],
    )
