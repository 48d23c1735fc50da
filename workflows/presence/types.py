"""Plain data passed in and out of the presence workflows and their activities (JSON-able; times
are ISO 8601 UTC strings). The duty leader is alerted through the shift workflow's activity
(workflows.shift.types.ALERT_LEADER) with a ShiftNotice of kind "early_leave" or "presence_unanswered"."""

from __future__ import annotations

from dataclasses import dataclass

# The activities the presence check calls by name (services/roster/presence_activities.py; idempotent).
SEND_CHECK = "presence_send_check"
SETTLE_CHECK = "presence_settle_check"
# The ConfirmPresence RPC wakes the check (which re-reads the truth through SETTLE_CHECK).
CONFIRMED_SIGNAL = "presence_confirmed"
# What SETTLE_CHECK answers: still "pending" only before the deadline.
CONFIRMED = "confirmed"
UNANSWERED = "unanswered"
PENDING = "pending"


def presence_check_workflow_id(check_id: str) -> str:
    return f"presence-{check_id}"


def early_leave_workflow_id(assignment_id: str) -> str:
    return f"early-leave-{assignment_id}"


@dataclass
class SettleRequest:
    check_id: str
    # At the deadline: settle it whatever the store's clock says (confirmed or unanswered, never pending).
    final: bool


@dataclass
class PresenceCheckInput:
    check_id: str
    assignment_id: str
    site_id: str
    due_at: str  # ISO 8601, UTC
