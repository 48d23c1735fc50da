import datetime

from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.incident.v1 import incident_pb2 as _incident_pb2
from dutyline.incident.v1 import inbox_pb2 as _inbox_pb2
from dutyline.incident.v1 import instructions_pb2 as _instructions_pb2
from dutyline.incident.v1 import oversight_pb2 as _oversight_pb2
from dutyline.incident.v1 import plans_pb2 as _plans_pb2
from dutyline.intake.v1 import intake_pb2 as _intake_pb2
from dutyline.intake.v1 import telephony_pb2 as _telephony_pb2
from dutyline.intake.v1 import case_pb2 as _case_pb2
from dutyline.notify.v1 import notify_pb2 as _notify_pb2
from dutyline.roster.v1 import roster_pb2 as _roster_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Event(_message.Message):
    __slots__ = ("id", "type", "occurred_at", "site_id", "aggregate", "aggregate_id", "aggregate_version", "actor", "payload", "drill", "request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_ID_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: str
    occurred_at: _timestamp_pb2.Timestamp
    site_id: str
    aggregate: str
    aggregate_id: str
    aggregate_version: int
    actor: _common_pb2.Actor
    payload: _any_pb2.Any
    drill: bool
    request_id: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., aggregate: _Optional[str] = ..., aggregate_id: _Optional[str] = ..., aggregate_version: _Optional[int] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., payload: _Optional[_Union[_any_pb2.Any, _Mapping]] = ..., drill: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class CallRegistered(_message.Message):
    __slots__ = ("call_id", "channel", "category", "summary", "place", "officer_id", "ring_started_at", "answered_at", "answer_delay_seconds", "answered_late", "caller_masked", "incident_id", "escalation", "line_call_id", "assignment_id", "duty_gap", "casualties")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    RING_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_LATE_FIELD_NUMBER: _ClassVar[int]
    CALLER_MASKED_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_FIELD_NUMBER: _ClassVar[int]
    LINE_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DUTY_GAP_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    channel: str
    category: str
    summary: str
    place: _common_pb2.Place
    officer_id: str
    ring_started_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    answer_delay_seconds: float
    answered_late: bool
    caller_masked: str
    incident_id: str
    escalation: str
    line_call_id: str
    assignment_id: str
    duty_gap: bool
    casualties: int
    def __init__(self, call_id: _Optional[str] = ..., channel: _Optional[str] = ..., category: _Optional[str] = ..., summary: _Optional[str] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., officer_id: _Optional[str] = ..., ring_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer_delay_seconds: _Optional[float] = ..., answered_late: _Optional[bool] = ..., caller_masked: _Optional[str] = ..., incident_id: _Optional[str] = ..., escalation: _Optional[str] = ..., line_call_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., duty_gap: _Optional[bool] = ..., casualties: _Optional[int] = ...) -> None: ...

class CallEscalated(_message.Message):
    __slots__ = ("call_id", "incident_id")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    incident_id: str
    def __init__(self, call_id: _Optional[str] = ..., incident_id: _Optional[str] = ...) -> None: ...

class IncidentRegistered(_message.Message):
    __slots__ = ("incident_id", "title", "category", "severity", "place", "call_ids", "first_responder_id", "registered_at", "workflow_id")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONDER_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    title: str
    category: str
    severity: _common_pb2.Severity
    place: _common_pb2.Place
    call_ids: _containers.RepeatedScalarFieldContainer[str]
    first_responder_id: str
    registered_at: _timestamp_pb2.Timestamp
    workflow_id: str
    def __init__(self, incident_id: _Optional[str] = ..., title: _Optional[str] = ..., category: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., call_ids: _Optional[_Iterable[str]] = ..., first_responder_id: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., workflow_id: _Optional[str] = ...) -> None: ...

class RosterPublished(_message.Message):
    __slots__ = ("publication_id", "site_id", "period", "assignments", "gaps", "override_reason", "roster")
    PUBLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    ROSTER_FIELD_NUMBER: _ClassVar[int]
    publication_id: str
    site_id: str
    period: _common_pb2.TimeRange
    assignments: int
    gaps: _containers.RepeatedCompositeFieldContainer[_roster_pb2.CoverageGap]
    override_reason: str
    roster: _containers.RepeatedCompositeFieldContainer[_roster_pb2.Assignment]
    def __init__(self, publication_id: _Optional[str] = ..., site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., assignments: _Optional[int] = ..., gaps: _Optional[_Iterable[_Union[_roster_pb2.CoverageGap, _Mapping]]] = ..., override_reason: _Optional[str] = ..., roster: _Optional[_Iterable[_Union[_roster_pb2.Assignment, _Mapping]]] = ...) -> None: ...

class AssignmentChanged(_message.Message):
    __slots__ = ("assignment", "previous_person_id", "cause", "cause_id")
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    CAUSE_ID_FIELD_NUMBER: _ClassVar[int]
    assignment: _roster_pb2.Assignment
    previous_person_id: str
    cause: str
    cause_id: str
    def __init__(self, assignment: _Optional[_Union[_roster_pb2.Assignment, _Mapping]] = ..., previous_person_id: _Optional[str] = ..., cause: _Optional[str] = ..., cause_id: _Optional[str] = ...) -> None: ...

class HandoverMissed(_message.Message):
    __slots__ = ("assignment_id", "person_id", "incoming_assignment_id", "incoming_person_id", "shift_end")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMING_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMING_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_END_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    person_id: str
    incoming_assignment_id: str
    incoming_person_id: str
    shift_end: _timestamp_pb2.Timestamp
    def __init__(self, assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., incoming_assignment_id: _Optional[str] = ..., incoming_person_id: _Optional[str] = ..., shift_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AbsenceRecorded(_message.Message):
    __slots__ = ("assignment_id", "person_id", "shift_start")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_START_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    person_id: str
    shift_start: _timestamp_pb2.Timestamp
    def __init__(self, assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., shift_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IncidentChanged(_message.Message):
    __slots__ = ("incident", "detail", "report", "violation", "entry", "violations", "inbox_item", "correction", "instruction", "plan_activation", "plan_task", "concealment_signal")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    VIOLATION_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    INBOX_ITEM_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    PLAN_ACTIVATION_FIELD_NUMBER: _ClassVar[int]
    PLAN_TASK_FIELD_NUMBER: _ClassVar[int]
    CONCEALMENT_SIGNAL_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_pb2.Incident
    detail: str
    report: _incident_pb2.Report
    violation: _incident_pb2.Violation
    entry: _incident_pb2.TimelineEntry
    violations: _containers.RepeatedCompositeFieldContainer[_incident_pb2.Violation]
    inbox_item: _inbox_pb2.ReportInboxItem
    correction: _incident_pb2.ReportCorrection
    instruction: _instructions_pb2.Instruction
    plan_activation: _plans_pb2.PlanActivation
    plan_task: _plans_pb2.PlanTask
    concealment_signal: _oversight_pb2.ConcealmentSignal
    def __init__(self, incident: _Optional[_Union[_incident_pb2.Incident, _Mapping]] = ..., detail: _Optional[str] = ..., report: _Optional[_Union[_incident_pb2.Report, _Mapping]] = ..., violation: _Optional[_Union[_incident_pb2.Violation, _Mapping]] = ..., entry: _Optional[_Union[_incident_pb2.TimelineEntry, _Mapping]] = ..., violations: _Optional[_Iterable[_Union[_incident_pb2.Violation, _Mapping]]] = ..., inbox_item: _Optional[_Union[_inbox_pb2.ReportInboxItem, _Mapping]] = ..., correction: _Optional[_Union[_incident_pb2.ReportCorrection, _Mapping]] = ..., instruction: _Optional[_Union[_instructions_pb2.Instruction, _Mapping]] = ..., plan_activation: _Optional[_Union[_plans_pb2.PlanActivation, _Mapping]] = ..., plan_task: _Optional[_Union[_plans_pb2.PlanTask, _Mapping]] = ..., concealment_signal: _Optional[_Union[_oversight_pb2.ConcealmentSignal, _Mapping]] = ...) -> None: ...

class CallLinked(_message.Message):
    __slots__ = ("call_id", "incident_id", "previous_incident_id", "how", "reason")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOW_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    incident_id: str
    previous_incident_id: str
    how: str
    reason: str
    def __init__(self, call_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., previous_incident_id: _Optional[str] = ..., how: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class IncidentCallsChanged(_message.Message):
    __slots__ = ("incident_id", "linked_call_ids", "linked", "unlinked_call_ids", "unlinked", "total")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    LINKED_CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    LINKED_FIELD_NUMBER: _ClassVar[int]
    UNLINKED_CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    UNLINKED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    linked_call_ids: _containers.RepeatedScalarFieldContainer[str]
    linked: int
    unlinked_call_ids: _containers.RepeatedScalarFieldContainer[str]
    unlinked: int
    total: int
    def __init__(self, incident_id: _Optional[str] = ..., linked_call_ids: _Optional[_Iterable[str]] = ..., linked: _Optional[int] = ..., unlinked_call_ids: _Optional[_Iterable[str]] = ..., unlinked: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class MergeSuggestionChanged(_message.Message):
    __slots__ = ("suggestion",)
    SUGGESTION_FIELD_NUMBER: _ClassVar[int]
    suggestion: _incident_pb2.MergeSuggestion
    def __init__(self, suggestion: _Optional[_Union[_incident_pb2.MergeSuggestion, _Mapping]] = ...) -> None: ...

class CallChanged(_message.Message):
    __slots__ = ("call", "detail", "callback")
    CALL_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_FIELD_NUMBER: _ClassVar[int]
    call: _intake_pb2.Call
    detail: str
    callback: _intake_pb2.Callback
    def __init__(self, call: _Optional[_Union[_intake_pb2.Call, _Mapping]] = ..., detail: _Optional[str] = ..., callback: _Optional[_Union[_intake_pb2.Callback, _Mapping]] = ...) -> None: ...

class NotificationChanged(_message.Message):
    __slots__ = ("notification", "detail")
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    notification: _notify_pb2.Notification
    detail: str
    def __init__(self, notification: _Optional[_Union[_notify_pb2.Notification, _Mapping]] = ..., detail: _Optional[str] = ...) -> None: ...

class EscalationChanged(_message.Message):
    __slots__ = ("escalation", "loop", "step", "person_ids", "detail")
    ESCALATION_FIELD_NUMBER: _ClassVar[int]
    LOOP_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    escalation: _notify_pb2.Escalation
    loop: int
    step: int
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    detail: str
    def __init__(self, escalation: _Optional[_Union[_notify_pb2.Escalation, _Mapping]] = ..., loop: _Optional[int] = ..., step: _Optional[int] = ..., person_ids: _Optional[_Iterable[str]] = ..., detail: _Optional[str] = ...) -> None: ...

class AgencyDeliveryFailed(_message.Message):
    __slots__ = ("delivery",)
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    delivery: _notify_pb2.AgencyDelivery
    def __init__(self, delivery: _Optional[_Union[_notify_pb2.AgencyDelivery, _Mapping]] = ...) -> None: ...

class CaseChanged(_message.Message):
    __slots__ = ("case", "detail")
    CASE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    detail: str
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ..., detail: _Optional[str] = ...) -> None: ...

class LineCallChanged(_message.Message):
    __slots__ = ("call", "detail")
    CALL_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    call: _telephony_pb2.LineCall
    detail: str
    def __init__(self, call: _Optional[_Union[_telephony_pb2.LineCall, _Mapping]] = ..., detail: _Optional[str] = ...) -> None: ...

class LineChanged(_message.Message):
    __slots__ = ("line", "last_seen_at", "down_since")
    LINE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    DOWN_SINCE_FIELD_NUMBER: _ClassVar[int]
    line: _telephony_pb2.Line
    last_seen_at: _timestamp_pb2.Timestamp
    down_since: _timestamp_pb2.Timestamp
    def __init__(self, line: _Optional[_Union[_telephony_pb2.Line, _Mapping]] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., down_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
