"""Plain data passed in and out of the case workflow and its activities (JSON-able; times are ISO 8601
UTC strings)."""

from __future__ import annotations

from dataclasses import dataclass

# The activities the workflow calls by name (the intake service implements them:
# services/intake/cases/activities.py; idempotent).
STATE = "case_state"  # (case_id) -> CaseState: what the store says
REMIND = "case_remind"  # (CaseNotice) -> None: supervision (督办) reminder to the owner before the deadline
RECORD_OVERDUE = "case_record_overdue"  # (CaseNotice) -> bool: mark the round's deadline missed (+ case.overdue);
# False when the case has moved on (a new deadline, or the caller told)
ESCALATE = "case_escalate"  # (CaseNotice) -> None: tell the duty leader the case is overdue
# Sent by every RPC that changed the case, after committing (a wake-up: the workflow re-reads the truth).
CHANGED_SIGNAL = "changed"
STATE_QUERY = "state"

# While overdue and not handled, escalate again this often (seconds), up to MAX_ESCALATIONS a round.
ESCALATE_EVERY_SECONDS = 4 * 3600
URGENT_ESCALATE_EVERY_SECONDS = 30 * 60
MAX_ESCALATIONS = 3
# A closed case may be reopened (a caller dissatisfied later) this long after closing; its workflow
# waits that long, then ends. Later, a new case is opened instead.
REOPEN_WINDOW_SECONDS = 30 * 24 * 3600


# The statuses in which the handling deadline is met: the caller has been told (反馈); an answer alone
# is not enough.
DEADLINE_MET = frozenset({"feedback_given", "closed"})


def case_workflow_id(case_id: str) -> str:
    """The id of the CaseWorkflow of one case (one workflow per case)."""
    return f"case-{case_id}"


@dataclass
class CaseInput:
    case_id: str
    site_id: str


@dataclass
class CaseState:
    # "accepted" | "assigned" | "in_progress" | "answered" | "feedback_given" | "closed"
    status: str
    due_at: str  # ISO 8601, UTC: the deadline in force
    remind_at: str  # ISO 8601, UTC
    # Counts the deadlines set (opening, reassignment, reopening); a new one restarts supervision.
    deadline_round: int
    urgent: bool = False
    closed_at: str = ""  # ISO 8601, UTC, once closed


@dataclass
class CaseNotice:
    case_id: str
    site_id: str
    deadline_round: int
    kind: str  # "reminder" | "overdue"
    detail: str = ""
    escalation: int = 0  # which escalation of the round (1 to MAX_ESCALATIONS); 0 for the others


@dataclass
class CaseOutcome:
    case_id: str
    # Deadline rounds in all, and how many of them were missed.
    rounds: int
    overdue_rounds: int
    escalations: int
