"""The process of one activated emergency plan (应急预案).

Notify the plan's contacts (NOTIFY_CONTACTS), then for each open task: remind its owner shortly before
the deadline, tell the owner once it has passed (the task is marked overdue), and escalate to the duty
leader some time after that (TASK_NOTICE, each at most once). Whatever happens first ends it: every
task done ("completed"), or the incident closed with tasks still open ("ended"); END records it.

Deterministic: no I/O, time from workflow.now(); the activities are called by name. The task_changed
signal only wakes the workflow: CompleteTask records the task first, and what it recorded is read
through STATE. A notice whose time has passed when the workflow gets there runs at once, except the
reminder, which is moot once the deadline has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.common import call_activity, parse_utc, wait_until
    from workflows.plan_activation.schedule import pending_notices
    from workflows.plan_activation.types import (
        END,
        NOTIFY_CONTACTS,
        POLL_SECONDS,
        STATE,
        TASK_CHANGED_SIGNAL,
        TASK_NOTICE,
        PlanActivationInput,
        PlanEnd,
        PlanOutcome,
        PlanState,
        TaskNotice,
    )


def _time(value: str, what: str) -> datetime:
    parsed = parse_utc(value)
    if parsed is None:
        # Non-retryable: the same input fails the same way on every workflow task.
        raise ApplicationError(
            f"{what} is not an ISO 8601 time: {value!r}", type="InvalidPlanInput", non_retryable=True
        )
    return parsed


@workflow.defn(name="PlanActivationWorkflow")
class PlanActivationWorkflow:
    def __init__(self) -> None:
        self._changed = False
        self._sent: list[tuple[str, str]] = []
        self._status = "active"

    @workflow.run
    async def run(self, plan: PlanActivationInput) -> PlanOutcome:
        started_at = _time(plan.activated_at, "activated_at")
        dues = {t.key: _time(t.due_at, f"due_at of {t.key}") for t in plan.tasks}
        await call_activity(NOTIFY_CONTACTS, plan.activation_id)
        while True:
            self._changed = False  # cleared before the read: a signal during it triggers another
            state: PlanState = await call_activity(STATE, plan.activation_id, result_type=PlanState)
            if state.incident_closed or not state.open_tasks:
                self._status = "ended" if state.open_tasks else "completed"
                await call_activity(END, PlanEnd(activation_id=plan.activation_id, status=self._status))
                return PlanOutcome(
                    activation_id=plan.activation_id, status=self._status, notices=[f"{k}:{n}" for k, n in self._sent]
                )
            now = workflow.now()
            notices = pending_notices(
                dues,
                open_tasks=state.open_tasks,
                sent=self._sent,
                started_at=started_at,
                now=now,
                remind_before=timedelta(seconds=plan.remind_before_seconds),
                escalate_after=timedelta(seconds=plan.escalate_after_seconds),
            )
            due_now = [n for n in notices if n.at <= now]
            for notice in due_now:
                await call_activity(TASK_NOTICE, TaskNotice(plan.activation_id, notice.key, notice.kind))
                self._sent.append((notice.key, notice.kind))
            if due_now:
                continue  # the state may have changed meanwhile
            # With nothing pending, look now and then whether the incident has closed.
            next_at = notices[0].at if notices else now + timedelta(seconds=POLL_SECONDS)
            await wait_until(lambda: self._changed, next_at, "plan: next task notice")

    @workflow.signal(name=TASK_CHANGED_SIGNAL)
    def task_changed(self) -> None:
        """Sent by CompleteTask after recording the task: a wake-up, not the truth."""
        self._changed = True

    @workflow.query(name="state")
    def state(self) -> dict[str, str]:
        return {"status": self._status, "notices": ",".join(f"{k}:{n}" for k, n in self._sent)}
