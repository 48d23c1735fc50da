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

class SignalKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGNAL_KIND_UNSPECIFIED: _ClassVar[SignalKind]
    SIGNAL_KIND_CALL_RECLASSIFIED: _ClassVar[SignalKind]
    SIGNAL_KIND_UNFOUNDED: _ClassVar[SignalKind]
    SIGNAL_KIND_UNVERIFIED_OVERDUE: _ClassVar[SignalKind]
    SIGNAL_KIND_SEVERITY_LOWERED: _ClassVar[SignalKind]
    SIGNAL_KIND_CASUALTIES_ABOVE_REPORTED: _ClassVar[SignalKind]
    SIGNAL_KIND_CLOSED_BY_OVERRIDE: _ClassVar[SignalKind]

class Finding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FINDING_UNSPECIFIED: _ClassVar[Finding]
    FINDING_NONE: _ClassVar[Finding]
    FINDING_CONFIRMED: _ClassVar[Finding]
SIGNAL_KIND_UNSPECIFIED: SignalKind
SIGNAL_KIND_CALL_RECLASSIFIED: SignalKind
SIGNAL_KIND_UNFOUNDED: SignalKind
SIGNAL_KIND_UNVERIFIED_OVERDUE: SignalKind
SIGNAL_KIND_SEVERITY_LOWERED: SignalKind
SIGNAL_KIND_CASUALTIES_ABOVE_REPORTED: SignalKind
SIGNAL_KIND_CLOSED_BY_OVERRIDE: SignalKind
FINDING_UNSPECIFIED: Finding
FINDING_NONE: Finding
FINDING_CONFIRMED: Finding

class Evidence(_message.Message):
    __slots__ = ("label", "value", "at", "link")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    LINK_FIELD_NUMBER: _ClassVar[int]
    label: str
    value: str
    at: _timestamp_pb2.Timestamp
    link: str
    def __init__(self, label: _Optional[str] = ..., value: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., link: _Optional[str] = ...) -> None: ...

class InvolvedPerson(_message.Message):
    __slots__ = ("person_id", "role")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    role: str
    def __init__(self, person_id: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class ConcealmentSignal(_message.Message):
    __slots__ = ("id", "site_id", "kind", "incident_id", "call_id", "occurred_at", "raised_at", "summary", "evidence", "people", "finding", "note", "decided_by", "decided_at", "violation_ids", "drill", "source_event_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    VIOLATION_IDS_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    kind: SignalKind
    incident_id: str
    call_id: str
    occurred_at: _timestamp_pb2.Timestamp
    raised_at: _timestamp_pb2.Timestamp
    summary: str
    evidence: _containers.RepeatedCompositeFieldContainer[Evidence]
    people: _containers.RepeatedCompositeFieldContainer[InvolvedPerson]
    finding: Finding
    note: str
    decided_by: _common_pb2.Actor
    decided_at: _timestamp_pb2.Timestamp
    violation_ids: _containers.RepeatedScalarFieldContainer[str]
    drill: bool
    source_event_id: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., kind: _Optional[_Union[SignalKind, str]] = ..., incident_id: _Optional[str] = ..., call_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., summary: _Optional[str] = ..., evidence: _Optional[_Iterable[_Union[Evidence, _Mapping]]] = ..., people: _Optional[_Iterable[_Union[InvolvedPerson, _Mapping]]] = ..., finding: _Optional[_Union[Finding, str]] = ..., note: _Optional[str] = ..., decided_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., violation_ids: _Optional[_Iterable[str]] = ..., drill: _Optional[bool] = ..., source_event_id: _Optional[str] = ...) -> None: ...

class ListConcealmentSignalsRequest(_message.Message):
    __slots__ = ("site_id", "period", "kind", "status", "include_drills", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    kind: SignalKind
    status: str
    include_drills: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., kind: _Optional[_Union[SignalKind, str]] = ..., status: _Optional[str] = ..., include_drills: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListConcealmentSignalsResponse(_message.Message):
    __slots__ = ("signals", "page")
    SIGNALS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    signals: _containers.RepeatedCompositeFieldContainer[ConcealmentSignal]
    page: _common_pb2.PageResponse
    def __init__(self, signals: _Optional[_Iterable[_Union[ConcealmentSignal, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RecordFindingRequest(_message.Message):
    __slots__ = ("idempotency_key", "signal_id", "finding", "note")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_ID_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    signal_id: str
    finding: Finding
    note: str
    def __init__(self, idempotency_key: _Optional[str] = ..., signal_id: _Optional[str] = ..., finding: _Optional[_Union[Finding, str]] = ..., note: _Optional[str] = ...) -> None: ...
