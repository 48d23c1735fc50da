"""Pure incident rules (突发事件报告规则), without servers: severity grading, the shipped reporting
policies and their precedence, deadlines (迟报/漏报, 续报 at fixed local times across DST, 终报),
re-planning on reclassification, the stage machine and accident report content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.incident.rules import (
    ACCIDENT_SIX_ITEMS,
    ACTIONS,
    CATEGORIES,
    COUNTY,
    LEADER,
    REPORT_KINDS,
    SEVERITIES,
    STAGES,
    SUPERIOR,
    Casualties,
    Deadline,
    Policy,
    Requirement,
    accident_report_problems,
    after,
    allowed,
    default_policies,
    due_now,
    extend_follow_ups,
    illegal_transition_message,
    mark_missed,
    mark_report,
    next_due,
    plan_deadlines,
    replan,
    select_policy,
    suggest_severity,
    unmet_required,
    validate_policy,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift
ZONES = (SHANGHAI, BERLIN, NEW_YORK, LORD_HOWE)
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
DEFAULTS = default_policies(EPOCH)
POLICIES = {p.id: p for p in DEFAULTS}
FOREVER = datetime.max.replace(tzinfo=UTC)
# 2026-05-06 03:00 UTC = 11:00 in Shanghai.
REGISTERED = datetime(2026, 5, 6, 3, 0, tzinfo=UTC)


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def plan(policy_id: str, *, verified: datetime = REGISTERED, tz: ZoneInfo = SHANGHAI) -> list[Deadline]:
    return plan_deadlines(POLICIES[policy_id], registered_at=REGISTERED, verified_at=verified, tz=tz, now=verified)


def by_key(deadlines: Sequence[Deadline]) -> dict[str, Deadline]:
    found = {d.key: d for d in deadlines}
    assert len(found) == len(deadlines), "keys are unique"
    return found


def follow_ups(deadlines: Sequence[Deadline]) -> list[Deadline]:
    return [d for d in deadlines if d.kind == "follow_up"]


def order(d: Deadline) -> tuple[datetime, int, int]:
    return (d.due_at or FOREVER, REPORT_KINDS.index(d.kind), d.number)


def select(jurisdiction: str, category: str, severity: str, sub_type: str = "", at: datetime = REGISTERED) -> str:
    chosen = select_policy(
        DEFAULTS, jurisdiction=jurisdiction, category=category, sub_type=sub_type, severity=severity, at=at
    )
    assert chosen is not None
    return chosen.id


def shows_listed_time(due: datetime, times: Sequence[time], tz: ZoneInfo) -> bool:
    """`due` is when the clock of `tz` first shows one of `times` on its local date, or, for a time that
    does not exist that day (spring-forward gap), the instant the clock jumps past it."""
    wall = due.astimezone(tz).replace(tzinfo=None)
    for t in times:
        naive = datetime.combine(wall.date(), t)
        first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
        if first.astimezone(tz).replace(tzinfo=None) == naive:
            if first == due:  # exists: the first occurrence, never the repeated hour
                return True
        else:
            before = (due - timedelta(microseconds=1)).astimezone(tz).replace(tzinfo=None)
            if before < naive <= wall:
                return True
    return False


# ---------------------------------------------------------------------------------------------------
# Severity (生产安全事故分级)


@pytest.mark.parametrize(
    ("casualties", "expected"),
    [
        (Casualties(), "IV"),
        (Casualties(deaths=2, serious_injuries=9, injuries=500, loss_yuan=9_999_999), "IV"),
        (Casualties(deaths=3), "III"),
        (Casualties(serious_injuries=10), "III"),
        (Casualties(loss_yuan=10_000_000), "III"),
        (Casualties(deaths=9, serious_injuries=49, loss_yuan=49_999_999), "III"),
        (Casualties(deaths=10), "II"),
        (Casualties(serious_injuries=50), "II"),
        (Casualties(loss_yuan=50_000_000), "II"),
        (Casualties(deaths=29, serious_injuries=99, loss_yuan=99_999_999), "II"),
        (Casualties(deaths=30), "I"),
        (Casualties(serious_injuries=100), "I"),
        (Casualties(loss_yuan=100_000_000), "I"),
        # 下落不明 count as deaths.
        (Casualties(deaths=1, missing=2), "III"),
        (Casualties(missing=10), "II"),
        (Casualties(deaths=20, missing=10), "I"),
        (Casualties(deaths=29, missing=0), "II"),
        # Light injuries do not grade.
        (Casualties(injuries=10_000), "IV"),
    ],
)
def test_suggest_severity_at_every_threshold(casualties: Casualties, expected: str) -> None:
    assert suggest_severity(casualties) == expected


@given(
    st.builds(
        Casualties,
        deaths=st.integers(0, 100),
        serious_injuries=st.integers(0, 200),
        injuries=st.integers(0, 1000),
        missing=st.integers(0, 100),
        loss_yuan=st.integers(0, 300_000_000),
    ),
    st.sampled_from(["deaths", "serious_injuries", "missing", "loss_yuan"]),
)
def test_more_casualties_never_lower_the_grade(c: Casualties, field: str) -> None:
    worse = replace(c, **{field: getattr(c, field) + 1})
    rank = ["IV", "III", "II", "I"]
    assert rank.index(suggest_severity(worse)) >= rank.index(suggest_severity(c))


# ---------------------------------------------------------------------------------------------------
# Default policies


def test_defaults_are_version_1_with_the_documented_ids() -> None:
    assert [p.id for p in DEFAULTS] == [
        "national-I",
        "national-II",
        "national-III",
        "national-IV",
        "accident",
        "accident-road-fire",
        "zj-I",
        "zj-II",
    ]
    assert {p.version for p in DEFAULTS} == {1}
    assert {p.effective_from for p in DEFAULTS} == {EPOCH}
    # Every policy requires a final report (终报) without a deadline, and a leader notice at registration.
    for p in DEFAULTS:
        kinds = {r.kind: r for r in p.requirements}
        assert kinds["final"].due_after is None and not kinds["final"].fixed_local_times
        assert kinds["leader_notice"].due_after == timedelta(0) and kinds["leader_notice"].recipient == LEADER


def test_national_i_at_registration_in_shanghai() -> None:
    deadlines = by_key(plan("national-I"))
    assert deadlines["leader_notice:0"].due_at == REGISTERED
    assert deadlines["initial_phone:0"].due_at == datetime(2026, 5, 6, 3, 30, tzinfo=UTC)
    assert deadlines["initial_phone:0"].recipient == SUPERIOR
    assert deadlines["initial_written:0"].due_at == datetime(2026, 5, 6, 4, 0, tzinfo=UTC)
    assert deadlines["final:0"].due_at is None
    # 11:00 local: the next 续报 at 17:00 today, then 08:00 and 17:00 daily, within two days.
    assert [d.due_at for d in follow_ups(list(deadlines.values()))] == [
        local(SHANGHAI, 2026, 5, 6, 17),
        local(SHANGHAI, 2026, 5, 7, 8),
        local(SHANGHAI, 2026, 5, 7, 17),
        local(SHANGHAI, 2026, 5, 8, 8),
    ]
    assert local(SHANGHAI, 2026, 5, 6, 17) == datetime(2026, 5, 6, 9, tzinfo=UTC)
    assert [d.number for d in follow_ups(list(deadlines.values()))] == [1, 2, 3, 4]


def test_national_iii_and_iv() -> None:
    iii = by_key(plan("national-III"))
    assert iii["initial_phone:0"].due_at == REGISTERED + HOUR
    assert iii["initial_written:0"].due_at == REGISTERED + 2 * HOUR
    assert [d.due_at for d in follow_ups(list(iii.values()))] == [
        local(SHANGHAI, 2026, 5, 7, 8),
        local(SHANGHAI, 2026, 5, 8, 8),
    ]
    iv = by_key(plan("national-IV"))
    assert set(iv) == {"leader_notice:0", "initial_written:0", "final:0"}
    assert iv["initial_written:0"].due_at == REGISTERED + 2 * HOUR


def test_zhejiang_override_gives_15_and_35_minutes() -> None:
    assert select("330100", "natural_disaster", "I") == "zj-I"
    assert select("330100", "public_health", "II") == "zj-II"
    deadlines = by_key(plan("zj-I"))
    assert deadlines["initial_phone:0"].due_at == REGISTERED + 15 * MINUTE
    assert deadlines["initial_written:0"].due_at == REGISTERED + 35 * MINUTE
    # Otherwise as national: same follow-ups and final.
    national = by_key(plan("national-I"))
    assert [d.due_at for d in follow_ups(list(deadlines.values()))] == [
        d.due_at for d in follow_ups(list(national.values()))
    ]
    assert select("330100", "natural_disaster", "III") == "national-III"


def test_accident_policies_county_in_one_hour_each_level_two_hours_and_casualty_changes() -> None:
    accident = by_key(plan("accident"))
    assert accident["initial_phone:0"].due_at == REGISTERED + HOUR
    assert accident["initial_phone:0"].recipient == COUNTY
    assert accident["initial_written:0"].due_at == REGISTERED + 2 * HOUR
    assert accident["follow_up:1"].due_at == REGISTERED + 30 * DAY
    road = by_key(plan("accident-road-fire"))
    assert road["follow_up:1"].due_at == REGISTERED + 7 * DAY
    assert set(road) == set(accident)  # one casualty-change follow-up, no recurring ones
    written = next(r for r in POLICIES["accident"].requirements if r.kind == "initial_written")
    assert written.required_content == (ACCIDENT_SIX_ITEMS,)


# ---------------------------------------------------------------------------------------------------
# Policy selection


def test_jurisdiction_first_then_sub_type_then_category_then_severity() -> None:
    # Hangzhou accident II: Zhejiang's override ("33") beats the national accident policy ("").
    assert select("330100", "accident", "II") == "zj-II"
    # Beijing accident II: category specificity beats severity specificity.
    assert select("110000", "accident", "II") == "accident"
    # A sub-type match beats the category-only policy.
    assert select("110000", "accident", "II", sub_type="road_traffic") == "accident-road-fire"
    assert select("110000", "accident", "IV", sub_type="fire") == "accident-road-fire"
    assert select("110000", "accident", "IV", sub_type="mining") == "accident"
    assert select("110000", "accident", "III", sub_type="") == "accident"
    # Not an accident: the national severity policy.
    assert select("110000", "natural_disaster", "II") == "national-II"
    assert select("", "social_safety", "IV") == "national-IV"


def test_unrated_incidents_match_only_policies_for_any_severity() -> None:
    assert select("110000", "accident", "unrated") == "accident"
    assert (
        select_policy(
            DEFAULTS, jurisdiction="110000", category="natural_disaster", sub_type="", severity="unrated", at=REGISTERED
        )
        is None
    )


def test_longer_prefix_wins_and_a_prefix_must_match() -> None:
    # Plain string prefixes: a city-wide policy is written "3301" (a policy "330100" would match only codes
    # starting with "330100", not the district 330106).
    hangzhou = replace(POLICIES["zj-II"], id="hz-II", jurisdiction="3301", name="杭州 重大")
    policies = [*DEFAULTS, hangzhou]
    kwargs: dict[str, Any] = {"category": "natural_disaster", "sub_type": "", "severity": "II", "at": REGISTERED}
    assert select_policy(policies, jurisdiction="330106", **kwargs) == hangzhou
    assert select_policy(policies, jurisdiction="330200", **kwargs) == POLICIES["zj-II"]
    assert select_policy(policies, jurisdiction="3", **kwargs) == POLICIES["national-II"]
    assert (
        select_policy([*DEFAULTS, replace(hangzhou, jurisdiction="330100")], jurisdiction="330106", **kwargs)
        == (POLICIES["zj-II"])
    )
    assert select_policy(policies, jurisdiction="", **kwargs) == POLICIES["national-II"]


def test_ties_break_by_id() -> None:
    twin = replace(POLICIES["national-II"], id="a-twin")
    chosen = select_policy(
        [POLICIES["national-II"], twin],
        jurisdiction="1",
        category="accident",
        sub_type="",
        severity="II",
        at=REGISTERED,
    )
    assert chosen == twin


def test_versions_in_force_at_the_time() -> None:
    v2 = replace(
        POLICIES["national-II"],
        version=2,
        effective_from=datetime(2026, 6, 1, tzinfo=UTC),
        requirements=(Requirement("initial_phone", SUPERIOR, due_after=20 * MINUTE), Requirement("final", SUPERIOR)),
    )
    policies = [v2, *DEFAULTS]  # order does not matter
    kwargs: dict[str, Any] = {
        "jurisdiction": "110000",
        "category": "natural_disaster",
        "sub_type": "",
        "severity": "II",
    }
    assert select_policy(policies, at=datetime(2026, 5, 31, 23, 59, tzinfo=UTC), **kwargs) == POLICIES["national-II"]
    assert select_policy(policies, at=datetime(2026, 6, 1, tzinfo=UTC), **kwargs) == v2
    # Nothing is in force before the first version.
    assert select_policy(policies, at=EPOCH - timedelta(seconds=1), **kwargs) is None


def test_a_newer_version_that_no_longer_matches_retires_the_id() -> None:
    v2 = replace(POLICIES["zj-II"], version=2, jurisdiction="3301", effective_from=datetime(2026, 1, 1, tzinfo=UTC))
    kwargs: dict[str, Any] = {"category": "natural_disaster", "sub_type": "", "severity": "II", "at": REGISTERED}
    # Ningbo (3302) is no longer covered by zj-II v2, and v1 is not used instead.
    assert select_policy([*DEFAULTS, v2], jurisdiction="330200", **kwargs) == POLICIES["national-II"]
    assert select_policy([*DEFAULTS, v2], jurisdiction="330100", **kwargs) == v2


def test_default_policies_are_valid() -> None:
    for policy in DEFAULTS:
        assert validate_policy(policy) == [], policy.id
    # A draft the store has not numbered yet (version 0) is fine too.
    assert validate_policy(replace(DEFAULTS[0], version=0)) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "traffic"}, "policy.category"),
        ({"severity": "V"}, "policy.severity"),
        ({"jurisdiction": "zj"}, "policy.jurisdiction"),
        ({"version": -1}, "policy.version"),
        ({"id": " "}, "policy.id"),
        ({"name": ""}, "policy.name"),
        ({"effective_from": datetime(2026, 1, 1)}, "policy.effective_from"),
        ({"sub_types": ("fire", "")}, "policy.sub_types[1]"),
        ({"requirements": ()}, "policy.requirements"),
        (
            {"requirements": (Requirement("initial_phone", SUPERIOR), Requirement("initial_phone", COUNTY))},
            "policy.requirements[1].kind",
        ),
        (
            {
                "requirements": (
                    Requirement("follow_up", SUPERIOR, fixed_local_times=(time(8),)),
                    Requirement("follow_up", SUPERIOR, due_after=DAY),
                )
            },
            "policy.requirements",
        ),
        ({"requirements": (Requirement("memo", SUPERIOR),)}, "policy.requirements[0].kind"),
        ({"requirements": (Requirement("final", " "),)}, "policy.requirements[0].recipient"),
        ({"requirements": (Requirement("final", SUPERIOR, anchor="occurred"),)}, "policy.requirements[0].anchor"),
        (
            {"requirements": (Requirement("initial_phone", SUPERIOR, due_after=-MINUTE),)},
            "policy.requirements[0].due_after_seconds",
        ),
        (
            {"requirements": (Requirement("initial_phone", SUPERIOR, fixed_local_times=(time(8),)),)},
            "policy.requirements[0].fixed_local_times",
        ),
        (
            {"requirements": (Requirement("follow_up", SUPERIOR, due_after=HOUR, fixed_local_times=(time(8),)),)},
            "policy.requirements[0].fixed_local_times",
        ),
    ],
)
def test_inconsistent_policies_are_reported(change: dict[str, Any], field: str) -> None:
    problems = validate_policy(replace(POLICIES["national-I"], **change))
    assert [f for f, _ in problems] == [field]
    assert all(text for _, text in problems)


# ---------------------------------------------------------------------------------------------------
# Planning: examples


def test_verification_anchor_and_fixed_times_strictly_after_verification() -> None:
    policy = Policy(
        "t",
        1,
        "test",
        "",
        "",
        "",
        (),
        (
            Requirement("initial_written", SUPERIOR, due_after=HOUR, anchor="verified"),
            Requirement("follow_up", SUPERIOR, fixed_local_times=(time(17),)),
        ),
        EPOCH,
    )
    verified = local(SHANGHAI, 2026, 5, 6, 17)  # exactly at a fixed time: that one is not a follow-up
    deadlines = plan_deadlines(policy, registered_at=REGISTERED, verified_at=verified, tz=SHANGHAI, now=verified)
    assert [(d.key, d.due_at) for d in deadlines] == [
        ("initial_written:0", verified + HOUR),
        ("follow_up:1", local(SHANGHAI, 2026, 5, 7, 17)),
        ("follow_up:2", local(SHANGHAI, 2026, 5, 8, 17)),
    ]


def test_at_least_one_follow_up_even_beyond_the_horizon() -> None:
    deadlines = plan_deadlines(
        POLICIES["national-III"],
        registered_at=REGISTERED,
        verified_at=REGISTERED,
        tz=SHANGHAI,
        now=REGISTERED,
        horizon=timedelta(0),
    )
    assert [d.due_at for d in follow_ups(deadlines)] == [local(SHANGHAI, 2026, 5, 7, 8)]


def test_nothing_before_registration_even_if_verified_earlier() -> None:
    verified = REGISTERED - 10 * HOUR  # a clock mix-up upstream; the plan still starts at registration
    deadlines = plan_deadlines(
        POLICIES["national-I"], registered_at=REGISTERED, verified_at=verified, tz=SHANGHAI, now=REGISTERED
    )
    assert all(d.due_at is None or d.due_at >= REGISTERED for d in deadlines)
    assert follow_ups(deadlines)[0].due_at == local(SHANGHAI, 2026, 5, 6, 17)


def test_follow_ups_across_spring_forward_in_berlin() -> None:
    policy = replace(
        POLICIES["national-I"],
        requirements=(Requirement("follow_up", SUPERIOR, fixed_local_times=(time(2, 30), time(8))),),
    )
    verified = local(BERLIN, 2026, 3, 28, 12)
    deadlines = plan_deadlines(policy, registered_at=verified, verified_at=verified, tz=BERLIN, now=verified)
    assert [d.due_at for d in deadlines] == [
        # 02:30 does not exist on 29 March: due when the clock jumps to 03:00 CEST.
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 6, 0, tzinfo=UTC),  # 08:00 CEST
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 CEST
        datetime(2026, 3, 30, 6, 0, tzinfo=UTC),
    ]


def test_follow_ups_across_fall_back_in_berlin_happen_once() -> None:
    policy = replace(
        POLICIES["national-I"],
        requirements=(Requirement("follow_up", SUPERIOR, fixed_local_times=(time(2, 30),)),),
    )
    verified = local(BERLIN, 2026, 10, 24, 12)
    deadlines = plan_deadlines(policy, registered_at=verified, verified_at=verified, tz=BERLIN, now=verified)
    # 02:30 happens twice on 25 October: the first occurrence (CEST, 00:30 UTC) only.
    assert [d.due_at for d in deadlines] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),  # 02:30 CET
    ]


def test_two_times_in_one_gap_give_one_follow_up() -> None:
    policy = replace(
        POLICIES["national-I"],
        requirements=(Requirement("follow_up", SUPERIOR, fixed_local_times=(time(2, 15), time(2, 45))),),
    )
    verified = local(BERLIN, 2026, 3, 28, 12)
    deadlines = plan_deadlines(
        policy, registered_at=verified, verified_at=verified, tz=BERLIN, now=verified, horizon=HOUR * 20
    )
    assert [d.due_at for d in deadlines] == [datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]


# ---------------------------------------------------------------------------------------------------
# Planning: properties

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
wall_times = st.builds(time, hour=st.integers(0, 23), minute=st.sampled_from([0, 15, 30, 45]))
fixed_times = st.lists(wall_times, min_size=1, max_size=3, unique=True).map(tuple)
durations = st.integers(0, 3 * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def policies(draw: st.DrawFn, *, recurring: bool | None = None) -> Policy:
    requirements = []
    for kind in ("leader_notice", "initial_phone", "initial_written"):
        if draw(st.booleans()):
            anchor = draw(st.sampled_from(["registered", "verified"]))
            requirements.append(Requirement(kind, SUPERIOR, due_after=draw(durations), anchor=anchor))
    with_recurring = draw(st.booleans()) if recurring is None else recurring
    if with_recurring:
        requirements.append(Requirement("follow_up", SUPERIOR, fixed_local_times=draw(fixed_times)))
    else:
        for _ in range(draw(st.integers(0, 2))):
            requirements.append(Requirement("follow_up", COUNTY, due_after=draw(durations)))
    if draw(st.booleans()) or not requirements:
        requirements.append(Requirement("final", SUPERIOR))
    return Policy("p", 1, "generated", "", "", "", (), tuple(requirements), EPOCH)


@st.composite
def incidents(draw: st.DrawFn) -> tuple[datetime, datetime, datetime, ZoneInfo]:
    """(registered_at, verified_at, now, tz)."""
    registered = draw(instants)
    verified = registered + draw(st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m, seconds=7)))
    now = verified + draw(st.integers(0, 72 * 60).map(lambda m: timedelta(minutes=m)))
    return registered, verified, now, draw(st.sampled_from(ZONES))


def assert_plan_invariants(deadlines: Sequence[Deadline], registered: datetime) -> None:
    assert list(deadlines) == sorted(deadlines, key=order)
    assert all(d.due_at is None or d.due_at >= registered for d in deadlines)
    numbers = [d.number for d in follow_ups(deadlines)]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    # Numbers run in due order (two one-off follow-ups may share a due time).
    timed = sorted((d for d in follow_ups(deadlines) if d.due_at is not None), key=lambda d: d.number)
    assert all(a.due_at is not None and b.due_at is not None and a.due_at <= b.due_at for a, b in pairwise(timed))
    by_key(deadlines)


@settings(max_examples=300, deadline=None)
@given(policies(), incidents(), st.integers(0, 4 * 24).map(lambda h: timedelta(hours=h)))
def test_plan_properties(
    policy: Policy, incident: tuple[datetime, datetime, datetime, ZoneInfo], horizon: timedelta
) -> None:
    assert validate_policy(policy) == []
    registered, verified, now, tz = incident
    deadlines = plan_deadlines(policy, registered_at=registered, verified_at=verified, tz=tz, now=now, horizon=horizon)
    assert_plan_invariants(deadlines, registered)
    assert all(d.met_at is None and not d.missed for d in deadlines)
    recurring = policy.recurring_follow_up()
    if recurring is None:
        assert len(deadlines) == len(policy.requirements)
        return
    slots = follow_ups(deadlines)
    assert slots, "at least the first follow-up"
    assert all(d.due_at is not None and d.due_at > verified for d in slots)
    assert all(d.due_at is not None and d.due_at <= now + horizon for d in slots[1:])
    for d in slots:
        assert d.due_at is not None and shows_listed_time(d.due_at, recurring.fixed_local_times, tz), d


@settings(max_examples=200, deadline=None)
@given(fixed_times, st.sampled_from([BERLIN, NEW_YORK, LORD_HOWE]), st.sampled_from([(3, 20), (10, 20)]))
def test_fixed_times_land_on_listed_local_times_around_dst(
    times: tuple[time, ...], tz: ZoneInfo, month_day: tuple[int, int]
) -> None:
    # A week across the northern spring/autumn changes (and Lord Howe's, which are in April/October).
    start = datetime(2026, *month_day, 12, tzinfo=UTC)
    policy = Policy(
        "p", 1, "dst", "", "", "", (), (Requirement("follow_up", SUPERIOR, fixed_local_times=times),), EPOCH
    )
    deadlines = plan_deadlines(policy, registered_at=start, verified_at=start, tz=tz, now=start, horizon=15 * DAY)
    days = {d.due_at.astimezone(tz).date() for d in deadlines if d.due_at is not None}
    assert len(days) >= 14
    for d in deadlines:
        assert d.due_at is not None and shows_listed_time(d.due_at, times, tz), d
    assert_plan_invariants(deadlines, start)


# ---------------------------------------------------------------------------------------------------
# Reports against deadlines


def test_mark_report_on_time_late_and_without_a_deadline() -> None:
    deadlines = plan("national-I")
    updated, met, late = mark_report(deadlines, kind="initial_phone", at=REGISTERED + 20 * MINUTE)
    assert met is not None and met.key == "initial_phone:0" and met.met_at == REGISTERED + 20 * MINUTE
    assert late == 0.0
    assert by_key(updated)["initial_phone:0"] == met
    # 迟报: the written report 15 minutes late, after it was marked missed; it stays marked missed.
    updated = mark_missed(updated, ["initial_written:0"])
    updated, met, late = mark_report(updated, kind="initial_written", at=REGISTERED + 75 * MINUTE)
    assert met is not None and met.missed and met.met_at is not None
    assert late == 15 * 60.0
    # A second written report has nothing left to meet.
    again, none, late = mark_report(updated, kind="initial_written", at=REGISTERED + 80 * MINUTE)
    assert none is None and late == 0.0 and again == updated
    # Follow-ups meet the earliest unmet one.
    _, met, late = mark_report(updated, kind="follow_up", at=local(SHANGHAI, 2026, 5, 6, 16))
    assert met is not None and met.number == 1 and late == 0.0


def test_final_report_ends_the_follow_ups() -> None:
    deadlines = plan("national-I")
    at = local(SHANGHAI, 2026, 5, 7, 9)
    deadlines = mark_missed(deadlines, [d.key for d in due_now(deadlines, at)])
    updated, met, late = mark_report(deadlines, kind="final", at=at)
    assert met is not None and met.key == "final:0" and late == 0.0
    # 续报 due later are gone; the missed ones stay (history, and still owed).
    assert [d.key for d in follow_ups(updated)] == ["follow_up:1", "follow_up:2"]
    assert all(d.missed for d in follow_ups(updated))
    assert next_due(updated) is None
    # Nothing is extended after the final report.
    extended = extend_follow_ups(updated, POLICIES["national-I"], tz=SHANGHAI, verified_at=REGISTERED, now=at)
    assert extended == sorted(updated, key=order)


def test_mark_report_with_an_unknown_kind_meets_nothing() -> None:
    deadlines = plan("national-I")
    assert mark_report(deadlines, kind="memo", at=REGISTERED) == (deadlines, None, 0.0)


def test_due_now_mark_missed_next_due_and_unmet_required() -> None:
    deadlines = plan("national-II")
    assert next_due(deadlines) == REGISTERED
    deadlines, _, _ = mark_report(deadlines, kind="leader_notice", at=REGISTERED + MINUTE)
    assert next_due(deadlines) == REGISTERED + 30 * MINUTE
    now = REGISTERED + 45 * MINUTE
    assert [d.key for d in due_now(deadlines, now)] == ["initial_phone:0"]
    deadlines = mark_missed(deadlines, ["initial_phone:0", "leader_notice:0", "unknown:0"])
    assert by_key(deadlines)["initial_phone:0"].missed
    assert not by_key(deadlines)["leader_notice:0"].missed  # met ones are not marked
    assert due_now(deadlines, now) == []
    assert next_due(deadlines) == REGISTERED + HOUR
    blocking = [d.key for d in unmet_required(deadlines)]
    assert blocking[0] == "initial_phone:0" and blocking[-1] == "final:0"
    assert "leader_notice:0" not in blocking


deadline_lists = st.lists(
    st.builds(
        Deadline,
        kind=st.sampled_from(REPORT_KINDS),
        number=st.just(0),
        recipient=st.just(SUPERIOR),
        due_at=st.none() | instants,
        met_at=st.none() | instants,
        missed=st.booleans(),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(deadline_lists, st.sampled_from(REPORT_KINDS), instants)
def test_mark_report_lateness_is_max_0_at_minus_due(deadlines: list[Deadline], kind: str, at: datetime) -> None:
    updated, met, late = mark_report(deadlines, kind=kind, at=at)
    unmet = [d for d in deadlines if d.kind == kind and d.met_at is None]
    if not unmet:
        assert met is None and late == 0.0
        return
    assert met is not None and met.met_at == at
    earliest = min(unmet, key=order)
    assert met == replace(earliest, met_at=at)
    expected = max(0.0, (at - earliest.due_at).total_seconds()) if earliest.due_at is not None else 0.0
    assert late == expected
    assert met in updated
    if kind != "final":
        assert len(updated) == len(deadlines)  # only a final report drops (future) follow-ups


# ---------------------------------------------------------------------------------------------------
# Re-planning on reclassification


def test_upgrade_iii_to_ii_brings_reports_forward() -> None:
    verified = REGISTERED + 30 * MINUTE  # 11:30 local
    existing = plan("national-III", verified=verified)
    existing, _, _ = mark_report(existing, kind="leader_notice", at=REGISTERED)
    now = local(SHANGHAI, 2026, 5, 6, 14)
    existing = mark_missed(existing, [d.key for d in due_now(existing, now)])
    new = plan_deadlines(POLICIES["national-II"], registered_at=REGISTERED, verified_at=verified, tz=SHANGHAI, now=now)
    merged = by_key(replan(existing, new, now=now))
    # History stays: the phone report (due 12:00) was missed; the written one (13:00) too.
    assert merged["initial_phone:0"] == by_key(existing)["initial_phone:0"]
    assert merged["initial_phone:0"].missed
    assert merged["leader_notice:0"].met_at == REGISTERED
    # 续报 twice a day from now on.
    assert [(d.number, d.due_at) for d in follow_ups(list(merged.values()))] == [
        (1, local(SHANGHAI, 2026, 5, 6, 17)),
        (2, local(SHANGHAI, 2026, 5, 7, 8)),
        (3, local(SHANGHAI, 2026, 5, 7, 17)),
        (4, local(SHANGHAI, 2026, 5, 8, 8)),
    ]


def test_upgrade_iv_to_i_owes_the_phone_report_at_once_but_no_past_follow_ups() -> None:
    existing = plan("national-IV")
    now = local(SHANGHAI, 2026, 5, 7, 10)  # the next day: 17:00 and 08:00 have passed
    new = plan_deadlines(POLICIES["national-I"], registered_at=REGISTERED, verified_at=REGISTERED, tz=SHANGHAI, now=now)
    merged = by_key(replan(existing, new, now=now))
    assert merged["initial_phone:0"].due_at == REGISTERED + 30 * MINUTE  # due already: 迟报 once it is checked
    assert merged["initial_written:0"].due_at == REGISTERED + HOUR  # brought forward from 2 h
    assert follow_ups(list(merged.values()))[0].due_at == local(SHANGHAI, 2026, 5, 7, 17)
    # Without `now` the follow-ups come as planned, from verification.
    plain = replan(existing, new)
    assert follow_ups(plain)[0].due_at == local(SHANGHAI, 2026, 5, 6, 17)


def test_downgrade_keeps_what_was_required() -> None:
    existing = plan("national-I")
    new = plan("national-IV")
    merged = by_key(replan(existing, new))
    assert merged == by_key(existing)  # every report stays owed, no due time moves later


def test_follow_up_numbering_continues_after_history() -> None:
    existing = plan("national-III")
    at = local(SHANGHAI, 2026, 5, 7, 7)
    existing, met, _ = mark_report(existing, kind="follow_up", at=at)
    assert met is not None and met.number == 1
    now = local(SHANGHAI, 2026, 5, 7, 9)
    new = plan_deadlines(POLICIES["national-I"], registered_at=REGISTERED, verified_at=REGISTERED, tz=SHANGHAI, now=now)
    merged = follow_ups(replan(existing, new))
    # #1 met (history), #2 (08:00 on the 8th) pairs with the first new one after 08:00 on the 7th: 17:00.
    assert [(d.number, d.due_at, d.met_at is not None) for d in merged] == [
        (1, local(SHANGHAI, 2026, 5, 7, 8), True),
        (2, local(SHANGHAI, 2026, 5, 7, 17), False),
        (3, local(SHANGHAI, 2026, 5, 8, 8), False),
        (4, local(SHANGHAI, 2026, 5, 8, 17), False),
        (5, local(SHANGHAI, 2026, 5, 9, 8), False),
    ]


def test_accident_to_zhejiang_ii_replaces_the_casualty_follow_up_with_an_earlier_one() -> None:
    existing = plan("accident")
    new = plan("zj-II")
    merged = by_key(replan(existing, new))
    assert merged["initial_phone:0"].due_at == REGISTERED + 15 * MINUTE
    assert merged["initial_phone:0"].recipient == SUPERIOR  # the policy in force decides whom to report to
    assert merged["follow_up:1"].due_at == local(SHANGHAI, 2026, 5, 6, 17)


def test_no_new_follow_ups_after_the_final_report() -> None:
    existing = plan("national-IV")
    existing, _, _ = mark_report(existing, kind="final", at=REGISTERED + HOUR)
    merged = replan(existing, plan("national-I"))
    assert follow_ups(merged) == []


@st.composite
def histories(
    draw: st.DrawFn, policy: Policy, incident: tuple[datetime, datetime, datetime, ZoneInfo]
) -> list[Deadline]:
    """A plan after some reports and missed deadlines up to `now`."""
    registered, verified, now, tz = incident
    deadlines = plan_deadlines(policy, registered_at=registered, verified_at=verified, tz=tz, now=verified)
    for kind in draw(st.lists(st.sampled_from(REPORT_KINDS), max_size=6)):
        at = draw(st.datetimes(min_value=verified.replace(tzinfo=None), max_value=now.replace(tzinfo=None)))
        deadlines = mark_missed(deadlines, [d.key for d in due_now(deadlines, at.replace(tzinfo=UTC))])
        deadlines, _, _ = mark_report(deadlines, kind=kind, at=at.replace(tzinfo=UTC))
    return mark_missed(deadlines, [d.key for d in due_now(deadlines, now)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), policies(), policies(), incidents(), st.booleans())
def test_replan_never_drops_or_delays_an_owed_report(
    data: st.DataObject,
    old: Policy,
    new: Policy,
    incident: tuple[datetime, datetime, datetime, ZoneInfo],
    pass_now: bool,
) -> None:
    registered, verified, now, tz = incident
    existing = data.draw(histories(old, incident))
    new_plan = plan_deadlines(new, registered_at=registered, verified_at=verified, tz=tz, now=now)
    merged = replan(existing, new_plan, now=now if pass_now else None)
    result = by_key(merged)
    assert merged == sorted(merged, key=order)
    for d in existing:
        kept = result[d.key]
        if not d.pending:
            assert kept == d  # history stays
        else:
            assert kept.pending
            assert (kept.due_at or FOREVER) <= (d.due_at or FOREVER)
    final_met = any(d.kind == "final" and d.met for d in existing)
    for d in new_plan:
        if d.kind != "follow_up":
            assert d.key in result
            if result[d.key].pending:
                assert (result[d.key].due_at or FOREVER) <= (d.due_at or FOREVER)
    numbers = [d.number for d in follow_ups(merged)]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    new_numbers = [d.number for d in follow_ups(merged) if d.key not in by_key(existing)]
    assert all(n > max((d.number for d in follow_ups(existing)), default=0) for n in new_numbers)
    if final_met:
        assert not new_numbers
    if pass_now:
        assert all(d.due_at is None or d.due_at > now for d in follow_ups(merged) if d.key not in by_key(existing))


# ---------------------------------------------------------------------------------------------------
# Extending follow-ups as the workflow does


def test_extend_adds_the_next_fixed_times() -> None:
    deadlines = plan("national-III")
    now = local(SHANGHAI, 2026, 5, 7, 8)
    deadlines = mark_missed(deadlines, [d.key for d in due_now(deadlines, now)])
    extended = extend_follow_ups(deadlines, POLICIES["national-III"], tz=SHANGHAI, verified_at=REGISTERED, now=now)
    assert [(d.number, d.due_at, d.missed) for d in follow_ups(extended)] == [
        (1, local(SHANGHAI, 2026, 5, 7, 8), True),
        (2, local(SHANGHAI, 2026, 5, 8, 8), False),
        (3, local(SHANGHAI, 2026, 5, 9, 8), False),
    ]
    # Without fixed times nothing is added.
    assert extend_follow_ups(deadlines, POLICIES["accident"], tz=SHANGHAI, verified_at=REGISTERED, now=now) == sorted(
        deadlines, key=order
    )


def test_extend_does_not_add_slots_in_the_past() -> None:
    deadlines = plan("national-III")
    now = local(SHANGHAI, 2026, 5, 12, 12)  # the workflow did not run for days
    deadlines = mark_missed(deadlines, [d.key for d in due_now(deadlines, now)])
    extended = extend_follow_ups(deadlines, POLICIES["national-III"], tz=SHANGHAI, verified_at=REGISTERED, now=now)
    fresh = [d for d in follow_ups(extended) if d.number > 2]
    assert [(d.number, d.due_at) for d in fresh] == [
        (3, local(SHANGHAI, 2026, 5, 13, 8)),
        (4, local(SHANGHAI, 2026, 5, 14, 8)),
    ]


@settings(max_examples=150, deadline=None)
@given(st.data(), policies(recurring=True), incidents())
def test_the_workflow_loop_always_has_a_follow_up_ahead(
    data: st.DataObject, policy: Policy, incident: tuple[datetime, datetime, datetime, ZoneInfo]
) -> None:
    """Simulates the workflow: wake at the next due time or at a report, mark what passed, extend."""
    registered, verified, _, tz = incident
    recurring = policy.recurring_follow_up()
    assert recurring is not None
    now = verified
    deadlines = plan_deadlines(policy, registered_at=registered, verified_at=verified, tz=tz, now=now)
    for _ in range(12):
        wake = next_due(deadlines)
        if data.draw(st.booleans(), label="report before the next due time"):
            latest = wake if wake is not None and wake > now else now + DAY
            step = data.draw(st.integers(0, int((latest - now).total_seconds())), label="seconds")
            now += timedelta(seconds=step)
            deadlines, _, _ = mark_report(deadlines, kind="follow_up", at=now)
        else:
            assert wake is not None
            now = max(now, wake)
        deadlines = mark_missed(deadlines, [d.key for d in due_now(deadlines, now)])
        deadlines = extend_follow_ups(deadlines, policy, tz=tz, verified_at=verified, now=now)
        assert any(d.pending and d.due_at is not None and d.due_at > now for d in follow_ups(deadlines))
        assert_plan_invariants(deadlines, registered)
        for d in follow_ups(deadlines):
            assert d.due_at is not None and shows_listed_time(d.due_at, recurring.fixed_local_times, tz)


# ---------------------------------------------------------------------------------------------------
# The stage machine


def test_every_action_from_closed_is_illegal() -> None:
    for action in ACTIONS:
        assert not allowed("closed", action)
        with pytest.raises(ValueError, match=r"stage closed \(已结案\)"):
            after("closed", action)


def test_reclassify_before_verification_is_illegal_and_names_the_stage() -> None:
    for stage in ("register", "verify"):
        assert not allowed(stage, "reclassify")
    message = illegal_transition_message("verify", "reclassify")
    assert message == "cannot reclassify an incident in stage verify (核实); verify it first"
    with pytest.raises(ValueError, match="stage register"):
        after("register", "reclassify")


def test_the_emergency_process() -> None:
    stage = "register"
    stage = after(stage, "report")  # the leader notice
    assert stage == "verify"
    assert after(stage, "progress") == "verify"
    assert after(stage, "report") == "verify"
    stage = after(stage, "verify")
    assert stage == "escalate"
    assert after(stage, "reclassify") == "escalate"
    stage = after(stage, "report")
    assert stage == "track"
    for action in ("report", "progress", "reclassify"):
        assert after(stage, action) == "track"
    assert after(stage, "escalate") == "escalate"
    stage = after(stage, "feedback")
    assert stage == "feedback"
    assert after(stage, "report") == "feedback"
    assert after(stage, "close") == "closed"
    for stage in ("escalate", "track", "feedback"):
        assert after(stage, "close") == "closed"
        assert after(stage, "merge_into") == "closed"
        assert not allowed(stage, "verify") and not allowed(stage, "unfounded")
    for stage in ("register", "verify"):
        assert after(stage, "unfounded") == "closed"
        assert after(stage, "merge_into") == "closed"
        assert after(stage, "verify") == "escalate"
        for action in ("close", "feedback", "escalate", "reclassify"):
            assert not allowed(stage, action), (stage, action)


def test_illegal_transition_messages() -> None:
    for stage in STAGES:
        for action in ACTIONS:
            if not allowed(stage, action):
                message = illegal_transition_message(stage, action)
                assert f"stage {stage} (" in message, message
    assert "already verified" in illegal_transition_message("track", "verify")
    assert "unknown action" in illegal_transition_message("track", "delete")
    assert not allowed("track", "delete") and not allowed("nowhere", "verify")
    with pytest.raises(ValueError, match="unknown stage"):
        after("nowhere", "verify")


# ---------------------------------------------------------------------------------------------------
# Accident report content (事故报告内容)

COMPLETE = {
    "unit": "某化工有限公司 Some Chemicals Ltd.",
    "time_place_scene": "2026-05-06 10:40, 3号车间 workshop 3, fire contained",
    "what_happened": "反应釜泄漏起火 reactor leak and fire",
    "measures": "疏散 120 人 evacuated 120 people",
}


def test_complete_accident_report_passes() -> None:
    assert accident_report_problems(COMPLETE, Casualties(deaths=1, missing=1, loss_yuan=2_000_000)) == []
    assert accident_report_problems({**COMPLETE, "other": ""}, Casualties()) == []


def test_missing_accident_items_are_listed() -> None:
    problems = accident_report_problems({"unit": "  ", "what_happened": "leak"}, None)
    assert [field for field, _ in problems] == [
        "accident.unit",
        "accident.time_place_scene",
        "accident.measures",
        "accident.casualties",
    ]
    assert all(text for _, text in problems)
    negative = accident_report_problems(COMPLETE, Casualties(deaths=-1))
    assert [field for field, _ in negative] == ["accident.casualties.deaths"]


def test_constants() -> None:
    assert SEVERITIES == ("unrated", "I", "II", "III", "IV")
    assert CATEGORIES == ("natural_disaster", "accident", "public_health", "social_safety")
    assert REPORT_KINDS == ("leader_notice", "initial_phone", "initial_written", "follow_up", "final")
    assert STAGES == ("register", "verify", "escalate", "track", "feedback", "closed")
