"""The same-shape Temporal skeleton the emergency figure is judged against (DESIGN §8): what an
emergency costs Temporal with empty bodies. Per incident, as dutyline does it (incident revision 2): a
client start of the incident workflow; in its first workflow task a local activity telling the leader
(the first step sent, the escalation workflow started) and a second one (the time to verify); a timer.
The escalation, its first step sent, waits on a timer for the `acknowledged` signal. Workflows with the
same runner as dutyline's workers, in a worker process of its own (`python -m bench.skeleton <address>`)
so its CPU is counted apart from the client.

An incident counts once its leader is told (the first local activity done: the worker prints
``told <id>``, where dutyline publishes `incident.escalated`): a start alone counts nothing, since a flood of starts
leaves the workflows' work queued behind it, to be done after the measurement.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

# As dutyline's workflow modules do: what is not workflow code is passed through, not re-imported per run.
with workflow.unsafe.imports_passed_through():
    from bench.load import LoadResult, closed_loop
    from dutyline.temporal_sandbox import worker_runner

QUEUE = "bench-skeleton"
ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Longer than any phase: the timers are set, as dutyline's are, but never fire during the run.
WAIT = timedelta(hours=1)
# What the worker prints once an incident's leader is told.
TOLD = "told"
# How long a starter waits for its incident's leader to be told.
TOLD_TIMEOUT = 30.0


@workflow.defn(name="SkeletonEscalation")
class SkeletonEscalation:
    def __init__(self) -> None:
        self._acked = False

    @workflow.run
    async def run(self, escalation_id: str) -> None:
        # The first step was sent by the activity that started it (dutyline's EscalationInput.first_sent).
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._acked, timeout=WAIT)

    @workflow.signal(name="acknowledged")
    def acknowledged(self) -> None:
        self._acked = True


@workflow.defn(name="SkeletonIncident")
class SkeletonIncident:
    def __init__(self) -> None:
        self._dirty = False

    @workflow.run
    async def run(self, incident_id: str) -> None:
        await workflow.execute_local_activity(
            "skeleton_notify_leader", incident_id, start_to_close_timeout=ACTIVITY_TIMEOUT
        )
        await workflow.execute_local_activity(
            "skeleton_verify_within", incident_id, start_to_close_timeout=ACTIVITY_TIMEOUT
        )
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._dirty, timeout=WAIT)

    @workflow.signal(name="calls_linked")
    def calls_linked(self) -> None:
        self._dirty = True


class SkeletonActivities:
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name="skeleton_notify_leader")
    async def notify_leader(self, incident_id: str) -> None:
        # Where dutyline asks notify to escalate, which starts the EscalationWorkflow.
        await self._client.start_workflow(
            SkeletonEscalation.run, f"escalation-{incident_id}", id=f"escalation-{incident_id}", task_queue=QUEUE
        )
        print(f"{TOLD} {incident_id}", flush=True)

    @activity.defn(name="skeleton_verify_within")
    async def verify_within(self, incident_id: str) -> int:
        return 3600


async def _serve(address: str) -> None:
    client = await Client.connect(address)
    acts = SkeletonActivities(client)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with Worker(
        client,
        task_queue=QUEUE,
        workflows=[SkeletonIncident, SkeletonEscalation],
        activities=[acts.notify_leader, acts.verify_within],
        workflow_runner=worker_runner(),
    ):
        print("polling", flush=True)
        await stop.wait()


class SkeletonWorker:
    """The skeleton's worker process, polling: its pid (for the CPU monitor), and when each incident's
    leader was told (read from its output)."""

    def __init__(self, pid: int, output: asyncio.StreamReader, *, timeout: float = TOLD_TIMEOUT) -> None:
        self.pid = pid
        self._output = output
        self._timeout = timeout
        self._told: dict[str, asyncio.Future[None]] = {}
        self.reader = asyncio.create_task(self._read())

    def _future(self, incident_id: str) -> asyncio.Future[None]:
        return self._told.setdefault(incident_id, asyncio.get_running_loop().create_future())

    async def _read(self) -> None:
        async for line in self._output:
            word, _, incident_id = line.decode().strip().partition(" ")
            if word == TOLD and not (told := self._future(incident_id)).done():
                told.set_result(None)

    async def told(self, incident_id: str) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(self._future(incident_id)), self._timeout)
        finally:
            self._told.pop(incident_id, None)


@contextlib.asynccontextmanager
async def skeleton_worker(address: str) -> AsyncIterator[SkeletonWorker]:
    """The skeleton's worker process, polling."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.skeleton", address, stdout=asyncio.subprocess.PIPE, env=dict(os.environ)
    )
    worker: SkeletonWorker | None = None
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60.0)
        if not line.startswith(b"polling"):
            raise RuntimeError("the skeleton worker did not start")
        worker = SkeletonWorker(proc.pid, proc.stdout)
        yield worker
    finally:
        if worker is not None:
            worker.reader.cancel()
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10.0)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def skeleton_throughput(
    address: str, worker: SkeletonWorker, *, concurrency: int = 32, duration: float = 10.0
) -> LoadResult:
    """Skeleton incidents run by `concurrency` starters back to back, each until its leader is told,
    as the emergency figure's callers wait for theirs."""
    client = await Client.connect(address)
    run = uuid.uuid4().hex[:8]
    counter = itertools.count()

    async def start() -> None:
        incident_id = f"skeleton-{run}-{next(counter)}"
        await client.start_workflow(SkeletonIncident.run, incident_id, id=incident_id, task_queue=QUEUE)
        await worker.told(incident_id)

    return await closed_loop(start, concurrency=concurrency, duration=duration)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
