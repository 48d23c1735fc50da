"""What the workflows share: the options their activities run with, UTC times as ISO 8601 strings,
and waiting for a condition until a given time.

Deterministic (no I/O, time from workflow.now()); workflow modules import it through
workflow.unsafe.imports_passed_through().
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TimedOut

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Notices, reads and records must eventually happen: retry without limit, backing off to a minute.
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


def parse_utc(value: str) -> datetime | None:
    """`value` (ISO 8601) as a UTC time, or None if it is not one. The contract says UTC; a time
    without an offset is taken as such rather than rejected."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """A UTC time as ISO 8601 with a Z, as the notices show it."""
    return moment.isoformat().replace("+00:00", "Z")


def patched(patch_id: str, *, by_input: bool) -> bool:
    """``workflow.patched(patch_id)``, unless the workflow's input already says the patch applies
    (``by_input``: an input revision its starter set). Then the answer is True without a marker and
    an upsert of TemporalChangeVersion (a visibility write) in every new process. When replaying, the
    patch is still asked, to match a marker a worker from before revisions recorded for such an input
    (it ignored the field and asked); with no marker the question records nothing."""
    if not by_input:
        return workflow.patched(patch_id)
    if workflow.unsafe.is_replaying():
        workflow.patched(patch_id)
    return True


async def wait_until(done: Callable[[], bool], until: datetime, summary: str) -> bool:
    """Whether `done` holds by `until`; a time already past is not waited for."""
    remaining = until - workflow.now()
    if done() or remaining <= timedelta(0):
        return done()
    try:
        await workflow.wait_condition(done, timeout=remaining, timeout_summary=summary)
    except TimeoutError:
        return done()
    return True


async def call_activity(
    name: str,
    arg: object,
    *,
    result_type: Any = None,
    retry_policy: RetryPolicy = ACTIVITY_RETRY,
    local: bool = False,
    retry_locally_within: timedelta | None = None,
    timeout: timedelta = ACTIVITY_TIMEOUT,
) -> Any:
    """Run the activity called `name`, with the shared timeout and (unless told otherwise) retry policy.
    ``local``: in the worker that runs the workflow, within the workflow task (a short read): no
    activity task and no workflow task of its own for Temporal, only a marker in the history.
    ``retry_locally_within``: a local activity waits out only backoffs this short inside its workflow
    task; longer ones on a timer, so a failing step does not hold the task (and with it the process's
    updates and signals) for the SDK's default minute. ``timeout``: each attempt's; a local activity
    holds its workflow task, and the process's updates, for as long as an attempt runs."""
    if not local:
        return await workflow.execute_activity(
            name, arg, result_type=result_type, start_to_close_timeout=timeout, retry_policy=retry_policy
        )
    try:
        return await workflow.execute_local_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=timeout,
            retry_policy=retry_policy,
            local_retry_threshold=retry_locally_within,
        )
    except (ApplicationError, TimedOut) as failed:
        # The SDK raises a local activity's failure bare, where an activity task's comes as an
        # ActivityError: the callers handle one kind (its cause, as for an activity task, is the failure).
        raise ActivityError(
            f"local activity {name} failed",
            scheduled_event_id=0,
            started_event_id=0,
            identity="",
            activity_type=name,
            activity_id="",
            retry_state=None,
        ) from failed
