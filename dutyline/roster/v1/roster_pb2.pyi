import datetime

from buf.validate import validate_pb2 as _validate_pb2
from dutyline.common.v1 import rules_pb2 as _rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from dutyline.common.v1 import common_pb2 as _common_pb2
from dutyline.roster.v1 import presence_pb2 as _presence_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SiteKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SITE_KIND_UNSPECIFIED: _ClassVar[SiteKind]
    SITE_KIND_HEADQUARTERS: _ClassVar[SiteKind]
    SITE_KIND_REGION: _ClassVar[SiteKind]
    SITE_KIND_SITE: _ClassVar[SiteKind]
SITE_KIND_UNSPECIFIED: SiteKind
SITE_KIND_HEADQUARTERS: SiteKind
SITE_KIND_REGION: SiteKind
SITE_KIND_SITE: SiteKind

class Site(_message.Message):
    __slots__ = ("id", "name", "kind", "parent_id", "time_zone", "jurisdiction", "answer_limit_seconds", "greeting", "check_in_lead_minutes", "absent_after_minutes", "reminder_minutes", "handover_accept_minutes", "max_consecutive_shifts", "ancestor_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GREETING_FIELD_NUMBER: _ClassVar[int]
    CHECK_IN_LEAD_MINUTES_FIELD_NUMBER: _ClassVar[int]
    ABSENT_AFTER_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REMINDER_MINUTES_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ACCEPT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    MAX_CONSECUTIVE_SHIFTS_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    kind: SiteKind
    parent_id: str
    time_zone: str
    jurisdiction: str
    answer_limit_seconds: int
    greeting: str
    check_in_lead_minutes: int
    absent_after_minutes: int
    reminder_minutes: int
    handover_accept_minutes: int
    max_consecutive_shifts: int
    ancestor_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[SiteKind, str]] = ..., parent_id: _Optional[str] = ..., time_zone: _Optional[str] = ..., jurisdiction: _Optional[str] = ..., answer_limit_seconds: _Optional[int] = ..., greeting: _Optional[str] = ..., check_in_lead_minutes: _Optional[int] = ..., absent_after_minutes: _Optional[int] = ..., reminder_minutes: _Optional[int] = ..., handover_accept_minutes: _Optional[int] = ..., max_consecutive_shifts: _Optional[int] = ..., ancestor_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ContactMethod(_message.Message):
    __slots__ = ("channel", "address")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    channel: str
    address: str
    def __init__(self, channel: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class Person(_message.Message):
    __slots__ = ("id", "display_name", "site_id", "roles", "qualifications", "contacts", "department")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    site_id: str
    roles: _containers.RepeatedScalarFieldContainer[_common_pb2.Role]
    qualifications: _containers.RepeatedScalarFieldContainer[str]
    contacts: _containers.RepeatedCompositeFieldContainer[ContactMethod]
    department: str
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., site_id: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[_common_pb2.Role, str]]] = ..., qualifications: _Optional[_Iterable[str]] = ..., contacts: _Optional[_Iterable[_Union[ContactMethod, _Mapping]]] = ..., department: _Optional[str] = ...) -> None: ...

class GetSiteRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ListSitesRequest(_message.Message):
    __slots__ = ("parent_id",)
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    parent_id: str
    def __init__(self, parent_id: _Optional[str] = ...) -> None: ...

class ListSitesResponse(_message.Message):
    __slots__ = ("sites",)
    SITES_FIELD_NUMBER: _ClassVar[int]
    sites: _containers.RepeatedCompositeFieldContainer[Site]
    def __init__(self, sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ...) -> None: ...

class UpsertSiteRequest(_message.Message):
    __slots__ = ("idempotency_key", "site")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site: Site
    def __init__(self, idempotency_key: _Optional[str] = ..., site: _Optional[_Union[Site, _Mapping]] = ...) -> None: ...

class GetPersonRequest(_message.Message):
    __slots__ = ("person_id",)
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    def __init__(self, person_id: _Optional[str] = ...) -> None: ...

class ListPeopleRequest(_message.Message):
    __slots__ = ("site_id", "role")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    role: _common_pb2.Role
    def __init__(self, site_id: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ...) -> None: ...

class ListPeopleResponse(_message.Message):
    __slots__ = ("people",)
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    people: _containers.RepeatedCompositeFieldContainer[Person]
    def __init__(self, people: _Optional[_Iterable[_Union[Person, _Mapping]]] = ...) -> None: ...

class UpsertPersonRequest(_message.Message):
    __slots__ = ("idempotency_key", "person")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    person: Person
    def __init__(self, idempotency_key: _Optional[str] = ..., person: _Optional[_Union[Person, _Mapping]] = ...) -> None: ...

class DirectoryEntry(_message.Message):
    __slots__ = ("id", "department", "name", "contacts", "site_id", "title")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    department: str
    name: str
    contacts: _containers.RepeatedCompositeFieldContainer[ContactMethod]
    site_id: str
    title: str
    def __init__(self, id: _Optional[str] = ..., department: _Optional[str] = ..., name: _Optional[str] = ..., contacts: _Optional[_Iterable[_Union[ContactMethod, _Mapping]]] = ..., site_id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class SearchDirectoryRequest(_message.Message):
    __slots__ = ("site_id", "query")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    query: str
    def __init__(self, site_id: _Optional[str] = ..., query: _Optional[str] = ...) -> None: ...

class SearchDirectoryResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[DirectoryEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[DirectoryEntry, _Mapping]]] = ...) -> None: ...

class GetDirectoryEntryRequest(_message.Message):
    __slots__ = ("entry_id",)
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    def __init__(self, entry_id: _Optional[str] = ...) -> None: ...

class UpsertDirectoryEntryRequest(_message.Message):
    __slots__ = ("idempotency_key", "entry")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    entry: DirectoryEntry
    def __init__(self, idempotency_key: _Optional[str] = ..., entry: _Optional[_Union[DirectoryEntry, _Mapping]] = ...) -> None: ...

class StaffingRequirement(_message.Message):
    __slots__ = ("role", "minimum")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    role: _common_pb2.Role
    minimum: int
    def __init__(self, role: _Optional[_Union[_common_pb2.Role, str]] = ..., minimum: _Optional[int] = ...) -> None: ...

class ShiftDefinition(_message.Message):
    __slots__ = ("name", "local_start", "duration_minutes", "staffing")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LOCAL_START_FIELD_NUMBER: _ClassVar[int]
    DURATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    STAFFING_FIELD_NUMBER: _ClassVar[int]
    name: str
    local_start: str
    duration_minutes: int
    staffing: _containers.RepeatedCompositeFieldContainer[StaffingRequirement]
    def __init__(self, name: _Optional[str] = ..., local_start: _Optional[str] = ..., duration_minutes: _Optional[int] = ..., staffing: _Optional[_Iterable[_Union[StaffingRequirement, _Mapping]]] = ...) -> None: ...

class ShiftPattern(_message.Message):
    __slots__ = ("id", "site_id", "name", "shifts", "double_leader_dates")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_LEADER_DATES_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    name: str
    shifts: _containers.RepeatedCompositeFieldContainer[ShiftDefinition]
    double_leader_dates: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., name: _Optional[str] = ..., shifts: _Optional[_Iterable[_Union[ShiftDefinition, _Mapping]]] = ..., double_leader_dates: _Optional[_Iterable[str]] = ...) -> None: ...

class UpsertShiftPatternRequest(_message.Message):
    __slots__ = ("idempotency_key", "pattern")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    pattern: ShiftPattern
    def __init__(self, idempotency_key: _Optional[str] = ..., pattern: _Optional[_Union[ShiftPattern, _Mapping]] = ...) -> None: ...

class ListShiftPatternsRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ListShiftPatternsResponse(_message.Message):
    __slots__ = ("patterns",)
    PATTERNS_FIELD_NUMBER: _ClassVar[int]
    patterns: _containers.RepeatedCompositeFieldContainer[ShiftPattern]
    def __init__(self, patterns: _Optional[_Iterable[_Union[ShiftPattern, _Mapping]]] = ...) -> None: ...

class Rotation(_message.Message):
    __slots__ = ("id", "site_id", "pattern_id", "shift_names", "role", "person_ids", "period_days", "start_date", "slots", "double_leader_dates_only")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PATTERN_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAMES_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_LEADER_DATES_ONLY_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    pattern_id: str
    shift_names: _containers.RepeatedScalarFieldContainer[str]
    role: _common_pb2.Role
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    period_days: int
    start_date: str
    slots: int
    double_leader_dates_only: bool
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., pattern_id: _Optional[str] = ..., shift_names: _Optional[_Iterable[str]] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., person_ids: _Optional[_Iterable[str]] = ..., period_days: _Optional[int] = ..., start_date: _Optional[str] = ..., slots: _Optional[int] = ..., double_leader_dates_only: _Optional[bool] = ...) -> None: ...

class UpsertRotationRequest(_message.Message):
    __slots__ = ("idempotency_key", "rotation")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ROTATION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    rotation: Rotation
    def __init__(self, idempotency_key: _Optional[str] = ..., rotation: _Optional[_Union[Rotation, _Mapping]] = ...) -> None: ...

class ListRotationsRequest(_message.Message):
    __slots__ = ("site_id",)
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    def __init__(self, site_id: _Optional[str] = ...) -> None: ...

class ListRotationsResponse(_message.Message):
    __slots__ = ("rotations",)
    ROTATIONS_FIELD_NUMBER: _ClassVar[int]
    rotations: _containers.RepeatedCompositeFieldContainer[Rotation]
    def __init__(self, rotations: _Optional[_Iterable[_Union[Rotation, _Mapping]]] = ...) -> None: ...

class Assignment(_message.Message):
    __slots__ = ("id", "site_id", "person_id", "role", "shift_name", "start", "end", "local_date", "display_name", "rostered_person_id", "check_in_status")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAME_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROSTERED_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CHECK_IN_STATUS_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    person_id: str
    role: _common_pb2.Role
    shift_name: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    local_date: str
    display_name: str
    rostered_person_id: str
    check_in_status: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., person_id: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., shift_name: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., local_date: _Optional[str] = ..., display_name: _Optional[str] = ..., rostered_person_id: _Optional[str] = ..., check_in_status: _Optional[str] = ...) -> None: ...

class ListAssignmentsRequest(_message.Message):
    __slots__ = ("site_id", "period", "person_id")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    person_id: str
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., person_id: _Optional[str] = ...) -> None: ...

class ListAssignmentsResponse(_message.Message):
    __slots__ = ("assignments",)
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    def __init__(self, assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ...) -> None: ...

class GetAssignmentRequest(_message.Message):
    __slots__ = ("assignment_id",)
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    def __init__(self, assignment_id: _Optional[str] = ...) -> None: ...

class CoverageGap(_message.Message):
    __slots__ = ("site_id", "period", "role", "required", "present")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    role: _common_pb2.Role
    required: int
    present: int
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., required: _Optional[int] = ..., present: _Optional[int] = ...) -> None: ...

class RuleViolation(_message.Message):
    __slots__ = ("rule", "person_id", "detail", "assignment_ids")
    RULE_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    rule: str
    person_id: str
    detail: str
    assignment_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rule: _Optional[str] = ..., person_id: _Optional[str] = ..., detail: _Optional[str] = ..., assignment_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PublishRosterRequest(_message.Message):
    __slots__ = ("idempotency_key", "site_id", "period", "override_reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    site_id: str
    period: _common_pb2.TimeRange
    override_reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., override_reason: _Optional[str] = ...) -> None: ...

class PublishRosterResponse(_message.Message):
    __slots__ = ("published", "gaps", "violations", "assignments", "publication_id")
    PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    PUBLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    published: bool
    gaps: _containers.RepeatedCompositeFieldContainer[CoverageGap]
    violations: _containers.RepeatedCompositeFieldContainer[RuleViolation]
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    publication_id: str
    def __init__(self, published: _Optional[bool] = ..., gaps: _Optional[_Iterable[_Union[CoverageGap, _Mapping]]] = ..., violations: _Optional[_Iterable[_Union[RuleViolation, _Mapping]]] = ..., assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ..., publication_id: _Optional[str] = ...) -> None: ...

class DutyPerson(_message.Message):
    __slots__ = ("person_id", "display_name", "role", "assignment_id", "shift_name")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_NAME_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    display_name: str
    role: _common_pb2.Role
    assignment_id: str
    shift_name: str
    def __init__(self, person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., assignment_id: _Optional[str] = ..., shift_name: _Optional[str] = ...) -> None: ...

class GetOnDutyRequest(_message.Message):
    __slots__ = ("site_id", "at")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OnDuty(_message.Message):
    __slots__ = ("site_id", "at", "officers", "leaders", "valid_until")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    OFFICERS_FIELD_NUMBER: _ClassVar[int]
    LEADERS_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    at: _timestamp_pb2.Timestamp
    officers: _containers.RepeatedCompositeFieldContainer[DutyPerson]
    leaders: _containers.RepeatedCompositeFieldContainer[DutyPerson]
    valid_until: _timestamp_pb2.Timestamp
    def __init__(self, site_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., officers: _Optional[_Iterable[_Union[DutyPerson, _Mapping]]] = ..., leaders: _Optional[_Iterable[_Union[DutyPerson, _Mapping]]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FindCoverageGapsRequest(_message.Message):
    __slots__ = ("site_id", "period")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    period: _common_pb2.TimeRange
    def __init__(self, site_id: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ...) -> None: ...

class FindCoverageGapsResponse(_message.Message):
    __slots__ = ("gaps",)
    GAPS_FIELD_NUMBER: _ClassVar[int]
    gaps: _containers.RepeatedCompositeFieldContainer[CoverageGap]
    def __init__(self, gaps: _Optional[_Iterable[_Union[CoverageGap, _Mapping]]] = ...) -> None: ...

class LeaveRequest(_message.Message):
    __slots__ = ("id", "assignment_id", "person_id", "substitute_id", "reason", "status", "decided_by", "requested_at", "decided_at", "remark", "site_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    REMARK_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    assignment_id: str
    person_id: str
    substitute_id: str
    reason: str
    status: str
    decided_by: str
    requested_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    remark: str
    site_id: str
    def __init__(self, id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., substitute_id: _Optional[str] = ..., reason: _Optional[str] = ..., status: _Optional[str] = ..., decided_by: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remark: _Optional[str] = ..., site_id: _Optional[str] = ...) -> None: ...

class ListLeaveRequest(_message.Message):
    __slots__ = ("site_id", "status")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: str
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListLeaveResponse(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[LeaveRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[LeaveRequest, _Mapping]]] = ...) -> None: ...

class RequestLeaveRequest(_message.Message):
    __slots__ = ("idempotency_key", "assignment_id", "substitute_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    assignment_id: str
    substitute_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., assignment_id: _Optional[str] = ..., substitute_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideLeaveRequest(_message.Message):
    __slots__ = ("idempotency_key", "leave_id", "approve", "remark")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LEAVE_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REMARK_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    leave_id: str
    approve: bool
    remark: str
    def __init__(self, idempotency_key: _Optional[str] = ..., leave_id: _Optional[str] = ..., approve: _Optional[bool] = ..., remark: _Optional[str] = ...) -> None: ...

class SwapRequest(_message.Message):
    __slots__ = ("id", "assignment_id", "other_assignment_id", "requested_by", "status", "decided_by", "requested_at", "decided_at", "reason", "remark", "site_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OTHER_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REMARK_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    assignment_id: str
    other_assignment_id: str
    requested_by: str
    status: str
    decided_by: str
    requested_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    reason: str
    remark: str
    site_id: str
    def __init__(self, id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., other_assignment_id: _Optional[str] = ..., requested_by: _Optional[str] = ..., status: _Optional[str] = ..., decided_by: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., remark: _Optional[str] = ..., site_id: _Optional[str] = ...) -> None: ...

class ListSwapsRequest(_message.Message):
    __slots__ = ("site_id", "status")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: str
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListSwapsResponse(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[SwapRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[SwapRequest, _Mapping]]] = ...) -> None: ...

class RequestSwapRequest(_message.Message):
    __slots__ = ("idempotency_key", "assignment_id", "other_assignment_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OTHER_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    assignment_id: str
    other_assignment_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., assignment_id: _Optional[str] = ..., other_assignment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideSwapRequest(_message.Message):
    __slots__ = ("idempotency_key", "swap_id", "approve", "remark")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SWAP_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REMARK_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    swap_id: str
    approve: bool
    remark: str
    def __init__(self, idempotency_key: _Optional[str] = ..., swap_id: _Optional[str] = ..., approve: _Optional[bool] = ..., remark: _Optional[str] = ...) -> None: ...

class CheckInRecord(_message.Message):
    __slots__ = ("assignment_id", "person_id", "checked_in_at", "status", "late_seconds", "shift_start", "checks_due", "checked_out_at", "check_out_status", "early_seconds", "check_out_note")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CHECKED_IN_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SHIFT_START_FIELD_NUMBER: _ClassVar[int]
    CHECKS_DUE_FIELD_NUMBER: _ClassVar[int]
    CHECKED_OUT_AT_FIELD_NUMBER: _ClassVar[int]
    CHECK_OUT_STATUS_FIELD_NUMBER: _ClassVar[int]
    EARLY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CHECK_OUT_NOTE_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    person_id: str
    checked_in_at: _timestamp_pb2.Timestamp
    status: str
    late_seconds: float
    shift_start: _timestamp_pb2.Timestamp
    checks_due: _containers.RepeatedCompositeFieldContainer[OpenItem]
    checked_out_at: _timestamp_pb2.Timestamp
    check_out_status: str
    early_seconds: float
    check_out_note: str
    def __init__(self, assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., checked_in_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., late_seconds: _Optional[float] = ..., shift_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., checks_due: _Optional[_Iterable[_Union[OpenItem, _Mapping]]] = ..., checked_out_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., check_out_status: _Optional[str] = ..., early_seconds: _Optional[float] = ..., check_out_note: _Optional[str] = ...) -> None: ...

class CheckInRequest(_message.Message):
    __slots__ = ("idempotency_key", "assignment_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    assignment_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., assignment_id: _Optional[str] = ...) -> None: ...

class OpenItem(_message.Message):
    __slots__ = ("kind", "ref_id", "text", "due_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    ref_id: str
    text: str
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[str] = ..., ref_id: _Optional[str] = ..., text: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Handover(_message.Message):
    __slots__ = ("id", "site_id", "outgoing_assignment_id", "incoming_assignment_id", "shift_log", "open_items", "notes", "submitted_at", "accepted_at", "remarks", "status", "outgoing_person_id", "incoming_person_id", "overdue", "gathering_notes", "charged_person_id", "countersigned_by_id", "countersigned_at", "countersign_remarks")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTGOING_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMING_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_LOG_FIELD_NUMBER: _ClassVar[int]
    OPEN_ITEMS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OUTGOING_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMING_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    GATHERING_NOTES_FIELD_NUMBER: _ClassVar[int]
    CHARGED_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTERSIGNED_BY_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTERSIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    COUNTERSIGN_REMARKS_FIELD_NUMBER: _ClassVar[int]
    id: str
    site_id: str
    outgoing_assignment_id: str
    incoming_assignment_id: str
    shift_log: str
    open_items: _containers.RepeatedCompositeFieldContainer[OpenItem]
    notes: str
    submitted_at: _timestamp_pb2.Timestamp
    accepted_at: _timestamp_pb2.Timestamp
    remarks: str
    status: str
    outgoing_person_id: str
    incoming_person_id: str
    overdue: bool
    gathering_notes: _containers.RepeatedScalarFieldContainer[str]
    charged_person_id: str
    countersigned_by_id: str
    countersigned_at: _timestamp_pb2.Timestamp
    countersign_remarks: str
    def __init__(self, id: _Optional[str] = ..., site_id: _Optional[str] = ..., outgoing_assignment_id: _Optional[str] = ..., incoming_assignment_id: _Optional[str] = ..., shift_log: _Optional[str] = ..., open_items: _Optional[_Iterable[_Union[OpenItem, _Mapping]]] = ..., notes: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remarks: _Optional[str] = ..., status: _Optional[str] = ..., outgoing_person_id: _Optional[str] = ..., incoming_person_id: _Optional[str] = ..., overdue: _Optional[bool] = ..., gathering_notes: _Optional[_Iterable[str]] = ..., charged_person_id: _Optional[str] = ..., countersigned_by_id: _Optional[str] = ..., countersigned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., countersign_remarks: _Optional[str] = ...) -> None: ...

class SubmitHandoverRequest(_message.Message):
    __slots__ = ("idempotency_key", "outgoing_assignment_id", "incoming_assignment_id", "shift_log", "notes")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    OUTGOING_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMING_ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_LOG_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    outgoing_assignment_id: str
    incoming_assignment_id: str
    shift_log: str
    notes: str
    def __init__(self, idempotency_key: _Optional[str] = ..., outgoing_assignment_id: _Optional[str] = ..., incoming_assignment_id: _Optional[str] = ..., shift_log: _Optional[str] = ..., notes: _Optional[str] = ...) -> None: ...

class AcceptHandoverRequest(_message.Message):
    __slots__ = ("idempotency_key", "handover_id", "remarks")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    handover_id: str
    remarks: str
    def __init__(self, idempotency_key: _Optional[str] = ..., handover_id: _Optional[str] = ..., remarks: _Optional[str] = ...) -> None: ...

class GetHandoverRequest(_message.Message):
    __slots__ = ("handover_id",)
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    handover_id: str
    def __init__(self, handover_id: _Optional[str] = ...) -> None: ...

class ListHandoversRequest(_message.Message):
    __slots__ = ("site_id", "status", "period", "page_size", "page_token")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: str
    period: _common_pb2.TimeRange
    page_size: int
    page_token: str
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListHandoversResponse(_message.Message):
    __slots__ = ("handovers", "next_page_token")
    HANDOVERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    handovers: _containers.RepeatedCompositeFieldContainer[Handover]
    next_page_token: str
    def __init__(self, handovers: _Optional[_Iterable[_Union[Handover, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CountersignHandoverRequest(_message.Message):
    __slots__ = ("idempotency_key", "handover_id", "remarks")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    handover_id: str
    remarks: str
    def __init__(self, idempotency_key: _Optional[str] = ..., handover_id: _Optional[str] = ..., remarks: _Optional[str] = ...) -> None: ...

class ExportHandoversRequest(_message.Message):
    __slots__ = ("site_id", "status", "period", "format", "language")
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    site_id: str
    status: str
    period: _common_pb2.TimeRange
    format: str
    language: str
    def __init__(self, site_id: _Optional[str] = ..., status: _Optional[str] = ..., period: _Optional[_Union[_common_pb2.TimeRange, _Mapping]] = ..., format: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class ExportHandoversResponse(_message.Message):
    __slots__ = ("content", "filename", "content_type", "count")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    filename: str
    content_type: str
    count: int
    def __init__(self, content: _Optional[bytes] = ..., filename: _Optional[str] = ..., content_type: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...
