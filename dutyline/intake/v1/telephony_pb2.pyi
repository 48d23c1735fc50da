import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LineEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINE_EVENT_KIND_UNSPECIFIED: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_RINGING: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_ANSWERED: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_TRANSFERRED: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_ENDED: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_ABANDONED: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_NOT_ANSWERED: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_HEARTBEAT: _ClassVar[LineEventKind]
    LINE_EVENT_KIND_RECORDING: _ClassVar[LineEventKind]

class LineState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINE_STATE_UNSPECIFIED: _ClassVar[LineState]
    LINE_STATE_UP: _ClassVar[LineState]
    LINE_STATE_RINGING: _ClassVar[LineState]
    LINE_STATE_IN_CALL: _ClassVar[LineState]
    LINE_STATE_DOWN: _ClassVar[LineState]
LINE_EVENT_KIND_UNSPECIFIED: LineEventKind
LINE_EVENT_KIND_RINGING: LineEventKind
LINE_EVENT_KIND_ANSWERED: LineEventKind
LINE_EVENT_KIND_TRANSFERRED: LineEventKind
LINE_EVENT_KIND_ENDED: LineEventKind
LINE_EVENT_KIND_ABANDONED: LineEventKind
LINE_EVENT_KIND_NOT_ANSWERED: LineEventKind
LINE_EVENT_KIND_HEARTBEAT: LineEventKind
LINE_EVENT_KIND_RECORDING: LineEventKind
LINE_STATE_UNSPECIFIED: LineState
LINE_STATE_UP: LineState
LINE_STATE_RINGING: LineState
LINE_STATE_IN_CALL: LineState
LINE_STATE_DOWN: LineState

class LineEvent(_message.Message):
    __slots__ = ("line_id", "switch_call_id", "kind", "at", "caller_number", "extension", "transfer_target", "recording_ref", "recording_retain_until")
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    SWITCH_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    CALLER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_TARGET_FIELD_NUMBER: _ClassVar[int]
    RECORDING_REF_FIELD_NUMBER: _ClassVar[int]
    RECORDING_RETAIN_UNTIL_FIELD_NUMBER: _ClassVar[int]
    line_id: str
    switch_call_id: str
    kind: LineEventKind
    at: _timestamp_pb2.Timestamp
    caller_number: str
    extension: str
    transfer_target: str
    recording_ref: str
    recording_retain_until: _timestamp_pb2.Timestamp
    def __init__(self, line_id: _Optional[str] = ..., switch_call_id: _Optional[str] = ..., kind: _Optional[_Union[LineEventKind, str]] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller_number: _Optional[str] = ..., extension: _Optional[str] = ..., transfer_target: _Optional[str] = ..., recording_ref: _Optional[str] = ..., recording_retain_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportLineEventRequest(_message.Message):
    __slots__ = ("idempotency_key", "switch_id", "event")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SWITCH_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    switch_id: str
    event: LineEvent
    def __init__(self, idempotency_key: _Optional[str] = ..., switch_id: _Optional[str] = ..., event: _Optional[_Union[LineEvent, _Mapping]] = ...) -> None: ...

class ReportLineEventResponse(_message.Message):
    __slots__ = ("call", "duplicate")
    CALL_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    call: LineCall
    duplicate: bool
    def __init__(self, call: _Optional[_Union[LineCall, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class LineCall(_message.Message):
    __slots__ = ("id", "site_id", "line_id", "switch_id", "switch_call_id", "caller_number", "state", "ring_started_at", "answered_at", "transferred_at", "ended_at", "answer_delay_seconds", "answered_late", "extension", "officer_id", "transfer_target", "call_id", "callback_id", "registration_overdue", "recording_ref", "recording_retain_until", "shift_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    SWITCH_ID_FIELD_NUMBER: _ClassVar[int]
    SWITCH_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    RING_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_LATE_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_TARGET_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_OVERDUE_FIELD_NUMBER: _ClassVar[int]
    RECORDING_REF_FIELD_NUMBER: _ClassVar[int]
    RECORDING_RETAIN_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    line_id: str
    switch_id: str
    switch_call_id: str
    caller_number: str
    state: str
    ring_started_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    transferred_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    answer_delay_seconds: float
    answered_late: bool
    extension: str
    officer_id: str
    transfer_target: str
    call_id: str
    callback_id: str
    registration_overdue: bool
    recording_ref: str
    recording_retain_until: _timestamp_pb2.Timestamp
    shift_name: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., line_id: _Optional[str] = ..., switch_id: _Optional[str] = ..., switch_call_id: _Optional[str] = ..., caller_number: _Optional[str] = ..., state: _Optional[str] = ..., ring_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transferred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer_delay_seconds: _Optional[float] = ..., answered_late: _Optional[bool] = ..., extension: _Optional[str] = ..., officer_id: _Optional[str] = ..., transfer_target: _Optional[str] = ..., call_id: _Optional[str] = ..., callback_id: _Optional[str] = ..., registration_overdue: _Optional[bool] = ..., recording_ref: _Optional[str] = ..., recording_retain_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shift_name: _Optional[str] = ...) -> None: ...

class Extension(_message.Message):
    __slots__ = ("extension", "person_id")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    extension: str
    person_id: str
    def __init__(self, extension: _Optional[str] = ..., person_id: _Optional[str] = ...) -> None: ...

class Line(_message.Message):
    __slots__ = ("id", "site_id", "display_name", "switch_id", "extensions", "down_after_seconds", "callback_due_seconds", "register_within_seconds")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SWITCH_ID_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    DOWN_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_DUE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REGISTER_WITHIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    display_name: str
    switch_id: str
    extensions: _containers.RepeatedCompositeFieldContainer[Extension]
    down_after_seconds: int
    callback_due_seconds: int
    register_within_seconds: int
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., display_name: _Optional[str] = ..., switch_id: _Optional[str] = ..., extensions: _Optional[_Iterable[_Union[Extension, _Mapping]]] = ..., down_after_seconds: _Optional[int] = ..., callback_due_seconds: _Optional[int] = ..., register_within_seconds: _Optional[int] = ...) -> None: ...

class UpsertLineRequest(_message.Message):
    __slots__ = ("idempotency_key", "line")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    line: Line
    def __init__(self, idempotency_key: _Optional[str] = ..., line: _Optional[_Union[Line, _Mapping]] = ...) -> None: ...

class ListLinesRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ListLinesResponse(_message.Message):
    __slots__ = ("lines",)
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[LineStatus]
    def __init__(self, lines: _Optional[_Iterable[_Union[LineStatus, _Mapping]]] = ...) -> None: ...

class GetLineStatusRequest(_message.Message):
    __slots__ = ("line_id",)
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    line_id: str
    def __init__(self, line_id: _Optional[str] = ...) -> None: ...

class LineStatus(_message.Message):
    __slots__ = ("line", "state", "last_seen_at", "down_since", "current_call")
    LINE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    DOWN_SINCE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_CALL_FIELD_NUMBER: _ClassVar[int]
    line: Line
    state: LineState
    last_seen_at: _timestamp_pb2.Timestamp
    down_since: _timestamp_pb2.Timestamp
    current_call: LineCall
    def __init__(self, line: _Optional[_Union[Line, _Mapping]] = ..., state: _Optional[_Union[LineState, str]] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., down_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current_call: _Optional[_Union[LineCall, _Mapping]] = ...) -> None: ...

class ListMissedCallsRequest(_message.Message):
    __slots__ = ("site_id", "period", "page", "include_unregistered")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_UNREGISTERED_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    page: _common_pb2.PageRequest
    include_unregistered: bool
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., include_unregistered: _Optional[bool] = ...) -> None: ...

class ListMissedCallsResponse(_message.Message):
    __slots__ = ("calls", "page")
    CALLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[LineCall]
    page: _common_pb2.PageResponse
    def __init__(self, calls: _Optional[_Iterable[_Union[LineCall, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetLineFiguresRequest(_message.Message):
    __slots__ = ("site_id", "period")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ...) -> None: ...

class LineFigure(_message.Message):
    __slots__ = ("key", "rang", "answered", "answered_late", "missed", "mean_answer_seconds", "max_answer_seconds")
    KEY_FIELD_NUMBER: _ClassVar[int]
    RANG_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_LATE_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    MEAN_ANSWER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_ANSWER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    key: str
    rang: int
    answered: int
    answered_late: int
    missed: int
    mean_answer_seconds: float
    max_answer_seconds: float
    def __init__(self, key: _Optional[str] = ..., rang: _Optional[int] = ..., answered: _Optional[int] = ..., answered_late: _Optional[int] = ..., missed: _Optional[int] = ..., mean_answer_seconds: _Optional[float] = ..., max_answer_seconds: _Optional[float] = ...) -> None: ...

class LineFigures(_message.Message):
    __slots__ = ("lines", "officers", "shifts")
    LINES_FIELD_NUMBER: _ClassVar[int]
    OFFICERS_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[LineFigure]
    officers: _containers.RepeatedCompositeFieldContainer[LineFigure]
    shifts: _containers.RepeatedCompositeFieldContainer[LineFigure]
    def __init__(self, lines: _Optional[_Iterable[_Union[LineFigure, _Mapping]]] = ..., officers: _Optional[_Iterable[_Union[LineFigure, _Mapping]]] = ..., shifts: _Optional[_Iterable[_Union[LineFigure, _Mapping]]] = ...) -> None: ...
