"""The follow-through of one leader's instruction (领导批示/指令落实): InstructionWorkflow, workflow id
f"instruction-{instruction_id}".

The store holds the truth (open or completed, the deadline); the workflow reads it through
instruction_state, and CompleteInstruction signals it awake after committing. Before the deadline the
assignee is reminded (REMIND_BEFORE_SECONDS ahead, or halfway for a shorter deadline); once it has
passed with the instruction still open, the instruction is recorded overdue and the duty leader and
the person who instructed are told, again every interval up to MAX_ESCALATIONS; after that the
workflow waits for the completion. Completion ends it, whenever it comes.

Deterministic: no I/O, time from workflow.now(); the activities are called by name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.common import call_activity, iso_z, parse_utc, wait_until
    from workflows.instruction.types import (
        COMPLETED_SIGNAL,
        ESCALATE,
        ESCALATE_EVERY_SECONDS,
        MAX_ESCALATIONS,
        RECORD_OVERDUE,
        REMIND,
        REMIND_BEFORE_SECONDS,
        STATE,
        STATE_QUERY,
        InstructionInput,
        InstructionNotice,
        InstructionOutcome,
        InstructionState,
    )

COMPLETED = "completed"


def remind_at(due_at: datetime, started_at: datetime) -> datetime | None:
    """When the assignee is reminded: REMIND_BEFORE_SECONDS before the deadline, or halfway to a
    shorter one; None when the deadline has passed already (overdue at once, no reminder)."""
    if due_at <= started_at:
        return None
    return due_at - min(timedelta(seconds=REMIND_BEFORE_SECONDS), (due_at - started_at) / 2)


@workflow.defn(name="InstructionWorkflow")
class InstructionWorkflow:
    def __init__(self) -> None:
        self._completed_hint = False
        self._phase = "before_reminder"  # "before_reminder" | "before_due" | "overdue" | "done"
        self._reminded = False
        self._escalations = 0

    @workflow.run
    async def run(self, instruction: InstructionInput) -> InstructionOutcome:
        if not instruction.instruction_id:
            raise ApplicationError("instruction_id is empty", type="InvalidInstructionInput", non_retryable=True)
        status = await self._follow(instruction)
        self._phase = "done"
        return InstructionOutcome(instruction.instruction_id, status, self._reminded, self._escalations)

    async def _follow(self, instruction: InstructionInput) -> str:
        state = await self._read(instruction.instruction_id)
        if state.status == COMPLETED:
            return self._settled(state)
        due_at = parse_utc(state.due_at)
        if due_at is None:
            # The store would give the same on every attempt.
            raise ApplicationError(f"instruction state: due_at {state.due_at!r} is not a time", non_retryable=True)
        due = iso_z(due_at)
        # 1) The reminder to the assignee.
        reminder = remind_at(due_at, workflow.now())
        if reminder is not None:
            state = await self._state_by(instruction.instruction_id, reminder, "instruction: reminder")
            if state.status == COMPLETED:
                return self._settled(state)
            if workflow.now() < due_at:
                await self._tell(REMIND, self._notice(instruction, "reminder", f"due {due}"))
                self._reminded = True
        # 2) The deadline.
        self._phase = "before_due"
        state = await self._state_by(instruction.instruction_id, due_at, "instruction: due")
        if state.status == COMPLETED:
            return self._settled(state)
        if not await call_activity(RECORD_OVERDUE, instruction.instruction_id, result_type=bool):
            return self._settled(await self._read(instruction.instruction_id))
        self._phase = "overdue"
        # 3) Escalate now and every interval while open; then wait for the completion.
        while self._escalations < MAX_ESCALATIONS:
            self._escalations += 1
            detail = f"due {due}; escalation {self._escalations} of {MAX_ESCALATIONS}"
            await self._tell(ESCALATE, self._notice(instruction, "overdue", detail, self._escalations))
            next_at = workflow.now() + timedelta(seconds=ESCALATE_EVERY_SECONDS)
            state = await self._state_by(instruction.instruction_id, next_at, "instruction: escalation")
            if state.status == COMPLETED:
                return self._settled(state)
        while True:
            await workflow.wait_condition(lambda: self._completed_hint)
            self._completed_hint = False
            state = await self._read(instruction.instruction_id)
            if state.status == COMPLETED:
                return self._settled(state)

    def _settled(self, state: InstructionState) -> str:
        completed_at, due_at = parse_utc(state.completed_at), parse_utc(state.due_at)
        if completed_at is None or due_at is None:
            # Without readable times: late once this workflow has recorded it overdue.
            return "overdue_completed" if self._phase == "overdue" else "completed"
        return "overdue_completed" if completed_at > due_at else "completed"

    @staticmethod
    async def _tell(activity: str, notice: InstructionNotice) -> None:
        """A notice refused for good (no such person any more, say) is logged, not retried: the
        instruction stays followed (recorded overdue, escalated again at the next interval)."""
        try:
            await call_activity(activity, notice)
        except ActivityError as exc:
            workflow.logger.warning(
                "instruction %s: %s failed for good: %s", notice.instruction_id, activity, exc.cause or exc
            )

    @staticmethod
    def _notice(instruction: InstructionInput, kind: str, detail: str, escalation: int = 0) -> InstructionNotice:
        return InstructionNotice(instruction.instruction_id, instruction.site_id, kind, detail, escalation)

    async def _state_by(self, instruction_id: str, until: datetime, summary: str) -> InstructionState:
        """The recorded state at ``until``, or earlier once a completed signal shows it completed."""
        while True:
            await wait_until(lambda: self._completed_hint, until, summary)
            # Cleared before the read, so a signal arriving during it triggers another read.
            self._completed_hint = False
            state = await self._read(instruction_id)
            if state.status == COMPLETED or workflow.now() >= until:
                return state

    @staticmethod
    async def _read(instruction_id: str) -> InstructionState:
        state: InstructionState = await call_activity(STATE, instruction_id, result_type=InstructionState)
        return state

    @workflow.signal(name=COMPLETED_SIGNAL)
    def completed(self) -> None:
        """Sent by CompleteInstruction after recording it: a wake-up, not the truth."""
        self._completed_hint = True

    @workflow.query(name=STATE_QUERY)
    def state(self) -> dict[str, str]:
        return {
            "phase": self._phase,
            "reminded": "true" if self._reminded else "false",
            "escalations": str(self._escalations),
        }
