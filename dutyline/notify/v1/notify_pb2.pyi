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

class Recipient(_message.Message):
    __slots__ = ("person_id", "role", "superior_of_site", "directory_entry_id")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SUPERIOR_OF_SITE_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    role: RoleAtSite
    superior_of_site: str
    directory_entry_id: str
    def __init__(self, person_id: _Optional[str] = ..., role: _Optional[_Union[RoleAtSite, _Mapping]] = ..., superior_of_site: _Optional[str] = ..., directory_entry_id: _Optional[str] = ...) -> None: ...

class RoleAtSite(_message.Message):
    __slots__ = ("site_id", "role")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    role: _common_pb2.Role
    def __init__(self, site_id: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ...) -> None: ...

class DeliveryAttempt(_message.Message):
    __slots__ = ("channel", "at", "status", "provider_answer", "address", "attempt")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ANSWER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    channel: str
    at: _timestamp_pb2.Timestamp
    status: str
    provider_answer: str
    address: str
    attempt: int
    def __init__(self, channel: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., provider_answer: _Optional[str] = ..., address: _Optional[str] = ..., attempt: _Optional[int] = ...) -> None: ...

class Notification(_message.Message):
    __slots__ = ("id", "site_id", "person_id", "template", "subject", "body", "status", "attempts", "acknowledged_at", "acknowledged_by", "ref_kind", "ref_id", "escalation_id", "drill", "locale", "created_at", "channel", "person_name", "escalation_loop", "escalation_step")
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
    ESCALATION_ID_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PERSON_NAME_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_LOOP_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_STEP_FIELD_NUMBER: _ClassVar[int]
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
    escalation_id: str
    drill: bool
    locale: str
    created_at: _timestamp_pb2.Timestamp
    channel: str
    person_name: str
    escalation_loop: int
    escalation_step: int
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., template: _Optional[str] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., status: _Optional[str] = ..., attempts: _Optional[_Iterable[_Union[DeliveryAttempt, _Mapping]]] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_by: _Optional[str] = ..., ref_kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., escalation_id: _Optional[str] = ..., drill: _Optional[bool] = ..., locale: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[str] = ..., person_name: _Optional[str] = ..., escalation_loop: _Optional[int] = ..., escalation_step: _Optional[int] = ...) -> None: ...

class SendRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "recipients", "template", "data", "ref_kind", "ref_id", "locale", "drill", "channel")
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
    DRILL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    template: str
    data: _containers.ScalarMap[str, str]
    ref_kind: str
    ref_id: str
    locale: str
    drill: bool
    channel: str
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ..., template: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ..., ref_kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., locale: _Optional[str] = ..., drill: _Optional[bool] = ..., channel: _Optional[str] = ...) -> None: ...

class SendResponse(_message.Message):
    __slots__ = ("notifications",)
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    notifications: _containers.RepeatedCompositeFieldContainer[Notification]
    def __init__(self, notifications: _Optional[_Iterable[_Union[Notification, _Mapping]]] = ...) -> None: ...

class GetNotificationRequest(_message.Message):
    __slots__ = ("notification_id",)
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    def __init__(self, notification_id: _Optional[str] = ...) -> None: ...

class ListNotificationsRequest(_message.Message):
    __slots__ = ("site_id", "person_id", "unacknowledged_only", "page", "ref_id", "escalation_id")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    UNACKNOWLEDGED_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    person_id: str
    unacknowledged_only: bool
    page: _common_pb2.PageRequest
    ref_id: str
    escalation_id: str
    def __init__(self, site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., unacknowledged_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., ref_id: _Optional[str] = ..., escalation_id: _Optional[str] = ...) -> None: ...

class ListNotificationsResponse(_message.Message):
    __slots__ = ("notifications", "next_page_token")
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    notifications: _containers.RepeatedCompositeFieldContainer[Notification]
    next_page_token: str
    def __init__(self, notifications: _Optional[_Iterable[_Union[Notification, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("site_id", "steps", "repeat", "is_default", "updated_at")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    REPEAT_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    steps: _containers.RepeatedCompositeFieldContainer[EscalationStep]
    repeat: int
    is_default: bool
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[EscalationStep, _Mapping]]] = ..., repeat: _Optional[int] = ..., is_default: _Optional[bool] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertEscalationChainRequest(_message.Message):
    __slots__ = ("idempotency_key", "chain")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    chain: EscalationChain
    def __init__(self, idempotency_key: _Optional[str] = ..., chain: _Optional[_Union[EscalationChain, _Mapping]] = ...) -> None: ...

class GetEscalationChainRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class EscalateRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "template", "data", "ref_kind", "ref_id", "drill", "locale", "start_at_role")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    REF_KIND_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    START_AT_ROLE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    template: str
    data: _containers.ScalarMap[str, str]
    ref_kind: str
    ref_id: str
    drill: bool
    locale: str
    start_at_role: _common_pb2.Role
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., template: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ..., ref_kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., drill: _Optional[bool] = ..., locale: _Optional[str] = ..., start_at_role: _Optional[_Union[_common_pb2.Role, str]] = ...) -> None: ...

class Escalation(_message.Message):
    __slots__ = ("id", "site_id", "template", "data", "ref_kind", "ref_id", "drill", "locale", "status", "steps", "repeat", "first_step", "acknowledged_by", "acknowledged_at", "created_at", "workflow_id", "notifications")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    REF_KIND_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    REPEAT_FIELD_NUMBER: _ClassVar[int]
    FIRST_STEP_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    template: str
    data: _containers.ScalarMap[str, str]
    ref_kind: str
    ref_id: str
    drill: bool
    locale: str
    status: str
    steps: _containers.RepeatedCompositeFieldContainer[EscalationStep]
    repeat: int
    first_step: int
    acknowledged_by: str
    acknowledged_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    workflow_id: str
    notifications: _containers.RepeatedCompositeFieldContainer[Notification]
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., template: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ..., ref_kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., drill: _Optional[bool] = ..., locale: _Optional[str] = ..., status: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[EscalationStep, _Mapping]]] = ..., repeat: _Optional[int] = ..., first_step: _Optional[int] = ..., acknowledged_by: _Optional[str] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., workflow_id: _Optional[str] = ..., notifications: _Optional[_Iterable[_Union[Notification, _Mapping]]] = ...) -> None: ...

class GetEscalationRequest(_message.Message):
    __slots__ = ("escalation_id",)
    ESCALATION_ID_FIELD_NUMBER: _ClassVar[int]
    escalation_id: str
    def __init__(self, escalation_id: _Optional[str] = ...) -> None: ...

class Agency(_message.Message):
    __slots__ = ("id", "name", "site_ids", "event_types", "webhook_url", "webhook_secret", "created_at", "nats_user")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SITE_IDS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_URL_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_SECRET_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    NATS_USER_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    site_ids: _containers.RepeatedScalarFieldContainer[str]
    event_types: _containers.RepeatedScalarFieldContainer[str]
    webhook_url: str
    webhook_secret: str
    created_at: _timestamp_pb2.Timestamp
    nats_user: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., site_ids: _Optional[_Iterable[str]] = ..., event_types: _Optional[_Iterable[str]] = ..., webhook_url: _Optional[str] = ..., webhook_secret: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., nats_user: _Optional[str] = ...) -> None: ...

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

class RevokeAgencyCredentialsRequest(_message.Message):
    __slots__ = ("idempotency_key", "agency_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    agency_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., agency_id: _Optional[str] = ...) -> None: ...

class RescopeAgencyRequest(_message.Message):
    __slots__ = ("idempotency_key", "agency_id", "site_ids", "event_types")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_IDS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    agency_id: str
    site_ids: _containers.RepeatedScalarFieldContainer[str]
    event_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., agency_id: _Optional[str] = ..., site_ids: _Optional[_Iterable[str]] = ..., event_types: _Optional[_Iterable[str]] = ...) -> None: ...

class AgencyCredentials(_message.Message):
    __slots__ = ("agency_id", "nats_user", "allowed_subjects", "creds", "inbox_prefix", "consumer")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    NATS_USER_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    CREDS_FIELD_NUMBER: _ClassVar[int]
    INBOX_PREFIX_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    nats_user: str
    allowed_subjects: _containers.RepeatedScalarFieldContainer[str]
    creds: str
    inbox_prefix: str
    consumer: str
    def __init__(self, agency_id: _Optional[str] = ..., nats_user: _Optional[str] = ..., allowed_subjects: _Optional[_Iterable[str]] = ..., creds: _Optional[str] = ..., inbox_prefix: _Optional[str] = ..., consumer: _Optional[str] = ...) -> None: ...

class AgencyDelivery(_message.Message):
    __slots__ = ("agency_id", "event_id", "event_type", "site_id", "status", "attempts", "receipt", "last_error", "acknowledged_at", "next_attempt_at")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    event_id: str
    event_type: str
    site_id: str
    status: str
    attempts: int
    receipt: str
    last_error: str
    acknowledged_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    def __init__(self, agency_id: _Optional[str] = ..., event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., site_id: _Optional[str] = ..., status: _Optional[str] = ..., attempts: _Optional[int] = ..., receipt: _Optional[str] = ..., last_error: _Optional[str] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAgencyDeliveriesRequest(_message.Message):
    __slots__ = ("agency_id", "status", "page")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    status: str
    page: _common_pb2.PageRequest
    def __init__(self, agency_id: _Optional[str] = ..., status: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListAgencyDeliveriesResponse(_message.Message):
    __slots__ = ("deliveries",)
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[AgencyDelivery]
    def __init__(self, deliveries: _Optional[_Iterable[_Union[AgencyDelivery, _Mapping]]] = ...) -> None: ...
