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
from services.notify.channels import available_channels
from services.notify.recipients import RecipientResolver
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

# Activities persist through the owning service's store, in its schema (and its outbox): one pool
# per schema, at most this many connections.
POOL_SIZES = {"incident": 10, "roster": 10, "intake": 5, "notify": 10}


async def run_worker(settings: Settings) -> None:
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    pools = {
        schema: await create_pool(settings.pg_dsn, schema=schema, min_size=1, max_size=size)
        for schema, size in POOL_SIZES.items()
    }
    for service, pool in pools.items():
        async with pool.acquire() as conn:
            await ensure_migrated(conn, service)
    roster = service_channel(settings, target="roster", caller="worker")
    roster_stub = roster_pb2_grpc.RosterServiceStub(roster)
    notifier = NotifyClient.from_settings(settings, caller="worker")
    incident = IncidentActivities(pool=pools["incident"], roster=roster_stub, notifier=notifier)
    shift = ShiftActivities(pool=pools["roster"], notifier=notifier)
    callback = CallbackActivities(pool=pools["intake"], notifier=notifier)
    escalation = EscalationActivities(
        pool=pools["notify"], resolver=RecipientResolver(roster_stub), channels=available_channels(settings)
    )
    worker = Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[IncidentWorkflow, ShiftWorkflow, CallbackWorkflow, EscalationWorkflow],
        workflow_runner=workflow_runner(),
        activities=[
            incident.notify_duty_leader,
            incident.load_policy,
            incident.apply_change,
            incident.record_failure,
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
    for pool in pools.values():
        await pool.close()
    log.info("worker stopped")


def run(settings: Settings) -> None:
    configure_logging("worker", fmt=settings.log_format, level=settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    from dutyline.config import get_settings

    run(get_settings())
