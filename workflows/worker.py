"""The Temporal worker: every dutyline workflow and activity on one task queue."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from dutyline.config import Settings
from dutyline.db.migrations import ensure_migrated
from dutyline.db.pool import create_pool
from dutyline.grpckit.client import service_channel
from dutyline.logging import configure_logging
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import roster_pb2_grpc
from services.notify.recipients import RecipientResolver
from services.notify.sending import available_channels
from workflows.callback.activities import CallbackActivities
from workflows.callback.workflow import CallbackWorkflow
from workflows.escalation.activities import EscalationActivities
from workflows.escalation.workflow import EscalationWorkflow
from workflows.incident.activities import IncidentActivities
from workflows.incident.workflow import IncidentWorkflow
from workflows.sandbox import workflow_runner
from workflows.shift.activities import ShiftActivities
from workflows.shift.workflow import ShiftWorkflow

log = structlog.get_logger(__name__)


async def run_worker(settings: Settings) -> None:
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    # Activities persist through the owning service's store, in its schema (and its outbox).
    pool = await create_pool(settings.pg_dsn, schema="incident", min_size=1, max_size=10)
    roster_pool = await create_pool(settings.pg_dsn, schema="roster", min_size=1, max_size=10)
    intake_pool = await create_pool(settings.pg_dsn, schema="intake", min_size=1, max_size=5)
    notify_pool = await create_pool(settings.pg_dsn, schema="notify", min_size=1, max_size=10)
    pools = (("incident", pool), ("roster", roster_pool), ("intake", intake_pool), ("notify", notify_pool))
    for service, service_pool in pools:
        async with service_pool.acquire() as conn:
            await ensure_migrated(conn, service)
    roster = service_channel(settings, target="roster", caller="worker")
    roster_stub = roster_pb2_grpc.RosterServiceStub(roster)
    notifier = NotifyClient.from_settings(settings, caller="worker")
    activities = IncidentActivities(pool=pool, roster=roster_stub, notifier=notifier)
    shift = ShiftActivities(pool=roster_pool, notifier=notifier)
    callback = CallbackActivities(pool=intake_pool, notifier=notifier)
    escalation = EscalationActivities(
        pool=notify_pool, resolver=RecipientResolver(roster_stub), channels=available_channels(settings)
    )
    worker = Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[IncidentWorkflow, ShiftWorkflow, CallbackWorkflow, EscalationWorkflow],
        workflow_runner=workflow_runner(),
        activities=[
            activities.notify_duty_leader,
            activities.load_policy,
            activities.apply_change,
            shift.remind,
            shift.check_in_state,
            shift.alert_leader,
            shift.record_absence,
            shift.handover_overdue,
            callback.state,
            callback.remind,
            callback.escalate,
            callback.record_overdue,
            escalation.notify_step,
            escalation.ack_state,
            escalation.record_ack,
            escalation.record_exhausted,
        ],
        graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker polling", task_queue=settings.temporal_task_queue)
    async with worker:
        await stop.wait()
        log.info("worker stopping")
    await roster.close()
    await notifier.close()
    await notify_pool.close()
    await pool.close()
    await roster_pool.close()
    await intake_pool.close()
    log.info("worker stopped")


def run(settings: Settings) -> None:
    configure_logging("worker", fmt=settings.log_format, level=settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    from dutyline.config import get_settings

    run(get_settings())
