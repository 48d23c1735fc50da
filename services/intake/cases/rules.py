"""Pure rules of a case (工单): its categories and statuses, which action is allowed in which status
and where it leads, the built-in handling times. No I/O."""

from __future__ import annotations

from dutyline.grpckit.errors import FailedPrecondition
from dutyline.intake.v1 import case_pb2
from services.intake.cases.calendar import Handling

CATEGORIES = {
    case_pb2.CASE_CATEGORY_CONSULTATION: "consultation",
    case_pb2.CASE_CATEGORY_COMPLAINT: "complaint",
    case_pb2.CASE_CATEGORY_REQUEST: "request",
}
CATEGORY_VALUES = {name: value for value, name in CATEGORIES.items()}

ACCEPTED, ASSIGNED, IN_PROGRESS, ANSWERED, FEEDBACK_GIVEN, CLOSED = (
    "accepted",
    "assigned",
    "in_progress",
    "answered",
    "feedback_given",
    "closed",
)
STATUSES = {
    case_pb2.CASE_STATUS_ACCEPTED: ACCEPTED,
    case_pb2.CASE_STATUS_ASSIGNED: ASSIGNED,
    case_pb2.CASE_STATUS_IN_PROGRESS: IN_PROGRESS,
    case_pb2.CASE_STATUS_ANSWERED: ANSWERED,
    case_pb2.CASE_STATUS_FEEDBACK_GIVEN: FEEDBACK_GIVEN,
    case_pb2.CASE_STATUS_CLOSED: CLOSED,
}
STATUS_VALUES = {name: value for value, name in STATUSES.items()}

VISIT_RESULTS = {
    case_pb2.RETURN_VISIT_RESULT_SATISFIED: "satisfied",
    case_pb2.RETURN_VISIT_RESULT_DISSATISFIED: "dissatisfied",
    case_pb2.RETURN_VISIT_RESULT_UNREACHABLE: "unreachable",
}
VISIT_VALUES = {name: value for value, name in VISIT_RESULTS.items()}

# Shipped defaults (咨询 1 working day, 投诉 5, 诉求 3; urgent 2 h around the clock), used where no
# policy version was stored for the site or as the default.
BUILT_IN = {
    "consultation": Handling(working_days=1, urgent_hours=2, remind_before_minutes=120),
    "complaint": Handling(working_days=5, urgent_hours=2, remind_before_minutes=240),
    "request": Handling(working_days=3, urgent_hours=2, remind_before_minutes=240),
}

# action → the statuses it is allowed in → the status it leads to (None: unchanged).
_TRANSITIONS: dict[str, dict[str, str | None]] = {
    # A reassignment waits for the receiver's acknowledgement (签收); until then it is not theirs.
    "assign": {ACCEPTED: ASSIGNED, ASSIGNED: ASSIGNED, IN_PROGRESS: ASSIGNED},
    "acknowledge": {ASSIGNED: IN_PROGRESS},
    "note": {s: None for s in (ACCEPTED, ASSIGNED, IN_PROGRESS, ANSWERED, FEEDBACK_GIVEN)},
    "answer": {IN_PROGRESS: ANSWERED},
    "feedback": {ANSWERED: FEEDBACK_GIVEN},
    "visit_satisfied": {FEEDBACK_GIVEN: None},
    "visit_unreachable": {FEEDBACK_GIVEN: None},
    "visit_dissatisfied": {FEEDBACK_GIVEN: IN_PROGRESS},
    "reopen": {FEEDBACK_GIVEN: IN_PROGRESS, CLOSED: IN_PROGRESS},
    "close": {FEEDBACK_GIVEN: CLOSED},
}

_WHY = {
    ("close", ANSWERED): "答复尚未反馈来电人，不能办结 the caller has not been told the answer: feedback first",
    ("answer", ASSIGNED): "工单尚未签收 the owner has not acknowledged the case yet",
    ("acknowledge", ACCEPTED): "工单尚未派单 the case is not assigned to anyone yet",
}


def next_status(status: str, action: str) -> str:
    """The status after ``action`` in ``status``; FAILED_PRECONDITION when the action is not allowed."""
    allowed = _TRANSITIONS[action]
    if status not in allowed:
        why = _WHY.get(
            (action, status), f"工单状态为 {status}，不允许此操作 a case in status {status} does not allow {action}"
        )
        raise FailedPrecondition(why)
    return allowed[status] or status
