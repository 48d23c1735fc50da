"""The notify service's Temporal worker: escalations (EscalationWorkflow) and their activities, on task
queue dutyline-notify, over the notify schema only; roster is asked over gRPC who a step reaches."""

from __future__ import annotations

from contextlib import AsyncExitStack

from dutyline.db.service_pool import service_pool
from dutyline.grpckit.client import service_channel
from dutyline.roster.v1 import roster_pb2_grpc
from dutyline.temporal_worker import WorkerPlan
from services.notify.people import contacts
from services.notify.people.channels import available_channels
from services.notify.people.escalation_activities import EscalationActivities
from services.notify.people.recipients import RecipientResolver
from services.notify.settings import NotifySettings
from workflows.escalation.workflow import EscalationWorkflow

SERVICE = "notify"


async def build(settings: NotifySettings, resources: AsyncExitStack) -> WorkerPlan:
    contacts.configure(settings.contact_keys.get_secret_value())
    pool = await service_pool(settings, min_size=1, max_size=10)
    resources.push_async_callback(pool.close)
    roster = service_channel(settings, target="roster", caller=SERVICE)
    resources.push_async_callback(roster.close)
    escalation = EscalationActivities(
        pool=pool,
        resolver=RecipientResolver(roster_pb2_grpc.RosterServiceStub(roster)),
        channels=available_channels(settings),
    )
    return WorkerPlan(
        service=SERVICE,
        workflows=[EscalationWorkflow],
        activities=[
            escalation.notify_step,
            escalation.ack_state,
            escalation.record_ack,
            escalation.record_exhausted,
        ],
    )
