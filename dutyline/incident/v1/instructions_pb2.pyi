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

class Instruction(_message.Message):
    __slots__ = ("id", "site_id", "incident_id", "instructed_by_id", "instructed_by", "content", "assignee_id", "due_at", "status", "overdue", "result", "recorded_by", "recorded_at", "completed_by", "completed_at", "drill", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTED_BY_ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTED_BY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    incident_id: str
    instructed_by_id: str
    instructed_by: str
    content: str
    assignee_id: str
    due_at: _timestamp_pb2.Timestamp
    status: str
    overdue: bool
    result: str
    recorded_by: _common_pb2.Actor
    recorded_at: _timestamp_pb2.Timestamp
    completed_by: _common_pb2.Actor
    completed_at: _timestamp_pb2.Timestamp
    drill: bool
    version: int
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., instructed_by_id: _Optional[str] = ..., instructed_by: _Optional[str] = ..., content: _Optional[str] = ..., assignee_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., overdue: _Optional[bool] = ..., result: _Optional[str] = ..., recorded_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., drill: _Optional[bool] = ..., version: _Optional[int] = ...) -> None: ...

class RecordInstructionRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "incident_id", "instructed_by_id", "instructed_by", "content", "assignee_id", "due_at", "drill")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTED_BY_ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTED_BY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    incident_id: str
    instructed_by_id: str
    instructed_by: str
    content: str
    assignee_id: str
    due_at: _timestamp_pb2.Timestamp
    drill: bool
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., instructed_by_id: _Optional[str] = ..., instructed_by: _Optional[str] = ..., content: _Optional[str] = ..., assignee_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., drill: _Optional[bool] = ...) -> None: ...

class CompleteInstructionRequest(_message.Message):
    __slots__ = ("idempotency_key", "instruction_id", "result")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    instruction_id: str
    result: str
    def __init__(self, idempotency_key: _Optional[str] = ..., instruction_id: _Optional[str] = ..., result: _Optional[str] = ...) -> None: ...

class ListInstructionsRequest(_message.Message):
    __slots__ = ("site_id", "incident_id", "assignee_id", "open_only", "include_drills", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    incident_id: str
    assignee_id: str
    open_only: bool
    include_drills: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., assignee_id: _Optional[str] = ..., open_only: _Optional[bool] = ..., include_drills: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListInstructionsResponse(_message.Message):
    __slots__ = ("instructions", "page")
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    instructions: _containers.RepeatedCompositeFieldContainer[Instruction]
    page: _common_pb2.PageResponse
    def __init__(self, instructions: _Optional[_Iterable[_Union[Instruction, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...
