import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetDutyCountsRequest(_message.Message):
    __slots__ = ("site_id", "period", "person_id")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    person_id: str
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., person_id: _Optional[str] = ...) -> None: ...

class DutyCount(_message.Message):
    __slots__ = ("person_id", "display_name", "site_id", "shifts", "nights", "weekends", "holidays", "leader_shifts", "hours")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    NIGHTS_FIELD_NUMBER: _ClassVar[int]
    WEEKENDS_FIELD_NUMBER: _ClassVar[int]
    HOLIDAYS_FIELD_NUMBER: _ClassVar[int]
    LEADER_SHIFTS_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    display_name: str
    site_id: str
    shifts: int
    nights: int
    weekends: int
    holidays: int
    leader_shifts: int
    hours: float
    def __init__(self, person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., site_id: _Optional[str] = ..., shifts: _Optional[int] = ..., nights: _Optional[int] = ..., weekends: _Optional[int] = ..., holidays: _Optional[int] = ..., leader_shifts: _Optional[int] = ..., hours: _Optional[float] = ...) -> None: ...

class GetDutyCountsResponse(_message.Message):
    __slots__ = ("counts", "notes")
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.RepeatedCompositeFieldContainer[DutyCount]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, counts: _Optional[_Iterable[_Union[DutyCount, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class DutyViolation(_message.Message):
    __slots__ = ("id", "kind", "site_id", "person_id", "display_name", "assignment_id", "occurred_at", "detail")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    site_id: str
    person_id: str
    display_name: str
    assignment_id: str
    occurred_at: _timestamp_pb2.Timestamp
    detail: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., assignment_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail: _Optional[str] = ...) -> None: ...

class ListDutyViolationsRequest(_message.Message):
    __slots__ = ("site_id", "person_id", "kind", "period", "page_size", "page_token")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    person_id: str
    kind: str
    period: _common_pb2.TimeRange
    page_size: int
    page_token: str
    def __init__(self, site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., kind: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDutyViolationsResponse(_message.Message):
    __slots__ = ("violations", "next_page_token")
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    violations: _containers.RepeatedCompositeFieldContainer[DutyViolation]
    next_page_token: str
    def __init__(self, violations: _Optional[_Iterable[_Union[DutyViolation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
