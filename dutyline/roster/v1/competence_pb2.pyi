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

class QualificationRequirement(_message.Message):
    __slots__ = ("role", "qualification", "valid_days")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    VALID_DAYS_FIELD_NUMBER: _ClassVar[int]
    role: _common_pb2.Role
    qualification: str
    valid_days: int
    def __init__(self, role: _Optional[_Union[_common_pb2.Role, str]] = ..., qualification: _Optional[str] = ..., valid_days: _Optional[int] = ...) -> None: ...

class SetRequiredQualificationsRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "requirements")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    requirements: _containers.RepeatedCompositeFieldContainer[QualificationRequirement]
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., requirements: _Optional[_Iterable[_Union[QualificationRequirement, _Mapping]]] = ...) -> None: ...

class RequiredQualifications(_message.Message):
    __slots__ = ("site_id", "requirements", "updated_at", "updated_by")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    requirements: _containers.RepeatedCompositeFieldContainer[QualificationRequirement]
    updated_at: _timestamp_pb2.Timestamp
    updated_by: str
    def __init__(self, site_id: _Optional[str] = ..., requirements: _Optional[_Iterable[_Union[QualificationRequirement, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ...) -> None: ...

class RecordTrainingRequest(_message.Message):
    __slots__ = ("idempotency_key", "person_id", "qualification", "completed_on", "valid_until", "course", "certificate_no")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    COURSE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NO_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    person_id: str
    qualification: str
    completed_on: str
    valid_until: str
    course: str
    certificate_no: str
    def __init__(self, idempotency_key: _Optional[str] = ..., person_id: _Optional[str] = ..., qualification: _Optional[str] = ..., completed_on: _Optional[str] = ..., valid_until: _Optional[str] = ..., course: _Optional[str] = ..., certificate_no: _Optional[str] = ...) -> None: ...

class Training(_message.Message):
    __slots__ = ("id", "person_id", "site_id", "qualification", "completed_on", "valid_until", "course", "certificate_no", "recorded_by", "recorded_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    COURSE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NO_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    person_id: str
    site_id: str
    qualification: str
    completed_on: str
    valid_until: str
    course: str
    certificate_no: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., person_id: _Optional[str] = ..., site_id: _Optional[str] = ..., qualification: _Optional[str] = ..., completed_on: _Optional[str] = ..., valid_until: _Optional[str] = ..., course: _Optional[str] = ..., certificate_no: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Qualification(_message.Message):
    __slots__ = ("person_id", "display_name", "site_id", "role", "qualification", "valid_until", "state")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    display_name: str
    site_id: str
    role: _common_pb2.Role
    qualification: str
    valid_until: str
    state: str
    def __init__(self, person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., site_id: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., qualification: _Optional[str] = ..., valid_until: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class ListQualificationsRequest(_message.Message):
    __slots__ = ("site_id", "person_id", "state")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    person_id: str
    state: str
    def __init__(self, site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class ListQualificationsResponse(_message.Message):
    __slots__ = ("qualifications", "requirements")
    QUALIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    qualifications: _containers.RepeatedCompositeFieldContainer[Qualification]
    requirements: _containers.RepeatedCompositeFieldContainer[QualificationRequirement]
    def __init__(self, qualifications: _Optional[_Iterable[_Union[Qualification, _Mapping]]] = ..., requirements: _Optional[_Iterable[_Union[QualificationRequirement, _Mapping]]] = ...) -> None: ...

class Drill(_message.Message):
    __slots__ = ("id", "site_id", "subject", "scheduled_for", "participant_ids", "status", "attended_ids", "held_at", "review", "scheduled_by", "recorded_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FOR_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_IDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTENDED_IDS_FIELD_NUMBER: _ClassVar[int]
    HELD_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    subject: str
    scheduled_for: _timestamp_pb2.Timestamp
    participant_ids: _containers.RepeatedScalarFieldContainer[str]
    status: str
    attended_ids: _containers.RepeatedScalarFieldContainer[str]
    held_at: _timestamp_pb2.Timestamp
    review: str
    scheduled_by: str
    recorded_by: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., subject: _Optional[str] = ..., scheduled_for: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., participant_ids: _Optional[_Iterable[str]] = ..., status: _Optional[str] = ..., attended_ids: _Optional[_Iterable[str]] = ..., held_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., review: _Optional[str] = ..., scheduled_by: _Optional[str] = ..., recorded_by: _Optional[str] = ...) -> None: ...

class ScheduleDrillRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "subject", "scheduled_for", "participant_ids")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FOR_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_IDS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    subject: str
    scheduled_for: _timestamp_pb2.Timestamp
    participant_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., subject: _Optional[str] = ..., scheduled_for: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., participant_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RecordDrillRequest(_message.Message):
    __slots__ = ("idempotency_key", "drill_id", "held_at", "attended_ids", "review")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DRILL_ID_FIELD_NUMBER: _ClassVar[int]
    HELD_AT_FIELD_NUMBER: _ClassVar[int]
    ATTENDED_IDS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    drill_id: str
    held_at: _timestamp_pb2.Timestamp
    attended_ids: _containers.RepeatedScalarFieldContainer[str]
    review: str
    def __init__(self, idempotency_key: _Optional[str] = ..., drill_id: _Optional[str] = ..., held_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attended_ids: _Optional[_Iterable[str]] = ..., review: _Optional[str] = ...) -> None: ...

class ListDrillsRequest(_message.Message):
    __slots__ = ("site_id", "status", "period")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: str
    period: _common_pb2.TimeRange
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ...) -> None: ...

class ListDrillsResponse(_message.Message):
    __slots__ = ("drills",)
    DRILLS_FIELD_NUMBER: _ClassVar[int]
    drills: _containers.RepeatedCompositeFieldContainer[Drill]
    def __init__(self, drills: _Optional[_Iterable[_Union[Drill, _Mapping]]] = ...) -> None: ...
