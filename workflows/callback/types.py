"""Plain data passed in and out of the callback workflow and its activities (JSON-able; times are
ISO 8601 UTC strings)."""

from __future__ import annotations

from dataclasses import dataclass

# The activities the workflow calls by name (the intake service implements them:
# services/intake/callback_activities.py; idempotent).
REMIND = "callback_remind"  # (CallbackNotice) -> None: remind the recipient (who must call back / read the message)
ESCALATE = "callback_escalate"  # (CallbackNotice) -> None: tell the duty leader the callback is overdue
RECORD_OVERDUE = "callback_record_overdue"  # (callback_id) -> bool: mark it overdue (+ event callback.overdue);
# False when it is no longer open (completed or cancelled meanwhile)
STATE = "callback_state"  # (callback_id) -> CallbackState: what the store says
# (CallbackNotice) -> None: at once, when taken: a message to its recipient (a person, or a directory
# entry through its contacts; returns once the notification is out), a notice with missing elements
# to the duty leader. A delivery that can never succeed fails non-retryably.
DELIVER = "callback_deliver"
# The kinds delivered when taken ("callback": the officer promised it, nobody needs telling).
DELIVERED_AT_ONCE = ("message", "notice")
# Sent by the RPC that closed the callback (a wake-up: the workflow re-reads the truth), and the query.
COMPLETED_SIGNAL = "completed"
STATE_QUERY = "state"

# The defaults (seconds). An urgent callback is due this soon unless told otherwise (the caller sets due_at).
URGENT_DUE_SECONDS = 5 * 60
URGENT_REMIND_BEFORE_SECONDS = 60
REMIND_BEFORE_SECONDS = 10 * 60
URGENT_ESCALATE_EVERY_SECONDS = 5 * 60
ESCALATE_EVERY_SECONDS = 30 * 60


def callback_workflow_id(callback_id: str) -> str:
    """The id of the CallbackWorkflow of one callback (one workflow per callback)."""
    return f"callback-{callback_id}"


@dataclass
class CallbackInput:
    callback_id: str
    site_id: str
    recipient_id: str  # who must call back / read the message
    due_at: str  # ISO 8601, UTC
    urgent: bool = False
    # Remind this long before due_at; 0: 1 minute if urgent, else 10 minutes. Never before the workflow starts.
    remind_before_seconds: int = 0
    # While overdue and open, escalate again this often; 0: every 5 minutes if urgent, else every 30 minutes.
    repeat_escalation_every_seconds: int = 0
    # Escalations in all (at least 1); one interval after the last, a still open callback is abandoned.
    max_escalations: int = 3
    # "message" | "callback" | "notice"; "" (started before kinds were passed): never delivered at once.
    kind: str = ""


@dataclass
class CallbackNotice:
    callback_id: str
    site_id: str
    # "delivery" (when taken) | "reminder" | "overdue" | "undeliverable" (the duty leader is told the
    # delivery cannot succeed)
    kind: str
    recipient_id: str
    detail: str = ""


@dataclass
class CallbackState:
    status: str  # "open" | "completed" | "cancelled", as recorded by the store
    completed_at: str | None = None  # ISO 8601, UTC; when it was completed


@dataclass
class CallbackOutcome:
    callback_id: str
    # "completed" (by due_at) | "overdue_completed" (after due_at) | "cancelled"
    # | "abandoned" (escalations exhausted, still open)
    status: str
    reminded: bool
    escalations: int
