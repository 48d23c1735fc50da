"""The deadline of one callback: a message taken (留言), a callback promised (承诺回电) to a caller or a
recipient, or a notice from a superior whose missing elements must be completed.

A message is delivered to its recipient when taken, and a notice's missing elements told to the duty
leader (DELIVER); a delivery that can never succeed (the activity fails non-retryably: an unknown
recipient, an entry of another site's directory, no contact that can be reached) goes to the duty
leader instead, and the reminder, which would fail the same way, is skipped.

Remind the recipient shortly before the deadline; once it has passed, record the callback overdue and
tell the duty leader, again every interval while it stays open, up to max_escalations in all; one interval
after the last escalation a callback still open is abandoned. Whatever closes it first ends the workflow:
completed by the deadline ("completed"), after it ("overdue_completed"), or cancelled ("cancelled").

Deterministic: no I/O, time from workflow.now(); the activities are called by name (they live in
workflows/callback/activities.py, which the workflow must not import). The completed signal only wakes
the workflow: the CompleteCallback RPC records the outcome first, and what it recorded is always read
through callback_state. A step whose time has passed when the workflow gets there (e.g. it started late)
runs at once, except the reminder, which is skipped once the deadline has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from workflows.callback.types import (
        COMPLETED_SIGNAL,
        DELIVER,
        DELIVERED_AT_ONCE,
        ESCALATE,
        ESCALATE_EVERY_SECONDS,
        RECORD_OVERDUE,
        REMIND,
        REMIND_BEFORE_SECONDS,
        STATE,
        STATE_QUERY,
        URGENT_ESCALATE_EVERY_SECONDS,
        URGENT_REMIND_BEFORE_SECONDS,
        CallbackInput,
        CallbackNotice,
        CallbackOutcome,
        CallbackState,
    )
    from workflows.common import call_activity, iso_z, parse_utc, wait_until

OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"
# workflow.patched id: messages and notices are delivered when taken; histories from before replay without.
DELIVER_AT_ONCE = "deliver-at-once"


@dataclass(frozen=True)
class _Schedule:
    due_at: datetime
    remind_at: datetime  # never before the workflow started
    escalate_every: timedelta


def _utc(value: str, field: str) -> datetime:
    parsed = parse_utc(value)
    if parsed is None:
        raise _invalid(f"{field} is not an ISO 8601 time: {value!r}")
    return parsed


def _invalid(message: str) -> ApplicationError:
    # Non-retryable: the same input would fail the same way on every workflow task.
    return ApplicationError(message, type="InvalidCallbackInput", non_retryable=True)


def _schedule(callback: CallbackInput, started_at: datetime) -> _Schedule:
    if not callback.callback_id:
        raise _invalid("callback_id is empty")
    due_at = _utc(callback.due_at, "due_at")
    if callback.remind_before_seconds < 0 or callback.repeat_escalation_every_seconds < 0:
        raise _invalid(f"callback {callback.callback_id} has a negative duration")
    if callback.max_escalations < 1:
        raise _invalid(f"callback {callback.callback_id}: max_escalations must be at least 1")
    remind_before = callback.remind_before_seconds or (
        URGENT_REMIND_BEFORE_SECONDS if callback.urgent else REMIND_BEFORE_SECONDS
    )
    escalate_every = callback.repeat_escalation_every_seconds or (
        URGENT_ESCALATE_EVERY_SECONDS if callback.urgent else ESCALATE_EVERY_SECONDS
    )
    return _Schedule(
        due_at=due_at,
        remind_at=max(due_at - timedelta(seconds=remind_before), started_at),
        escalate_every=timedelta(seconds=escalate_every),
    )


def _completed_at(state: CallbackState) -> datetime | None:
    """The recorded completion time, if the store gave a readable one (never fails the workflow)."""
    return parse_utc(state.completed_at) if state.completed_at else None


@workflow.defn(name="CallbackWorkflow")
class CallbackWorkflow:
    def __init__(self) -> None:
        self._phase = "before_reminder"  # "before_reminder" | "before_due" | "overdue" | "done"
        self._status = OPEN  # "open" | "overdue", then the outcome's status
        self._closed_hint = False
        self._reminded = False
        self._escalations = 0
        self._delivery = "none"  # "none" | "delivered" | "undeliverable"

    @workflow.run
    async def run(self, callback: CallbackInput) -> CallbackOutcome:
        schedule = _schedule(callback, workflow.now())
        self._status = await self._supervise(callback, schedule)
        self._phase = "done"
        return CallbackOutcome(
            callback_id=callback.callback_id,
            status=self._status,
            reminded=self._reminded,
            escalations=self._escalations,
        )

    async def _supervise(self, callback: CallbackInput, schedule: _Schedule) -> str:
        due = iso_z(schedule.due_at)
        # 0) Delivered when taken (new workflows only: one started earlier carries no kind anyway).
        if callback.kind in DELIVERED_AT_ONCE and workflow.patched(DELIVER_AT_ONCE):
            await self._deliver(callback, due)
        # 1) The reminder; moot once the deadline has passed (started late, or a slow read), or once
        # the recipient has been found unreachable.
        if workflow.now() < schedule.due_at and self._delivery != "undeliverable":
            state = await self._state_by(callback.callback_id, schedule.remind_at, "callback: reminder")
            if state.status in (COMPLETED, CANCELLED):
                return self._settled(state, schedule)
            if workflow.now() < schedule.due_at:
                await self._remind(callback, due)
        # 2) The deadline.
        self._phase = "before_due"
        state = await self._state_by(callback.callback_id, schedule.due_at, "callback: due")
        if state.status in (COMPLETED, CANCELLED):
            return self._settled(state, schedule)
        if not await call_activity(RECORD_OVERDUE, callback.callback_id, result_type=bool):
            # Closed through the RPC before its signal reached us. Should the store still say open, the
            # mark was there already (a re-run): escalate all the same.
            state = await self._read_state(callback.callback_id)
            if state.status in (COMPLETED, CANCELLED):
                return self._settled(state, schedule)
        self._phase, self._status = "overdue", "overdue"
        # 3) Escalate now and every interval while open, up to max_escalations; abandon one interval later.
        while True:
            self._escalations += 1
            detail = f"not called back by {due}; escalation {self._escalations} of {callback.max_escalations}"
            await call_activity(ESCALATE, self._notice(callback, "overdue", detail))
            next_at = workflow.now() + schedule.escalate_every
            state = await self._state_by(callback.callback_id, next_at, "callback: escalation")
            if state.status in (COMPLETED, CANCELLED):
                return self._settled(state, schedule)
            if self._escalations >= callback.max_escalations:
                return "abandoned"

    async def _deliver(self, callback: CallbackInput, due: str) -> None:
        try:
            await call_activity(DELIVER, self._notice(callback, "delivery", f"due {due}"))
        except ActivityError as failure:
            await self._undeliverable(callback, failure)
            return
        self._delivery = "delivered"

    async def _remind(self, callback: CallbackInput, due: str) -> None:
        try:
            await call_activity(REMIND, self._notice(callback, "reminder", f"call back by {due}"))
        except ActivityError as failure:
            # Failed for good (the activity said so): the leader hears of it rather than nobody.
            await self._undeliverable(callback, failure)
            return
        self._reminded = True

    async def _undeliverable(self, callback: CallbackInput, failure: ActivityError) -> None:
        """The recipient cannot be reached (retrying cannot help): the duty leader is told instead."""
        if is_cancelled_exception(failure):
            raise failure
        self._delivery = "undeliverable"
        reason = str(failure.cause or failure)
        workflow.logger.warning("callback %s cannot reach %s: %s", callback.callback_id, callback.recipient_id, reason)
        await call_activity(ESCALATE, self._notice(callback, "undeliverable", reason[:500]))

    def _settled(self, state: CallbackState, schedule: _Schedule) -> str:
        if state.status == CANCELLED:
            return "cancelled"
        completed_at = _completed_at(state)
        # Without a readable completion time: late once this workflow has recorded it overdue.
        late = completed_at > schedule.due_at if completed_at is not None else self._phase == "overdue"
        return "overdue_completed" if late else "completed"

    # -- signal and query -------------------------------------------------------------------------

    @workflow.signal(name=COMPLETED_SIGNAL)
    def completed(self) -> None:
        """Sent by the RPC that closed the callback, after recording it: a wake-up, not the truth."""
        self._closed_hint = True

    @workflow.query(name=STATE_QUERY)
    def state(self) -> dict[str, str]:
        return {
            "phase": self._phase,
            "status": self._status,
            "escalations": str(self._escalations),
            "reminded": "true" if self._reminded else "false",
            "delivery": self._delivery,
        }

    # -- helpers -----------------------------------------------------------------------------------

    async def _state_by(self, callback_id: str, until: datetime, summary: str) -> CallbackState:
        """The recorded state at `until`, or earlier once a completed signal shows it closed."""
        while True:
            await wait_until(lambda: self._closed_hint, until, summary)
            # Cleared before the read, so a signal arriving during it triggers another read.
            self._closed_hint = False
            state = await self._read_state(callback_id)
            if state.status in (COMPLETED, CANCELLED) or workflow.now() >= until:
                return state

    async def _read_state(self, callback_id: str) -> CallbackState:
        state: CallbackState = await call_activity(STATE, callback_id, result_type=CallbackState)
        if state.status not in (OPEN, COMPLETED, CANCELLED):
            # Still supervised: a reminder too many beats a deadline missed unnoticed.
            workflow.logger.warning("callback %s has an unknown status %r; taken as open", callback_id, state.status)
        return state

    @staticmethod
    def _notice(callback: CallbackInput, kind: str, detail: str) -> CallbackNotice:
        return CallbackNotice(
            callback_id=callback.callback_id,
            site_id=callback.site_id,
            kind=kind,
            recipient_id=callback.recipient_id,
            detail=detail,
        )
