"""Pure rules of the time to verify (核实时限), the reporting clock's "verified" anchor and the contact
with the scene (现场联系), without servers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.incident.rules import (
    DEFAULT_VERIFY_WITHIN,
    SUPERIOR,
    Policy,
    Requirement,
    default_policies,
    plan_deadlines,
    scene_alert_due,
    validate_policy,
    verified_anchor,
    verify_within,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULTS = default_policies(datetime(2020, 1, 1, tzinfo=UTC))
BY_ID = {p.id: p for p in DEFAULTS}
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


def test_every_shipped_policy_gives_ten_minutes_to_verify_and_scene_contact_by_grade() -> None:
    assert {p.id: p.verify_within for p in DEFAULTS} == dict.fromkeys(BY_ID, 10 * MINUTE)
    assert {p.id: p.progress_every for p in DEFAULTS} == {
        "national-I": HOUR,
        "national-II": HOUR,
        "national-III": 2 * HOUR,
        "national-IV": timedelta(0),
        "accident": 2 * HOUR,
        "accident-road-fire": 2 * HOUR,
        "zj-I": HOUR,
        "zj-II": HOUR,
    }
    assert all(validate_policy(p) == [] for p in DEFAULTS)


def test_no_shipped_requirement_counts_from_verification() -> None:
    # The reporting clock runs from the first call's answer: a "verified" anchor would let a late
    # verification push a report later.
    assert [r for p in DEFAULTS for r in p.requirements if r.anchor != "registered"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"verify_within": timedelta(0)}, "policy.verify_within_seconds"),
        ({"verify_within": timedelta(days=2)}, "policy.verify_within_seconds"),
        ({"progress_every": MINUTE}, "policy.progress_every_seconds"),
        ({"progress_every": timedelta(days=8)}, "policy.progress_every_seconds"),
        ({"progress_every": -HOUR}, "policy.progress_every_seconds"),
    ],
)
def test_times_out_of_range_are_reported(change: dict[str, timedelta], field: str) -> None:
    assert [f for f, _ in validate_policy(replace(BY_ID["national-I"], **change))] == [field]


def test_the_strictest_policy_of_the_jurisdiction_gives_the_time_to_verify() -> None:
    strict = replace(BY_ID["zj-I"], id="zj-strict", verify_within=5 * MINUTE)
    policies = [*DEFAULTS, strict]
    assert verify_within(policies, jurisdiction="330106", at=T0) == 5 * MINUTE
    # Not Zhejiang's: the national ones apply.
    assert verify_within(policies, jurisdiction="110000", at=T0) == 10 * MINUTE
    # A version not in force yet does not count.
    later = replace(strict, id="zj-later", verify_within=2 * MINUTE, effective_from=T0 + HOUR)
    assert verify_within([*policies, later], jurisdiction="330106", at=T0) == 5 * MINUTE
    # The newest version in force of an id replaces the older one.
    relaxed = replace(strict, version=2, verify_within=30 * MINUTE)
    assert verify_within([*policies, relaxed], jurisdiction="330106", at=T0) == 10 * MINUTE


def test_without_any_policy_the_platform_default_applies() -> None:
    assert verify_within([], jurisdiction="330106", at=T0) == DEFAULT_VERIFY_WITHIN
    assert verify_within([BY_ID["zj-I"]], jurisdiction="110000", at=T0) == DEFAULT_VERIFY_WITHIN


def test_verifying_late_never_pushes_a_verified_anchored_deadline_later() -> None:
    policy = Policy(
        "p",
        1,
        "anchored to verification",
        "",
        "",
        "",
        (),
        (Requirement("initial_phone", SUPERIOR, due_after=30 * MINUTE, anchor="verified"),),
        T0,
        verify_within=10 * MINUTE,
    )
    for verified_at, expected in ((T0 + 4 * MINUTE, T0 + 34 * MINUTE), (T0 + 3 * HOUR, T0 + 40 * MINUTE)):
        anchor = verified_anchor(policy, clock_from=T0, verified_at=verified_at)
        [deadline] = plan_deadlines(policy, registered_at=T0, verified_at=anchor, tz=SHANGHAI, now=verified_at)
        assert deadline.due_at == expected


def test_a_follow_up_time_between_the_verification_due_and_a_late_verification_is_still_owed() -> None:
    # The call answered at 07:45 Shanghai, verification due 07:55, verified at 09:00: 续报 at 08:00 is owed.
    policy = BY_ID["national-III"]
    clock_from = datetime(2026, 3, 2, 7, 45, tzinfo=SHANGHAI)
    late = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    anchor = verified_anchor(policy, clock_from=clock_from, verified_at=late)
    planned = plan_deadlines(policy, registered_at=clock_from, verified_at=anchor, tz=SHANGHAI, now=late)
    follow_ups = [d.due_at for d in planned if d.kind == "follow_up"]
    assert follow_ups[0] == datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)


def test_scene_alerts_the_person_then_the_leader_then_stops() -> None:
    assert scene_alert_due(T0, HOUR, alerts=0) == T0 + HOUR
    assert scene_alert_due(T0, HOUR, alerts=1) == T0 + 2 * HOUR
    assert scene_alert_due(T0, HOUR, alerts=2) is None
    assert scene_alert_due(T0, timedelta(0), alerts=0) is None
