"""Pure roster rules (排班规则), without servers: shift instances across month ends and DST, rotations,
coverage gaps, roster rules, leave/swap and check-in timing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.roster.rules import (
    BASELINE,
    Assignment,
    Gap,
    Pattern,
    RotationSpec,
    ShiftDef,
    ShiftInstance,
    _local_to_utc,
    apply_leave,
    apply_swap,
    check_in_status,
    check_rules,
    find_gaps,
    generate_assignments,
    may_publish,
    parse_local_time,
    patterns_overlap,
    shift_instances,
    validate_pattern,
    validate_time_zone,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOURS = timedelta(hours=1)
STAFF = {"officer": 2, "leader": 1}


def shift(name: str, start: str, hours: float, staffing: dict[str, int] | None = None) -> ShiftDef:
    local_start = parse_local_time(start)
    assert local_start is not None
    return ShiftDef(name, local_start, timedelta(hours=hours), STAFF if staffing is None else staffing)


DAY_NIGHT = Pattern("p-dn", "hz-01", (shift("day", "08:00", 12), shift("night", "20:00", 12)))
THREE = Pattern("p-3", "hz-01", (shift("early", "00:00", 8), shift("mid", "08:00", 8), shift("late", "16:00", 8)))


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def assert_tiles(instances: Sequence[ShiftInstance]) -> None:
    for before, after in pairwise(instances):
        assert before.ends_at == after.starts_at, (before, after)
    for instance in instances:
        assert instance.starts_at < instance.ends_at
        assert instance.starts_at.tzinfo is not None and instance.starts_at.utcoffset() == timedelta(0)


def by_name(instances: Sequence[ShiftInstance], day: date, name: str) -> ShiftInstance:
    (found,) = [i for i in instances if i.local_date == day and i.shift_name == name]
    return found


# ---------------------------------------------------------------------------------------------------
# Shift instances


def test_day_night_across_a_month_end() -> None:
    instances = shift_instances(DAY_NIGHT, SHANGHAI, date(2026, 1, 30), date(2026, 2, 2))
    assert len(instances) == 8
    assert_tiles(instances)
    night = by_name(instances, date(2026, 1, 31), "night")
    assert night.starts_at == datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert night.ends_at == datetime(2026, 2, 1, 0, tzinfo=UTC)  # 08:00 on Feb 1 in Shanghai
    assert instances[0].starts_at == local(SHANGHAI, 2026, 1, 30, 8)
    assert instances[-1].ends_at == local(SHANGHAI, 2026, 2, 3, 8)


@pytest.mark.parametrize(("year", "days"), [(2028, 3), (2027, 2), (2100, 2), (2000, 3)])
def test_february_end_in_leap_and_common_years(year: int, days: int) -> None:
    instances = shift_instances(DAY_NIGHT, SHANGHAI, date(year, 2, 28), date(year, 3, 1) - timedelta(days=1))
    assert_tiles(instances)
    dates = sorted({i.local_date for i in instances})
    assert dates == [date(year, 2, 28), *([date(year, 2, 29)] if days == 3 else [])]
    assert instances[-1].ends_at == local(SHANGHAI, year, 3, 1, 8)


@pytest.mark.parametrize(
    ("tz", "spring", "autumn"),
    [(BERLIN, date(2026, 3, 29), date(2026, 10, 25)), (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1))],
)
def test_day_night_tile_across_dst_and_the_night_is_11_or_13_hours(tz: ZoneInfo, spring: date, autumn: date) -> None:
    for change, night_hours in ((spring, 11), (autumn, 13)):
        eve = change - timedelta(days=1)
        instances = shift_instances(DAY_NIGHT, tz, eve - timedelta(days=1), change + timedelta(days=1))
        assert_tiles(instances)
        night = by_name(instances, eve, "night")
        assert night.ends_at - night.starts_at == night_hours * HOURS
        assert night.ends_at == local(tz, change.year, change.month, change.day, 8)
        # Every other shift keeps its 12 real hours.
        assert [i.ends_at - i.starts_at for i in instances if i is not night] == [12 * HOURS] * 7


def test_no_dst_in_shanghai() -> None:
    instances = shift_instances(DAY_NIGHT, SHANGHAI, date(2026, 3, 1), date(2026, 11, 30))
    assert_tiles(instances)
    assert {i.ends_at - i.starts_at for i in instances} == {12 * HOURS}


def test_three_shifts_tile_across_dst() -> None:
    for change, early_hours in ((date(2026, 3, 29), 7), (date(2026, 10, 25), 9)):
        instances = shift_instances(THREE, BERLIN, change - timedelta(days=1), change + timedelta(days=1))
        assert len(instances) == 9
        assert_tiles(instances)
        early = by_name(instances, change, "early")
        assert early.ends_at - early.starts_at == early_hours * HOURS
        assert sum((i.ends_at - i.starts_at for i in instances), timedelta()) == (72 - 8 + early_hours) * HOURS


def test_nonexistent_local_time_maps_to_the_jump_and_still_tiles() -> None:
    # Berlin jumps from 02:00 CET to 03:00 CEST on 2026-03-29 (01:00 UTC): 02:30 does not exist.
    pattern = Pattern("p-odd", "hz-01", (shift("a", "02:30", 6), shift("b", "08:30", 17.75), shift("c", "02:15", 0.25)))
    assert validate_pattern(pattern) == []
    instances = shift_instances(pattern, BERLIN, date(2026, 3, 28), date(2026, 3, 29))
    a = by_name(instances, date(2026, 3, 29), "a")
    assert a.starts_at == datetime(2026, 3, 29, 1, tzinfo=UTC)  # 03:00 CEST, the jump
    assert a.ends_at == local(BERLIN, 2026, 3, 29, 8, 30)
    c = by_name(instances, date(2026, 3, 29), "c")  # 02:15-02:30 lies wholly in the gap: zero real length
    assert c.starts_at == c.ends_at == a.starts_at
    prior = by_name(instances, date(2026, 3, 28), "b")
    assert prior.ends_at == a.starts_at
    assert all(i.starts_at <= i.ends_at for i in instances)


def test_ambiguous_local_time_takes_the_first_occurrence() -> None:
    # Berlin repeats 02:00-03:00 on 2026-10-25 (CEST until 01:00 UTC, then CET).
    pattern = Pattern("p-amb", "hz-01", (shift("a", "02:30", 12), shift("b", "14:30", 12)))
    instances = shift_instances(pattern, BERLIN, date(2026, 10, 24), date(2026, 10, 25))
    assert_tiles(instances)
    a = by_name(instances, date(2026, 10, 25), "a")
    assert a.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, fold=0
    assert a.ends_at - a.starts_at == 13 * HOURS
    assert by_name(instances, date(2026, 10, 24), "b").ends_at == a.starts_at


def test_double_leader_dates_raise_the_leader_requirement() -> None:
    holiday = date(2026, 10, 1)
    pattern = Pattern(
        "p-h",
        "hz-01",
        (shift("day", "08:00", 12), shift("night", "20:00", 12, {"officer": 1, "leader": 0})),
        frozenset({holiday}),
    )
    instances = shift_instances(pattern, SHANGHAI, date(2026, 9, 30), holiday)
    assert by_name(instances, holiday, "day").staffing == {"officer": 2, "leader": 2}
    assert by_name(instances, holiday, "day").double_leader
    assert by_name(instances, holiday, "night").staffing == {"officer": 1, "leader": 0}  # needs no leader
    assert by_name(instances, date(2026, 9, 30), "day").staffing == STAFF
    assert not by_name(instances, date(2026, 9, 30), "day").double_leader


def test_dataclasses_are_hashable_and_do_not_share_the_callers_dict() -> None:
    staffing = {"officer": 2, "leader": 1}
    definition = ShiftDef("day", time(8), timedelta(hours=12), staffing)
    staffing["officer"] = 5
    assert definition.staffing == {"officer": 2, "leader": 1}
    assert hash(definition) == hash(ShiftDef("day", time(8), timedelta(hours=12), {"leader": 1, "officer": 2}))
    assert len({DAY_NIGHT, Pattern("p-dn", "hz-01", DAY_NIGHT.shifts)}) == 1


TILING_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Shanghai",
]


@st.composite
def tiling_patterns(draw: st.DrawFn) -> Pattern:
    """1-4 shifts whose starts are distinct minutes of the day and which each run to the next start."""
    starts = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=1, max_size=4)))
    shifts = []
    for n, minute in enumerate(starts):
        following = starts[(n + 1) % len(starts)] + (24 * 60 if n + 1 == len(starts) else 0)
        shifts.append(ShiftDef(f"s{n}", time(minute // 60, minute % 60), timedelta(minutes=following - minute), STAFF))
    return Pattern("p", "site", tuple(shifts))


@settings(max_examples=150, deadline=None)
@given(
    pattern=tiling_patterns(),
    zone=st.sampled_from(TILING_ZONES),
    first_day=st.dates(date(1990, 1, 1), date(2045, 12, 31)),
    days=st.integers(1, 5),
)
def test_property_tiling_patterns_tile_on_any_dates(pattern: Pattern, zone: str, first_day: date, days: int) -> None:
    tz = ZoneInfo(zone)
    last_day = first_day + timedelta(days=days - 1)
    instances = shift_instances(pattern, tz, first_day, last_day)
    assert len(instances) == days * len(pattern.shifts)
    assert_tiles_or_touch = [b.ends_at == a.starts_at for b, a in pairwise(instances)]
    assert all(assert_tiles_or_touch)
    assert all(i.starts_at <= i.ends_at for i in instances)
    midnight = datetime.combine(first_day, time(0), tzinfo=tz).astimezone(UTC)
    assert instances[0].starts_at >= midnight
    # Together the shifts last exactly as long as the days they span, DST or not.
    first_start = min(s.local_start for s in pattern.shifts)
    # (A wall-clock time inside a spring-forward gap means the moment of the jump: the module's rule.)
    span_start = _local_to_utc(datetime.combine(first_day, first_start), tz)
    span_end = _local_to_utc(datetime.combine(last_day + timedelta(days=1), first_start), tz)
    assert instances[0].starts_at == span_start
    assert instances[-1].ends_at == span_end


# ---------------------------------------------------------------------------------------------------
# Rotations


def test_weekly_rotation_turns_over_at_period_boundaries() -> None:
    monday = date(2026, 11, 30)
    instances = shift_instances(DAY_NIGHT, SHANGHAI, monday - timedelta(days=2), monday + timedelta(days=20))
    rotation = RotationSpec("r", "p-dn", ("day",), "officer", ("ann", "bob", "cai"), 7, monday)
    assignments = generate_assignments("hz-01", instances, [rotation])
    assert {a.shift_name for a in assignments} == {"day"}
    assert min(a.local_date for a in assignments) == monday  # dates before start_date: none
    week = {a.local_date: a.person_id for a in assignments}
    assert [week[monday + timedelta(days=d)] for d in (0, 6, 7, 13, 14, 20)] == [
        "ann",
        "ann",
        "bob",
        "bob",
        "cai",
        "cai",
    ]
    first = assignments[0]
    assert first.id == "a-hz-01-2026-11-30-day-officer-1"
    day = by_name(instances, monday, "day")
    assert (first.starts_at, first.ends_at, first.site_id, first.role) == (
        day.starts_at,
        day.ends_at,
        "hz-01",
        "officer",
    )


def test_slots_wrap_around_and_ids_count_across_rotations() -> None:
    start = date(2026, 12, 1)
    instances = shift_instances(DAY_NIGHT, SHANGHAI, start, start + timedelta(days=2))
    officers = RotationSpec("r-o", "p-dn", (), "officer", ("a", "b", "c"), 1, start, slots=2)
    extra = RotationSpec("r-x", "p-dn", ("night",), "officer", ("z",), 1, start)
    leaders = RotationSpec("r-l", "p-dn", (), "leader", ("l1", "l2"), 2, start)
    assignments = generate_assignments("hz-01", instances, [officers, extra, leaders])
    on: dict[tuple[int, str, str], list[str]] = {(a.local_date.day, a.shift_name, a.role): [] for a in assignments}
    for a in assignments:
        on[(a.local_date.day, a.shift_name, a.role)].append(a.person_id)
    assert on[(1, "day", "officer")] == ["a", "b"]
    assert on[(2, "day", "officer")] == ["c", "a"]
    assert on[(3, "day", "officer")] == ["b", "c"]
    assert on[(1, "night", "officer")] == ["a", "b", "z"]
    assert [on[(d, "day", "leader")] for d in (1, 2, 3)] == [["l1"], ["l1"], ["l2"]]
    night_ids = [a.id for a in assignments if a.local_date.day == 1 and a.shift_name == "night"]
    assert night_ids == [
        "a-hz-01-2026-12-01-night-officer-1",
        "a-hz-01-2026-12-01-night-officer-2",
        "a-hz-01-2026-12-01-night-officer-3",
        "a-hz-01-2026-12-01-night-leader-1",
    ]
    assert len({a.id for a in assignments}) == len(assignments)


def test_a_person_is_not_placed_twice_on_one_instance_and_role() -> None:
    start = date(2026, 12, 1)
    instances = shift_instances(DAY_NIGHT, SHANGHAI, start, start)
    short = RotationSpec("r", "p-dn", ("day",), "officer", ("a", "b"), 7, start, slots=3)
    again = RotationSpec("r2", "p-dn", ("day",), "officer", ("b", "c"), 7, start)
    other_pattern = RotationSpec("r3", "p-other", (), "officer", ("x",), 7, start)
    assignments = generate_assignments("hz-01", instances, [short, again, other_pattern])
    assert [(a.person_id, a.id[-1]) for a in assignments] == [("a", "1"), ("b", "2")]


def test_double_leader_dates_only_rotation_adds_the_second_leader() -> None:
    holiday = date(2026, 10, 1)
    pattern = Pattern("p-dn", "hz-01", DAY_NIGHT.shifts, frozenset({holiday}))
    instances = shift_instances(pattern, SHANGHAI, date(2026, 9, 30), holiday)
    leaders = RotationSpec("r-l", "p-dn", (), "leader", ("l1",), 7, date(2026, 9, 1))
    second = RotationSpec(
        "r-l2", "p-dn", (), "leader", ("l2", "l3"), 1, date(2026, 9, 1), double_leader_dates_only=True
    )
    assignments = generate_assignments("hz-01", instances, [leaders, second])
    per_day = Counter(a.local_date for a in assignments)
    assert per_day == {date(2026, 9, 30): 2, holiday: 4}
    holiday_day = [a.person_id for a in assignments if a.local_date == holiday and a.shift_name == "day"]
    assert holiday_day == ["l1", "l2"]  # turn k = 30 days // 1 -> index 30 % 2 = 0


# ---------------------------------------------------------------------------------------------------
# Coverage gaps


def staffed_month_start() -> tuple[list[ShiftInstance], list[Assignment], datetime, datetime]:
    start_day = date(2026, 12, 1)
    instances = shift_instances(DAY_NIGHT, SHANGHAI, start_day, start_day + timedelta(days=2))
    rotations = [
        RotationSpec("r-o", "p-dn", (), "officer", ("o1", "o2", "o3", "o4"), 1, start_day, slots=2),
        RotationSpec("r-l", "p-dn", (), "leader", ("l1", "l2"), 1, start_day),
    ]
    assignments = generate_assignments("hz-01", instances, rotations)
    return instances, assignments, instances[0].starts_at, instances[-1].ends_at


def test_a_fully_staffed_tiling_pattern_has_no_gaps() -> None:
    instances, assignments, start, end = staffed_month_start()
    assert find_gaps(start=start, end=end, instances=instances, assignments=assignments) == []
    assert may_publish([], "")


def test_removing_one_assignment_leaves_exactly_that_gap() -> None:
    instances, assignments, start, end = staffed_month_start()
    removed = next(a for a in assignments if a.shift_name == "night" and a.role == "officer")
    rest = [a for a in assignments if a is not removed]
    gaps = find_gaps(start=start, end=end, instances=instances, assignments=rest)
    assert gaps == [Gap(removed.starts_at, removed.ends_at, "officer", 2, 1)]
    assert not may_publish(gaps, "")
    assert not may_publish(gaps, "   ")
    assert may_publish(gaps, "两名值班员之一临时病假，领导已批准")

    leader = next(a for a in assignments if a.role == "leader")
    gaps = find_gaps(start=start, end=end, instances=instances, assignments=[a for a in assignments if a is not leader])
    assert gaps == [Gap(leader.starts_at, leader.ends_at, "leader", 1, 0)]


def test_a_person_counts_once_even_on_two_assignments() -> None:
    instances, assignments, start, end = staffed_month_start()
    first, second = [a for a in assignments if a.local_date.day == 1 and a.shift_name == "day" and a.role == "officer"]
    doubled = [a for a in assignments if a is not second] + [
        Assignment(
            "dup",
            "hz-01",
            first.person_id,
            "officer",
            "day",
            first.local_date,
            first.starts_at,
            first.ends_at,
        )
    ]
    gaps = find_gaps(start=start, end=end, instances=instances, assignments=doubled)
    assert gaps == [Gap(first.starts_at, first.ends_at, "officer", 2, 1)]


def test_an_uncovered_stretch_of_the_day_is_a_gap_for_both_roles_with_the_baseline() -> None:
    day_only = Pattern("p-d", "hz-01", (shift("day", "08:00", 12),))
    day = date(2026, 12, 1)
    instances = shift_instances(day_only, SHANGHAI, day, day)
    assignments = generate_assignments(
        "hz-01",
        instances,
        [
            RotationSpec("r-o", "p-d", (), "officer", ("o1", "o2"), 7, day, slots=2),
            RotationSpec("r-l", "p-d", (), "leader", ("l1",), 7, day),
        ],
    )
    midnight, next_midnight = local(SHANGHAI, 2026, 12, 1), local(SHANGHAI, 2026, 12, 2)
    gaps = find_gaps(start=midnight, end=next_midnight, instances=instances, assignments=assignments)
    morning, evening = (midnight, instances[0].starts_at), (instances[0].ends_at, next_midnight)
    assert gaps == [
        Gap(*morning, "leader", BASELINE["leader"], 0),
        Gap(*morning, "officer", BASELINE["officer"], 0),
        Gap(*evening, "leader", 1, 0),
        Gap(*evening, "officer", 1, 0),
    ]
    # A custom baseline; a role with minimum 0 never has a gap.
    gaps = find_gaps(
        start=midnight,
        end=next_midnight,
        instances=instances,
        assignments=assignments,
        baseline={"officer": 2, "leader": 0},
    )
    assert [(g.role, g.required) for g in gaps] == [("officer", 2), ("officer", 2)]
    assert find_gaps(start=next_midnight, end=midnight, instances=instances, assignments=assignments) == []


def test_double_leader_dates_need_two_leaders() -> None:
    holiday = date(2026, 10, 1)
    pattern = Pattern("p-dn", "hz-01", DAY_NIGHT.shifts, frozenset({holiday}))
    instances = shift_instances(pattern, SHANGHAI, holiday, holiday)
    base = [
        RotationSpec("r-o", "p-dn", (), "officer", ("o1", "o2"), 7, holiday, slots=2),
        RotationSpec("r-l", "p-dn", (), "leader", ("l1",), 7, holiday),
    ]
    start, end = instances[0].starts_at, instances[-1].ends_at
    gaps = find_gaps(
        start=start, end=end, instances=instances, assignments=generate_assignments("hz-01", instances, base)
    )
    assert gaps == [Gap(start, end, "leader", 2, 1)]  # day and night merge: same role, required, present
    second = RotationSpec("r-l2", "p-dn", (), "leader", ("l2",), 7, holiday, double_leader_dates_only=True)
    full = generate_assignments("hz-01", instances, [*base, second])
    assert find_gaps(start=start, end=end, instances=instances, assignments=full) == []


def test_overlapping_instances_require_the_larger_staffing() -> None:
    day = date(2026, 12, 1)
    main = Pattern("p-a", "hz-01", (shift("day", "08:00", 12, {"officer": 1, "leader": 1}),))
    peak = Pattern("p-b", "hz-01", (shift("peak", "10:00", 2, {"officer": 3}),))
    assert patterns_overlap(main, peak)
    instances = sorted(
        shift_instances(main, SHANGHAI, day, day) + shift_instances(peak, SHANGHAI, day, day),
        key=lambda i: i.starts_at,
    )
    officers = [
        Assignment(f"x{n}", "hz-01", f"o{n}", "officer", "day", day, instances[0].starts_at, instances[0].ends_at)
        for n in range(2)
    ]
    leader = Assignment("l", "hz-01", "l1", "leader", "day", day, instances[0].starts_at, instances[0].ends_at)
    gaps = find_gaps(
        start=instances[0].starts_at,
        end=instances[0].ends_at,
        instances=instances,
        assignments=[*officers, leader],
    )
    assert gaps == [Gap(instances[1].starts_at, instances[1].ends_at, "officer", 3, 2)]


def required_at(instant: datetime, instances: Sequence[ShiftInstance], baseline: dict[str, int]) -> dict[str, int]:
    covering = [i for i in instances if i.starts_at <= instant < i.ends_at]
    if not covering:
        return dict(baseline)
    required: dict[str, int] = {}
    for instance in covering:
        for role, minimum in instance.staffing.items():
            required[role] = max(required.get(role, 0), minimum)
    return required


def present_at(instant: datetime, assignments: Sequence[Assignment], role: str) -> int:
    return len({a.person_id for a in assignments if a.role == role and a.starts_at <= instant < a.ends_at})


def sample_instants(start: datetime, end: datetime, items: Sequence[ShiftInstance | Assignment]) -> list[datetime]:
    """Every boundary in [start, end) and every midpoint between them: coverage is constant in between."""
    points = sorted({start, end, *(t for i in items for t in (i.starts_at, i.ends_at) if start < t < end)})
    return points[:-1] + [a + (b - a) / 2 for a, b in pairwise(points)]


@st.composite
def any_patterns(draw: st.DrawFn) -> Pattern:
    """1-3 shifts at half-hour starts, possibly overlapping or leaving the day partly uncovered."""
    count = draw(st.integers(1, 3))
    shifts = tuple(
        ShiftDef(
            f"s{n}",
            time(*divmod(draw(st.integers(0, 47)) * 30, 60)),
            timedelta(minutes=30 * draw(st.integers(1, 48))),
            {"officer": draw(st.integers(0, 2)), "leader": draw(st.integers(0, 1))},
        )
        for n in range(count)
    )
    return Pattern("p", "site", shifts)


@st.composite
def rosters(
    draw: st.DrawFn, patterns: st.SearchStrategy[Pattern]
) -> tuple[list[ShiftInstance], list[Assignment], datetime, datetime, dict[str, int]]:
    base = draw(patterns)
    first_day = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    days = draw(st.integers(1, 3))
    holidays = draw(st.frozensets(st.sampled_from([first_day + timedelta(days=d) for d in range(days)])))
    pattern = Pattern(base.id, base.site_id, base.shifts, holidays)
    tz = ZoneInfo(draw(st.sampled_from(TILING_ZONES)))
    instances = shift_instances(pattern, tz, first_day, first_day + timedelta(days=days - 1))
    pool = [f"u{n}" for n in range(6)]
    rotations = [
        RotationSpec(
            f"r{n}",
            "p",
            draw(st.sampled_from([(), ("s0",), ("s1",)])),
            role,
            tuple(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))),
            draw(st.integers(1, 3)),
            first_day - timedelta(days=draw(st.integers(-1, 3))),
            draw(st.integers(1, 2)),
            draw(st.booleans()) if role == "leader" else False,
        )
        for n, role in enumerate(draw(st.lists(st.sampled_from(["officer", "leader"]), max_size=4)))
    ]
    assignments = generate_assignments("site", instances, rotations)
    kept = draw(st.lists(st.booleans(), min_size=len(assignments), max_size=len(assignments)))
    assignments = [a for a, keep in zip(assignments, kept, strict=True) if keep or draw(st.booleans())]
    midnight = datetime.combine(first_day, time(0), tzinfo=tz).astimezone(UTC)
    start = midnight + timedelta(minutes=30 * draw(st.integers(-8, 48)))
    end = start + timedelta(minutes=30 * draw(st.integers(1, 48 * days)))
    baseline = {"officer": draw(st.integers(0, 2)), "leader": draw(st.integers(0, 1))}
    return instances, assignments, start, end, baseline


Roster = tuple[list[ShiftInstance], list[Assignment], datetime, datetime, dict[str, int]]


@settings(max_examples=120, deadline=None)
@given(roster=rosters(st.one_of(any_patterns(), tiling_patterns())))
def test_property_gaps_are_exactly_the_undercovered_instants(roster: Roster) -> None:
    instances, assignments, start, end, baseline = roster
    gaps = find_gaps(start=start, end=end, instances=instances, assignments=assignments, baseline=baseline)
    assert gaps == sorted(gaps, key=lambda g: (g.starts_at, g.role))
    for gap in gaps:
        assert start <= gap.starts_at < gap.ends_at <= end and gap.present < gap.required
    for one in gaps:  # merged: no two touching gaps of one role with the same numbers
        assert not any(
            (o.role, o.required, o.present, o.starts_at) == (one.role, one.required, one.present, one.ends_at)
            for o in gaps
        )
    for instant in sample_instants(start, end, [*instances, *assignments]):
        required = required_at(instant, instances, baseline)
        for role in {*required, *(g.role for g in gaps)}:
            need, have = required.get(role, 0), present_at(instant, assignments, role)
            covering = [g for g in gaps if g.role == role and g.starts_at <= instant < g.ends_at]
            assert covering == (
                [Gap(covering[0].starts_at, covering[0].ends_at, role, need, have)] if have < need else []
            )


@st.composite
def well_staffed_rosters(draw: st.DrawFn) -> Roster:
    """Tiling patterns filled by rotations that are usually, not always, big enough; the window stays
    inside the shifts so the outcome is decided by the roster rather than the baseline."""
    pattern = draw(tiling_patterns())
    first_day = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    days = draw(st.integers(1, 3))
    holidays = draw(st.frozensets(st.sampled_from([first_day + timedelta(days=d) for d in range(days)])))
    tz = ZoneInfo(draw(st.sampled_from(TILING_ZONES)))
    instances = shift_instances(
        Pattern("p", "site", pattern.shifts, holidays), tz, first_day, first_day + timedelta(days=days - 1)
    )
    officers = tuple(f"o{n}" for n in range(draw(st.integers(1, 4))))
    rotations = [
        RotationSpec("r-o", "p", (), "officer", officers, draw(st.integers(1, 3)), first_day, slots=2),
        RotationSpec("r-l", "p", (), "leader", ("l1", "l2"), 1, first_day),
        RotationSpec("r-l2", "p", (), "leader", draw(st.sampled_from([("l3",), ("l1",)])), 1, first_day, 1, True),
    ]
    assignments = generate_assignments("site", instances, rotations)
    if draw(st.booleans()):
        assignments = draw(st.lists(st.sampled_from(assignments), unique_by=lambda a: a.id)) if assignments else []
    span = instances[-1].ends_at - instances[0].starts_at
    start = instances[0].starts_at + span * draw(st.floats(0, 0.5))
    end = start + (instances[-1].ends_at - start) * draw(st.floats(0.1, 1))
    return instances, assignments, start, end, dict(BASELINE)


@settings(max_examples=120, deadline=None)
@given(roster=well_staffed_rosters())
def test_property_a_roster_published_without_an_override_never_has_a_gap(roster: Roster) -> None:
    instances, assignments, start, end, baseline = roster
    publishable = may_publish(find_gaps(start=start, end=end, instances=instances, assignments=assignments), "")
    covered = all(
        present_at(instant, assignments, role) >= need
        for instant in sample_instants(start, end, [*instances, *assignments])
        for role, need in required_at(instant, instances, baseline).items()
    )
    assert covered if publishable else not covered


# ---------------------------------------------------------------------------------------------------
# Leave and swaps


T0 = datetime(2026, 12, 1, tzinfo=UTC)


@st.composite
def assignment_lists(draw: st.DrawFn) -> list[Assignment]:
    count = draw(st.integers(2, 12))
    return [
        Assignment(
            id=f"a{n}",
            site_id="hz-01",
            person_id=draw(st.sampled_from(["p1", "p2", "p3", "p4"])),
            role=draw(st.sampled_from(["officer", "leader"])),
            shift_name=draw(st.sampled_from(["day", "night"])),
            local_date=date(2026, 12, 1) + timedelta(days=draw(st.integers(0, 3))),
            starts_at=(starts := T0 + HOURS * draw(st.integers(0, 72))),
            ends_at=starts + HOURS * draw(st.integers(1, 24)),
        )
        for n in range(count)
    ]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), assignments=assignment_lists())
def test_property_approving_a_swap_never_changes_who_covers_any_other_shift(
    data: st.DataObject, assignments: list[Assignment]
) -> None:
    first = data.draw(st.sampled_from(assignments))
    second = data.draw(st.sampled_from(assignments))
    swapped = apply_swap(assignments, first.id, second.id)
    assert len(swapped) == len(assignments)
    for before, after in zip(assignments, swapped, strict=True):
        if before.id == first.id:
            assert after.person_id == second.person_id
        elif before.id == second.id:
            assert after.person_id == first.person_id
        else:
            assert after == before
        assert (after.id, after.role, after.starts_at, after.ends_at) == (
            before.id,
            before.role,
            before.starts_at,
            before.ends_at,
        )
    assert Counter(a.person_id for a in swapped) == Counter(a.person_id for a in assignments)
    assert apply_swap(swapped, first.id, second.id) == assignments


@settings(max_examples=100, deadline=None)
@given(data=st.data(), assignments=assignment_lists(), substitute=st.sampled_from(["p1", "p9"]))
def test_property_approving_leave_changes_only_the_target(
    data: st.DataObject, assignments: list[Assignment], substitute: str
) -> None:
    target = data.draw(st.sampled_from(assignments))
    result = apply_leave(assignments, target.id, substitute)
    for before, after in zip(assignments, result, strict=True):
        expected = before if before.id != target.id else Assignment(**{**before.__dict__, "person_id": substitute})
        assert after == expected
    assert Counter(a.person_id for a in result) == (
        Counter(a.person_id for a in assignments) - Counter([target.person_id]) + Counter([substitute])
    )


def test_unknown_ids_and_a_missing_substitute_are_refused() -> None:
    _, assignments, _, _ = staffed_month_start()
    with pytest.raises(KeyError):
        apply_leave(assignments, "nope", "o9")
    with pytest.raises(KeyError):
        apply_swap(assignments, assignments[0].id, "nope")
    with pytest.raises(ValueError, match="substitute"):
        apply_leave(assignments, assignments[0].id, " ")


# ---------------------------------------------------------------------------------------------------
# Roster rules


def duty(ident: str, person: str, start_hour: int, hours: int, role: str = "officer", name: str = "s") -> Assignment:
    starts = T0 + HOURS * start_hour
    return Assignment(
        ident, "hz-01", person, role, f"{name}{start_hour}", starts.date(), starts, starts + HOURS * hours
    )


def test_overlapping_shifts_of_one_person() -> None:
    assignments = [
        duty("a", "p1", 0, 12),
        duty("b", "p1", 8, 8),
        duty("c", "p2", 8, 8),
        duty("d", "p1", 12, 4),
    ]
    leaders = [duty(f"l{x.id}", f"boss-{x.id}", x.starts_at.hour, 1, "leader") for x in assignments]
    found = [v for v in check_rules([*assignments, *leaders], max_consecutive=5) if v.rule == "overlapping_shifts"]
    assert [(v.person_id, v.assignment_ids) for v in found] == [("p1", ("a", "b")), ("p1", ("b", "d"))]


def test_three_back_to_back_shifts_with_max_two() -> None:
    chain = [
        duty("a", "p1", 0, 8, "leader"),
        duty("b", "p1", 8, 8, "leader"),
        duty("c", "p1", 16, 8, "leader"),
    ]
    apart = [
        duty("x", "p1", 25, 8, "leader"),
        duty("y", "p2", 0, 8, "leader"),
        duty("z", "p2", 8, 8, "leader"),
    ]
    violations = check_rules([*apart, *reversed(chain)], max_consecutive=2)
    assert [(v.rule, v.person_id, v.assignment_ids) for v in violations] == [
        ("too_many_consecutive_shifts", "p1", ("a", "b", "c"))
    ]
    assert check_rules(chain, max_consecutive=3) == []


def test_officers_without_a_leader() -> None:
    day = [duty("o1", "p1", 8, 12, name="day"), duty("o2", "p2", 8, 12, name="day")]
    night = [duty("o3", "p3", 20, 12, name="day"), duty("l3", "p4", 20, 12, "leader", name="day")]
    violations = check_rules([*day, *night], max_consecutive=3)
    assert [(v.rule, v.person_id, v.assignment_ids) for v in violations] == [("shift_without_leader", "", ("o1", "o2"))]
    assert "no leader" in violations[0].detail


def test_a_generated_full_roster_breaks_no_rule() -> None:
    _, assignments, _, _ = staffed_month_start()
    assert check_rules(assignments, max_consecutive=2) == []


# ---------------------------------------------------------------------------------------------------
# Check-in


def test_check_in_boundaries() -> None:
    starts = datetime(2026, 12, 1, 8, tzinfo=UTC)
    deadline, absent_at = starts - timedelta(minutes=15), starts + timedelta(minutes=30)
    second = timedelta(seconds=1)
    assert check_in_status(checked_in_at=deadline, starts_at=starts, now=starts) == ("on_time", 0.0)
    assert check_in_status(checked_in_at=deadline - HOURS, starts_at=starts, now=absent_at) == (
        "on_time",
        0.0,
    )
    assert check_in_status(checked_in_at=deadline + second, starts_at=starts, now=starts) == ("late", 1.0)
    assert check_in_status(checked_in_at=absent_at - second, starts_at=starts, now=absent_at) == (
        "late",
        2699.0,
    )
    assert check_in_status(checked_in_at=absent_at, starts_at=starts, now=absent_at) == ("absent", 0.0)
    assert check_in_status(checked_in_at=None, starts_at=starts, now=absent_at) == ("absent", 0.0)
    assert check_in_status(checked_in_at=None, starts_at=starts, now=absent_at - second) == ("pending", 0.0)
    assert check_in_status(checked_in_at=None, starts_at=starts, now=deadline - HOURS) == ("pending", 0.0)
    custom = check_in_status(
        checked_in_at=starts,
        starts_at=starts,
        now=starts,
        lead=timedelta(minutes=10),
        absent_after=timedelta(minutes=5),
    )
    assert custom == ("late", 600.0)


# ---------------------------------------------------------------------------------------------------
# Validation


def fields_of(pattern: Pattern) -> set[str]:
    return {field for field, _ in validate_pattern(pattern)}


def test_valid_patterns() -> None:
    assert validate_pattern(DAY_NIGHT) == []
    assert validate_pattern(THREE) == []
    assert validate_pattern(Pattern("p", "s", (shift("all", "07:30", 24),))) == []


def test_pattern_problems_name_their_fields() -> None:
    # What one field shows (no shifts, names, durations, staffing) is the proto's: tests/services/roster/test_limits.py.
    overlapping = Pattern("p", "s", (shift("day", "08:00", 12), shift("eve", "18:00", 8)))
    problems = validate_pattern(overlapping)
    assert [f for f, _ in problems] == ["pattern.shifts[1].local_start"]
    assert "overlaps" in problems[0][1]
    wrapping = Pattern("p", "s", (shift("night", "20:00", 12), shift("early", "06:00", 4)))
    assert fields_of(wrapping) == {"pattern.shifts[1].local_start"}  # overlap across midnight
    # A shift of no length overlaps nothing (and its duration is refused by the proto).
    assert fields_of(Pattern("p", "s", (shift("day", "08:00", 12), shift("gap", "10:00", 0)))) == set()


def test_patterns_overlap_on_the_wall_clock_cycle() -> None:
    day = Pattern("a", "s", (shift("day", "08:00", 12),))
    night = Pattern("b", "s", (shift("night", "20:00", 12),))
    late = Pattern("c", "s", (shift("late", "19:00", 2),))
    early = Pattern("d", "s", (shift("early", "06:00", 3),))
    assert not patterns_overlap(day, night)
    assert patterns_overlap(day, late) and patterns_overlap(late, day)
    assert patterns_overlap(night, early)  # 20:00 + 12 h runs into 06:00-09:00


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:00", time(8)),
        (" 20:30 ", time(20, 30)),
        ("00:00", time(0)),
        ("23:59:30", time(23, 59, 30)),
    ],
)
def test_parse_local_time(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "8", "8:5", "08:60", "08h00", "-1:00", "０８:００", "08:00am"])
def test_parse_local_time_rejects(text: str) -> None:
    assert parse_local_time(text) is None


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Asia/Shanghai", True),
        ("Europe/Berlin", True),
        ("UTC", True),
        ("", False),
        ("Mars/Olympus", False),
        ("asia/shanghai", False),
        (" Asia/Shanghai", False),
        ("../etc/passwd", False),
        ("/usr/share/zoneinfo/UTC", False),
        ("localtime", False),
        ("right/Europe/Berlin", False),
        ("Europe", False),
    ],
)
def test_validate_time_zone(name: str, valid: bool) -> None:
    assert validate_time_zone(name) is valid
