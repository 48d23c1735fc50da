import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CheckOutRequest(_message.Message):
    __slots__ = ("idempotency_key", "assignment_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    assignment_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., assignment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class PresenceCheck(_message.Message):
    __slots__ = ("id", "site_id", "assignment_id", "person_id", "requested_by", "requested_at", "due_at", "status", "confirmed_at", "confirmed_via")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_VIA_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    assignment_id: str
    person_id: str
    requested_by: str
    requested_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    status: str
    confirmed_at: _timestamp_pb2.Timestamp
    confirmed_via: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., requested_by: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., confirmed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., confirmed_via: _Optional[str] = ...) -> None: ...

class RequestPresenceCheckRequest(_message.Message):
    __slots__ = ("idempotency_key", "assignment_id", "person_id", "answer_minutes")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_MINUTES_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    assignment_id: str
    person_id: str
    answer_minutes: int
    def __init__(self, idempotency_key: _Optional[str] = ..., assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., answer_minutes: _Optional[int] = ...) -> None: ...

class ConfirmPresenceRequest(_message.Message):
    __slots__ = ("idempotency_key", "check_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    check_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., check_id: _Optional[str] = ...) -> None: ...
