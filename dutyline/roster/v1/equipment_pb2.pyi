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

class EquipmentCheck(_message.Message):
    __slots__ = ("name", "period")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    name: str
    period: str
    def __init__(self, name: _Optional[str] = ..., period: _Optional[str] = ...) -> None: ...

class Equipment(_message.Message):
    __slots__ = ("id", "site_id", "kind", "name", "critical", "checks", "open_faults", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CRITICAL_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    OPEN_FAULTS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    kind: str
    name: str
    critical: bool
    checks: _containers.RepeatedCompositeFieldContainer[EquipmentCheck]
    open_faults: int
    version: int
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., critical: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[EquipmentCheck, _Mapping]]] = ..., open_faults: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class UpsertEquipmentRequest(_message.Message):
    __slots__ = ("idempotency_key", "id", "site_id", "kind", "name", "critical", "checks")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CRITICAL_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    id: str
    site_id: str
    kind: str
    name: str
    critical: bool
    checks: _containers.RepeatedCompositeFieldContainer[EquipmentCheck]
    def __init__(self, idempotency_key: _Optional[str] = ..., id: _Optional[str] = ..., site_id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., critical: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[EquipmentCheck, _Mapping]]] = ...) -> None: ...

class ListEquipmentRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ListEquipmentResponse(_message.Message):
    __slots__ = ("equipment",)
    EQUIPMENT_FIELD_NUMBER: _ClassVar[int]
    equipment: _containers.RepeatedCompositeFieldContainer[Equipment]
    def __init__(self, equipment: _Optional[_Iterable[_Union[Equipment, _Mapping]]] = ...) -> None: ...

class CheckResult(_message.Message):
    __slots__ = ("id", "equipment_id", "check_name", "result", "note", "checked_by", "checked_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    EQUIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHECK_NAME_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHECKED_BY_FIELD_NUMBER: _ClassVar[int]
    CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    equipment_id: str
    check_name: str
    result: str
    note: str
    checked_by: _common_pb2.Actor
    checked_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., equipment_id: _Optional[str] = ..., check_name: _Optional[str] = ..., result: _Optional[str] = ..., note: _Optional[str] = ..., checked_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordCheckRequest(_message.Message):
    __slots__ = ("idempotency_key", "equipment_id", "check_name", "result", "note", "checked_at")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    EQUIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHECK_NAME_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    equipment_id: str
    check_name: str
    result: str
    note: str
    checked_at: _timestamp_pb2.Timestamp
    def __init__(self, idempotency_key: _Optional[str] = ..., equipment_id: _Optional[str] = ..., check_name: _Optional[str] = ..., result: _Optional[str] = ..., note: _Optional[str] = ..., checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordCheckResponse(_message.Message):
    __slots__ = ("check", "fault")
    CHECK_FIELD_NUMBER: _ClassVar[int]
    FAULT_FIELD_NUMBER: _ClassVar[int]
    check: CheckResult
    fault: Fault
    def __init__(self, check: _Optional[_Union[CheckResult, _Mapping]] = ..., fault: _Optional[_Union[Fault, _Mapping]] = ...) -> None: ...

class Fault(_message.Message):
    __slots__ = ("id", "site_id", "equipment_id", "equipment_name", "critical", "description", "status", "reported_by", "reported_at", "resolution", "resolved_by", "resolved_at", "check_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    EQUIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    EQUIPMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    CRITICAL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REPORTED_BY_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    equipment_id: str
    equipment_name: str
    critical: bool
    description: str
    status: str
    reported_by: _common_pb2.Actor
    reported_at: _timestamp_pb2.Timestamp
    resolution: str
    resolved_by: _common_pb2.Actor
    resolved_at: _timestamp_pb2.Timestamp
    check_id: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., equipment_id: _Optional[str] = ..., equipment_name: _Optional[str] = ..., critical: _Optional[bool] = ..., description: _Optional[str] = ..., status: _Optional[str] = ..., reported_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolution: _Optional[str] = ..., resolved_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., check_id: _Optional[str] = ...) -> None: ...

class ReportFaultRequest(_message.Message):
    __slots__ = ("idempotency_key", "equipment_id", "description")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    EQUIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    equipment_id: str
    description: str
    def __init__(self, idempotency_key: _Optional[str] = ..., equipment_id: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ResolveFaultRequest(_message.Message):
    __slots__ = ("idempotency_key", "fault_id", "resolution")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    FAULT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    fault_id: str
    resolution: str
    def __init__(self, idempotency_key: _Optional[str] = ..., fault_id: _Optional[str] = ..., resolution: _Optional[str] = ...) -> None: ...

class ListFaultsRequest(_message.Message):
    __slots__ = ("site_id", "status", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: str
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListFaultsResponse(_message.Message):
    __slots__ = ("faults", "page")
    FAULTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    faults: _containers.RepeatedCompositeFieldContainer[Fault]
    page: _common_pb2.PageResponse
    def __init__(self, faults: _Optional[_Iterable[_Union[Fault, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class Supply(_message.Message):
    __slots__ = ("id", "site_id", "name", "quantity", "minimum", "expiry_date", "warnings", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    name: str
    quantity: int
    minimum: int
    expiry_date: str
    warnings: _containers.RepeatedScalarFieldContainer[str]
    version: int
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., minimum: _Optional[int] = ..., expiry_date: _Optional[str] = ..., warnings: _Optional[_Iterable[str]] = ..., version: _Optional[int] = ...) -> None: ...

class UpsertSupplyRequest(_message.Message):
    __slots__ = ("idempotency_key", "id", "site_id", "name", "quantity", "minimum", "expiry_date")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    id: str
    site_id: str
    name: str
    quantity: int
    minimum: int
    expiry_date: str
    def __init__(self, idempotency_key: _Optional[str] = ..., id: _Optional[str] = ..., site_id: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., minimum: _Optional[int] = ..., expiry_date: _Optional[str] = ...) -> None: ...

class ListSuppliesRequest(_message.Message):
    __slots__ = ("site_id", "warn_days")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    WARN_DAYS_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    warn_days: int
    def __init__(self, site_id: _Optional[str] = ..., warn_days: _Optional[int] = ...) -> None: ...

class ListSuppliesResponse(_message.Message):
    __slots__ = ("supplies",)
    SUPPLIES_FIELD_NUMBER: _ClassVar[int]
    supplies: _containers.RepeatedCompositeFieldContainer[Supply]
    def __init__(self, supplies: _Optional[_Iterable[_Union[Supply, _Mapping]]] = ...) -> None: ...
