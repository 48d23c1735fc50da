import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Stage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STAGE_UNSPECIFIED: _ClassVar[Stage]
    STAGE_REGISTER: _ClassVar[Stage]
    STAGE_VERIFY: _ClassVar[Stage]
    STAGE_ESCALATE: _ClassVar[Stage]
    STAGE_TRACK: _ClassVar[Stage]
    STAGE_FEEDBACK: _ClassVar[Stage]
    STAGE_CLOSED: _ClassVar[Stage]

class IncidentCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INCIDENT_CATEGORY_UNSPECIFIED: _ClassVar[IncidentCategory]
    INCIDENT_CATEGORY_NATURAL_DISASTER: _ClassVar[IncidentCategory]
    INCIDENT_CATEGORY_ACCIDENT: _ClassVar[IncidentCategory]
    INCIDENT_CATEGORY_PUBLIC_HEALTH: _ClassVar[IncidentCategory]
    INCIDENT_CATEGORY_SOCIAL_SAFETY: _ClassVar[IncidentCategory]

class ReportKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_KIND_UNSPECIFIED: _ClassVar[ReportKind]
    REPORT_KIND_LEADER_NOTICE: _ClassVar[ReportKind]
    REPORT_KIND_INITIAL_PHONE: _ClassVar[ReportKind]
    REPORT_KIND_INITIAL_WRITTEN: _ClassVar[ReportKind]
    REPORT_KIND_FOLLOW_UP: _ClassVar[ReportKind]
    REPORT_KIND_FINAL: _ClassVar[ReportKind]

class ResponseLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESPONSE_LEVEL_UNSPECIFIED: _ClassVar[ResponseLevel]
    RESPONSE_LEVEL_I: _ClassVar[ResponseLevel]
    RESPONSE_LEVEL_II: _ClassVar[ResponseLevel]
    RESPONSE_LEVEL_III: _ClassVar[ResponseLevel]
    RESPONSE_LEVEL_IV: _ClassVar[ResponseLevel]

class DeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATUS_UNSPECIFIED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DELIVERED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_ESCALATED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_RECEIVED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_RETURNED: _ClassVar[DeliveryStatus]
STAGE_UNSPECIFIED: Stage
STAGE_REGISTER: Stage
STAGE_VERIFY: Stage
STAGE_ESCALATE: Stage
STAGE_TRACK: Stage
STAGE_FEEDBACK: Stage
STAGE_CLOSED: Stage
INCIDENT_CATEGORY_UNSPECIFIED: IncidentCategory
INCIDENT_CATEGORY_NATURAL_DISASTER: IncidentCategory
INCIDENT_CATEGORY_ACCIDENT: IncidentCategory
INCIDENT_CATEGORY_PUBLIC_HEALTH: IncidentCategory
INCIDENT_CATEGORY_SOCIAL_SAFETY: IncidentCategory
REPORT_KIND_UNSPECIFIED: ReportKind
REPORT_KIND_LEADER_NOTICE: ReportKind
REPORT_KIND_INITIAL_PHONE: ReportKind
REPORT_KIND_INITIAL_WRITTEN: ReportKind
REPORT_KIND_FOLLOW_UP: ReportKind
REPORT_KIND_FINAL: ReportKind
RESPONSE_LEVEL_UNSPECIFIED: ResponseLevel
RESPONSE_LEVEL_I: ResponseLevel
RESPONSE_LEVEL_II: ResponseLevel
RESPONSE_LEVEL_III: ResponseLevel
RESPONSE_LEVEL_IV: ResponseLevel
DELIVERY_STATUS_UNSPECIFIED: DeliveryStatus
DELIVERY_STATUS_DELIVERED: DeliveryStatus
DELIVERY_STATUS_ESCALATED: DeliveryStatus
DELIVERY_STATUS_RECEIVED: DeliveryStatus
DELIVERY_STATUS_RETURNED: DeliveryStatus

class Casualties(_message.Message):
    __slots__ = ("deaths", "serious_injuries", "injuries", "missing", "loss_yuan")
    DEATHS_FIELD_NUMBER: _ClassVar[int]
    SERIOUS_INJURIES_FIELD_NUMBER: _ClassVar[int]
    INJURIES_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    LOSS_YUAN_FIELD_NUMBER: _ClassVar[int]
    deaths: int
    serious_injuries: int
    injuries: int
    missing: int
    loss_yuan: int
    def __init__(self, deaths: _Optional[int] = ..., serious_injuries: _Optional[int] = ..., injuries: _Optional[int] = ..., missing: _Optional[int] = ..., loss_yuan: _Optional[int] = ...) -> None: ...

class Deadline(_message.Message):
    __slots__ = ("kind", "number", "recipient", "due_at", "met", "missed", "met_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    MET_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    MET_AT_FIELD_NUMBER: _ClassVar[int]
    kind: ReportKind
    number: int
    recipient: str
    due_at: _timestamp_pb2.Timestamp
    met: bool
    missed: bool
    met_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[ReportKind, str]] = ..., number: _Optional[int] = ..., recipient: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., met: _Optional[bool] = ..., missed: _Optional[bool] = ..., met_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Incident(_message.Message):
    __slots__ = ("id", "site_id", "title", "category", "sub_type", "severity", "stage", "place", "summary", "call_ids", "first_responder_id", "assignee_id", "registered_at", "closed_at", "casualties", "pending_deadlines", "drill", "workflow_id", "source_category", "suggested_severity", "responsible_person_id", "verified_at", "feedback_recorded", "merged_into", "summary_at_close", "policy_id", "policy_version", "overdue", "reports", "close_reason", "call_count", "reported_from_incident_id", "reported_from_site_id", "response_level", "response_changed_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONDER_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    PENDING_DEADLINES_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_RECORDED_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_AT_CLOSE_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    CLOSE_REASON_FIELD_NUMBER: _ClassVar[int]
    CALL_COUNT_FIELD_NUMBER: _ClassVar[int]
    REPORTED_FROM_INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REPORTED_FROM_SITE_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    title: str
    category: IncidentCategory
    sub_type: str
    severity: _common_pb2.Severity
    stage: Stage
    place: _common_pb2.Place
    summary: str
    call_ids: _containers.RepeatedScalarFieldContainer[str]
    first_responder_id: str
    assignee_id: str
    registered_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    casualties: Casualties
    pending_deadlines: _containers.RepeatedCompositeFieldContainer[Deadline]
    drill: bool
    workflow_id: str
    source_category: str
    suggested_severity: _common_pb2.Severity
    responsible_person_id: str
    verified_at: _timestamp_pb2.Timestamp
    feedback_recorded: bool
    merged_into: str
    summary_at_close: str
    policy_id: str
    policy_version: int
    overdue: bool
    reports: _containers.RepeatedCompositeFieldContainer[Report]
    close_reason: str
    call_count: int
    reported_from_incident_id: str
    reported_from_site_id: str
    response_level: ResponseLevel
    response_changed_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., title: _Optional[str] = ..., category: _Optional[_Union[IncidentCategory, str]] = ..., sub_type: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., stage: _Optional[_Union[Stage, str]] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., summary: _Optional[str] = ..., call_ids: _Optional[_Iterable[str]] = ..., first_responder_id: _Optional[str] = ..., assignee_id: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., pending_deadlines: _Optional[_Iterable[_Union[Deadline, _Mapping]]] = ..., drill: _Optional[bool] = ..., workflow_id: _Optional[str] = ..., source_category: _Optional[str] = ..., suggested_severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., responsible_person_id: _Optional[str] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., feedback_recorded: _Optional[bool] = ..., merged_into: _Optional[str] = ..., summary_at_close: _Optional[str] = ..., policy_id: _Optional[str] = ..., policy_version: _Optional[int] = ..., overdue: _Optional[bool] = ..., reports: _Optional[_Iterable[_Union[Report, _Mapping]]] = ..., close_reason: _Optional[str] = ..., call_count: _Optional[int] = ..., reported_from_incident_id: _Optional[str] = ..., reported_from_site_id: _Optional[str] = ..., response_level: _Optional[_Union[ResponseLevel, str]] = ..., response_changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OpenIncidentRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "title", "summary", "place", "call_ids", "first_responder_id", "drill", "category", "occurred_at", "incident_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONDER_ID_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    title: str
    summary: str
    place: _common_pb2.Place
    call_ids: _containers.RepeatedScalarFieldContainer[str]
    first_responder_id: str
    drill: bool
    category: IncidentCategory
    occurred_at: _timestamp_pb2.Timestamp
    incident_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., title: _Optional[str] = ..., summary: _Optional[str] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., call_ids: _Optional[_Iterable[str]] = ..., first_responder_id: _Optional[str] = ..., drill: _Optional[bool] = ..., category: _Optional[_Union[IncidentCategory, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., incident_id: _Optional[str] = ...) -> None: ...

class OpenIncidentResponse(_message.Message):
    __slots__ = ("incident", "replayed")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    replayed: bool
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetIncidentRequest(_message.Message):
    __slots__ = ("incident_id",)
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    def __init__(self, incident_id: _Optional[str] = ...) -> None: ...

class ListIncidentsRequest(_message.Message):
    __slots__ = ("site_id", "stage", "severity", "category", "overdue_only", "include_drills", "page", "open_only")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    stage: Stage
    severity: _common_pb2.Severity
    category: IncidentCategory
    overdue_only: bool
    include_drills: bool
    page: _common_pb2.PageRequest
    open_only: bool
    def __init__(self, site_id: _Optional[str] = ..., stage: _Optional[_Union[Stage, str]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., category: _Optional[_Union[IncidentCategory, str]] = ..., overdue_only: _Optional[bool] = ..., include_drills: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., open_only: _Optional[bool] = ...) -> None: ...

class ListIncidentsResponse(_message.Message):
    __slots__ = ("incidents", "page")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[Incident]
    page: _common_pb2.PageResponse
    def __init__(self, incidents: _Optional[_Iterable[_Union[Incident, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class VerifyRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "confirmed", "category", "sub_type", "severity", "casualties", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    confirmed: bool
    category: IncidentCategory
    sub_type: str
    severity: _common_pb2.Severity
    casualties: Casualties
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., confirmed: _Optional[bool] = ..., category: _Optional[_Union[IncidentCategory, str]] = ..., sub_type: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReclassifyRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "severity", "category", "sub_type", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    severity: _common_pb2.Severity
    category: IncidentCategory
    sub_type: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., category: _Optional[_Union[IncidentCategory, str]] = ..., sub_type: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ("id", "incident_id", "kind", "number", "recipient", "content", "author_id", "submitted_at", "late_seconds", "accident", "delivery_status", "recipient_site_id", "received_by", "received_at", "return_reason", "version", "casualties", "severity", "cause", "corrected_at", "correction_reason", "corrected_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    LATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATUS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_SITE_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_BY_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    RETURN_REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_AT_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    incident_id: str
    kind: ReportKind
    number: int
    recipient: str
    content: str
    author_id: str
    submitted_at: _timestamp_pb2.Timestamp
    late_seconds: float
    accident: AccidentReportContent
    delivery_status: DeliveryStatus
    recipient_site_id: str
    received_by: _common_pb2.Actor
    received_at: _timestamp_pb2.Timestamp
    return_reason: str
    version: int
    casualties: Casualties
    severity: _common_pb2.Severity
    cause: str
    corrected_at: _timestamp_pb2.Timestamp
    correction_reason: str
    corrected_by: str
    def __init__(self, id: _Optional[str] = ..., incident_id: _Optional[str] = ..., kind: _Optional[_Union[ReportKind, str]] = ..., number: _Optional[int] = ..., recipient: _Optional[str] = ..., content: _Optional[str] = ..., author_id: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., late_seconds: _Optional[float] = ..., accident: _Optional[_Union[AccidentReportContent, _Mapping]] = ..., delivery_status: _Optional[_Union[DeliveryStatus, str]] = ..., recipient_site_id: _Optional[str] = ..., received_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., return_reason: _Optional[str] = ..., version: _Optional[int] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., cause: _Optional[str] = ..., corrected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., correction_reason: _Optional[str] = ..., corrected_by: _Optional[str] = ...) -> None: ...

class FigureChange(_message.Message):
    __slots__ = ("figure", "before", "after", "material")
    FIGURE_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    MATERIAL_FIELD_NUMBER: _ClassVar[int]
    figure: str
    before: str
    after: str
    material: bool
    def __init__(self, figure: _Optional[str] = ..., before: _Optional[str] = ..., after: _Optional[str] = ..., material: _Optional[bool] = ...) -> None: ...

class ReportVersion(_message.Message):
    __slots__ = ("report_id", "version", "content", "accident", "casualties", "severity", "cause", "reason", "author_id", "recorded_at", "changes", "content_changed", "late")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_CHANGED_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    version: int
    content: str
    accident: AccidentReportContent
    casualties: Casualties
    severity: _common_pb2.Severity
    cause: str
    reason: str
    author_id: str
    recorded_at: _timestamp_pb2.Timestamp
    changes: _containers.RepeatedCompositeFieldContainer[FigureChange]
    content_changed: bool
    late: bool
    def __init__(self, report_id: _Optional[str] = ..., version: _Optional[int] = ..., content: _Optional[str] = ..., accident: _Optional[_Union[AccidentReportContent, _Mapping]] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., cause: _Optional[str] = ..., reason: _Optional[str] = ..., author_id: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changes: _Optional[_Iterable[_Union[FigureChange, _Mapping]]] = ..., content_changed: _Optional[bool] = ..., late: _Optional[bool] = ...) -> None: ...

class ReportCorrection(_message.Message):
    __slots__ = ("report_id", "from_version", "to_version", "reason", "changes", "content_changed", "late", "allowed_until")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_CHANGED_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    from_version: int
    to_version: int
    reason: str
    changes: _containers.RepeatedCompositeFieldContainer[FigureChange]
    content_changed: bool
    late: bool
    allowed_until: _timestamp_pb2.Timestamp
    def __init__(self, report_id: _Optional[str] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ..., reason: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[FigureChange, _Mapping]]] = ..., content_changed: _Optional[bool] = ..., late: _Optional[bool] = ..., allowed_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CorrectReportRequest(_message.Message):
    __slots__ = ("idempotency_key", "report_id", "reason", "content", "casualties", "accident", "severity", "cause")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    report_id: str
    reason: str
    content: str
    casualties: Casualties
    accident: AccidentReportContent
    severity: _common_pb2.Severity
    cause: str
    def __init__(self, idempotency_key: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ..., content: _Optional[str] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., accident: _Optional[_Union[AccidentReportContent, _Mapping]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., cause: _Optional[str] = ...) -> None: ...

class ListReportVersionsRequest(_message.Message):
    __slots__ = ("report_id",)
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    def __init__(self, report_id: _Optional[str] = ...) -> None: ...

class ListReportVersionsResponse(_message.Message):
    __slots__ = ("versions", "report")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[ReportVersion]
    report: Report
    def __init__(self, versions: _Optional[_Iterable[_Union[ReportVersion, _Mapping]]] = ..., report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class AccidentReportContent(_message.Message):
    __slots__ = ("unit", "time_place_scene", "what_happened", "casualties", "measures", "other")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    TIME_PLACE_SCENE_FIELD_NUMBER: _ClassVar[int]
    WHAT_HAPPENED_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    unit: str
    time_place_scene: str
    what_happened: str
    casualties: Casualties
    measures: str
    other: str
    def __init__(self, unit: _Optional[str] = ..., time_place_scene: _Optional[str] = ..., what_happened: _Optional[str] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., measures: _Optional[str] = ..., other: _Optional[str] = ...) -> None: ...

class SubmitReportRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "kind", "recipient", "content", "casualties", "accident")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    kind: ReportKind
    recipient: str
    content: str
    casualties: Casualties
    accident: AccidentReportContent
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., kind: _Optional[_Union[ReportKind, str]] = ..., recipient: _Optional[str] = ..., content: _Optional[str] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., accident: _Optional[_Union[AccidentReportContent, _Mapping]] = ...) -> None: ...

class TimelineEntry(_message.Message):
    __slots__ = ("seq", "incident_id", "at", "actor", "kind", "text")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    incident_id: str
    at: _timestamp_pb2.Timestamp
    actor: _common_pb2.Actor
    kind: str
    text: str
    def __init__(self, seq: _Optional[int] = ..., incident_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., kind: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class AddProgressRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "text")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    text: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class RecordFeedbackRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "call_id", "method", "message")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    call_id: str
    method: str
    message: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., call_id: _Optional[str] = ..., method: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class CloseRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "summary", "override_reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    summary: str
    override_reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., summary: _Optional[str] = ..., override_reason: _Optional[str] = ...) -> None: ...

class MergeRequest(_message.Message):
    __slots__ = ("idempotency_key", "duplicate_id", "primary_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_ID_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    duplicate_id: str
    primary_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., duplicate_id: _Optional[str] = ..., primary_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GetTimelineRequest(_message.Message):
    __slots__ = ("incident_id", "page")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    page: _common_pb2.PageRequest
    def __init__(self, incident_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class GetTimelineResponse(_message.Message):
    __slots__ = ("entries", "page")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[TimelineEntry]
    page: _common_pb2.PageResponse
    def __init__(self, entries: _Optional[_Iterable[_Union[TimelineEntry, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class WatchIncidentsRequest(_message.Message):
    __slots__ = ("site_id", "include_drills", "resume_after")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    RESUME_AFTER_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    include_drills: bool
    resume_after: int
    def __init__(self, site_id: _Optional[str] = ..., include_drills: _Optional[bool] = ..., resume_after: _Optional[int] = ...) -> None: ...

class IncidentChange(_message.Message):
    __slots__ = ("event_type", "incident", "cursor")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    event_type: str
    incident: Incident
    cursor: int
    def __init__(self, event_type: _Optional[str] = ..., incident: _Optional[_Union[Incident, _Mapping]] = ..., cursor: _Optional[int] = ...) -> None: ...

class ReportRequirement(_message.Message):
    __slots__ = ("kind", "recipient", "due_after_seconds", "anchor", "fixed_local_times", "required_content")
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    DUE_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_FIELD_NUMBER: _ClassVar[int]
    FIXED_LOCAL_TIMES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_CONTENT_FIELD_NUMBER: _ClassVar[int]
    kind: ReportKind
    recipient: str
    due_after_seconds: int
    anchor: str
    fixed_local_times: _containers.RepeatedScalarFieldContainer[str]
    required_content: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[_Union[ReportKind, str]] = ..., recipient: _Optional[str] = ..., due_after_seconds: _Optional[int] = ..., anchor: _Optional[str] = ..., fixed_local_times: _Optional[_Iterable[str]] = ..., required_content: _Optional[_Iterable[str]] = ...) -> None: ...

class ReportingPolicy(_message.Message):
    __slots__ = ("id", "version", "jurisdiction", "category", "severity", "requirements", "effective_from", "name", "sub_types", "verify_within_seconds", "progress_every_seconds", "correction_within_seconds", "recipient_site_id", "receipt_window_seconds")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPES_FIELD_NUMBER: _ClassVar[int]
    VERIFY_WITHIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_EVERY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_WITHIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_SITE_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: int
    jurisdiction: str
    category: IncidentCategory
    severity: _common_pb2.Severity
    requirements: _containers.RepeatedCompositeFieldContainer[ReportRequirement]
    effective_from: _timestamp_pb2.Timestamp
    name: str
    sub_types: _containers.RepeatedScalarFieldContainer[str]
    verify_within_seconds: int
    progress_every_seconds: int
    correction_within_seconds: int
    recipient_site_id: str
    receipt_window_seconds: int
    def __init__(self, id: _Optional[str] = ..., version: _Optional[int] = ..., jurisdiction: _Optional[str] = ..., category: _Optional[_Union[IncidentCategory, str]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., requirements: _Optional[_Iterable[_Union[ReportRequirement, _Mapping]]] = ..., effective_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., name: _Optional[str] = ..., sub_types: _Optional[_Iterable[str]] = ..., verify_within_seconds: _Optional[int] = ..., progress_every_seconds: _Optional[int] = ..., correction_within_seconds: _Optional[int] = ..., recipient_site_id: _Optional[str] = ..., receipt_window_seconds: _Optional[int] = ...) -> None: ...

class UpsertReportingPolicyRequest(_message.Message):
    __slots__ = ("idempotency_key", "policy")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    policy: ReportingPolicy
    def __init__(self, idempotency_key: _Optional[str] = ..., policy: _Optional[_Union[ReportingPolicy, _Mapping]] = ...) -> None: ...

class ListReportingPoliciesRequest(_message.Message):
    __slots__ = ("jurisdiction",)
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    jurisdiction: str
    def __init__(self, jurisdiction: _Optional[str] = ...) -> None: ...

class ListReportingPoliciesResponse(_message.Message):
    __slots__ = ("policies",)
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[ReportingPolicy]
    def __init__(self, policies: _Optional[_Iterable[_Union[ReportingPolicy, _Mapping]]] = ...) -> None: ...

class Violation(_message.Message):
    __slots__ = ("id", "incident_id", "site_id", "person_id", "kind", "report_kind", "due_at", "recorded_at", "late_seconds", "number", "drill", "signal_id", "report_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REPORT_KIND_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    LATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    incident_id: str
    site_id: str
    person_id: str
    kind: str
    report_kind: ReportKind
    due_at: _timestamp_pb2.Timestamp
    recorded_at: _timestamp_pb2.Timestamp
    late_seconds: float
    number: int
    drill: bool
    signal_id: str
    report_id: str
    def __init__(self, id: _Optional[str] = ..., incident_id: _Optional[str] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., kind: _Optional[str] = ..., report_kind: _Optional[_Union[ReportKind, str]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., late_seconds: _Optional[float] = ..., number: _Optional[int] = ..., drill: _Optional[bool] = ..., signal_id: _Optional[str] = ..., report_id: _Optional[str] = ...) -> None: ...

class ListViolationsRequest(_message.Message):
    __slots__ = ("site_id", "person_id", "period", "include_drills", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    person_id: str
    period: _common_pb2.TimeRange
    include_drills: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., include_drills: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListViolationsResponse(_message.Message):
    __slots__ = ("violations", "page")
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    violations: _containers.RepeatedCompositeFieldContainer[Violation]
    page: _common_pb2.PageResponse
    def __init__(self, violations: _Optional[_Iterable[_Union[Violation, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class MergeSuggestion(_message.Message):
    __slots__ = ("id", "site_id", "primary_id", "duplicate_id", "score", "evidence", "status", "suggested_by", "suggested_at", "decided_by", "decided_at", "reason", "drill", "primary_title", "duplicate_title")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ID_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_BY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_TITLE_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_TITLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    primary_id: str
    duplicate_id: str
    score: float
    evidence: _containers.RepeatedScalarFieldContainer[str]
    status: str
    suggested_by: _common_pb2.Actor
    suggested_at: _timestamp_pb2.Timestamp
    decided_by: _common_pb2.Actor
    decided_at: _timestamp_pb2.Timestamp
    reason: str
    drill: bool
    primary_title: str
    duplicate_title: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., primary_id: _Optional[str] = ..., duplicate_id: _Optional[str] = ..., score: _Optional[float] = ..., evidence: _Optional[_Iterable[str]] = ..., status: _Optional[str] = ..., suggested_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., suggested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., drill: _Optional[bool] = ..., primary_title: _Optional[str] = ..., duplicate_title: _Optional[str] = ...) -> None: ...

class SuggestMergeRequest(_message.Message):
    __slots__ = ("idempotency_key", "primary_id", "duplicate_id", "score", "evidence")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ID_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    primary_id: str
    duplicate_id: str
    score: float
    evidence: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., primary_id: _Optional[str] = ..., duplicate_id: _Optional[str] = ..., score: _Optional[float] = ..., evidence: _Optional[_Iterable[str]] = ...) -> None: ...

class ListMergeSuggestionsRequest(_message.Message):
    __slots__ = ("site_id", "open_only", "include_drills", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    open_only: bool
    include_drills: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., open_only: _Optional[bool] = ..., include_drills: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListMergeSuggestionsResponse(_message.Message):
    __slots__ = ("suggestions", "page")
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    suggestions: _containers.RepeatedCompositeFieldContainer[MergeSuggestion]
    page: _common_pb2.PageResponse
    def __init__(self, suggestions: _Optional[_Iterable[_Union[MergeSuggestion, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class DecideMergeSuggestionRequest(_message.Message):
    __slots__ = ("idempotency_key", "suggestion_id", "merge", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTION_ID_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    suggestion_id: str
    merge: bool
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., suggestion_id: _Optional[str] = ..., merge: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...
