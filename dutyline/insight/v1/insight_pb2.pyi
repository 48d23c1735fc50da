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

class SignerRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGNER_ROLE_UNSPECIFIED: _ClassVar[SignerRole]
    SIGNER_ROLE_OUTGOING_OFFICER: _ClassVar[SignerRole]
    SIGNER_ROLE_LEADER: _ClassVar[SignerRole]

class Granularity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GRANULARITY_UNSPECIFIED: _ClassVar[Granularity]
    GRANULARITY_DAY: _ClassVar[Granularity]
    GRANULARITY_WEEK: _ClassVar[Granularity]
    GRANULARITY_MONTH: _ClassVar[Granularity]

class ScoreSubject(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCORE_SUBJECT_UNSPECIFIED: _ClassVar[ScoreSubject]
    SCORE_SUBJECT_PERSON: _ClassVar[ScoreSubject]
    SCORE_SUBJECT_SITE: _ClassVar[ScoreSubject]

class ChartKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHART_KIND_UNSPECIFIED: _ClassVar[ChartKind]
    CHART_KIND_ANSWER_TIMES: _ClassVar[ChartKind]
    CHART_KIND_CALLS_PER_HOUR: _ClassVar[ChartKind]
    CHART_KIND_COMPLIANCE_TREND: _ClassVar[ChartKind]
    CHART_KIND_VIOLATIONS: _ClassVar[ChartKind]

class ChartFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHART_FORMAT_UNSPECIFIED: _ClassVar[ChartFormat]
    CHART_FORMAT_PNG: _ClassVar[ChartFormat]
    CHART_FORMAT_SVG: _ClassVar[ChartFormat]

class DocumentFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOCUMENT_FORMAT_UNSPECIFIED: _ClassVar[DocumentFormat]
    DOCUMENT_FORMAT_XLSX: _ClassVar[DocumentFormat]
    DOCUMENT_FORMAT_PDF: _ClassVar[DocumentFormat]
SIGNER_ROLE_UNSPECIFIED: SignerRole
SIGNER_ROLE_OUTGOING_OFFICER: SignerRole
SIGNER_ROLE_LEADER: SignerRole
GRANULARITY_UNSPECIFIED: Granularity
GRANULARITY_DAY: Granularity
GRANULARITY_WEEK: Granularity
GRANULARITY_MONTH: Granularity
SCORE_SUBJECT_UNSPECIFIED: ScoreSubject
SCORE_SUBJECT_PERSON: ScoreSubject
SCORE_SUBJECT_SITE: ScoreSubject
CHART_KIND_UNSPECIFIED: ChartKind
CHART_KIND_ANSWER_TIMES: ChartKind
CHART_KIND_CALLS_PER_HOUR: ChartKind
CHART_KIND_COMPLIANCE_TREND: ChartKind
CHART_KIND_VIOLATIONS: ChartKind
CHART_FORMAT_UNSPECIFIED: ChartFormat
CHART_FORMAT_PNG: ChartFormat
CHART_FORMAT_SVG: ChartFormat
DOCUMENT_FORMAT_UNSPECIFIED: DocumentFormat
DOCUMENT_FORMAT_XLSX: DocumentFormat
DOCUMENT_FORMAT_PDF: DocumentFormat

class Count(_message.Message):
    __slots__ = ("key", "count")
    KEY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    key: str
    count: int
    def __init__(self, key: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class DutyFigures(_message.Message):
    __slots__ = ("calls", "calls_by_category", "calls_by_channel", "answered", "answered_late", "answer_seconds_mean", "answer_seconds_max", "missed", "abandoned", "callbacks_due", "callbacks_on_time", "callbacks_late", "callbacks_open", "incidents", "incidents_by_category", "reports_on_time", "reports_late", "reports_missed", "cases_opened", "cases_answered", "notices", "notices_incomplete", "escalations", "escalations_acknowledged", "violations_by_kind")
    CALLS_FIELD_NUMBER: _ClassVar[int]
    CALLS_BY_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CALLS_BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_LATE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SECONDS_MEAN_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SECONDS_MAX_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_DUE_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_LATE_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_OPEN_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_BY_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    REPORTS_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    REPORTS_LATE_FIELD_NUMBER: _ClassVar[int]
    REPORTS_MISSED_FIELD_NUMBER: _ClassVar[int]
    CASES_OPENED_FIELD_NUMBER: _ClassVar[int]
    CASES_ANSWERED_FIELD_NUMBER: _ClassVar[int]
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    NOTICES_INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    ESCALATIONS_FIELD_NUMBER: _ClassVar[int]
    ESCALATIONS_ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_BY_KIND_FIELD_NUMBER: _ClassVar[int]
    calls: int
    calls_by_category: _containers.RepeatedCompositeFieldContainer[Count]
    calls_by_channel: _containers.RepeatedCompositeFieldContainer[Count]
    answered: int
    answered_late: int
    answer_seconds_mean: float
    answer_seconds_max: float
    missed: int
    abandoned: int
    callbacks_due: int
    callbacks_on_time: int
    callbacks_late: int
    callbacks_open: int
    incidents: int
    incidents_by_category: _containers.RepeatedCompositeFieldContainer[Count]
    reports_on_time: int
    reports_late: int
    reports_missed: int
    cases_opened: int
    cases_answered: int
    notices: int
    notices_incomplete: int
    escalations: int
    escalations_acknowledged: int
    violations_by_kind: _containers.RepeatedCompositeFieldContainer[Count]
    def __init__(self, calls: _Optional[int] = ..., calls_by_category: _Optional[_Iterable[_Union[Count, _Mapping]]] = ..., calls_by_channel: _Optional[_Iterable[_Union[Count, _Mapping]]] = ..., answered: _Optional[int] = ..., answered_late: _Optional[int] = ..., answer_seconds_mean: _Optional[float] = ..., answer_seconds_max: _Optional[float] = ..., missed: _Optional[int] = ..., abandoned: _Optional[int] = ..., callbacks_due: _Optional[int] = ..., callbacks_on_time: _Optional[int] = ..., callbacks_late: _Optional[int] = ..., callbacks_open: _Optional[int] = ..., incidents: _Optional[int] = ..., incidents_by_category: _Optional[_Iterable[_Union[Count, _Mapping]]] = ..., reports_on_time: _Optional[int] = ..., reports_late: _Optional[int] = ..., reports_missed: _Optional[int] = ..., cases_opened: _Optional[int] = ..., cases_answered: _Optional[int] = ..., notices: _Optional[int] = ..., notices_incomplete: _Optional[int] = ..., escalations: _Optional[int] = ..., escalations_acknowledged: _Optional[int] = ..., violations_by_kind: _Optional[_Iterable[_Union[Count, _Mapping]]] = ...) -> None: ...

class DutyLogEntry(_message.Message):
    __slots__ = ("at", "kind", "ref_id", "event_id", "person_id", "summary", "channel", "category", "answer_delay_seconds", "late", "state", "report_kind", "report_number", "late_seconds", "incident_id", "title", "severity", "violation_kind", "detail", "text")
    AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REPORT_KIND_FIELD_NUMBER: _ClassVar[int]
    REPORT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    VIOLATION_KIND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    kind: str
    ref_id: str
    event_id: str
    person_id: str
    summary: str
    channel: str
    category: str
    answer_delay_seconds: float
    late: bool
    state: str
    report_kind: str
    report_number: int
    late_seconds: float
    incident_id: str
    title: str
    severity: str
    violation_kind: str
    detail: str
    text: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., event_id: _Optional[str] = ..., person_id: _Optional[str] = ..., summary: _Optional[str] = ..., channel: _Optional[str] = ..., category: _Optional[str] = ..., answer_delay_seconds: _Optional[float] = ..., late: _Optional[bool] = ..., state: _Optional[str] = ..., report_kind: _Optional[str] = ..., report_number: _Optional[int] = ..., late_seconds: _Optional[float] = ..., incident_id: _Optional[str] = ..., title: _Optional[str] = ..., severity: _Optional[str] = ..., violation_kind: _Optional[str] = ..., detail: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class PersonName(_message.Message):
    __slots__ = ("person_id", "display_name")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    display_name: str
    def __init__(self, person_id: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class DutyLogCheckIn(_message.Message):
    __slots__ = ("person_id", "role", "status", "checked_in_at")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHECKED_IN_AT_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    role: str
    status: str
    checked_in_at: _timestamp_pb2.Timestamp
    def __init__(self, person_id: _Optional[str] = ..., role: _Optional[str] = ..., status: _Optional[str] = ..., checked_in_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DutyLogHandover(_message.Message):
    __slots__ = ("handover_id", "outgoing_person_id", "incoming_person_id", "submitted_at", "accepted_at", "open_items", "status")
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTGOING_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMING_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    OPEN_ITEMS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    handover_id: str
    outgoing_person_id: str
    incoming_person_id: str
    submitted_at: _timestamp_pb2.Timestamp
    accepted_at: _timestamp_pb2.Timestamp
    open_items: int
    status: str
    def __init__(self, handover_id: _Optional[str] = ..., outgoing_person_id: _Optional[str] = ..., incoming_person_id: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., open_items: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class DutyLogSignature(_message.Message):
    __slots__ = ("role", "signed_by", "signed_at", "comment")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    role: SignerRole
    signed_by: _common_pb2.Actor
    signed_at: _timestamp_pb2.Timestamp
    comment: str
    def __init__(self, role: _Optional[_Union[SignerRole, str]] = ..., signed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., comment: _Optional[str] = ...) -> None: ...

class DutyLog(_message.Message):
    __slots__ = ("id", "site_id", "shift_name", "shift_start", "shift_end", "local_date", "time_zone", "version", "state", "officer_ids", "leader_ids", "figures", "entries", "entries_omitted", "check_ins", "handover", "signatures", "correction_reason", "correction_remarks", "corrects_version", "corrected_by", "built_at", "people")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAME_FIELD_NUMBER: _ClassVar[int]
    SHIFT_START_FIELD_NUMBER: _ClassVar[int]
    SHIFT_END_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OFFICER_IDS_FIELD_NUMBER: _ClassVar[int]
    LEADER_IDS_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_OMITTED_FIELD_NUMBER: _ClassVar[int]
    CHECK_INS_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_REMARKS_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_VERSION_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_BY_FIELD_NUMBER: _ClassVar[int]
    BUILT_AT_FIELD_NUMBER: _ClassVar[int]
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    shift_name: str
    shift_start: _timestamp_pb2.Timestamp
    shift_end: _timestamp_pb2.Timestamp
    local_date: str
    time_zone: str
    version: int
    state: str
    officer_ids: _containers.RepeatedScalarFieldContainer[str]
    leader_ids: _containers.RepeatedScalarFieldContainer[str]
    figures: DutyFigures
    entries: _containers.RepeatedCompositeFieldContainer[DutyLogEntry]
    entries_omitted: int
    check_ins: _containers.RepeatedCompositeFieldContainer[DutyLogCheckIn]
    handover: DutyLogHandover
    signatures: _containers.RepeatedCompositeFieldContainer[DutyLogSignature]
    correction_reason: str
    correction_remarks: str
    corrects_version: int
    corrected_by: _common_pb2.Actor
    built_at: _timestamp_pb2.Timestamp
    people: _containers.RepeatedCompositeFieldContainer[PersonName]
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., shift_name: _Optional[str] = ..., shift_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shift_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., local_date: _Optional[str] = ..., time_zone: _Optional[str] = ..., version: _Optional[int] = ..., state: _Optional[str] = ..., officer_ids: _Optional[_Iterable[str]] = ..., leader_ids: _Optional[_Iterable[str]] = ..., figures: _Optional[_Union[DutyFigures, _Mapping]] = ..., entries: _Optional[_Iterable[_Union[DutyLogEntry, _Mapping]]] = ..., entries_omitted: _Optional[int] = ..., check_ins: _Optional[_Iterable[_Union[DutyLogCheckIn, _Mapping]]] = ..., handover: _Optional[_Union[DutyLogHandover, _Mapping]] = ..., signatures: _Optional[_Iterable[_Union[DutyLogSignature, _Mapping]]] = ..., correction_reason: _Optional[str] = ..., correction_remarks: _Optional[str] = ..., corrects_version: _Optional[int] = ..., corrected_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., built_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., people: _Optional[_Iterable[_Union[PersonName, _Mapping]]] = ...) -> None: ...

class GetDutyLogRequest(_message.Message):
    __slots__ = ("log_id", "site_id", "at", "version")
    LOG_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    log_id: str
    site_id: str
    at: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, log_id: _Optional[str] = ..., site_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class ListDutyLogsRequest(_message.Message):
    __slots__ = ("site_id", "period", "unsigned_only", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    UNSIGNED_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    unsigned_only: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., unsigned_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListDutyLogsResponse(_message.Message):
    __slots__ = ("logs", "page")
    LOGS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    logs: _containers.RepeatedCompositeFieldContainer[DutyLog]
    page: _common_pb2.PageResponse
    def __init__(self, logs: _Optional[_Iterable[_Union[DutyLog, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class SignDutyLogRequest(_message.Message):
    __slots__ = ("idempotency_key", "log_id", "version", "role", "comment")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LOG_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    log_id: str
    version: int
    role: SignerRole
    comment: str
    def __init__(self, idempotency_key: _Optional[str] = ..., log_id: _Optional[str] = ..., version: _Optional[int] = ..., role: _Optional[_Union[SignerRole, str]] = ..., comment: _Optional[str] = ...) -> None: ...

class CorrectDutyLogRequest(_message.Message):
    __slots__ = ("idempotency_key", "log_id", "version", "reason", "remarks")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LOG_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    log_id: str
    version: int
    reason: str
    remarks: str
    def __init__(self, idempotency_key: _Optional[str] = ..., log_id: _Optional[str] = ..., version: _Optional[int] = ..., reason: _Optional[str] = ..., remarks: _Optional[str] = ...) -> None: ...

class DailySiteSummary(_message.Message):
    __slots__ = ("site_id", "figures", "log_ids", "logs_unsigned", "highlights")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    LOG_IDS_FIELD_NUMBER: _ClassVar[int]
    LOGS_UNSIGNED_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    figures: DutyFigures
    log_ids: _containers.RepeatedScalarFieldContainer[str]
    logs_unsigned: int
    highlights: _containers.RepeatedCompositeFieldContainer[DutyLogEntry]
    def __init__(self, site_id: _Optional[str] = ..., figures: _Optional[_Union[DutyFigures, _Mapping]] = ..., log_ids: _Optional[_Iterable[str]] = ..., logs_unsigned: _Optional[int] = ..., highlights: _Optional[_Iterable[_Union[DutyLogEntry, _Mapping]]] = ...) -> None: ...

class DailyReport(_message.Message):
    __slots__ = ("site_id", "local_date", "time_zone", "figures", "sites", "sent_at", "sent_to", "built_at")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    SITES_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_TO_FIELD_NUMBER: _ClassVar[int]
    BUILT_AT_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    local_date: str
    time_zone: str
    figures: DutyFigures
    sites: _containers.RepeatedCompositeFieldContainer[DailySiteSummary]
    sent_at: _timestamp_pb2.Timestamp
    sent_to: str
    built_at: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., local_date: _Optional[str] = ..., time_zone: _Optional[str] = ..., figures: _Optional[_Union[DutyFigures, _Mapping]] = ..., sites: _Optional[_Iterable[_Union[DailySiteSummary, _Mapping]]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_to: _Optional[str] = ..., built_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetDailyReportRequest(_message.Message):
    __slots__ = ("site_id", "local_date")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    local_date: str
    def __init__(self, site_id: _Optional[str] = ..., local_date: _Optional[str] = ...) -> None: ...

class CallCountRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "key", "calls")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    key: str
    calls: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., key: _Optional[str] = ..., calls: _Optional[int] = ...) -> None: ...

class HourCountRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "hour", "calls")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    HOUR_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    hour: int
    calls: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., hour: _Optional[int] = ..., calls: _Optional[int] = ...) -> None: ...

class AnswerTimeRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "line_id", "officer_id", "answered", "within_limit", "seconds_mean", "seconds_p50", "seconds_p90", "seconds_max", "histogram")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    WITHIN_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_MEAN_FIELD_NUMBER: _ClassVar[int]
    SECONDS_P50_FIELD_NUMBER: _ClassVar[int]
    SECONDS_P90_FIELD_NUMBER: _ClassVar[int]
    SECONDS_MAX_FIELD_NUMBER: _ClassVar[int]
    HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    line_id: str
    officer_id: str
    answered: int
    within_limit: int
    seconds_mean: float
    seconds_p50: float
    seconds_p90: float
    seconds_max: float
    histogram: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., line_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., answered: _Optional[int] = ..., within_limit: _Optional[int] = ..., seconds_mean: _Optional[float] = ..., seconds_p50: _Optional[float] = ..., seconds_p90: _Optional[float] = ..., seconds_max: _Optional[float] = ..., histogram: _Optional[_Iterable[int]] = ...) -> None: ...

class MissedCallRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "missed", "abandoned", "callbacks_due", "callbacks_on_time", "callbacks_late", "callbacks_open")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_DUE_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_LATE_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_OPEN_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    missed: int
    abandoned: int
    callbacks_due: int
    callbacks_on_time: int
    callbacks_late: int
    callbacks_open: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., missed: _Optional[int] = ..., abandoned: _Optional[int] = ..., callbacks_due: _Optional[int] = ..., callbacks_on_time: _Optional[int] = ..., callbacks_late: _Optional[int] = ..., callbacks_open: _Optional[int] = ...) -> None: ...

class CaseRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "opened", "answered", "answered_on_time", "overdue", "feedback_given", "return_visits", "satisfied", "dissatisfied")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    OPENED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_GIVEN_FIELD_NUMBER: _ClassVar[int]
    RETURN_VISITS_FIELD_NUMBER: _ClassVar[int]
    SATISFIED_FIELD_NUMBER: _ClassVar[int]
    DISSATISFIED_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    opened: int
    answered: int
    answered_on_time: int
    overdue: int
    feedback_given: int
    return_visits: int
    satisfied: int
    dissatisfied: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., opened: _Optional[int] = ..., answered: _Optional[int] = ..., answered_on_time: _Optional[int] = ..., overdue: _Optional[int] = ..., feedback_given: _Optional[int] = ..., return_visits: _Optional[int] = ..., satisfied: _Optional[int] = ..., dissatisfied: _Optional[int] = ...) -> None: ...

class IncidentCountRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "category", "severity", "incidents")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    category: str
    severity: _common_pb2.Severity
    incidents: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., category: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., incidents: _Optional[int] = ...) -> None: ...

class ReportRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "due", "on_time", "late", "missed", "wrong")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    WRONG_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    due: int
    on_time: int
    late: int
    missed: int
    wrong: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., due: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., missed: _Optional[int] = ..., wrong: _Optional[int] = ...) -> None: ...

class ViolationCountRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "person_id", "kind", "violations")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    person_id: str
    kind: str
    violations: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., kind: _Optional[str] = ..., violations: _Optional[int] = ...) -> None: ...

class CheckInRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "person_id", "shifts", "on_time", "late", "absent", "early_leave")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    EARLY_LEAVE_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    person_id: str
    shifts: int
    on_time: int
    late: int
    absent: int
    early_leave: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., shifts: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., absent: _Optional[int] = ..., early_leave: _Optional[int] = ...) -> None: ...

class HandoverRow(_message.Message):
    __slots__ = ("bucket_start", "site_id", "handovers", "accepted_on_time", "accepted_late", "not_submitted")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    HANDOVERS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_LATE_FIELD_NUMBER: _ClassVar[int]
    NOT_SUBMITTED_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    site_id: str
    handovers: int
    accepted_on_time: int
    accepted_late: int
    not_submitted: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_id: _Optional[str] = ..., handovers: _Optional[int] = ..., accepted_on_time: _Optional[int] = ..., accepted_late: _Optional[int] = ..., not_submitted: _Optional[int] = ...) -> None: ...

class CoverageGapRow(_message.Message):
    __slots__ = ("site_id", "start", "end", "role", "missing")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    role: str
    missing: int
    def __init__(self, site_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., role: _Optional[str] = ..., missing: _Optional[int] = ...) -> None: ...

class Statistics(_message.Message):
    __slots__ = ("site_id", "period", "granularity", "site_ids", "time_zone", "calls_by_category", "calls_by_channel", "calls_by_hour", "answer_time_bounds_seconds", "answer_times_by_site", "answer_times_by_line", "answer_times_by_officer", "missed_calls", "cases", "incidents", "reports", "violations", "check_ins", "handovers", "coverage_gaps", "as_of")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    SITE_IDS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CALLS_BY_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CALLS_BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CALLS_BY_HOUR_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIME_BOUNDS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIMES_BY_SITE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIMES_BY_LINE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIMES_BY_OFFICER_FIELD_NUMBER: _ClassVar[int]
    MISSED_CALLS_FIELD_NUMBER: _ClassVar[int]
    CASES_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    CHECK_INS_FIELD_NUMBER: _ClassVar[int]
    HANDOVERS_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_GAPS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    granularity: Granularity
    site_ids: _containers.RepeatedScalarFieldContainer[str]
    time_zone: str
    calls_by_category: _containers.RepeatedCompositeFieldContainer[CallCountRow]
    calls_by_channel: _containers.RepeatedCompositeFieldContainer[CallCountRow]
    calls_by_hour: _containers.RepeatedCompositeFieldContainer[HourCountRow]
    answer_time_bounds_seconds: _containers.RepeatedScalarFieldContainer[float]
    answer_times_by_site: _containers.RepeatedCompositeFieldContainer[AnswerTimeRow]
    answer_times_by_line: _containers.RepeatedCompositeFieldContainer[AnswerTimeRow]
    answer_times_by_officer: _containers.RepeatedCompositeFieldContainer[AnswerTimeRow]
    missed_calls: _containers.RepeatedCompositeFieldContainer[MissedCallRow]
    cases: _containers.RepeatedCompositeFieldContainer[CaseRow]
    incidents: _containers.RepeatedCompositeFieldContainer[IncidentCountRow]
    reports: _containers.RepeatedCompositeFieldContainer[ReportRow]
    violations: _containers.RepeatedCompositeFieldContainer[ViolationCountRow]
    check_ins: _containers.RepeatedCompositeFieldContainer[CheckInRow]
    handovers: _containers.RepeatedCompositeFieldContainer[HandoverRow]
    coverage_gaps: _containers.RepeatedCompositeFieldContainer[CoverageGapRow]
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., granularity: _Optional[_Union[Granularity, str]] = ..., site_ids: _Optional[_Iterable[str]] = ..., time_zone: _Optional[str] = ..., calls_by_category: _Optional[_Iterable[_Union[CallCountRow, _Mapping]]] = ..., calls_by_channel: _Optional[_Iterable[_Union[CallCountRow, _Mapping]]] = ..., calls_by_hour: _Optional[_Iterable[_Union[HourCountRow, _Mapping]]] = ..., answer_time_bounds_seconds: _Optional[_Iterable[float]] = ..., answer_times_by_site: _Optional[_Iterable[_Union[AnswerTimeRow, _Mapping]]] = ..., answer_times_by_line: _Optional[_Iterable[_Union[AnswerTimeRow, _Mapping]]] = ..., answer_times_by_officer: _Optional[_Iterable[_Union[AnswerTimeRow, _Mapping]]] = ..., missed_calls: _Optional[_Iterable[_Union[MissedCallRow, _Mapping]]] = ..., cases: _Optional[_Iterable[_Union[CaseRow, _Mapping]]] = ..., incidents: _Optional[_Iterable[_Union[IncidentCountRow, _Mapping]]] = ..., reports: _Optional[_Iterable[_Union[ReportRow, _Mapping]]] = ..., violations: _Optional[_Iterable[_Union[ViolationCountRow, _Mapping]]] = ..., check_ins: _Optional[_Iterable[_Union[CheckInRow, _Mapping]]] = ..., handovers: _Optional[_Iterable[_Union[HandoverRow, _Mapping]]] = ..., coverage_gaps: _Optional[_Iterable[_Union[CoverageGapRow, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetStatisticsRequest(_message.Message):
    __slots__ = ("site_id", "period", "granularity")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    granularity: Granularity
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., granularity: _Optional[_Union[Granularity, str]] = ...) -> None: ...

class ScoringRules(_message.Message):
    __slots__ = ("version", "effective_from", "penalties", "bonuses", "changed_by", "changed_at")
    class PenaltiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class BonusesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    PENALTIES_FIELD_NUMBER: _ClassVar[int]
    BONUSES_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    effective_from: _timestamp_pb2.Timestamp
    penalties: _containers.ScalarMap[str, int]
    bonuses: _containers.ScalarMap[str, int]
    changed_by: _common_pb2.Actor
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., effective_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., penalties: _Optional[_Mapping[str, int]] = ..., bonuses: _Optional[_Mapping[str, int]] = ..., changed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertScoringRulesRequest(_message.Message):
    __slots__ = ("idempotency_key", "rules")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    rules: ScoringRules
    def __init__(self, idempotency_key: _Optional[str] = ..., rules: _Optional[_Union[ScoringRules, _Mapping]] = ...) -> None: ...

class UpsertScoringRulesResponse(_message.Message):
    __slots__ = ("rules", "replayed")
    RULES_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    rules: ScoringRules
    replayed: bool
    def __init__(self, rules: _Optional[_Union[ScoringRules, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ListScoringRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListScoringRulesResponse(_message.Message):
    __slots__ = ("versions", "in_force_version")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    IN_FORCE_VERSION_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[ScoringRules]
    in_force_version: int
    def __init__(self, versions: _Optional[_Iterable[_Union[ScoringRules, _Mapping]]] = ..., in_force_version: _Optional[int] = ...) -> None: ...

class SourceRef(_message.Message):
    __slots__ = ("record_type", "record_id")
    RECORD_TYPE_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    record_type: str
    record_id: str
    def __init__(self, record_type: _Optional[str] = ..., record_id: _Optional[str] = ...) -> None: ...

class Annotation(_message.Message):
    __slots__ = ("id", "site_id", "waives", "reason", "decided_by", "decided_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    WAIVES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    waives: _containers.RepeatedCompositeFieldContainer[SourceRef]
    reason: str
    decided_by: _common_pb2.Actor
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., waives: _Optional[_Iterable[_Union[SourceRef, _Mapping]]] = ..., reason: _Optional[str] = ..., decided_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AnnotateFactRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "waives", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    WAIVES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    waives: _containers.RepeatedCompositeFieldContainer[SourceRef]
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., waives: _Optional[_Iterable[_Union[SourceRef, _Mapping]]] = ..., reason: _Optional[str] = ...) -> None: ...

class AnnotateFactResponse(_message.Message):
    __slots__ = ("annotation", "replayed")
    ANNOTATION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    annotation: Annotation
    replayed: bool
    def __init__(self, annotation: _Optional[_Union[Annotation, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ScoreLine(_message.Message):
    __slots__ = ("kind", "source", "occurred_at", "person_id", "rules_version", "rule_points", "points", "detail", "annotation")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    RULE_POINTS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ANNOTATION_FIELD_NUMBER: _ClassVar[int]
    kind: str
    source: SourceRef
    occurred_at: _timestamp_pb2.Timestamp
    person_id: str
    rules_version: int
    rule_points: int
    points: int
    detail: str
    annotation: Annotation
    def __init__(self, kind: _Optional[str] = ..., source: _Optional[_Union[SourceRef, _Mapping]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., person_id: _Optional[str] = ..., rules_version: _Optional[int] = ..., rule_points: _Optional[int] = ..., points: _Optional[int] = ..., detail: _Optional[str] = ..., annotation: _Optional[_Union[Annotation, _Mapping]] = ...) -> None: ...

class Scorecard(_message.Message):
    __slots__ = ("subject", "site_id", "person_id", "period", "base", "total", "score", "lines")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    BASE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    subject: ScoreSubject
    site_id: str
    person_id: str
    period: str
    base: int
    total: int
    score: int
    lines: _containers.RepeatedCompositeFieldContainer[ScoreLine]
    def __init__(self, subject: _Optional[_Union[ScoreSubject, str]] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., period: _Optional[str] = ..., base: _Optional[int] = ..., total: _Optional[int] = ..., score: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[ScoreLine, _Mapping]]] = ...) -> None: ...

class GetScorecardsRequest(_message.Message):
    __slots__ = ("site_id", "period", "person_id", "without_lines", "page")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    WITHOUT_LINES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: str
    person_id: str
    without_lines: bool
    page: _common_pb2.PageRequest
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[str] = ..., person_id: _Optional[str] = ..., without_lines: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class GetScorecardsResponse(_message.Message):
    __slots__ = ("scorecards", "as_of", "page")
    SCORECARDS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    scorecards: _containers.RepeatedCompositeFieldContainer[Scorecard]
    as_of: _timestamp_pb2.Timestamp
    page: _common_pb2.PageResponse
    def __init__(self, scorecards: _Optional[_Iterable[_Union[Scorecard, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RenderChartRequest(_message.Message):
    __slots__ = ("statistics", "kind", "format", "language")
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    statistics: GetStatisticsRequest
    kind: ChartKind
    format: ChartFormat
    language: str
    def __init__(self, statistics: _Optional[_Union[GetStatisticsRequest, _Mapping]] = ..., kind: _Optional[_Union[ChartKind, str]] = ..., format: _Optional[_Union[ChartFormat, str]] = ..., language: _Optional[str] = ...) -> None: ...

class Chart(_message.Message):
    __slots__ = ("media_type", "data", "as_of")
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    media_type: str
    data: bytes
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, media_type: _Optional[str] = ..., data: _Optional[bytes] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ExportReportRequest(_message.Message):
    __slots__ = ("format", "language", "duty_log", "daily_report", "statistics", "scorecards")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DUTY_LOG_FIELD_NUMBER: _ClassVar[int]
    DAILY_REPORT_FIELD_NUMBER: _ClassVar[int]
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    SCORECARDS_FIELD_NUMBER: _ClassVar[int]
    format: DocumentFormat
    language: str
    duty_log: GetDutyLogRequest
    daily_report: GetDailyReportRequest
    statistics: GetStatisticsRequest
    scorecards: GetScorecardsRequest
    def __init__(self, format: _Optional[_Union[DocumentFormat, str]] = ..., language: _Optional[str] = ..., duty_log: _Optional[_Union[GetDutyLogRequest, _Mapping]] = ..., daily_report: _Optional[_Union[GetDailyReportRequest, _Mapping]] = ..., statistics: _Optional[_Union[GetStatisticsRequest, _Mapping]] = ..., scorecards: _Optional[_Union[GetScorecardsRequest, _Mapping]] = ...) -> None: ...

class ExportChunk(_message.Message):
    __slots__ = ("file_name", "media_type", "data")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    media_type: str
    data: bytes
    def __init__(self, file_name: _Optional[str] = ..., media_type: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class ProjectionStatus(_message.Message):
    __slots__ = ("name", "stream_sequence", "last_event_id", "last_event_at", "updated_at", "lag_events", "lag_seconds", "lag_known")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STREAM_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAG_EVENTS_FIELD_NUMBER: _ClassVar[int]
    LAG_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LAG_KNOWN_FIELD_NUMBER: _ClassVar[int]
    name: str
    stream_sequence: int
    last_event_id: str
    last_event_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    lag_events: int
    lag_seconds: float
    lag_known: bool
    def __init__(self, name: _Optional[str] = ..., stream_sequence: _Optional[int] = ..., last_event_id: _Optional[str] = ..., last_event_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lag_events: _Optional[int] = ..., lag_seconds: _Optional[float] = ..., lag_known: _Optional[bool] = ...) -> None: ...

class GetProjectionStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProjectionStatusResponse(_message.Message):
    __slots__ = ("projections", "stream_last_sequence", "stream_last_at")
    PROJECTIONS_FIELD_NUMBER: _ClassVar[int]
    STREAM_LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STREAM_LAST_AT_FIELD_NUMBER: _ClassVar[int]
    projections: _containers.RepeatedCompositeFieldContainer[ProjectionStatus]
    stream_last_sequence: int
    stream_last_at: _timestamp_pb2.Timestamp
    def __init__(self, projections: _Optional[_Iterable[_Union[ProjectionStatus, _Mapping]]] = ..., stream_last_sequence: _Optional[int] = ..., stream_last_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
