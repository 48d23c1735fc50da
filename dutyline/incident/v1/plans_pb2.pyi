import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from dutyline.incident.v1 import incident_pb2 as _incident_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanContact(_message.Message):
    __slots__ = ("name", "person_id", "role", "directory_entry_id", "superior_office")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SUPERIOR_OFFICE_FIELD_NUMBER: _ClassVar[int]
    name: str
    person_id: str
    role: _common_pb2.Role
    directory_entry_id: str
    superior_office: bool
    def __init__(self, name: _Optional[str] = ..., person_id: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., directory_entry_id: _Optional[str] = ..., superior_office: _Optional[bool] = ...) -> None: ...

class PlanTaskSpec(_message.Message):
    __slots__ = ("key", "title", "owner_person_id", "owner_role", "due_after_seconds")
    KEY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    OWNER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ROLE_FIELD_NUMBER: _ClassVar[int]
    DUE_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    key: str
    title: str
    owner_person_id: str
    owner_role: _common_pb2.Role
    due_after_seconds: int
    def __init__(self, key: _Optional[str] = ..., title: _Optional[str] = ..., owner_person_id: _Optional[str] = ..., owner_role: _Optional[_Union[_common_pb2.Role, str]] = ..., due_after_seconds: _Optional[int] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("id", "version", "name", "category", "sub_types", "severities", "response_level", "contacts", "tasks", "created_at", "created_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUB_TYPES_FIELD_NUMBER: _ClassVar[int]
    SEVERITIES_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: int
    name: str
    category: _incident_pb2.IncidentCategory
    sub_types: _containers.RepeatedScalarFieldContainer[str]
    severities: _containers.RepeatedScalarFieldContainer[_common_pb2.Severity]
    response_level: _incident_pb2.ResponseLevel
    contacts: _containers.RepeatedCompositeFieldContainer[PlanContact]
    tasks: _containers.RepeatedCompositeFieldContainer[PlanTaskSpec]
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, id: _Optional[str] = ..., version: _Optional[int] = ..., name: _Optional[str] = ..., category: _Optional[_Union[_incident_pb2.IncidentCategory, str]] = ..., sub_types: _Optional[_Iterable[str]] = ..., severities: _Optional[_Iterable[_Union[_common_pb2.Severity, str]]] = ..., response_level: _Optional[_Union[_incident_pb2.ResponseLevel, str]] = ..., contacts: _Optional[_Iterable[_Union[PlanContact, _Mapping]]] = ..., tasks: _Optional[_Iterable[_Union[PlanTaskSpec, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class UpsertPlanRequest(_message.Message):
    __slots__ = ("idempotency_key", "plan")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    plan: Plan
    def __init__(self, idempotency_key: _Optional[str] = ..., plan: _Optional[_Union[Plan, _Mapping]] = ...) -> None: ...

class ListPlansRequest(_message.Message):
    __slots__ = ("plan_id", "all_versions")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    ALL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    all_versions: bool
    def __init__(self, plan_id: _Optional[str] = ..., all_versions: _Optional[bool] = ...) -> None: ...

class ListPlansResponse(_message.Message):
    __slots__ = ("plans",)
    PLANS_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[Plan]
    def __init__(self, plans: _Optional[_Iterable[_Union[Plan, _Mapping]]] = ...) -> None: ...

class PlanTask(_message.Message):
    __slots__ = ("activation_id", "key", "title", "owner_person_id", "owner_role", "due_at", "status", "result", "completed_by", "completed_at", "overdue")
    ACTIVATION_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    OWNER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ROLE_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    activation_id: str
    key: str
    title: str
    owner_person_id: str
    owner_role: _common_pb2.Role
    due_at: _timestamp_pb2.Timestamp
    status: str
    result: str
    completed_by: _common_pb2.Actor
    completed_at: _timestamp_pb2.Timestamp
    overdue: bool
    def __init__(self, activation_id: _Optional[str] = ..., key: _Optional[str] = ..., title: _Optional[str] = ..., owner_person_id: _Optional[str] = ..., owner_role: _Optional[_Union[_common_pb2.Role, str]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., result: _Optional[str] = ..., completed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ...) -> None: ...

class PlanActivation(_message.Message):
    __slots__ = ("id", "incident_id", "site_id", "plan_id", "plan_version", "plan_name", "response_level", "activated_by", "activated_at", "status", "ended_at", "tasks", "drill")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLAN_NAME_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    ACTIVATED_BY_FIELD_NUMBER: _ClassVar[int]
    ACTIVATED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    id: str
    incident_id: str
    site_id: str
    plan_id: str
    plan_version: int
    plan_name: str
    response_level: _incident_pb2.ResponseLevel
    activated_by: _common_pb2.Actor
    activated_at: _timestamp_pb2.Timestamp
    status: str
    ended_at: _timestamp_pb2.Timestamp
    tasks: _containers.RepeatedCompositeFieldContainer[PlanTask]
    drill: bool
    def __init__(self, id: _Optional[str] = ..., incident_id: _Optional[str] = ..., site_id: _Optional[str] = ..., plan_id: _Optional[str] = ..., plan_version: _Optional[int] = ..., plan_name: _Optional[str] = ..., response_level: _Optional[_Union[_incident_pb2.ResponseLevel, str]] = ..., activated_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., activated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tasks: _Optional[_Iterable[_Union[PlanTask, _Mapping]]] = ..., drill: _Optional[bool] = ...) -> None: ...

class ActivatePlanRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "plan_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    plan_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., plan_id: _Optional[str] = ...) -> None: ...

class ListPlanActivationsRequest(_message.Message):
    __slots__ = ("incident_id",)
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    def __init__(self, incident_id: _Optional[str] = ...) -> None: ...

class ListPlanActivationsResponse(_message.Message):
    __slots__ = ("activations",)
    ACTIVATIONS_FIELD_NUMBER: _ClassVar[int]
    activations: _containers.RepeatedCompositeFieldContainer[PlanActivation]
    def __init__(self, activations: _Optional[_Iterable[_Union[PlanActivation, _Mapping]]] = ...) -> None: ...

class CompleteTaskRequest(_message.Message):
    __slots__ = ("idempotency_key", "activation_id", "task_key", "result")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTIVATION_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_KEY_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    activation_id: str
    task_key: str
    result: str
    def __init__(self, idempotency_key: _Optional[str] = ..., activation_id: _Optional[str] = ..., task_key: _Optional[str] = ..., result: _Optional[str] = ...) -> None: ...

class DeclareResponseRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "level", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    level: _incident_pb2.ResponseLevel
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., level: _Optional[_Union[_incident_pb2.ResponseLevel, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class LiftResponseRequest(_message.Message):
    __slots__ = ("idempotency_key", "incident_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    incident_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., incident_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
