"""The deadlines of one hotline case (工单): CaseWorkflow, workflow id f"case-{case_id}".

The case's store holds the truth: its status and the deadline in force, set by the RPCs from the case
policy and the site's working-day calendar (at opening, at an acknowledged reassignment, at a
reopening; each a new deadline round). The workflow reads it through case_state, and after every
change the RPC signals it awake. For each round: a supervision reminder (督办) to the owner at the
reminder time; at the deadline, if the caller has not been told yet, the case is recorded overdue and
the duty leader told, again every interval up to MAX_ESCALATIONS. Once the caller is told the workflow
waits (a return visit may reopen the case); once closed it waits out the reopening window, then ends.

Deterministic: no I/O, time from workflow.now(); the activities are called by name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.case.types import (
        CHANGED_SIGNAL,
        DEADLINE_MET,
        ESCALATE,
        ESCALATE_EVERY_SECONDS,
        MAX_ESCALATIONS,
        RECORD_OVERDUE,
        REMIND,
        REOPEN_WINDOW_SECONDS,
        STATE,
        STATE_QUERY,
        URGENT_ESCALATE_EVERY_SECONDS,
        CaseInput,
        CaseNotice,
        CaseOutcome,
        CaseState,
    )
    from workflows.common import call_activity, iso_z, parse_utc, wait_until

CLOSED = "closed"


def _utc(value: str, field: str) -> datetime:
    parsed = parse_utc(value)
    if parsed is None:
        # Non-retryable: the store would give the same on every attempt.
        raise ApplicationError(f"case state: {field} is not an ISO 8601 time: {value!r}", non_retryable=True)
    return parsed


@workflow.defn(name="CaseWorkflow")
class CaseWorkflow:
    def __init__(self) -> None:
        self._changed = False
        # "starting" | "before_reminder" | "before_due" | "overdue" | "met" | "closed" | "done"
        self._phase = "starting"
        self._round = 0
        self._rounds = 0
        self._reminded = False
        self._escalations = 0  # in this round
        self._next_escalation: datetime | None = None
        self._all_escalations = 0
        self._overdue_rounds = 0

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        if not case.case_id:
            raise ApplicationError("case_id is empty", type="InvalidCaseInput", non_retryable=True)
        while True:
            state: CaseState = await call_activity(STATE, case.case_id, result_type=CaseState)
            if state.status == CLOSED:
                closed_at = parse_utc(state.closed_at) or workflow.now()
                self._phase = "closed"
                # Reopened within the window: supervised again; else done.
                if not await self._wait(closed_at + timedelta(seconds=REOPEN_WINDOW_SECONDS), "case: reopened"):
                    break
                continue
            if state.deadline_round != self._round:
                # A new deadline (opened, reassigned, reopened): supervision starts over.
                self._round, self._reminded, self._escalations, self._next_escalation = (
                    state.deadline_round,
                    False,
                    0,
                    None,
                )
                self._rounds += 1
            await self._supervise(case, state)
        self._phase = "done"
        return CaseOutcome(case.case_id, self._rounds, self._overdue_rounds, self._all_escalations)

    async def _supervise(self, case: CaseInput, state: CaseState) -> None:
        """One step for the state read; returns when it is time to read the state again."""
        if state.status in DEADLINE_MET:
            self._phase = "met"
            await self._wait(None, "case: reopened or closed")
            return
        due_at, remind_at = _utc(state.due_at, "due_at"), _utc(state.remind_at, "remind_at")
        now = workflow.now()
        if now < due_at:
            if not self._reminded and now < remind_at:
                self._phase = "before_reminder"
                await self._wait(remind_at, "case: supervision reminder")
                return
            if not self._reminded:
                await self._tell(REMIND, self._notice(case, "reminder", f"due {iso_z(due_at)}"))
                self._reminded = True
            self._phase = "before_due"
            await self._wait(due_at, "case: deadline")
            return
        self._phase = "overdue"
        if self._escalations == 0 and self._next_escalation is None:
            if not await call_activity(RECORD_OVERDUE, self._notice(case, "overdue"), result_type=bool):
                return  # moved on meanwhile (told, or a new deadline): read it
            self._overdue_rounds += 1
            self._next_escalation = now
        if self._escalations >= MAX_ESCALATIONS:
            await self._wait(None, "case: handled or reopened")
            return
        assert self._next_escalation is not None
        if now < self._next_escalation:
            await self._wait(self._next_escalation, "case: escalation")
            return
        self._escalations += 1
        self._all_escalations += 1
        detail = f"due {iso_z(due_at)}; escalation {self._escalations} of {MAX_ESCALATIONS}"
        await self._tell(ESCALATE, self._notice(case, "overdue", detail, self._escalations))
        every = URGENT_ESCALATE_EVERY_SECONDS if state.urgent else ESCALATE_EVERY_SECONDS
        self._next_escalation = workflow.now() + timedelta(seconds=every)

    @staticmethod
    async def _tell(activity: str, notice: CaseNotice) -> None:
        """A notice refused for good (no such person any more, say) is logged, not retried: the case's
        supervision goes on (an overdue case stays recorded overdue)."""
        try:
            await call_activity(activity, notice)
        except ActivityError as exc:
            workflow.logger.warning("case %s: %s failed for good: %s", notice.case_id, activity, exc.cause or exc)

    def _notice(self, case: CaseInput, kind: str, detail: str = "", escalation: int = 0) -> CaseNotice:
        return CaseNotice(case.case_id, case.site_id, self._round, kind, detail, escalation)

    async def _wait(self, until: datetime | None, summary: str) -> bool:
        """Until ``until`` (None: no time limit) or a change is signalled; whether one was."""
        if until is None:
            await workflow.wait_condition(lambda: self._changed)
        else:
            await wait_until(lambda: self._changed, until, summary)
        changed, self._changed = self._changed, False
        # Cleared before the next read, so a signal arriving during it triggers another one.
        return changed

    @workflow.signal(name=CHANGED_SIGNAL)
    def changed(self) -> None:
        """Sent by the RPC that changed the case, after committing: a wake-up, not the truth."""
        self._changed = True

    @workflow.query(name=STATE_QUERY)
    def state(self) -> dict[str, str]:
        return {
            "phase": self._phase,
            "round": str(self._round),
            "reminded": "true" if self._reminded else "false",
            "escalations": str(self._escalations),
        }
