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

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_PHONE: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]
    CHANNEL_FAX: _ClassVar[Channel]
    CHANNEL_WEB: _ClassVar[Channel]
    CHANNEL_RADIO: _ClassVar[Channel]
    CHANNEL_WALK_IN: _ClassVar[Channel]
    CHANNEL_SUPERIOR_NOTICE: _ClassVar[Channel]

class CallCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_CATEGORY_UNSPECIFIED: _ClassVar[CallCategory]
    CALL_CATEGORY_CONSULTATION: _ClassVar[CallCategory]
    CALL_CATEGORY_COMPLAINT: _ClassVar[CallCategory]
    CALL_CATEGORY_EMERGENCY: _ClassVar[CallCategory]
    CALL_CATEGORY_NOTICE: _ClassVar[CallCategory]
    CALL_CATEGORY_MESSAGE: _ClassVar[CallCategory]
    CALL_CATEGORY_OTHER: _ClassVar[CallCategory]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_PHONE: Channel
CHANNEL_SMS: Channel
CHANNEL_FAX: Channel
CHANNEL_WEB: Channel
CHANNEL_RADIO: Channel
CHANNEL_WALK_IN: Channel
CHANNEL_SUPERIOR_NOTICE: Channel
CALL_CATEGORY_UNSPECIFIED: CallCategory
CALL_CATEGORY_CONSULTATION: CallCategory
CALL_CATEGORY_COMPLAINT: CallCategory
CALL_CATEGORY_EMERGENCY: CallCategory
CALL_CATEGORY_NOTICE: CallCategory
CALL_CATEGORY_MESSAGE: CallCategory
CALL_CATEGORY_OTHER: CallCategory

class Caller(_message.Message):
    __slots__ = ("name", "unit", "phone", "address")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    name: str
    unit: str
    phone: str
    address: str
    def __init__(self, name: _Optional[str] = ..., unit: _Optional[str] = ..., phone: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class NoticeElements(_message.Message):
    __slots__ = ("meeting_time", "place", "content", "participants", "issuing_unit", "issuing_person")
    MEETING_TIME_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    ISSUING_UNIT_FIELD_NUMBER: _ClassVar[int]
    ISSUING_PERSON_FIELD_NUMBER: _ClassVar[int]
    meeting_time: _timestamp_pb2.Timestamp
    place: str
    content: str
    participants: str
    issuing_unit: str
    issuing_person: str
    def __init__(self, meeting_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., place: _Optional[str] = ..., content: _Optional[str] = ..., participants: _Optional[str] = ..., issuing_unit: _Optional[str] = ..., issuing_person: _Optional[str] = ...) -> None: ...

class Call(_message.Message):
    __slots__ = ("id", "site_id", "channel", "category", "ring_started_at", "answered_at", "ended_at", "answer_delay_seconds", "answered_late", "caller", "place", "summary", "request", "actions_taken", "officer_id", "assignment_id", "incident_id", "registered_at", "drill", "notice", "status", "notice_missing", "duty_gap", "classifications", "transfers", "line_call_id", "record")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    RING_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_LATE_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_TAKEN_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTICE_MISSING_FIELD_NUMBER: _ClassVar[int]
    DUTY_GAP_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    LINE_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    channel: Channel
    category: CallCategory
    ring_started_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    answer_delay_seconds: float
    answered_late: bool
    caller: Caller
    place: _common_pb2.Place
    summary: str
    request: str
    actions_taken: str
    officer_id: str
    assignment_id: str
    incident_id: str
    registered_at: _timestamp_pb2.Timestamp
    drill: bool
    notice: NoticeElements
    status: str
    notice_missing: _containers.RepeatedScalarFieldContainer[str]
    duty_gap: bool
    classifications: _containers.RepeatedCompositeFieldContainer[Classification]
    transfers: _containers.RepeatedCompositeFieldContainer[Transfer]
    line_call_id: str
    record: CallRecord
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., category: _Optional[_Union[CallCategory, str]] = ..., ring_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer_delay_seconds: _Optional[float] = ..., answered_late: _Optional[bool] = ..., caller: _Optional[_Union[Caller, _Mapping]] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., summary: _Optional[str] = ..., request: _Optional[str] = ..., actions_taken: _Optional[str] = ..., officer_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., drill: _Optional[bool] = ..., notice: _Optional[_Union[NoticeElements, _Mapping]] = ..., status: _Optional[str] = ..., notice_missing: _Optional[_Iterable[str]] = ..., duty_gap: _Optional[bool] = ..., classifications: _Optional[_Iterable[_Union[Classification, _Mapping]]] = ..., transfers: _Optional[_Iterable[_Union[Transfer, _Mapping]]] = ..., line_call_id: _Optional[str] = ..., record: _Optional[_Union[CallRecord, _Mapping]] = ...) -> None: ...

class CallRecord(_message.Message):
    __slots__ = ("caller_gender", "caller_age", "caller_declined_number", "handling", "result", "completed_at", "completed_by", "notes", "missing", "casualties")
    CALLER_GENDER_FIELD_NUMBER: _ClassVar[int]
    CALLER_AGE_FIELD_NUMBER: _ClassVar[int]
    CALLER_DECLINED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    caller_gender: str
    caller_age: int
    caller_declined_number: bool
    handling: str
    result: str
    completed_at: _timestamp_pb2.Timestamp
    completed_by: str
    notes: _containers.RepeatedCompositeFieldContainer[CallNote]
    missing: _containers.RepeatedScalarFieldContainer[str]
    casualties: int
    def __init__(self, caller_gender: _Optional[str] = ..., caller_age: _Optional[int] = ..., caller_declined_number: _Optional[bool] = ..., handling: _Optional[str] = ..., result: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_by: _Optional[str] = ..., notes: _Optional[_Iterable[_Union[CallNote, _Mapping]]] = ..., missing: _Optional[_Iterable[str]] = ..., casualties: _Optional[int] = ...) -> None: ...

class CallNote(_message.Message):
    __slots__ = ("id", "text", "by", "at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    text: str
    by: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddCallNoteRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "text")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    text: str
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class CompleteCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "handling", "result", "caller", "place", "request", "caller_gender", "caller_age", "caller_declined_number", "notice")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    CALLER_GENDER_FIELD_NUMBER: _ClassVar[int]
    CALLER_AGE_FIELD_NUMBER: _ClassVar[int]
    CALLER_DECLINED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    handling: str
    result: str
    caller: Caller
    place: _common_pb2.Place
    request: str
    caller_gender: str
    caller_age: int
    caller_declined_number: bool
    notice: NoticeElements
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., handling: _Optional[str] = ..., result: _Optional[str] = ..., caller: _Optional[_Union[Caller, _Mapping]] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., request: _Optional[str] = ..., caller_gender: _Optional[str] = ..., caller_age: _Optional[int] = ..., caller_declined_number: _Optional[bool] = ..., notice: _Optional[_Union[NoticeElements, _Mapping]] = ...) -> None: ...

class Classification(_message.Message):
    __slots__ = ("category", "reason", "by", "at")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    category: CallCategory
    reason: str
    by: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, category: _Optional[_Union[CallCategory, str]] = ..., reason: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ("target_id", "caller_agreed", "briefing", "outcome", "by", "at", "callback_id")
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_AGREED_FIELD_NUMBER: _ClassVar[int]
    BRIEFING_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    target_id: str
    caller_agreed: bool
    briefing: str
    outcome: str
    by: str
    at: _timestamp_pb2.Timestamp
    callback_id: str
    def __init__(self, target_id: _Optional[str] = ..., caller_agreed: _Optional[bool] = ..., briefing: _Optional[str] = ..., outcome: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., callback_id: _Optional[str] = ...) -> None: ...

class RegisterCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "channel", "category", "ring_started_at", "answered_at", "ended_at", "caller", "place", "summary", "request", "actions_taken", "officer_id", "link_incident_id", "drill", "notice", "line_call_id", "caller_gender", "caller_age", "caller_declined_number", "casualties")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    RING_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_TAKEN_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    LINK_INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    LINE_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_GENDER_FIELD_NUMBER: _ClassVar[int]
    CALLER_AGE_FIELD_NUMBER: _ClassVar[int]
    CALLER_DECLINED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    channel: Channel
    category: CallCategory
    ring_started_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    caller: Caller
    place: _common_pb2.Place
    summary: str
    request: str
    actions_taken: str
    officer_id: str
    link_incident_id: str
    drill: bool
    notice: NoticeElements
    line_call_id: str
    caller_gender: str
    caller_age: int
    caller_declined_number: bool
    casualties: int
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., category: _Optional[_Union[CallCategory, str]] = ..., ring_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller: _Optional[_Union[Caller, _Mapping]] = ..., place: _Optional[_Union[_common_pb2.Place, _Mapping]] = ..., summary: _Optional[str] = ..., request: _Optional[str] = ..., actions_taken: _Optional[str] = ..., officer_id: _Optional[str] = ..., link_incident_id: _Optional[str] = ..., drill: _Optional[bool] = ..., notice: _Optional[_Union[NoticeElements, _Mapping]] = ..., line_call_id: _Optional[str] = ..., caller_gender: _Optional[str] = ..., caller_age: _Optional[int] = ..., caller_declined_number: _Optional[bool] = ..., casualties: _Optional[int] = ...) -> None: ...

class RegisterCallResponse(_message.Message):
    __slots__ = ("call", "incident_id", "replayed", "escalation", "suggestions")
    CALL_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_FIELD_NUMBER: _ClassVar[int]
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    call: Call
    incident_id: str
    replayed: bool
    escalation: str
    suggestions: _containers.RepeatedCompositeFieldContainer[IncidentSuggestion]
    def __init__(self, call: _Optional[_Union[Call, _Mapping]] = ..., incident_id: _Optional[str] = ..., replayed: _Optional[bool] = ..., escalation: _Optional[str] = ..., suggestions: _Optional[_Iterable[_Union[IncidentSuggestion, _Mapping]]] = ...) -> None: ...

class GetCallRequest(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class ListCallsRequest(_message.Message):
    __slots__ = ("site_id", "period", "category", "officer_id", "status", "page", "notice_incomplete_only", "incident_id")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    NOTICE_INCOMPLETE_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    category: CallCategory
    officer_id: str
    status: str
    page: _common_pb2.PageRequest
    notice_incomplete_only: bool
    incident_id: str
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., category: _Optional[_Union[CallCategory, str]] = ..., officer_id: _Optional[str] = ..., status: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., notice_incomplete_only: _Optional[bool] = ..., incident_id: _Optional[str] = ...) -> None: ...

class ListCallsResponse(_message.Message):
    __slots__ = ("calls", "page")
    CALLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[Call]
    page: _common_pb2.PageResponse
    def __init__(self, calls: _Optional[_Iterable[_Union[Call, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ReclassifyCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "category", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    category: CallCategory
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., category: _Optional[_Union[CallCategory, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class TransferCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "target_id", "caller_agreed", "briefing", "outcome")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_AGREED_FIELD_NUMBER: _ClassVar[int]
    BRIEFING_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    target_id: str
    caller_agreed: bool
    briefing: str
    outcome: str
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., target_id: _Optional[str] = ..., caller_agreed: _Optional[bool] = ..., briefing: _Optional[str] = ..., outcome: _Optional[str] = ...) -> None: ...

class Callback(_message.Message):
    __slots__ = ("id", "call_id", "recipient_id", "content", "urgent", "due_at", "status", "outcome", "kind", "site_id", "completed_at", "overdue")
    ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    id: str
    call_id: str
    recipient_id: str
    content: str
    urgent: bool
    due_at: _timestamp_pb2.Timestamp
    status: str
    outcome: str
    kind: str
    site_id: str
    completed_at: _timestamp_pb2.Timestamp
    overdue: bool
    def __init__(self, id: _Optional[str] = ..., call_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., content: _Optional[str] = ..., urgent: _Optional[bool] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., outcome: _Optional[str] = ..., kind: _Optional[str] = ..., site_id: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ...) -> None: ...

class ListCallbacksRequest(_message.Message):
    __slots__ = ("site_id", "open_only", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    open_only: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., open_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCallbacksResponse(_message.Message):
    __slots__ = ("callbacks", "page")
    CALLBACKS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    callbacks: _containers.RepeatedCompositeFieldContainer[Callback]
    page: _common_pb2.PageResponse
    def __init__(self, callbacks: _Optional[_Iterable[_Union[Callback, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class CompleteNoticeRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "notice")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    notice: NoticeElements
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., notice: _Optional[_Union[NoticeElements, _Mapping]] = ...) -> None: ...

class TakeMessageRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "recipient_id", "content", "urgent", "due_at")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    recipient_id: str
    content: str
    urgent: bool
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., content: _Optional[str] = ..., urgent: _Optional[bool] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PromiseCallbackRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "recipient_id", "content", "urgent", "due_at")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    recipient_id: str
    content: str
    urgent: bool
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., content: _Optional[str] = ..., urgent: _Optional[bool] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CompleteCallbackRequest(_message.Message):
    __slots__ = ("idempotency_key", "callback_id", "outcome")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    callback_id: str
    outcome: str
    def __init__(self, idempotency_key: _Optional[str] = ..., callback_id: _Optional[str] = ..., outcome: _Optional[str] = ...) -> None: ...

class SuggestIncidentsRequest(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class IncidentSuggestion(_message.Message):
    __slots__ = ("incident_id", "title", "score", "reasons")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    title: str
    score: float
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, incident_id: _Optional[str] = ..., title: _Optional[str] = ..., score: _Optional[float] = ..., reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class SuggestIncidentsResponse(_message.Message):
    __slots__ = ("suggestions",)
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    suggestions: _containers.RepeatedCompositeFieldContainer[IncidentSuggestion]
    def __init__(self, suggestions: _Optional[_Iterable[_Union[IncidentSuggestion, _Mapping]]] = ...) -> None: ...

class LinkCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "incident_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    incident_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UnlinkCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "title", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    title: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., title: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class EscalateCallRequest(_message.Message):
    __slots__ = ("idempotency_key", "call_id", "title")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    call_id: str
    title: str
    def __init__(self, idempotency_key: _Optional[str] = ..., call_id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class RevealCallerRequest(_message.Message):
    __slots__ = ("call_id", "reason")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    reason: str
    def __init__(self, call_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RevealCallerResponse(_message.Message):
    __slots__ = ("caller", "audit_id")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    AUDIT_ID_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    audit_id: str
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., audit_id: _Optional[str] = ...) -> None: ...
