"""Starting a workflow for something already committed, exactly once.

The row commits first and its workflow starts after; a start that fails is retried by a
reconciler, and a second start of the same id is a no-op. So a committed thing never lacks its
process and never gets two.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import structlog
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.runtime import Runtime

from dutyline import tracing
from dutyline.config import Settings

log = structlog.get_logger(__name__)

T = TypeVar("T")


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """The process's client of Temporal (its workers are made from it too): the one place that says
    how a dutyline process connects, with the tracing interceptor when the process traces (and, for
    a worker with metrics on, the runtime exporting the SDK's metrics: dutyline.metrics)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        interceptors=tracing.temporal_interceptors(),
        runtime=runtime,
    )


async def start_once(
    client: Client,
    workflow: Any,
    arg: Any,
    *,
    workflow_id: str,
    task_queue: str,
    search_attributes: Sequence[SearchAttributePair[Any]] = (),
) -> bool:
    """Start ``workflow`` with id ``workflow_id`` unless it exists; False if Temporal could not be
    reached (the caller's reconciler tries again)."""
    try:
        await client.start_workflow(
            workflow,
            arg,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=TypedSearchAttributes(list(search_attributes)) if search_attributes else None,
        )
    except WorkflowAlreadyStartedError:
        pass
    except Exception as exc:
        log.warning("workflow not started yet; will retry", workflow_id=workflow_id, error=repr(exc))
        return False
    return True


class StartsInFlight:
    """The starts this process has under way, by workflow id. A second request for a workflow whose
    start is in flight here (a repeat of the request that commits it, arriving while the first is still
    starting it) waits for that start rather than asking Temporal again: an id already started is refused
    only after the server has done most of a start's work."""

    def __init__(self) -> None:
        self._by_id: dict[str, asyncio.Future[bool]] = {}

    async def start(self, workflow_id: str, start: Callable[[], Awaitable[bool]]) -> bool:
        running = self._by_id.get(workflow_id)
        if running is None:
            running = asyncio.ensure_future(start())
            self._by_id[workflow_id] = running
            running.add_done_callback(lambda done: self._finished(workflow_id, done))
        # Shielded: a caller that gives up does not cancel the start another caller waits for.
        return await asyncio.shield(running)

    def _finished(self, workflow_id: str, done: asyncio.Future[bool]) -> None:
        if self._by_id.get(workflow_id) is done:
            del self._by_id[workflow_id]
        if not done.cancelled():
            done.exception()  # retrieved: every caller that waited has seen it already


async def signal_best_effort(client: Client, workflow_id: str, signal: str, *args: Any) -> bool:
    """Tell a running workflow about a change already committed. The workflows re-read the truth
    from the store at their deadlines, so a lost signal only delays them, never misleads them."""
    try:
        await client.get_workflow_handle(workflow_id).signal(signal, *args)
    except Exception as exc:
        log.warning("signal not delivered", workflow_id=workflow_id, signal=signal, error=repr(exc))
        return False
    return True


# Starts a reconciler makes at once: a backlog drains in parallel without flooding Temporal.
RECONCILE_CONCURRENCY = 8
# Rounds in a row without the pause while every start succeeds (a bound, should a start succeed and
# leave its row pending).
RECONCILE_DRAIN_ROUNDS = 50


async def reconcile_forever(
    pending: Callable[[], Awaitable[Iterable[T]]],
    start: Callable[[T], Awaitable[bool]],
    *,
    every: float = 5.0,
    concurrency: int = RECONCILE_CONCURRENCY,
) -> None:
    """Now and then, start the workflows whose start failed (Temporal was away when the change was
    committed), ``concurrency`` at a time. A round stops at the first start that fails again; one that
    started everything it found goes on with the next at once, so the backlog of an outage drains as
    fast as Temporal takes it instead of one page per pause while new work keeps coming."""
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(Exception):
            for _ in range(RECONCILE_DRAIN_ROUNDS):
                if not await _reconcile_round(list(await pending()), start, concurrency):
                    break


async def _reconcile_round(items: list[T], start: Callable[[T], Awaitable[bool]], concurrency: int) -> bool:
    """Start ``items``; whether there were some and every start succeeded."""
    for first in range(0, len(items), concurrency):
        # Every start of the batch is awaited, failed or not: with the first failure raised at once, the
        # others' failures went unretrieved ("Task exception was never retrieved").
        results = await asyncio.gather(*(start(i) for i in items[first : first + concurrency]), return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            log.info("reconcile round stopped", failed=len(failed), error=repr(failed[0]))
        if failed or not all(results):
            return False
    return bool(items)


async def sweep_forever(sweep: Callable[[], Awaitable[object]], *, every: float = 2.0) -> None:
    """Now and then, finish what a first attempt left undone (``sweep`` finds and does it). A failed
    round is logged and the next one tries again."""
    while True:
        await asyncio.sleep(every)
        try:
            await sweep()
        except Exception as exc:
            log.warning("sweep failed; will retry", sweep=getattr(sweep, "__qualname__", repr(sweep)), error=repr(exc))
