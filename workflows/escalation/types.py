"""Plain data passed in and out of the escalation workflow and its activities (JSON-able; times are
ISO 8601 UTC strings)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The activities the workflow calls by name (implemented by notify, services/notify/people/escalation_activities.py,
# and run by notify's worker on task queue dutyline-notify; idempotent, keyed by escalation id + loop + step).
# Recorded histories name them: never rename one.
NOTIFY_STEP = "escalation_notify_step"  # (StepNotice) -> StepSent: notify the step's recipient(s)
ACK_STATE = "escalation_ack_state"  # (escalation_id) -> Acknowledgement | None: the first recorded one, if any
# (AckNotice) -> None: record who acknowledged when (+ event), tell the others notified that it is taken care of
RECORD_ACK = "escalation_record_ack"
RECORD_EXHAUSTED = "escalation_record_exhausted"  # (ExhaustedNotice) -> None: record that nobody acknowledged

# Sent by notify's Acknowledge RPC once the acknowledgement is recorded: (Acknowledgement).
ACKNOWLEDGED_SIGNAL = "acknowledged"
# What the walk has reached: () -> EscalationState.
STATE_QUERY = "state"

RECIPIENT_KINDS = ("person", "role", "superior")


def escalation_workflow_id(escalation_id: str) -> str:
    """The id of the EscalationWorkflow of one escalation (one workflow per escalation)."""
    return f"escalation-{escalation_id}"


@dataclass
class StepData:
    recipient_kind: str  # "person" | "role" | "superior"; "directory" only in a Send, never in a chain
    # person id | "<site_id>:<role>" (role: officer|leader|unit_head|supervisor|admin) | site id (its superior)
    recipient: str
    channel: str  # "" = the person's preferences
    wait_seconds: int  # wait this long for an acknowledgement before the next step


@dataclass
class EscalationInput:
    escalation_id: str
    site_id: str
    steps: list[StepData]
    repeat: int  # the whole chain is walked this many times (at least 1)
    first_step: int  # 0-based; every loop starts here
    drill: bool = False  # an exercise (演练): carried for the activities, walked like a real one
    # The first loop's first step, sent by the Escalate RPC before it started the workflow (the leader
    # told at once): not sent again. None when it was not (then the walk sends it, as it always did).
    first_sent: StepSent | None = None
    # The process revision its starter chose (below); 0: an input from before revisions, whose
    # process asks workflow.patched as it always did.
    revision: int = 0


# Revision 1: ACK_FROM_STORE applies (workflows/escalation/workflow.py), decided by the input instead
# of a marker and a TemporalChangeVersion upsert per process (workflows.common.patched).
ESCALATION_REVISION = 1


@dataclass
class StepNotice:
    escalation_id: str
    loop: int  # 1-based
    step: int  # 1-based; indexes EscalationInput.steps


@dataclass
class StepSent:
    person_ids: list[str]  # empty when the step resolved to nobody (e.g. no unit head on the roster)
    notification_ids: list[str]


@dataclass
class Acknowledgement:
    person_id: str
    notification_id: str
    at: str  # ISO 8601 UTC


@dataclass
class AckNotice:
    escalation_id: str
    acknowledgement: Acknowledgement
    # Everyone notified so far, in order, without repeats, the acknowledger included (the activity skips him).
    notified_person_ids: list[str]


@dataclass
class ExhaustedNotice:
    escalation_id: str
    loops: int
    notified_person_ids: list[str]  # everyone notified, in order, without repeats


@dataclass
class EscalationResult:
    status: str  # "acknowledged" | "exhausted"
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    steps_taken: int = 0  # NOTIFY_STEP runs, whether or not they reached anyone


@dataclass
class EscalationState:
    """What the state query answers."""

    status: str  # "running" | "acknowledged" | "exhausted"
    loop: int = 0  # 1-based; 0 before the first step
    step: int = 0  # 1-based, the step notified last (or being notified); 0 before the first
    notified_person_ids: list[str] = field(default_factory=list)
    acknowledged_by: str | None = None
