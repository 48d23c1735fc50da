"""Presence on duty (在岗): a presence check (在岗抽查) and the alert about an early leave (早退).

PresenceCheckWorkflow: send the check to the person, wait until the deadline (or until the
ConfirmPresence RPC wakes it), then settle it through the store, which also counts an
acknowledgement of the check's message by the deadline; unanswered, the duty leader is alerted
through an escalation that climbs the site's chain. A check that could not be sent (notify refused
it for good) is still settled at its deadline: nobody reached is nobody confirming.

EarlyLeaveWorkflow: the CheckOut RPC recorded the early leave and its violation; this alerts the
duty leader, with the retries of an activity, after the commit.

Deterministic: no I/O, time from workflow.now(); activities are called by name.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from workflows.common import call_activity, iso_z, parse_utc, wait_until
    from workflows.presence.types import (
        CONFIRMED_SIGNAL,
        PENDING,
        SEND_CHECK,
        SETTLE_CHECK,
        UNANSWERED,
        PresenceCheckInput,
        SettleRequest,
    )
    from workflows.shift.types import ALERT_LEADER, ShiftNotice


@workflow.defn(name="PresenceCheckWorkflow")
class PresenceCheckWorkflow:
    def __init__(self) -> None:
        self._confirmed_hint = False

    @workflow.run
    async def run(self, check: PresenceCheckInput) -> str:
        due_at = parse_utc(check.due_at)
        if due_at is None:
            raise ApplicationError(
                f"due_at is not an ISO 8601 time: {check.due_at!r}", type="InvalidPresenceCheck", non_retryable=True
            )
        try:
            await call_activity(SEND_CHECK, check.check_id)
        except ActivityError as failure:
            if is_cancelled_exception(failure):
                raise
            workflow.logger.warning("presence check %s not sent: %s", check.check_id, failure.cause)
        while True:
            await wait_until(lambda: self._confirmed_hint, due_at, "presence: confirmed")
            # Cleared before the read, so a signal arriving during it triggers another read.
            self._confirmed_hint = False
            final = workflow.now() >= due_at
            outcome: str = await call_activity(SETTLE_CHECK, SettleRequest(check.check_id, final), result_type=str)
            if outcome != PENDING:
                break
        if outcome == UNANSWERED:
            notice = ShiftNotice(
                assignment_id=check.assignment_id,
                site_id=check.site_id,
                kind="presence_unanswered",
                detail=f"presence check {check.check_id} not confirmed by {iso_z(due_at)}",
            )
            await call_activity(ALERT_LEADER, notice)
        return outcome

    @workflow.signal(name=CONFIRMED_SIGNAL)
    def confirmed(self) -> None:
        self._confirmed_hint = True


@workflow.defn(name="EarlyLeaveWorkflow")
class EarlyLeaveWorkflow:
    @workflow.run
    async def run(self, notice: ShiftNotice) -> None:
        await call_activity(ALERT_LEADER, notice)
