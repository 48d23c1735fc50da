import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Recipient(_message.Message):
    __slots__ = ("person_id", "role")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    role: RoleAtSite
    def __init__(self, person_id: _Optional[str] = ..., role: _Optional[_Union[RoleAtSite, _Mapping]] = ...) -> None: ...

class RoleAtSite(_message.Message):
    __slots__ = ("site_id", "role")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    role: _common_pb2.Role
    def __init__(self, site_id: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ...) -> None: ...

class DeliveryAttempt(_message.Message):
    __slots__ = ("channel", "at", "status", "provider_answer")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ANSWER_FIELD_NUMBER: _ClassVar[int]
    channel: str
    at: _timestamp_pb2.Timestamp
    status: str
    provider_answer: str
    def __init__(self, channel: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., provider_answer: _Optional[str] = ...) -> None: ...

class Notification(_message.Message):
    __slots__ = ("id", "site_id", "person_id", "template", "subject", "body", "status", "attempts", "acknowledged_at", "acknowledged_by", "ref_kind", "ref_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    REF_KIND_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    person_id: str
    template: str
    subject: str
    body: str
    status: str
    attempts: _containers.RepeatedCompositeFieldContainer[DeliveryAttempt]
    acknowledged_at: _timestamp_pb2.Timestamp
    acknowledged_by: str
    ref_kind: str
    ref_id: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., template: _Optional[str] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., status: _Optional[str] = ..., attempts: _Optional[_Iterable[_Union[DeliveryAttempt, _Mapping]]] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_by: _Optional[str] = ..., ref_kind: _Optional[str] = ..., ref_id: _Optional[str] = ...) -> None: ...

class SendRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "recipients", "template", "data", "ref_kind", "ref_id", "locale")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    REF_KIND_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    template: str
    data: _containers.ScalarMap[str, str]
    ref_kind: str
    ref_id: str
    locale: str
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ..., template: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ..., ref_kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., locale: _Optional[str] = ...) -> None: ...

class GetNotificationRequest(_message.Message):
    __slots__ = ("notification_id",)
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    def __init__(self, notification_id: _Optional[str] = ...) -> None: ...

class ListNotificationsRequest(_message.Message):
    __slots__ = ("site_id", "person_id", "unacknowledged_only", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    UNACKNOWLEDGED_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    person_id: str
    unacknowledged_only: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., unacknowledged_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListNotificationsResponse(_message.Message):
    __slots__ = ("notifications",)
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    notifications: _containers.RepeatedCompositeFieldContainer[Notification]
    def __init__(self, notifications: _Optional[_Iterable[_Union[Notification, _Mapping]]] = ...) -> None: ...

class AcknowledgeRequest(_message.Message):
    __slots__ = ("idempotency_key", "notification_id", "ack_token")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    ACK_TOKEN_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    notification_id: str
    ack_token: str
    def __init__(self, idempotency_key: _Optional[str] = ..., notification_id: _Optional[str] = ..., ack_token: _Optional[str] = ...) -> None: ...

class EscalationStep(_message.Message):
    __slots__ = ("recipient", "channel", "wait_seconds")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    WAIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    recipient: Recipient
    channel: str
    wait_seconds: int
    def __init__(self, recipient: _Optional[_Union[Recipient, _Mapping]] = ..., channel: _Optional[str] = ..., wait_seconds: _Optional[int] = ...) -> None: ...

class EscalationChain(_message.Message):
    __slots__ = ("id", "site_id", "steps", "repeat")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    REPEAT_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    steps: _containers.RepeatedCompositeFieldContainer[EscalationStep]
    repeat: int
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[EscalationStep, _Mapping]]] = ..., repeat: _Optional[int] = ...) -> None: ...

class UpsertEscalationChainRequest(_message.Message):
    __slots__ = ("idempotency_key", "chain")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    chain: EscalationChain
    def __init__(self, idempotency_key: _Optional[str] = ..., chain: _Optional[_Union[EscalationChain, _Mapping]] = ...) -> None: ...

class Agency(_message.Message):
    __slots__ = ("id", "name", "site_ids", "event_types", "webhook_url")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SITE_IDS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_URL_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    site_ids: _containers.RepeatedScalarFieldContainer[str]
    event_types: _containers.RepeatedScalarFieldContainer[str]
    webhook_url: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., site_ids: _Optional[_Iterable[str]] = ..., event_types: _Optional[_Iterable[str]] = ..., webhook_url: _Optional[str] = ...) -> None: ...

class RegisterAgencyRequest(_message.Message):
    __slots__ = ("idempotency_key", "agency")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    agency: Agency
    def __init__(self, idempotency_key: _Optional[str] = ..., agency: _Optional[_Union[Agency, _Mapping]] = ...) -> None: ...

class ListAgenciesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAgenciesResponse(_message.Message):
    __slots__ = ("agencies",)
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    agencies: _containers.RepeatedCompositeFieldContainer[Agency]
    def __init__(self, agencies: _Optional[_Iterable[_Union[Agency, _Mapping]]] = ...) -> None: ...

class IssueAgencyCredentialsRequest(_message.Message):
    __slots__ = ("idempotency_key", "agency_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    agency_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., agency_id: _Optional[str] = ...) -> None: ...

class AgencyCredentials(_message.Message):
    __slots__ = ("agency_id", "nats_user", "nats_password", "allowed_subjects")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    NATS_USER_FIELD_NUMBER: _ClassVar[int]
    NATS_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    nats_user: str
    nats_password: str
    allowed_subjects: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agency_id: _Optional[str] = ..., nats_user: _Optional[str] = ..., nats_password: _Optional[str] = ..., allowed_subjects: _Optional[_Iterable[str]] = ...) -> None: ...
