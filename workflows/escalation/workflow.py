"""The escalation of one notification up a chain (升级通知), until someone acknowledges.

The chain is walked `repeat` times from `first_step`: each step notifies its recipient(s), then waits its
`wait_seconds` for an acknowledgement. The first acknowledgement ends the walk: it is recorded, and
everyone notified is told who took it. A step that reached nobody (no unit head on the roster) or failed
for good is not waited for. When the last loop ends unacknowledged, the escalation is exhausted.

Deterministic: no I/O; the activities are called by name (notify implements them, in
services/notify/people/escalation_activities.py, and runs them with this workflow in its worker on task
queue dutyline-notify). An acknowledgement arrives as the `acknowledged` signal, sent by the Acknowledge
RPC after recording it; should the signal be lost, the store is read when a wait times out, so a lost
signal only delays. The signal is only a wake-up: the acknowledgement that counts is the one the store
holds (whoever reaches Temporal can send a signal; only the Acknowledge RPC records one). The first
acknowledgement wins; one during a step's notification is taken once that notification returns (so the
people it reached are told too), and no further step is notified.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from workflows.common import call_activity, patched
    from workflows.escalation.types import (
        ACK_STATE,
        ACKNOWLEDGED_SIGNAL,
        NOTIFY_STEP,
        RECIPIENT_KINDS,
        RECORD_ACK,
        RECORD_EXHAUSTED,
        STATE_QUERY,
        AckNotice,
        Acknowledgement,
        EscalationInput,
        EscalationResult,
        EscalationState,
        ExhaustedNotice,
        StepData,
        StepNotice,
        StepSent,
    )

# Notifications, reads and records must eventually happen: retry without limit, backing off to 30 s
# (workflows.common's ACTIVITY_RETRY backs off to a minute).
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
RUNNING, ACKNOWLEDGED, EXHAUSTED = "running", "acknowledged", "exhausted"


def _invalid(message: str) -> ApplicationError:
    # Non-retryable: the same input would fail the same way on every workflow task.
    return ApplicationError(message, type="InvalidEscalationInput", non_retryable=True)


def _validate(escalation: EscalationInput) -> None:
    if not escalation.escalation_id:
        raise _invalid("escalation_id is empty")
    name = f"escalation {escalation.escalation_id}"
    if not escalation.steps:
        raise _invalid(f"{name} has no steps")
    if escalation.repeat < 1:
        raise _invalid(f"{name}: repeat must be at least 1, not {escalation.repeat}")
    if not 0 <= escalation.first_step < len(escalation.steps):
        raise _invalid(f"{name}: first_step {escalation.first_step} is not one of its {len(escalation.steps)} steps")
    for number, step in enumerate(escalation.steps, start=1):
        if step.recipient_kind not in RECIPIENT_KINDS or not step.recipient:
            raise _invalid(f"{name}: step {number} has no valid recipient: {step.recipient_kind} {step.recipient!r}")
        if step.wait_seconds < 0:
            raise _invalid(f"{name}: step {number} has a negative wait")


# workflow.patched id: acknowledgements come from the store, a signal only wakes the workflow up.
ACK_FROM_STORE = "acknowledgement-from-store"


@workflow.defn(name="EscalationWorkflow")
class EscalationWorkflow:
    def __init__(self) -> None:
        self._status = RUNNING
        self._loop = 0
        self._step = 0  # 1-based
        self._notified: list[str] = []  # in order, without repeats
        self._ack: Acknowledgement | None = None
        self._steps_taken = 0
        # Escalations started before the store decided took the signal's word (their histories replay
        # so); the others take a signal as a wake-up to read the store.
        self._trust_signal: bool | None = None
        self._signalled: Acknowledgement | None = None

    @workflow.run
    async def run(self, escalation: EscalationInput) -> EscalationResult:
        _validate(escalation)
        self._trust_signal = not patched(ACK_FROM_STORE, by_input=escalation.revision >= 1)
        if self._trust_signal and self._signalled is not None and self._ack is None:
            self._ack = self._signalled  # signalled before the run began
        eid = escalation.escalation_id
        ack = await self._walk(escalation)
        # No await between the walk's end and the status change: no acknowledgement can slip in between.
        if ack is None:
            self._status = EXHAUSTED
            await call_activity(
                RECORD_EXHAUSTED,
                ExhaustedNotice(eid, escalation.repeat, list(self._notified)),
                retry_policy=ACTIVITY_RETRY,
            )
            return EscalationResult(EXHAUSTED, steps_taken=self._steps_taken)
        self._status = ACKNOWLEDGED
        await call_activity(RECORD_ACK, AckNotice(eid, ack, list(self._notified)), retry_policy=ACTIVITY_RETRY)
        return EscalationResult(ACKNOWLEDGED, ack.person_id, ack.at, steps_taken=self._steps_taken)

    async def _walk(self, escalation: EscalationInput) -> Acknowledgement | None:
        """The first acknowledgement, or None once every loop has run its steps unacknowledged."""
        for loop in range(1, escalation.repeat + 1):
            for index in range(escalation.first_step, len(escalation.steps)):
                if self._ack is None and self._signalled is not None and not self._trust_signal:
                    await self._read_store(escalation.escalation_id)
                if self._ack is not None:
                    return self._ack
                self._loop, self._step = loop, index + 1
                # An input with first_sent decides this in the history: its replays take the same path.
                sent = escalation.first_sent if (loop, index) == (1, escalation.first_step) else None
                if await self._notify(StepNotice(escalation.escalation_id, loop, index + 1), sent):
                    await self._await_ack(escalation.escalation_id, escalation.steps[index], loop, index + 1)
        return self._ack

    async def _notify(self, notice: StepNotice, sent: StepSent | None = None) -> bool:
        """Whether the step reached anyone (``sent``: the step was sent already, these are its notifications)."""
        self._steps_taken += 1
        try:
            if sent is None:
                sent = await call_activity(NOTIFY_STEP, notice, result_type=StepSent, retry_policy=ACTIVITY_RETRY)
        except ActivityError as failure:
            if is_cancelled_exception(failure):
                raise
            # Failed for good (the activity said so): the chain goes on rather than die on one step.
            workflow.logger.warning(
                "escalation %s: loop %d step %d failed, going on: %s",
                notice.escalation_id,
                notice.loop,
                notice.step,
                failure.cause or failure,
            )
            return False
        self._notified.extend(p for p in dict.fromkeys(sent.person_ids) if p not in self._notified)
        return bool(sent.person_ids)

    async def _await_ack(self, escalation_id: str, step: StepData, loop: int, number: int) -> None:
        """Wait the step's time for an acknowledgement; then ask the store, should the signal be lost."""
        if self._ack is None and step.wait_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._ack is not None or self._signalled is not None,
                    timeout=timedelta(seconds=step.wait_seconds),
                    timeout_summary=f"escalation: loop {loop} step {number}",
                )
        if self._ack is None:
            await self._read_store(escalation_id)

    async def _read_store(self, escalation_id: str) -> None:
        self._signalled = None
        stored = await call_activity(
            ACK_STATE, escalation_id, result_type=Acknowledgement | None, retry_policy=ACTIVITY_RETRY
        )
        if stored is not None:
            self._ack = stored  # the store's is the first acknowledgement, whatever a signal says meanwhile

    # -- signal and query -------------------------------------------------------------------------

    @workflow.signal(name=ACKNOWLEDGED_SIGNAL)
    def acknowledged(self, ack: Acknowledgement) -> None:
        """Sent by the Acknowledge RPC after recording it: a wake-up to read the store (the first stored
        acknowledgement wins; once settled, nothing changes)."""
        if self._ack is None and self._status == RUNNING:
            if self._trust_signal:
                self._ack = ack
            else:
                self._signalled = ack

    @workflow.query(name=STATE_QUERY)
    def state(self) -> EscalationState:
        return EscalationState(
            status=self._status,
            loop=self._loop,
            step=self._step,
            notified_person_ids=list(self._notified),
            acknowledged_by=self._ack.person_id if self._ack else None,
        )
