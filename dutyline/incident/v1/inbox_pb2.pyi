import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.incident.v1 import incident_pb2 as _incident_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReportInboxItem(_message.Message):
    __slots__ = ("id", "report", "report_version", "sender_site_id", "recipient_site_id", "incident_title", "severity", "status", "delivered_at", "escalated_at", "received_by", "received_at", "returned_by", "returned_at", "return_reason", "returned_wrong", "receiving_incident_id", "drill", "window_seconds")
    ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    REPORT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SENDER_SITE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_SITE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_AT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_BY_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    RETURNED_BY_FIELD_NUMBER: _ClassVar[int]
    RETURNED_AT_FIELD_NUMBER: _ClassVar[int]
    RETURN_REASON_FIELD_NUMBER: _ClassVar[int]
    RETURNED_WRONG_FIELD_NUMBER: _ClassVar[int]
    RECEIVING_INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    report: _incident_pb2.Report
    report_version: int
    sender_site_id: str
    recipient_site_id: str
    incident_title: str
    severity: _common_pb2.Severity
    status: _incident_pb2.DeliveryStatus
    delivered_at: _timestamp_pb2.Timestamp
    escalated_at: _timestamp_pb2.Timestamp
    received_by: _common_pb2.Actor
    received_at: _timestamp_pb2.Timestamp
    returned_by: _common_pb2.Actor
    returned_at: _timestamp_pb2.Timestamp
    return_reason: str
    returned_wrong: bool
    receiving_incident_id: str
    drill: bool
    window_seconds: int
    def __init__(self, id: _Optional[str] = ..., report: _Optional[_Union[_incident_pb2.Report, _Mapping]] = ..., report_version: _Optional[int] = ..., sender_site_id: _Optional[str] = ..., recipient_site_id: _Optional[str] = ..., incident_title: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., status: _Optional[_Union[_incident_pb2.DeliveryStatus, str]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., escalated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., received_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., returned_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., returned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., return_reason: _Optional[str] = ..., returned_wrong: _Optional[bool] = ..., receiving_incident_id: _Optional[str] = ..., drill: _Optional[bool] = ..., window_seconds: _Optional[int] = ...) -> None: ...

class ListInboxRequest(_message.Message):
    __slots__ = ("site_id", "status", "hide_drills", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HIDE_DRILLS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: _incident_pb2.DeliveryStatus
    hide_drills: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[_Union[_incident_pb2.DeliveryStatus, str]] = ..., hide_drills: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListInboxResponse(_message.Message):
    __slots__ = ("items", "page")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ReportInboxItem]
    page: _common_pb2.PageResponse
    def __init__(self, items: _Optional[_Iterable[_Union[ReportInboxItem, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ReceiveReportRequest(_message.Message):
    __slots__ = ("idempotency_key", "item_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    item_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., item_id: _Optional[str] = ...) -> None: ...

class ReturnReportRequest(_message.Message):
    __slots__ = ("idempotency_key", "item_id", "reason", "wrong")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WRONG_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    item_id: str
    reason: str
    wrong: bool
    def __init__(self, idempotency_key: _Optional[str] = ..., item_id: _Optional[str] = ..., reason: _Optional[str] = ..., wrong: _Optional[bool] = ...) -> None: ...
