"""Plain data passed in and out of the instruction workflow and its activities (JSON-able; times are
ISO 8601 UTC strings)."""

from __future__ import annotations

from dataclasses import dataclass

# The activities the workflow calls by name (the incident service implements them:
# services/incident/instruction_activities.py; idempotent).
STATE = "instruction_state"  # (instruction_id) -> InstructionState: what the store says
REMIND = "instruction_remind"  # (InstructionNotice) -> None: remind the assignee before the deadline
# (instruction_id) -> bool: mark it overdue (+ incident.instruction_overdue, a timeline entry); False
# when it is no longer open (completed meanwhile)
RECORD_OVERDUE = "instruction_record_overdue"
# (InstructionNotice) -> None: tell the duty leader (up the chain until acknowledged) and the person
# who instructed that it is overdue
ESCALATE = "instruction_escalate"
# Sent by CompleteInstruction after committing (a wake-up: the workflow re-reads the truth), and the query.
COMPLETED_SIGNAL = "completed"
STATE_QUERY = "state"

# The reminder comes this long before the deadline (seconds), or halfway there for a shorter one.
REMIND_BEFORE_SECONDS = 30 * 60
# While overdue and open, escalate again this often, up to MAX_ESCALATIONS; then wait for completion.
ESCALATE_EVERY_SECONDS = 60 * 60
MAX_ESCALATIONS = 3


def instruction_workflow_id(instruction_id: str) -> str:
    """The id of the InstructionWorkflow of one instruction (one workflow per instruction)."""
    return f"instruction-{instruction_id}"


@dataclass
class InstructionInput:
    instruction_id: str
    site_id: str


@dataclass
class InstructionState:
    status: str  # "open" | "completed", as recorded by the store
    due_at: str  # ISO 8601, UTC
    completed_at: str = ""  # ISO 8601, UTC, once completed


@dataclass
class InstructionNotice:
    instruction_id: str
    site_id: str
    kind: str  # "reminder" | "overdue"
    detail: str = ""
    escalation: int = 0  # which escalation (1 to MAX_ESCALATIONS); 0 for the reminder


@dataclass
class InstructionOutcome:
    instruction_id: str
    # "completed" (by the deadline) | "overdue_completed" (after it)
    status: str
    reminded: bool
    escalations: int
