"""Plain data passed in and out of the plan activation workflow and its activities (JSON-able; times
are ISO 8601 UTC strings)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The activities the workflow calls by name (the incident worker implements them:
# services/incident/plan_activities.py; idempotent).
NOTIFY_CONTACTS = "plan_notify_contacts"  # (activation_id) -> None: tell the plan's contacts, on the timeline
TASK_NOTICE = "plan_task_notice"  # (TaskNotice) -> None: a reminder, an overdue notice or the escalation
STATE = "plan_state"  # (activation_id) -> PlanState: what the store says
END = "plan_end"  # (PlanEnd) -> None: the activation over, on the timeline and the stream
# Sent by CompleteTask once the task is recorded done (a wake-up: the workflow re-reads the truth).
TASK_CHANGED_SIGNAL = "task_changed"

# A task's owner is reminded this long before it is due, told when it is overdue, and this long after
# that the duty leader is escalated to (through notify's escalation chain).
REMIND_BEFORE_SECONDS = 10 * 60
ESCALATE_AFTER_SECONDS = 15 * 60
# With no notice pending, how often the workflow looks whether the incident has closed.
POLL_SECONDS = 30 * 60

REMINDER, OVERDUE, ESCALATION = "reminder", "overdue", "escalation"


def plan_workflow_id(activation_id: str) -> str:
    """The id of the PlanActivationWorkflow of one activation (one workflow per activation)."""
    return f"plan-{activation_id}"


@dataclass
class TaskTimes:
    key: str
    due_at: str


@dataclass
class PlanActivationInput:
    activation_id: str
    incident_id: str
    site_id: str
    activated_at: str
    tasks: list[TaskTimes] = field(default_factory=list)
    remind_before_seconds: int = REMIND_BEFORE_SECONDS
    escalate_after_seconds: int = ESCALATE_AFTER_SECONDS


@dataclass
class TaskNotice:
    activation_id: str
    task_key: str
    kind: str  # REMINDER | OVERDUE | ESCALATION


@dataclass
class PlanState:
    incident_closed: bool
    open_tasks: list[str]


@dataclass
class PlanEnd:
    activation_id: str
    status: str  # "completed" (every task done) | "ended" (the incident closed first)


@dataclass
class PlanOutcome:
    activation_id: str
    status: str
    notices: list[str] = field(default_factory=list)  # "<task key>:<kind>", in the order sent
