"""The limits roster's protos declare (protos/dutyline/roster/v1/roster.proto), checked as the gRPC
boundary checks them, without servers: what the handlers no longer check by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.grpckit.validation import violations
from dutyline.roster.v1 import roster_pb2
from services.roster import rules

OFFICER, LEADER = common_pb2.ROLE_OFFICER, common_pb2.ROLE_LEADER
NOW = datetime.now(UTC)


def fields(message: Message) -> set[str]:
    return {v.field for v in violations(message)}


def shift(name: str, start: str = "08:00", minutes: int = 720, **staffing: int) -> roster_pb2.ShiftDefinition:
    roles = {"officer": OFFICER, "leader": LEADER, "agency": common_pb2.ROLE_AGENCY}
    return roster_pb2.ShiftDefinition(
        name=name,
        local_start=start,
        duration_minutes=minutes,
        staffing=[roster_pb2.StaffingRequirement(role=roles[r], minimum=n) for r, n in staffing.items()],
    )


def pattern(*shifts: roster_pb2.ShiftDefinition, **overrides: object) -> roster_pb2.UpsertShiftPatternRequest:
    message = roster_pb2.ShiftPattern(id="hz-01-dn", site_id="hz-01", name="昼夜两班 Day and night", shifts=shifts)
    for key, value in overrides.items():
        if isinstance(value, list):
            getattr(message, key).extend(value)
        else:
            setattr(message, key, value)
    return roster_pb2.UpsertShiftPatternRequest(idempotency_key="k", pattern=message)


def rotation(**overrides: object) -> roster_pb2.UpsertRotationRequest:
    message = roster_pb2.Rotation(
        id="hz-01-officers",
        site_id="hz-01",
        pattern_id="hz-01-dn",
        role=OFFICER,
        person_ids=["p-hz-officer-1", "p-hz-officer-2"],
        start_date="2026-12-01",
    )
    for key, value in overrides.items():
        if isinstance(value, list):
            del getattr(message, key)[:]
            getattr(message, key).extend(value)
        else:
            setattr(message, key, value)
    return roster_pb2.UpsertRotationRequest(idempotency_key="k", rotation=message)


def site(**overrides: object) -> roster_pb2.UpsertSiteRequest:
    message = roster_pb2.Site(
        id="mars-01", name="Mars", kind=roster_pb2.SITE_KIND_SITE, parent_id="east", time_zone="Asia/Shanghai"
    )
    for key, value in overrides.items():
        setattr(message, key, value)
    return roster_pb2.UpsertSiteRequest(idempotency_key="k", site=message)


def period(start: datetime, end: datetime) -> common_pb2.TimeRange:
    return common_pb2.TimeRange(start=ts(start), end=ts(end))


def test_complete_requests_are_within_their_limits() -> None:
    assert violations(pattern(shift("day", officer=1, leader=1), shift("night", "20:00", officer=1))) == []
    assert violations(rotation(slots=2, period_days=366, shift_names=["day", "night"])) == []
    assert violations(site(answer_limit_seconds=15, check_in_lead_minutes=1440, jurisdiction="330100")) == []
    assert violations(site(id="hq", kind=roster_pb2.SITE_KIND_HEADQUARTERS, parent_id="")) == []
    person = roster_pb2.Person(
        id="p-hz-officer-9",
        display_name="王五",
        site_id="hz-01",
        roles=[OFFICER, common_pb2.ROLE_SUPERVISOR],
        contacts=[roster_pb2.ContactMethod(channel="phone", address="13900000000")],
    )
    assert violations(roster_pb2.UpsertPersonRequest(idempotency_key="k", person=person)) == []


def test_a_pattern_needs_shifts_with_names_durations_and_known_staffing() -> None:
    assert fields(pattern()) == {"pattern.shifts"}
    for minutes in (0, 1441, -1):
        assert fields(pattern(shift("day", minutes=minutes))) == {"pattern.shifts[0].duration_minutes"}
    assert fields(pattern(shift("day", minutes=1440))) == set()
    staffed = pattern(shift("day", officer=1, agency=1, leader=-1))
    assert fields(staffed) == {"pattern.shifts[0].staffing[1].role", "pattern.shifts[0].staffing[2].minimum"}
    # Names: each once (the pattern's rule), none blank.
    named = pattern(shift("day", "08:00", 480), shift("day", "16:00", 480), shift(" ", "00:00", 480))
    assert fields(named) == {"pattern", "pattern.shifts[2].name"}
    assert fields(pattern(shift("day"), name=" ")) == {"pattern.name"}
    assert fields(pattern(shift("day"), id="HZ 01")) == {"pattern.id"}


@pytest.mark.parametrize("start", ["24:00", "8", "8:5", "08:60", "08h00", "-1:00", "０８:００", "08:00am", " 08:00"])
def test_a_shift_starts_at_a_wall_clock_time(start: str) -> None:
    assert fields(pattern(shift("day", start))) == {"pattern.shifts[0].local_start"}


@pytest.mark.parametrize("start", ["08:00", "8:00", "00:00", "23:59:30"])
def test_every_start_the_proto_admits_is_read(start: str) -> None:
    assert fields(pattern(shift("day", start))) == set()
    assert rules.parse_local_time(start) is not None


def test_double_leader_dates_have_the_shape_of_a_date() -> None:
    dated = pattern(shift("day"), double_leader_dates=["2026-10-01", "2026-13-01", "20261001", "1999-10-01"])
    assert fields(dated) == {f"pattern.double_leader_dates[{i}]" for i in (1, 2, 3)}


def test_assignment_ids_made_from_the_longest_names_are_still_ids() -> None:
    """An assignment id carries the site and the shift name; requests name it as an id (≤ 128)."""
    site_id, name = "s" * 63, "N" * 32
    assert fields(site(id=site_id)) == set()
    assert fields(pattern(shift(name))) == set()
    assert fields(pattern(shift(name + "N"))) == {"pattern.shifts[0].name"}
    assert fields(pattern(shift("白班"))) == {"pattern.shifts[0].name"}
    day = rules.Pattern("p", site_id, (rules.ShiftDef(name, time(8), timedelta(hours=12), {}),))
    instances = rules.shift_instances(day, ZoneInfo("Asia/Shanghai"), date(2026, 12, 1), date(2026, 12, 1))
    people = tuple(f"p-{i}" for i in range(200))
    spec = rules.RotationSpec("r", "p", (), "officer", people, 1, date(2026, 12, 1), slots=200)
    assignments = rules.generate_assignments(site_id, instances, [spec])
    assert len(assignments) == 200
    for assignment in assignments:
        assert fields(roster_pb2.GetAssignmentRequest(assignment_id=assignment.id)) == set(), assignment.id


def test_a_rotation_needs_a_rostered_role_people_once_and_numbers_in_range() -> None:
    assert fields(rotation(role=common_pb2.ROLE_ADMIN)) == {"rotation.role"}
    assert fields(rotation(role=common_pb2.ROLE_UNSPECIFIED)) == {"rotation.role"}
    assert fields(rotation(person_ids=[])) == {"rotation.person_ids"}
    assert fields(rotation(person_ids=["p-1", "p-1"])) == {"rotation.person_ids"}
    assert fields(rotation(period_days=367)) == {"rotation.period_days"}
    assert fields(rotation(period_days=-1)) == {"rotation.period_days"}
    assert fields(rotation(slots=3)) == {"rotation"}  # more than its two people
    assert fields(rotation(slots=-1)) == {"rotation.slots"}
    assert fields(rotation(start_date="2026-1-1")) == {"rotation.start_date"}
    assert fields(rotation(id="R 1")) == {"rotation.id"}
    assert fields(rotation(shift_names=["day", "day"])) == {"rotation.shift_names"}


def test_a_site_has_an_id_name_kind_zone_and_duty_rules_in_range() -> None:
    bad = site(id="Mars 01", name=" ", kind=roster_pb2.SITE_KIND_UNSPECIFIED, parent_id="", time_zone="")
    assert fields(bad) == {"site.id", "site.name", "site.kind", "site.time_zone"}
    for name in ("answer_limit_seconds", "check_in_lead_minutes", "absent_after_minutes", "max_consecutive_shifts"):
        assert fields(site(**{name: 1441})) == {f"site.{name}"}
        assert fields(site(**{name: -1})) == {f"site.{name}"}
    assert fields(site(jurisdiction="33-01")) == {"site.jurisdiction"}
    # A headquarters has no parent; a region or site names one (which one: the server knows).
    assert fields(site(kind=roster_pb2.SITE_KIND_HEADQUARTERS)) == {"site"}
    assert fields(site(parent_id="")) == {"site"}
    # The zone's shape here; whether it exists, the server (rules.validate_time_zone).
    assert fields(site(time_zone="Mars/Olympus")) == set()


def test_people_and_directory_entries() -> None:
    person = roster_pb2.Person(
        id="P 1",
        display_name=" ",
        site_id="hz-01",
        roles=[common_pb2.ROLE_AGENCY],
        contacts=[roster_pb2.ContactMethod(channel="fax", address=" ")],
    )
    assert fields(roster_pb2.UpsertPersonRequest(idempotency_key="k", person=person)) == {
        "person.id",
        "person.display_name",
        "person.roles[0]",
        "person.contacts[0].channel",
        "person.contacts[0].address",
    }
    del person.roles[:]
    assert "person.roles" in fields(roster_pb2.UpsertPersonRequest(idempotency_key="k", person=person))
    entry = roster_pb2.DirectoryEntry(id="fire", department=" ", site_id="hz-01")
    assert fields(roster_pb2.UpsertDirectoryEntryRequest(idempotency_key="k", entry=entry)) == {
        "entry.department",
        "entry.contacts",
    }
    assert fields(roster_pb2.SearchDirectoryRequest(site_id="hz-01", query="消" * 101)) == {"query"}


def test_periods_have_both_ends_in_order_at_most_93_days_apart() -> None:
    def publish(period: common_pb2.TimeRange | None) -> roster_pb2.PublishRosterRequest:
        return roster_pb2.PublishRosterRequest(idempotency_key="k", site_id="hz-01", period=period)

    assert fields(publish(period(NOW, NOW + timedelta(days=93)))) == set()
    assert fields(publish(period(NOW, NOW + timedelta(days=93, seconds=1)))) == {"period"}
    assert fields(publish(period(NOW, NOW - timedelta(days=1)))) == {"period"}
    assert fields(publish(common_pb2.TimeRange(start=ts(NOW)))) == {"period"}
    assert fields(publish(None)) == {"period"}
    assert fields(roster_pb2.ListAssignmentsRequest(site_id="hz-01", period=period(NOW, NOW))) == {"period"}
    long = period(NOW, NOW + timedelta(days=100))
    assert fields(roster_pb2.FindCoverageGapsRequest(site_id="hz-01", period=long)) == {"period"}


def test_leave_swaps_and_handovers_name_ids_and_bounded_texts() -> None:
    assert fields(roster_pb2.RequestLeaveRequest(idempotency_key="k", assignment_id="a-1")) == {"substitute_id"}
    long_reason = roster_pb2.RequestLeaveRequest(
        idempotency_key="k", assignment_id="a-1", substitute_id="p-2", reason="因" * 1001
    )
    assert fields(long_reason) == {"reason"}
    assert fields(
        roster_pb2.RequestSwapRequest(idempotency_key="k", assignment_id="a-1", other_assignment_id="a-1")
    ) == {"request_swap.other_assignment"}
    assert fields(roster_pb2.DecideLeaveRequest(idempotency_key="", leave_id="leave-1", remark="\x00")) == {
        "idempotency_key",
        "remark",
    }
    handover = roster_pb2.SubmitHandoverRequest(
        idempotency_key="k", outgoing_assignment_id="a-1", shift_log="日志\n" * 27_000, notes="n" * 4001
    )
    assert fields(handover) == {"shift_log", "notes"}
    itself = roster_pb2.SubmitHandoverRequest(
        idempotency_key="k", outgoing_assignment_id="a-1", incoming_assignment_id="a-1"
    )
    assert fields(itself) == {"submit_handover.incoming"}
    assert fields(roster_pb2.CheckInRequest(idempotency_key="k")) == {"assignment_id"}
    assert fields(roster_pb2.ListLeaveRequest(site_id="hz-01", status="pending")) == {"status"}


def test_on_duty_at_an_instant_of_this_century() -> None:
    assert fields(roster_pb2.GetOnDutyRequest(site_id="hz-01", at=ts(NOW))) == set()
    assert fields(roster_pb2.GetOnDutyRequest(site_id="hz-01", at=ts(datetime(1999, 1, 1, tzinfo=UTC)))) == {"at"}
    assert fields(roster_pb2.GetOnDutyRequest(site_id="")) == {"site_id"}
