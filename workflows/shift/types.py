"""Plain data passed in and out of the shift workflow and its activities (JSON-able; times are
ISO 8601 UTC strings)."""

from __future__ import annotations

from dataclasses import dataclass

# The activities the workflow calls by name (the roster service implements them:
# services/roster/shift_activities.py; idempotent).
REMIND = "shift_remind"
CHECK_IN_STATE = "shift_check_in_state"
ALERT_LEADER = "shift_alert_leader"
RECORD_ABSENCE = "shift_record_absence"
HANDOVER_OVERDUE = "shift_handover_overdue"
HANDOVER_MISSED = "shift_handover_missed"
INSPECTION_MISSED = "shift_inspection_missed"  # -> bool: recorded (no inspection in the shift)
FLAG_UNIT_HEAD = "shift_flag_unit_head"
# Signals the roster service sends (wake-ups: the workflow re-reads the truth) and the query.
CHECK_IN_RECORDED_SIGNAL = "check_in_recorded"
HANDOVER_SUBMITTED_SIGNAL = "handover_submitted"  # (HandoverRef)
HANDOVER_ACCEPTED_SIGNAL = "handover_accepted"  # (HandoverRef)
STATE_QUERY = "state"


def shift_workflow_id(assignment_id: str) -> str:
    """The id of the ShiftWorkflow of one duty assignment (one workflow per assignment)."""
    return f"shift-{assignment_id}"


@dataclass
class ShiftInput:
    assignment_id: str
    site_id: str
    starts_at: str  # ISO 8601, UTC
    ends_at: str  # ISO 8601, UTC
    reminder_minutes: int = 60  # remind this long before the start
    check_in_lead_minutes: int = 15  # expected to check in (签到) this long before the start
    absent_after_minutes: int = 30  # absent (缺岗) if not checked in this long after the start
    handover_accept_minutes: int = 30  # a submitted handover (交接班) must be accepted within this
    handover_wait_hours: int = 6  # stop waiting for a handover this long after the end
    # The overlap (交接班重叠): the handover must be submitted within this long after the end, else it
    # is missed (未交接班).
    handover_submit_minutes: int = 30
    # False for an assignment published after its expected arrival (the demo seed, a corrective
    # publication): nobody could have been reminded, so nobody is held to the check-in.
    supervise_check_in: bool = True
    # "officer" | "leader" ("" when started before it was passed): a duty leader's shift must have seen
    # an inspection (查岗) at the site by its end.
    role: str = ""


@dataclass
class ShiftNotice:
    assignment_id: str
    site_id: str
    # "reminder" | "not_checked_in" | "late" | "absent" | "handover_overdue" | "handover_missed" (to the
    # leader) | "handover_missed_incoming" (to the incoming officer) | "inspection_missed" (to the unit head)
    kind: str
    detail: str = ""


@dataclass
class CheckInState:
    status: str  # "pending" | "on_time" | "late", as recorded by the CheckIn RPC
    checked_in_at: str | None = None
    late_seconds: float = 0.0


@dataclass
class HandoverRef:
    handover_id: str


@dataclass
class MissedHandover:
    """What shift_handover_missed found: ``handed_over`` if a handover was submitted after all (its
    signal not delivered yet); else the incoming assignment, if anyone was rostered to take over."""

    handed_over: bool
    incoming_assignment_id: str = ""


@dataclass
class ShiftOutcome:
    assignment_id: str
    check_in: str  # "on_time" | "late" | "absent" | "unsupervised"
    handover: str  # "accepted" | "overdue" | "missed" | "none"
