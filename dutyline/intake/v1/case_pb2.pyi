import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.intake.v1 import intake_pb2 as _intake_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_CATEGORY_UNSPECIFIED: _ClassVar[CaseCategory]
    CASE_CATEGORY_CONSULTATION: _ClassVar[CaseCategory]
    CASE_CATEGORY_COMPLAINT: _ClassVar[CaseCategory]
    CASE_CATEGORY_REQUEST: _ClassVar[CaseCategory]

class CaseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATUS_UNSPECIFIED: _ClassVar[CaseStatus]
    CASE_STATUS_ACCEPTED: _ClassVar[CaseStatus]
    CASE_STATUS_ASSIGNED: _ClassVar[CaseStatus]
    CASE_STATUS_IN_PROGRESS: _ClassVar[CaseStatus]
    CASE_STATUS_ANSWERED: _ClassVar[CaseStatus]
    CASE_STATUS_FEEDBACK_GIVEN: _ClassVar[CaseStatus]
    CASE_STATUS_CLOSED: _ClassVar[CaseStatus]

class ReturnVisitResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_VISIT_RESULT_UNSPECIFIED: _ClassVar[ReturnVisitResult]
    RETURN_VISIT_RESULT_SATISFIED: _ClassVar[ReturnVisitResult]
    RETURN_VISIT_RESULT_DISSATISFIED: _ClassVar[ReturnVisitResult]
    RETURN_VISIT_RESULT_UNREACHABLE: _ClassVar[ReturnVisitResult]
CASE_CATEGORY_UNSPECIFIED: CaseCategory
CASE_CATEGORY_CONSULTATION: CaseCategory
CASE_CATEGORY_COMPLAINT: CaseCategory
CASE_CATEGORY_REQUEST: CaseCategory
CASE_STATUS_UNSPECIFIED: CaseStatus
CASE_STATUS_ACCEPTED: CaseStatus
CASE_STATUS_ASSIGNED: CaseStatus
CASE_STATUS_IN_PROGRESS: CaseStatus
CASE_STATUS_ANSWERED: CaseStatus
CASE_STATUS_FEEDBACK_GIVEN: CaseStatus
CASE_STATUS_CLOSED: CaseStatus
RETURN_VISIT_RESULT_UNSPECIFIED: ReturnVisitResult
RETURN_VISIT_RESULT_SATISFIED: ReturnVisitResult
RETURN_VISIT_RESULT_DISSATISFIED: ReturnVisitResult
RETURN_VISIT_RESULT_UNREACHABLE: ReturnVisitResult

class CaseNote(_message.Message):
    __slots__ = ("text", "by", "at", "kind")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    text: str
    by: str
    at: _timestamp_pb2.Timestamp
    kind: str
    def __init__(self, text: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[str] = ...) -> None: ...

class Case(_message.Message):
    __slots__ = ("id", "site_id", "category", "status", "urgent", "subject", "caller", "call_id", "owner_id", "pending_owner_id", "due_at", "policy_version", "overdue", "answer", "feedback", "return_visit", "return_visit_comment", "reopened", "notes", "opened_by", "opened_at", "closed_at", "version", "drill")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PENDING_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    RETURN_VISIT_FIELD_NUMBER: _ClassVar[int]
    RETURN_VISIT_COMMENT_FIELD_NUMBER: _ClassVar[int]
    REOPENED_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    OPENED_BY_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    category: CaseCategory
    status: CaseStatus
    urgent: bool
    subject: str
    caller: _intake_pb2.Caller
    call_id: str
    owner_id: str
    pending_owner_id: str
    due_at: _timestamp_pb2.Timestamp
    policy_version: int
    overdue: bool
    answer: str
    feedback: str
    return_visit: ReturnVisitResult
    return_visit_comment: str
    reopened: int
    notes: _containers.RepeatedCompositeFieldContainer[CaseNote]
    opened_by: str
    opened_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    version: int
    drill: bool
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., category: _Optional[_Union[CaseCategory, str]] = ..., status: _Optional[_Union[CaseStatus, str]] = ..., urgent: _Optional[bool] = ..., subject: _Optional[str] = ..., caller: _Optional[_Union[_intake_pb2.Caller, _Mapping]] = ..., call_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., pending_owner_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., policy_version: _Optional[int] = ..., overdue: _Optional[bool] = ..., answer: _Optional[str] = ..., feedback: _Optional[str] = ..., return_visit: _Optional[_Union[ReturnVisitResult, str]] = ..., return_visit_comment: _Optional[str] = ..., reopened: _Optional[int] = ..., notes: _Optional[_Iterable[_Union[CaseNote, _Mapping]]] = ..., opened_by: _Optional[str] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., drill: _Optional[bool] = ...) -> None: ...

class OpenCaseRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "category", "subject", "caller", "call_id", "owner_id", "urgent", "drill")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    category: CaseCategory
    subject: str
    caller: _intake_pb2.Caller
    call_id: str
    owner_id: str
    urgent: bool
    drill: bool
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., category: _Optional[_Union[CaseCategory, str]] = ..., subject: _Optional[str] = ..., caller: _Optional[_Union[_intake_pb2.Caller, _Mapping]] = ..., call_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., urgent: _Optional[bool] = ..., drill: _Optional[bool] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("site_id", "status", "owner_id", "open_only", "overdue_only", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: CaseStatus
    owner_id: str
    open_only: bool
    overdue_only: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[_Union[CaseStatus, str]] = ..., owner_id: _Optional[str] = ..., open_only: _Optional[bool] = ..., overdue_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "page")
    CASES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[Case]
    page: _common_pb2.PageResponse
    def __init__(self, cases: _Optional[_Iterable[_Union[Case, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class AssignCaseRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "owner_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    owner_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class AcknowledgeCaseRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class AddCaseNoteRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "text")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    text: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class AnswerCaseRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "answer")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    answer: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., answer: _Optional[str] = ...) -> None: ...

class RecordCaseFeedbackRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "feedback")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    feedback: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., feedback: _Optional[str] = ...) -> None: ...

class RecordReturnVisitRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "result", "comment")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    result: ReturnVisitResult
    comment: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., result: _Optional[_Union[ReturnVisitResult, str]] = ..., comment: _Optional[str] = ...) -> None: ...

class ReopenCaseRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RevealCaseCallerRequest(_message.Message):
    __slots__ = ("case_id", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CloseCaseRequest(_message.Message):
    __slots__ = ("idempotency_key", "case_id", "summary")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    case_id: str
    summary: str
    def __init__(self, idempotency_key: _Optional[str] = ..., case_id: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class CasePolicy(_message.Message):
    __slots__ = ("site_id", "category", "working_days", "urgent_hours", "remind_before_minutes", "version", "updated_by", "updated_at")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    URGENT_HOURS_FIELD_NUMBER: _ClassVar[int]
    REMIND_BEFORE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    category: CaseCategory
    working_days: int
    urgent_hours: int
    remind_before_minutes: int
    version: int
    updated_by: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., category: _Optional[_Union[CaseCategory, str]] = ..., working_days: _Optional[int] = ..., urgent_hours: _Optional[int] = ..., remind_before_minutes: _Optional[int] = ..., version: _Optional[int] = ..., updated_by: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertCasePolicyRequest(_message.Message):
    __slots__ = ("idempotency_key", "policy")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    policy: CasePolicy
    def __init__(self, idempotency_key: _Optional[str] = ..., policy: _Optional[_Union[CasePolicy, _Mapping]] = ...) -> None: ...

class ListCasePoliciesRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ListCasePoliciesResponse(_message.Message):
    __slots__ = ("policies",)
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[CasePolicy]
    def __init__(self, policies: _Optional[_Iterable[_Union[CasePolicy, _Mapping]]] = ...) -> None: ...

class HolidayCalendar(_message.Message):
    __slots__ = ("site_id", "holidays", "working_days", "version")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    HOLIDAYS_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    holidays: _containers.RepeatedScalarFieldContainer[str]
    working_days: _containers.RepeatedScalarFieldContainer[str]
    version: int
    def __init__(self, site_id: _Optional[str] = ..., holidays: _Optional[_Iterable[str]] = ..., working_days: _Optional[_Iterable[str]] = ..., version: _Optional[int] = ...) -> None: ...

class UpsertHolidayCalendarRequest(_message.Message):
    __slots__ = ("idempotency_key", "calendar")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALENDAR_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    calendar: HolidayCalendar
    def __init__(self, idempotency_key: _Optional[str] = ..., calendar: _Optional[_Union[HolidayCalendar, _Mapping]] = ...) -> None: ...

class GetHolidayCalendarRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...
