"""Temporal workers: each service runs its own processes, on its own task queue (dutyline-<service>).

A service's worker module builds a ``WorkerPlan`` (its task queue, its workflows, its activities,
bound to its own pool and clients); ``run_workers`` runs any set of plans in one process, so the
dev stack can host every service's worker in one process while production runs them apart. As in
temporalio/reference-app-orders-go, one binary, any subset of workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.worker import Worker

from dutyline import metrics
from dutyline.temporal_sandbox import worker_runner

log = structlog.get_logger(__name__)

QUEUE_PREFIX = "dutyline-"
# Before issue 13 every workflow ran on this one queue; workflows started then still live there
# until they end (docs/operations.md: "Task queues per service").
LEGACY_TASK_QUEUE = "dutyline"


def task_queue_of(service: str) -> str:
    """The task queue of a service's workflows and activities."""
    return QUEUE_PREFIX + service


# How a worker's identity names the input revision its workflows run ("12@host incident rev=2"):
# a starter gives new processes a revision only once every worker polling their queue runs it.
REVISION_TAG = " rev="


@dataclass(frozen=True)
class WorkerPlan:
    """What one service's worker polls: its task queue, its workflows and its activities; and the
    input revision (0: none) its workflows run, announced in the worker's identity."""

    service: str
    workflows: Sequence[type]
    activities: Sequence[Callable[..., Any]]
    task_queue: str = ""
    revision: int = 0

    @property
    def queue(self) -> str:
        return self.task_queue or task_queue_of(self.service)


# services/<name>/worker.py: ``async def build(settings, resources) -> WorkerPlan``; whatever it
# opens (pools, channels) it registers on ``resources`` to be closed after the worker stops.
BuildWorker = Callable[[Any, AsyncExitStack], Awaitable[WorkerPlan]]


async def run_workers(
    client: Client,
    plans: Sequence[WorkerPlan],
    stop: asyncio.Event,
    *,
    grace: timedelta = timedelta(seconds=5),
    running: list[Worker] | None = None,
    cached_workflows: int = 1_000,
) -> None:
    """Poll every plan's task queue until ``stop`` is set, then finish what is in hand (``grace``);
    each worker, once polling, is added to ``running`` (what ``readiness`` checks); each keeps up to
    ``cached_workflows`` open workflows in memory (Settings.worker_cached_workflows)."""
    async with contextlib.AsyncExitStack() as workers:
        for plan in plans:
            worker = Worker(
                client,
                task_queue=plan.queue,
                workflows=list(plan.workflows),
                activities=list(plan.activities),
                workflow_runner=worker_runner(),
                max_cached_workflows=cached_workflows,
                graceful_shutdown_timeout=grace,
                identity=worker_identity(client.identity, plan),
            )
            await workers.enter_async_context(worker)
            if running is not None:
                running.append(worker)
            log.info("worker polling", task_queue=plan.queue, service=plan.service)
        await stop.wait()
        log.info("workers stopping")
    log.info("workers stopped")


def worker_identity(client_identity: str, plan: WorkerPlan) -> str:
    """The identity a plan's worker polls with: the process's, its service, and its revision if any."""
    identity = f"{client_identity} {plan.service}"
    return identity + (f"{REVISION_TAG}{plan.revision}" if plan.revision else "")


def poller_revision(identity: str) -> int:
    """The revision a poller's identity announces; 0 for a worker from before revisions were announced."""
    _, tag, revision = identity.rpartition(REVISION_TAG)
    return int(revision) if tag and revision.isdigit() else 0


async def task_queue_pollers(client: Client, task_queue: str, kind: TaskQueueType.ValueType) -> list[str]:
    """The identities of the workers polling ``task_queue`` for ``kind`` tasks (Temporal lists the
    pollers of the last minutes)."""
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind
        ),
        timeout=timedelta(seconds=metrics.CHECK_TIMEOUT_SECONDS),
    )
    return [p.identity for p in answer.pollers]


async def polled_revision(client: Client, task_queue: str, newest: int) -> int:
    """The newest input revision, up to ``newest``, that every worker polling ``task_queue`` for
    workflow tasks runs: during a rolling deploy a worker from before a revision must not pick up a
    process started with it, whose history it would write in the older shape. 0 when no worker polls,
    or one from before revisions does."""
    identities = await task_queue_pollers(client, task_queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
    announced = [poller_revision(identity) for identity in identities]
    return min([newest, *announced]) if announced else 0


async def readiness(client: Client, running: Sequence[Worker], expected: int) -> str | None:
    """None when the process is ready for work (a Kubernetes readiness probe, /readyz): its ``expected``
    workers polling, the Temporal server answering and every PostgreSQL pool of the process reachable;
    else what is missing."""
    if len(running) < expected or not all(w.is_running for w in running):
        return f"{sum(w.is_running for w in running)} of {expected} workers polling"
    if not await client.service_client.check_health(timeout=timedelta(seconds=metrics.CHECK_TIMEOUT_SECONDS)):
        return "Temporal is not serving"
    return await metrics.pools_reachable()
