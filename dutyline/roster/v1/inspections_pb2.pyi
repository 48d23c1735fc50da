import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChecklistItem(_message.Message):
    __slots__ = ("code", "label")
    CODE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    code: str
    label: str
    def __init__(self, code: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class InspectionChecklist(_message.Message):
    __slots__ = ("site_id", "items", "version", "updated_by", "updated_at")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    items: _containers.RepeatedCompositeFieldContainer[ChecklistItem]
    version: int
    updated_by: _common_pb2.Actor
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ChecklistItem, _Mapping]]] = ..., version: _Optional[int] = ..., updated_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertInspectionChecklistRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "items")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    items: _containers.RepeatedCompositeFieldContainer[ChecklistItem]
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ChecklistItem, _Mapping]]] = ...) -> None: ...

class GetInspectionChecklistRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ItemResult(_message.Message):
    __slots__ = ("code", "ok", "note")
    CODE_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    code: str
    ok: bool
    note: str
    def __init__(self, code: _Optional[str] = ..., ok: _Optional[bool] = ..., note: _Optional[str] = ...) -> None: ...

class Inspection(_message.Message):
    __slots__ = ("id", "site_id", "assignment_id", "shift_name", "local_date", "inspector", "inspected_at", "results", "all_ok", "note", "checklist_version", "recorded_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    INSPECTOR_FIELD_NUMBER: _ClassVar[int]
    INSPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    ALL_OK_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHECKLIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    assignment_id: str
    shift_name: str
    local_date: str
    inspector: _common_pb2.Actor
    inspected_at: _timestamp_pb2.Timestamp
    results: _containers.RepeatedCompositeFieldContainer[ItemResult]
    all_ok: bool
    note: str
    checklist_version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., shift_name: _Optional[str] = ..., local_date: _Optional[str] = ..., inspector: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., inspected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., results: _Optional[_Iterable[_Union[ItemResult, _Mapping]]] = ..., all_ok: _Optional[bool] = ..., note: _Optional[str] = ..., checklist_version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordInspectionRequest(_message.Message):
    __slots__ = ("idempotency_key", "assignment_id", "results", "inspected_at", "note")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    INSPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    assignment_id: str
    results: _containers.RepeatedCompositeFieldContainer[ItemResult]
    inspected_at: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, idempotency_key: _Optional[str] = ..., assignment_id: _Optional[str] = ..., results: _Optional[_Iterable[_Union[ItemResult, _Mapping]]] = ..., inspected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ListInspectionsRequest(_message.Message):
    __slots__ = ("site_id", "period", "assignment_id", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    assignment_id: str
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., assignment_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListInspectionsResponse(_message.Message):
    __slots__ = ("inspections", "page")
    INSPECTIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    inspections: _containers.RepeatedCompositeFieldContainer[Inspection]
    page: _common_pb2.PageResponse
    def __init__(self, inspections: _Optional[_Iterable[_Union[Inspection, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class InspectionMissed(_message.Message):
    __slots__ = ("assignment_id", "person_id", "shift_name", "local_date", "shift_start", "shift_end")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    SHIFT_START_FIELD_NUMBER: _ClassVar[int]
    SHIFT_END_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    person_id: str
    shift_name: str
    local_date: str
    shift_start: _timestamp_pb2.Timestamp
    shift_end: _timestamp_pb2.Timestamp
    def __init__(self, assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., shift_name: _Optional[str] = ..., local_date: _Optional[str] = ..., shift_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shift_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
