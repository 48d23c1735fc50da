import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_OFFICER: _ClassVar[Role]
    ROLE_LEADER: _ClassVar[Role]
    ROLE_UNIT_HEAD: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
    ROLE_SUPERVISOR: _ClassVar[Role]
    ROLE_AGENCY: _ClassVar[Role]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_UNRATED: _ClassVar[Severity]
    SEVERITY_I: _ClassVar[Severity]
    SEVERITY_II: _ClassVar[Severity]
    SEVERITY_III: _ClassVar[Severity]
    SEVERITY_IV: _ClassVar[Severity]
ROLE_UNSPECIFIED: Role
ROLE_OFFICER: Role
ROLE_LEADER: Role
ROLE_UNIT_HEAD: Role
ROLE_ADMIN: Role
ROLE_SUPERVISOR: Role
ROLE_AGENCY: Role
SEVERITY_UNSPECIFIED: Severity
SEVERITY_UNRATED: Severity
SEVERITY_I: Severity
SEVERITY_II: Severity
SEVERITY_III: Severity
SEVERITY_IV: Severity

class Actor(_message.Message):
    __slots__ = ("person_id", "display_name", "kind", "via")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    display_name: str
    kind: str
    via: str
    def __init__(self, person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., kind: _Optional[str] = ..., via: _Optional[str] = ...) -> None: ...

class Place(_message.Message):
    __slots__ = ("text", "latitude", "longitude")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    text: str
    latitude: float
    longitude: float
    def __init__(self, text: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class TimeRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PageRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class PageResponse(_message.Message):
    __slots__ = ("next_page_token",)
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    def __init__(self, next_page_token: _Optional[str] = ...) -> None: ...
