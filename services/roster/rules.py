"""Pure rules of duty rostering (排班): shift patterns in a site's time zone, rotations, coverage gaps,
roster rules, leave (请假), swaps (换班) and check-in timing. No I/O: plain frozen dataclasses in,
plain values out, so the server, the worker and the tests share one definition of the rules.

Wall-clock times are mapped to instants by `_local_to_utc`: a local time T becomes the first instant at
which the site's clock shows T or later. For an ambiguous time (fall-back, the hour happens twice) that
is the first occurrence, i.e. fold=0. For a nonexistent time (spring-forward gap) it is the instant the
clock jumps, e.g. Europe/Berlin 2026-03-29 02:30 -> 03:00 CEST (01:00 UTC). Unlike plain fold=0
(which would give 03:30 CEST) this mapping never runs backwards, so a shift never ends before it starts
and shifts whose wall clocks meet still share the exact same instant.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Required wherever no shift is defined: the site must still be covered around the clock.
BASELINE: Mapping[str, int] = MappingProxyType({"officer": 1, "leader": 1})

DAY = timedelta(days=1)
_TIME_PATTERN = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$")
# Loadable by zoneinfo but not zones a site can be in (system links, the leap-second "right/" tree).
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_NOT_ZONE_PREFIXES = ("posix/", "right/")


class _FrozenCounts(Mapping[str, int]):
    """Read-only, hashable role -> count mapping, so the dataclasses below stay hashable and the
    caller's dict cannot change them afterwards. Compares equal to any mapping with the same items."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, int]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> int:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)


def _freeze(counts: Mapping[str, int]) -> Mapping[str, int]:
    return counts if isinstance(counts, _FrozenCounts) else _FrozenCounts(counts)


@dataclass(frozen=True)
class ShiftDef:
    """A shift of a pattern (班次): local wall-clock start, wall-clock duration, minimum staffing."""

    name: str
    local_start: time
    duration: timedelta
    staffing: Mapping[str, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "staffing", _freeze(self.staffing))


@dataclass(frozen=True)
class Pattern:
    """A site's shift pattern (班次模式); `double_leader_dates` are local dates that need two leaders
    (双带班)."""

    id: str
    site_id: str
    shifts: tuple[ShiftDef, ...]
    double_leader_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "shifts", tuple(self.shifts))
        object.__setattr__(self, "double_leader_dates", frozenset(self.double_leader_dates))


@dataclass(frozen=True)
class ShiftInstance:
    """One occurrence of a shift. `staffing` already includes the second leader of a double-leader date;
    `double_leader` says the start's local date is one (it selects `double_leader_dates_only` rotations)."""

    pattern_id: str
    shift_name: str
    local_date: date
    starts_at: datetime
    ends_at: datetime
    staffing: Mapping[str, int]
    double_leader: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "staffing", _freeze(self.staffing))


@dataclass(frozen=True)
class RotationSpec:
    """Ordered people taking a pattern's shifts in turn (轮班), `period_days` per turn."""

    id: str
    pattern_id: str
    shift_names: tuple[str, ...]
    role: str
    person_ids: tuple[str, ...]
    period_days: int
    start_date: date
    slots: int = 1
    double_leader_dates_only: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "shift_names", tuple(self.shift_names))
        object.__setattr__(self, "person_ids", tuple(self.person_ids))


@dataclass(frozen=True)
class Assignment:
    """A person on a shift instance in a role (值班安排)."""

    id: str
    site_id: str
    person_id: str
    role: str
    shift_name: str
    local_date: date
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Gap:
    """A stretch of time where fewer people of a role are on duty than required (缺岗)."""

    starts_at: datetime
    ends_at: datetime
    role: str
    required: int
    present: int


@dataclass(frozen=True)
class RuleViolation:
    rule: str
    person_id: str
    detail: str
    assignment_ids: tuple[str, ...]


# ---------------------------------------------------------------------------------------------------
# Patterns and time zones


def parse_local_time(text: str) -> time | None:
    """ "08:00", "8:00" or "08:00:30" -> time; None if it is not a valid wall-clock time."""
    match = _TIME_PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _since_midnight(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def _valid_duration(duration: timedelta) -> bool:
    return timedelta(0) < duration <= DAY


def _cyclic_overlap(a: ShiftDef, b: ShiftDef) -> bool:
    # On the 24-hour cycle: b starts inside a, or a starts inside b.
    a_start, b_start = _since_midnight(a.local_start), _since_midnight(b.local_start)
    return (b_start - a_start) % DAY < a.duration or (a_start - b_start) % DAY < b.duration


def _describe(shift: ShiftDef) -> str:
    minutes = int(shift.duration.total_seconds() // 60)
    return f"{shift.name!r} ({shift.local_start.strftime('%H:%M')} + {minutes} min)"


def validate_pattern(pattern: Pattern) -> list[tuple[str, str]]:
    """Problems of a shift pattern as (field, description); empty if the pattern is usable.

    What one field (or a list of names) shows is the proto's to refuse (protos/dutyline/roster/v1:
    at least one shift, names, starts, durations of 1 to 1440 minutes, staffing roles and minimums);
    this is what only the shifts together show: shifts that overlap on the 24-hour cycle."""
    problems: list[tuple[str, str]] = []
    # Overlaps are only meaningful between shifts whose durations are valid.
    valid = [(i, s) for i, s in enumerate(pattern.shifts) if _valid_duration(s.duration)]
    for n, (_, first) in enumerate(valid):
        for j, second in valid[n + 1 :]:
            if _cyclic_overlap(first, second):
                problems.append(
                    (
                        f"pattern.shifts[{j}].local_start",
                        f"shift {_describe(second)} overlaps {_describe(first)}",
                    )
                )
    return problems


def patterns_overlap(a: Pattern, b: Pattern) -> bool:
    """Whether any shift of `a` overlaps any shift of `b` on the 24-hour wall-clock cycle."""
    return any(
        _cyclic_overlap(x, y)
        for x in a.shifts
        if _valid_duration(x.duration)
        for y in b.shifts
        if _valid_duration(y.duration)
    )


def validate_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone zoneinfo knows: "Asia/Shanghai", not "" or "Mars/Olympus"."""
    if not name or name != name.strip() or name in _NOT_ZONES or name.startswith(_NOT_ZONE_PREFIXES):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# ---------------------------------------------------------------------------------------------------
# Shift instances


def _wall_clock(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _local_to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """The first instant at which the clock of `tz` shows `naive` or later (see the module docstring)."""
    instant = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall_clock(instant, tz) == naive:
        return instant  # exists; fold=0 picked the first occurrence if it is ambiguous
    # In a spring-forward gap: fold=1 gives an instant before the jump, fold=0 one after it. Bisect to the
    # jump itself; the span is at most the size of the gap, so this takes ~32 steps.
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = instant
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if _wall_clock(middle, tz) >= naive:
            high = middle
        else:
            low = middle
    return high


def _instance_staffing(shift: ShiftDef, double_leader: bool) -> dict[str, int]:
    staffing = dict(shift.staffing)
    if double_leader and staffing.get("leader", 0) > 0:
        staffing["leader"] = max(2, staffing["leader"])
    return staffing


def shift_instances(pattern: Pattern, tz: ZoneInfo, first_day: date, last_day: date) -> list[ShiftInstance]:
    """Every shift of `pattern` starting on the local dates first_day..last_day (inclusive), by start.

    A shift ends at its wall-clock end (start + duration on the local clock), so a night shift lasts
    11 or 13 real hours across a DST change and consecutive shifts still tile exactly."""
    instances: list[ShiftInstance] = []
    day = first_day
    while day <= last_day:
        double_leader = day in pattern.double_leader_dates
        for shift in pattern.shifts:
            local_start = datetime.combine(day, shift.local_start.replace(tzinfo=None))
            instances.append(
                ShiftInstance(
                    pattern_id=pattern.id,
                    shift_name=shift.name,
                    local_date=day,
                    starts_at=_local_to_utc(local_start, tz),
                    ends_at=_local_to_utc(local_start + shift.duration, tz),
                    staffing=_instance_staffing(shift, double_leader),
                    double_leader=double_leader,
                )
            )
        day += DAY
    instances.sort(key=lambda i: (i.starts_at, i.ends_at, i.shift_name))
    return instances


# ---------------------------------------------------------------------------------------------------
# Rotations


def _rotation_applies(rotation: RotationSpec, instance: ShiftInstance) -> bool:
    return (
        rotation.pattern_id == instance.pattern_id
        and (not rotation.shift_names or instance.shift_name in rotation.shift_names)
        and (instance.double_leader or not rotation.double_leader_dates_only)
        and instance.local_date >= rotation.start_date
        and bool(rotation.person_ids)
    )


def generate_assignments(
    site_id: str, instances: Sequence[ShiftInstance], rotations: Sequence[RotationSpec]
) -> list[Assignment]:
    """Fill shift instances from rotations (轮班排班).

    For local date d the turn is k = (d - start_date) // period_days and the rotation contributes `slots`
    people starting at index k*slots, wrapping around. `double_leader_dates_only` rotations apply only to
    instances with `double_leader` set (shift_instances sets it from the pattern's 双带班 dates).
    Raises ValueError for a rotation with period_days < 1 or slots < 0."""
    for rotation in rotations:
        if rotation.period_days < 1 or rotation.slots < 0:
            raise ValueError(f"rotation {rotation.id!r}: period_days must be >= 1 and slots >= 0")
    assignments: list[Assignment] = []
    for instance in instances:
        taken: dict[str, set[str]] = defaultdict(set)
        for rotation in rotations:
            if not _rotation_applies(rotation, instance):
                continue
            turn = (instance.local_date - rotation.start_date).days // rotation.period_days
            people = rotation.person_ids
            first = (turn * rotation.slots) % len(people)
            for offset in range(rotation.slots):
                person = people[(first + offset) % len(people)]
                already = taken[rotation.role]
                if person in already:
                    continue  # a short rotation wrapped onto itself, or an earlier rotation placed them
                already.add(person)
                assignments.append(
                    Assignment(
                        id=(
                            f"a-{site_id}-{instance.local_date.isoformat()}-{instance.shift_name}"
                            f"-{rotation.role}-{len(already)}"
                        ),
                        site_id=site_id,
                        person_id=person,
                        role=rotation.role,
                        shift_name=instance.shift_name,
                        local_date=instance.local_date,
                        starts_at=instance.starts_at,
                        ends_at=instance.ends_at,
                    )
                )
    return assignments


# ---------------------------------------------------------------------------------------------------
# Coverage


def find_gaps(
    *,
    start: datetime,
    end: datetime,
    instances: Sequence[ShiftInstance],
    assignments: Sequence[Assignment],
    baseline: Mapping[str, int] = BASELINE,
) -> list[Gap]:
    """Stretches of [start, end) with fewer distinct people per role on duty than required (24-hour coverage).

    Where shift instances cover a moment the requirement per role is the largest of their staffing;
    where none does, `baseline`. Adjacent stretches with the same role, required and present merge."""
    if start >= end:
        return []
    # Sweep over the boundaries, keeping what is active; everything is clipped to [start, end).
    opening: dict[datetime, list[int]] = defaultdict(list)
    closing: dict[datetime, list[int]] = defaultdict(list)
    people_in: dict[datetime, list[tuple[str, str]]] = defaultdict(list)
    people_out: dict[datetime, list[tuple[str, str]]] = defaultdict(list)
    for index, instance in enumerate(instances):
        lo, hi = max(instance.starts_at, start), min(instance.ends_at, end)
        if lo < hi:
            opening[lo].append(index)
            closing[hi].append(index)
    for assignment in assignments:
        lo, hi = max(assignment.starts_at, start), min(assignment.ends_at, end)
        if lo < hi:
            key = (assignment.role, assignment.person_id)
            people_in[lo].append(key)
            people_out[hi].append(key)
    points = sorted({start, end, *opening, *closing, *people_in, *people_out})

    active: set[int] = set()
    on_duty: Counter[tuple[str, str]] = Counter()  # (role, person) -> covering assignments
    present: Counter[str] = Counter()  # role -> distinct persons
    gaps: list[Gap] = []
    last_gap: dict[str, int] = {}  # role -> index in gaps of its latest gap, for merging
    for segment_start, segment_end in pairwise(points):
        active.difference_update(closing.get(segment_start, ()))
        active.update(opening.get(segment_start, ()))
        for key in people_out.get(segment_start, ()):
            on_duty[key] -= 1
            if on_duty[key] == 0:
                present[key[0]] -= 1
        for key in people_in.get(segment_start, ()):
            on_duty[key] += 1
            if on_duty[key] == 1:
                present[key[0]] += 1

        required: dict[str, int] = {}
        if active:
            for index in active:
                for role, minimum in instances[index].staffing.items():
                    required[role] = max(required.get(role, 0), minimum)
        else:
            required = dict(baseline)
        for role in sorted(required):
            need, have = required[role], present[role]
            if have >= need:
                continue
            previous = last_gap.get(role)
            if previous is not None:
                gap = gaps[previous]
                if gap.ends_at == segment_start and gap.required == need and gap.present == have:
                    gaps[previous] = replace(gap, ends_at=segment_end)
                    continue
            last_gap[role] = len(gaps)
            gaps.append(Gap(starts_at=segment_start, ends_at=segment_end, role=role, required=need, present=have))
    gaps.sort(key=lambda g: (g.starts_at, g.role))
    return gaps


def may_publish(gaps: Sequence[Gap], override_reason: str) -> bool:
    """A roster may be published if it has no gap, or with a recorded, non-blank override reason."""
    return not gaps or bool(override_reason.strip())


# ---------------------------------------------------------------------------------------------------
# Roster rules


def _label(assignment: Assignment) -> str:
    return f"{assignment.shift_name} {assignment.local_date.isoformat()}"


def _back_to_back(own: Sequence[Assignment]) -> list[list[Assignment]]:
    """Split one person's assignments (sorted by start) into chains where each starts exactly when the
    previous one ends."""
    chains: list[list[Assignment]] = []
    for assignment in own:
        if chains and assignment.starts_at == chains[-1][-1].ends_at:
            chains[-1].append(assignment)
        else:
            chains.append([assignment])
    return chains


def check_rules(assignments: Sequence[Assignment], *, max_consecutive: int) -> list[RuleViolation]:
    """Violations of the roster rules: overlapping shifts of one person (班次重叠), more than
    `max_consecutive` back-to-back shifts (连续值班过多), a shift with officers but no leader (无带班领导)."""
    by_person: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_person[assignment.person_id].append(assignment)

    overlaps: list[RuleViolation] = []
    streaks: list[RuleViolation] = []
    for person in sorted(by_person):
        own = sorted(by_person[person], key=lambda a: (a.starts_at, a.ends_at, a.id))
        for n, first in enumerate(own):
            for second in own[n + 1 :]:
                if second.starts_at >= first.ends_at:
                    break  # sorted by start: nothing later can overlap `first`
                if max(first.starts_at, second.starts_at) < min(first.ends_at, second.ends_at):
                    overlaps.append(
                        RuleViolation(
                            rule="overlapping_shifts",
                            person_id=person,
                            detail=(f"{person} is on {_label(first)} and {_label(second)} at once (班次重叠)"),
                            assignment_ids=(first.id, second.id),
                        )
                    )
        for chain in _back_to_back(own):
            if len(chain) > max_consecutive:
                streaks.append(
                    RuleViolation(
                        rule="too_many_consecutive_shifts",
                        person_id=person,
                        detail=(
                            f"{person} has {len(chain)} back-to-back shifts from {_label(chain[0])}, "
                            f"more than {max_consecutive} (连续值班过多)"
                        ),
                        assignment_ids=tuple(a.id for a in chain),
                    )
                )

    # Grouped per site too, so two sites' shifts of the same name never hide each other's leader.
    by_shift: dict[tuple[str, date, str], list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_shift[(assignment.site_id, assignment.local_date, assignment.shift_name)].append(assignment)
    leaderless: list[RuleViolation] = []
    for site_id, local_date, shift_name in sorted(by_shift):
        group = by_shift[(site_id, local_date, shift_name)]
        officers = [a for a in group if a.role == "officer"]
        if officers and not any(a.role == "leader" for a in group):
            leaderless.append(
                RuleViolation(
                    rule="shift_without_leader",
                    person_id="",
                    detail=(f"{shift_name} {local_date.isoformat()} has officers but no leader (无带班领导)"),
                    assignment_ids=tuple(a.id for a in officers),
                )
            )
    return overlaps + streaks + leaderless


# ---------------------------------------------------------------------------------------------------
# Leave and swaps (applied once approved)


def _index_of(assignments: Sequence[Assignment], assignment_id: str) -> int:
    for index, assignment in enumerate(assignments):
        if assignment.id == assignment_id:
            return index
    raise KeyError(assignment_id)


def apply_leave(assignments: Sequence[Assignment], assignment_id: str, substitute_id: str) -> list[Assignment]:
    """Approved leave (请假/替班): the substitute takes that assignment; nothing else changes.
    KeyError if the assignment is unknown, ValueError if no substitute is named."""
    if not substitute_id.strip():
        raise ValueError("leave needs a named substitute")
    result = list(assignments)
    index = _index_of(result, assignment_id)
    result[index] = replace(result[index], person_id=substitute_id)
    return result


def apply_swap(assignments: Sequence[Assignment], first_id: str, second_id: str) -> list[Assignment]:
    """Approved swap (换班): the two assignments exchange their persons; nothing else changes.
    KeyError if either assignment is unknown."""
    result = list(assignments)
    first, second = _index_of(result, first_id), _index_of(result, second_id)
    first_person, second_person = result[first].person_id, result[second].person_id
    result[first] = replace(result[first], person_id=second_person)
    result[second] = replace(result[second], person_id=first_person)
    return result


# ---------------------------------------------------------------------------------------------------
# Check-in (签到)


def check_in_status(
    *,
    checked_in_at: datetime | None,
    starts_at: datetime,
    now: datetime,
    lead: timedelta = timedelta(minutes=15),
    absent_after: timedelta = timedelta(minutes=30),
) -> tuple[str, float]:
    """("on_time" | "late" | "absent" | "pending", seconds late). Officers must check in `lead` before the
    start; checking in later is late (seconds counted from that deadline) until `absent_after` past the
    start, after which the officer is absent (缺勤). A check-in at or after that point is absent whatever
    `now` says: the check-in itself shows the threshold has passed."""
    deadline = starts_at - lead
    absent_at = starts_at + absent_after
    if checked_in_at is not None:
        if checked_in_at <= deadline:
            return "on_time", 0.0
        if checked_in_at < absent_at:
            return "late", (checked_in_at - deadline).total_seconds()
        return "absent", 0.0
    if now >= absent_at:
        return "absent", 0.0
    return "pending", 0.0
