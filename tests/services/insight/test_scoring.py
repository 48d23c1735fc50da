"""Assessment (考核) rules without servers: every violation kind, rule versions, drills, annotations,
the month-without-violation bonus, quarters and years as sums of months, site cards, time-zone month
boundaries and the validation of rule sets."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.insight.scoring import (
    BASE_SCORE,
    DEFAULT_RULES,
    Annotation,
    BonusKind,
    Duty,
    Fact,
    Granularity,
    Period,
    Scorecard,
    ScoringRules,
    SourceRef,
    Subject,
    ViolationKind,
    month_of,
    rules_at,
    scorecards,
    validate_rules,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = {"hz-01": SHANGHAI, "ny-01": NEW_YORK}
MARCH = Period.parse("2026-03")
# Long after every period used here: every month has ended.
LATER = datetime(2030, 1, 1, tzinfo=UTC)
BONUS = BonusKind.MONTH_WITHOUT_VIOLATION
UTC_ZONE = ZoneInfo("UTC")


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def fact(
    kind: str,
    at: datetime,
    *,
    person: str = "p-1",
    site: str = "hz-01",
    ref: str = "vio-1",
    record: str = "violation",
    drill: bool = False,
) -> Fact:
    return Fact(
        kind=kind,
        site_id=site,
        person_id=person,
        occurred_at=at,
        source=SourceRef(record, ref),
        drill=drill,
        detail=f"{kind} {ref}",
    )


def cards(
    facts: Sequence[Fact],
    *,
    period: Period = MARCH,
    versions: Sequence[ScoringRules] = (DEFAULT_RULES,),
    annotations: Sequence[Annotation] = (),
    duties: Sequence[Duty] = (),
    as_of: datetime = LATER,
    zones: dict[str, ZoneInfo] = ZONES,
) -> tuple[Scorecard, ...]:
    return scorecards(
        facts,
        rules_versions=versions,
        annotations=annotations,
        duties=duties,
        period=period,
        zones=zones,
        as_of=as_of,
    )


def card(all_cards: Sequence[Scorecard], site: str, person: str = "") -> Scorecard:
    (found,) = [c for c in all_cards if c.site_id == site and c.person_id == person]
    return found


# The last instant of March in Shanghai: when its bonus is earned.
MARCH_LAST = local(SHANGHAI, 2026, 4, 1) - timedelta(microseconds=1)


def march_duty(person: str = "p-1", site: str = "hz-01") -> Duty:
    return Duty(person_id=person, site_id=site, starts_at=local(SHANGHAI, 2026, 3, 10, 8))


# ---------------------------------------------------------------------------------------------------
# Rules and kinds


def test_shipped_defaults_are_the_documented_points() -> None:
    assert dict(DEFAULT_RULES.penalties) == {
        "late_report": -2,
        "missed_report": -5,
        "wrong_report": -3,
        "concealment": -10,
        "unverified": -2,
        "absence": -3,
        "late_check_in": -1,
        "early_leave": -2,
        "unanswered_call": -1,
        "late_answer": -1,
        "unregistered_call": -1,
        "case_overdue": -1,
        "callback_overdue": -1,
        "handover_missed": -2,
        "handover_overdue": -1,
        "inspection_missed": -1,
    }
    assert dict(DEFAULT_RULES.bonuses) == {"month_without_violation": 2}
    assert DEFAULT_RULES.version == 1
    assert validate_rules(DEFAULT_RULES, (), DEFAULT_RULES.effective_from) == []


# Each kind its own price, so a kind scored with another's rule is seen.
DISTINCT = ScoringRules(
    version=1,
    effective_from=datetime(2000, 1, 1, tzinfo=UTC),
    penalties={kind: -(i + 1) for i, kind in enumerate(ViolationKind)},
    bonuses={BONUS: 7},
)


@pytest.mark.parametrize("kind", list(ViolationKind))
def test_every_kind_costs_its_own_points_on_the_person_and_the_site(kind: ViolationKind) -> None:
    expected = DISTINCT.penalties[kind]
    got = cards([fact(kind, local(SHANGHAI, 2026, 3, 5, 10))], versions=[DISTINCT])
    for c in (card(got, "hz-01", "p-1"), card(got, "hz-01")):
        assert [(line.kind, line.points, line.rule_points, line.rules_version) for line in c.lines] == [
            (kind, expected, expected, 1)
        ]
        assert (c.base, c.total, c.score) == (BASE_SCORE, expected, BASE_SCORE + expected)
        assert c.lines[0].source == SourceRef("violation", "vio-1")
        assert c.lines[0].detail == f"{kind} vio-1"


def test_a_kind_a_stored_version_does_not_price_scores_0_under_it() -> None:
    old = ScoringRules(1, datetime(2000, 1, 1, tzinfo=UTC), {ViolationKind.ABSENCE: -3}, {})
    got = card(cards([fact(ViolationKind.LATE_ANSWER, local(SHANGHAI, 2026, 3, 5))], versions=[old]), "hz-01")
    assert [(line.kind, line.points, line.rules_version) for line in got.lines] == [("late_answer", 0, 1)]


def test_the_version_in_force_at_the_facts_time_applies() -> None:
    switch = local(SHANGHAI, 2026, 3, 15)
    v2 = replace(
        DEFAULT_RULES, version=2, effective_from=switch, penalties={**DEFAULT_RULES.penalties, "late_report": -4}
    )
    facts = [
        fact("late_report", switch - timedelta(microseconds=1), ref="vio-before"),
        fact("late_report", switch, ref="vio-at"),
        fact("late_report", local(SHANGHAI, 2026, 3, 31, 23), ref="vio-after"),
    ]
    got = card(cards(facts, versions=[v2, DEFAULT_RULES]), "hz-01", "p-1")
    assert [(line.source.record_id, line.rules_version, line.points) for line in got.lines] == [
        ("vio-before", 1, -2),
        ("vio-at", 2, -4),
        ("vio-after", 2, -4),
    ]
    assert got.total == -10


def test_rules_at_picks_the_latest_in_force_and_refuses_before_the_first() -> None:
    v2 = replace(DEFAULT_RULES, version=2, effective_from=datetime(2026, 1, 1, tzinfo=UTC))
    assert rules_at([v2, DEFAULT_RULES], datetime(2025, 12, 31, 23, 59, tzinfo=UTC)).version == 1
    assert rules_at([v2, DEFAULT_RULES], datetime(2026, 1, 1, tzinfo=UTC)).version == 2
    with pytest.raises(LookupError):
        rules_at([v2], datetime(2025, 12, 31, tzinfo=UTC))
    with pytest.raises(ValueError, match="fact"):
        cards([fact("absence", local(SHANGHAI, 2026, 3, 2))], versions=[replace(v2, effective_from=LATER)])


def test_a_fact_of_unknown_kind_or_listed_twice_is_refused() -> None:
    at = local(SHANGHAI, 2026, 3, 2)
    with pytest.raises(ValueError, match="unknown kind"):
        cards([fact("slept_on_duty", at)])
    with pytest.raises(ValueError, match="twice"):
        cards([fact("absence", at), fact("absence", at + timedelta(hours=1))])
    # The same record may cause facts of two kinds.
    assert card(cards([fact("absence", at), fact("late_check_in", at)]), "hz-01").total == -4


# ---------------------------------------------------------------------------------------------------
# Drills and annotations


def test_a_drill_is_on_no_card_and_costs_no_bonus() -> None:
    real = fact("missed_report", local(SHANGHAI, 2026, 3, 3), ref="vio-real")
    drill = fact("missed_report", local(SHANGHAI, 2026, 3, 4), ref="vio-drill", drill=True)
    site_drill = fact("unanswered_call", local(SHANGHAI, 2026, 3, 4), person="", ref="c-1", record="call", drill=True)
    with_drill = cards([real, drill, site_drill], duties=[march_duty(), march_duty("p-2")])
    assert with_drill == cards([real], duties=[march_duty(), march_duty("p-2")])
    assert [line.source.record_id for line in card(with_drill, "hz-01").lines] == ["vio-real"]
    only_drill = cards([replace(drill, person_id="p-2")], duties=[march_duty("p-2")])
    assert [(line.kind, line.points) for line in card(only_drill, "hz-01", "p-2").lines] == [(BONUS, 2)]


def annotation(
    *refs: str, site: str = "hz-01", at: datetime | None = None, reason: str = "抢险救灾 rescue"
) -> Annotation:
    return Annotation(
        id=f"ann-{'-'.join(refs)}-{reason[:2]}",
        site_id=site,
        waives=tuple(SourceRef("violation", r) for r in refs),
        reason=reason,
        decided_by="p-hz-leader-1",
        decided_at=at or local(SHANGHAI, 2026, 4, 2, 9),
    )


def test_an_annotated_fact_scores_0_and_stays_listed_with_who_decided() -> None:
    note = annotation("vio-2")
    facts = [
        fact("missed_report", local(SHANGHAI, 2026, 3, 3), ref="vio-1"),
        fact("absence", local(SHANGHAI, 2026, 3, 4), ref="vio-2"),
    ]
    got = cards(facts, annotations=[note])
    for c in (card(got, "hz-01", "p-1"), card(got, "hz-01")):
        assert [(line.source.record_id, line.rule_points, line.points, line.annotation) for line in c.lines] == [
            ("vio-1", -5, -5, None),
            ("vio-2", -3, 0, note),
        ]
        assert c.total == -5
    annotated = card(got, "hz-01").lines[1].annotation
    assert annotated is not None
    assert (annotated.decided_by, annotated.reason) == ("p-hz-leader-1", "抢险救灾 rescue")


def test_an_annotation_waives_only_its_own_sites_facts_and_the_latest_counts() -> None:
    at = local(NEW_YORK, 2026, 3, 4)
    ny = fact("absence", at, site="ny-01", ref="vio-1")
    assert card(cards([ny], annotations=[annotation("vio-1", site="hz-01")]), "ny-01").total == -3
    first = annotation("vio-1", site="ny-01", at=local(NEW_YORK, 2026, 4, 1), reason="暴雨 storm")
    second = annotation("vio-1", site="ny-01", at=local(NEW_YORK, 2026, 4, 2), reason="停电 power cut")
    for order in ([first, second], [second, first]):
        (line,) = card(cards([ny], annotations=order), "ny-01").lines
        assert (line.points, line.annotation) == (0, second)


# ---------------------------------------------------------------------------------------------------
# The month-without-violation bonus


def bonus_lines(c: Scorecard) -> list[tuple[str, int, datetime]]:
    return [(line.source.record_id, line.points, line.occurred_at) for line in c.lines if line.kind == BONUS]


def test_the_bonus_is_earned_for_a_month_on_duty_without_violation() -> None:
    got = card(cards([], duties=[march_duty()]), "hz-01", "p-1")
    assert bonus_lines(got) == [("2026-03", 2, MARCH_LAST)]
    assert got.lines[0].source == SourceRef("month", "2026-03")
    assert (got.total, got.score) == (2, BASE_SCORE + 2)
    # Only people earn it: the site's card has no line.
    assert card(cards([], duties=[march_duty()]), "hz-01").lines == ()


def test_one_violation_loses_the_bonus_an_annotated_one_does_not() -> None:
    late = fact("late_check_in", local(SHANGHAI, 2026, 3, 20, 7, 50))
    lost = card(cards([late], duties=[march_duty()]), "hz-01", "p-1")
    assert bonus_lines(lost) == []
    assert lost.total == -1
    kept = card(cards([late], duties=[march_duty()], annotations=[annotation("vio-1")]), "hz-01", "p-1")
    assert [(line.kind, line.points) for line in kept.lines] == [("late_check_in", 0), (BONUS, 2)]
    # Someone else's violation, or the site's, costs this person nothing.
    others = [replace(late, person_id="p-2"), fact("unanswered_call", late.occurred_at, person="", ref="c-9")]
    assert bonus_lines(card(cards(others, duties=[march_duty()]), "hz-01", "p-1")) == [("2026-03", 2, MARCH_LAST)]


def test_a_kind_priced_0_does_not_cost_the_bonus() -> None:
    lenient = replace(DEFAULT_RULES, penalties={**DEFAULT_RULES.penalties, "late_answer": 0})
    got = card(
        cards(
            [fact("late_answer", local(SHANGHAI, 2026, 3, 9), ref="c-1", record="call")],
            versions=[lenient],
            duties=[march_duty()],
        ),
        "hz-01",
        "p-1",
    )
    assert [(line.kind, line.points) for line in got.lines] == [("late_answer", 0), (BONUS, 2)]


def test_no_bonus_before_the_month_ends_nor_without_a_duty() -> None:
    end = local(SHANGHAI, 2026, 4, 1)
    assert bonus_lines(card(cards([], duties=[march_duty()], as_of=end - timedelta(seconds=1)), "hz-01", "p-1")) == []
    assert bonus_lines(card(cards([], duties=[march_duty()], as_of=end), "hz-01", "p-1")) != []
    # A duty in February earns nothing in March; a card shows up only with a fact or a duty.
    february = Duty("p-1", "hz-01", local(SHANGHAI, 2026, 2, 27))
    assert [c.person_id for c in cards([], duties=[february])] == ["", ""]
    waived = fact("absence", local(SHANGHAI, 2026, 3, 9))
    assert bonus_lines(card(cards([waived], annotations=[annotation("vio-1")]), "hz-01", "p-1")) == []


def test_the_bonus_uses_the_version_in_force_at_the_months_last_instant() -> None:
    april = local(SHANGHAI, 2026, 4, 1)
    v2 = replace(DEFAULT_RULES, version=2, effective_from=april, bonuses={BONUS: 5})
    v3 = replace(DEFAULT_RULES, version=3, effective_from=local(SHANGHAI, 2026, 3, 31, 23), bonuses={BONUS: 3})
    got = card(cards([], versions=[DEFAULT_RULES, v2], duties=[march_duty()]), "hz-01", "p-1")
    assert [(line.points, line.rules_version) for line in got.lines] == [(2, 1)]
    got = card(cards([], versions=[DEFAULT_RULES, v3, v2], duties=[march_duty()]), "hz-01", "p-1")
    assert [(line.points, line.rules_version) for line in got.lines] == [(3, 3)]
    off = replace(DEFAULT_RULES, bonuses={BONUS: 0})
    assert card(cards([], versions=[off], duties=[march_duty()]), "hz-01", "p-1").lines == ()


# ---------------------------------------------------------------------------------------------------
# Periods, sites and time zones


def test_a_site_card_holds_its_facts_site_level_ones_included() -> None:
    facts = [
        fact("absence", local(SHANGHAI, 2026, 3, 1, 8), person="p-1", ref="vio-1"),
        fact("late_report", local(SHANGHAI, 2026, 3, 2, 8), person="p-2", ref="vio-2"),
        fact("unanswered_call", local(SHANGHAI, 2026, 3, 3, 3), person="", ref="c-1", record="call"),
        fact("case_overdue", local(NEW_YORK, 2026, 3, 3, 3), person="p-1", site="ny-01", ref="case-1", record="case"),
    ]
    got = cards(facts)
    assert [(c.site_id, c.subject, c.person_id) for c in got] == [
        ("hz-01", Subject.SITE, ""),
        ("hz-01", Subject.PERSON, "p-1"),
        ("hz-01", Subject.PERSON, "p-2"),
        ("ny-01", Subject.SITE, ""),
        ("ny-01", Subject.PERSON, "p-1"),
    ]
    assert [line.source.record_id for line in card(got, "hz-01").lines] == ["vio-1", "vio-2", "c-1"]
    assert card(got, "hz-01").total == -3 - 2 - 1
    assert [line.source.record_id for line in card(got, "hz-01", "p-1").lines] == ["vio-1"]
    assert [line.source.record_id for line in card(got, "ny-01", "p-1").lines] == ["case-1"]
    # Only the sites asked for get cards.
    assert [c.site_id for c in cards(facts, zones={"ny-01": NEW_YORK})] == ["ny-01", "ny-01"]


def test_a_fact_at_2330_local_on_the_last_day_is_in_that_month() -> None:
    last_evening = local(SHANGHAI, 2026, 3, 31, 23, 30)  # 15:30 UTC
    got = cards([fact("absence", last_evening)], period=Period.parse("2026-03"))
    assert card(got, "hz-01").total == -3
    assert card(cards([fact("absence", last_evening)], period=Period.parse("2026-04")), "hz-01").lines == ()
    # 23:30 on 31 March in New York is March there and already April in Shanghai.
    ny_evening = local(NEW_YORK, 2026, 3, 31, 23, 30)
    assert month_of(ny_evening, NEW_YORK) == MARCH
    assert month_of(ny_evening, SHANGHAI) == Period.parse("2026-04")
    assert card(cards([fact("absence", ny_evening, site="ny-01")]), "ny-01").total == -3


def test_periods_parse_print_and_bound_in_the_sites_zone() -> None:
    for text, granularity, months in (
        ("2026-03", Granularity.MONTH, ["2026-03"]),
        ("2026-Q2", Granularity.QUARTER, ["2026-04", "2026-05", "2026-06"]),
        ("2026", Granularity.YEAR, [f"2026-{m:02d}" for m in range(1, 13)]),
    ):
        period = Period.parse(text)
        assert (period.granularity, str(period), [str(m) for m in period.months()]) == (granularity, text, months)
    assert MARCH.bounds(SHANGHAI) == (datetime(2026, 2, 28, 16, tzinfo=UTC), datetime(2026, 3, 31, 16, tzinfo=UTC))
    # New York springs forward on 8 March: March is an hour shorter there.
    start, end = MARCH.bounds(NEW_YORK)
    assert (start, end - start) == (datetime(2026, 3, 1, 5, tzinfo=UTC), timedelta(days=31, hours=-1))
    assert Period.parse("2026-Q4").bounds(UTC_ZONE)[1] == datetime(2027, 1, 1, tzinfo=UTC)
    for bad in ("2026-13", "2026-00", "2026-Q5", "26-03", "2026-3", "march"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_a_quarter_is_the_sum_of_its_months() -> None:
    facts = [
        fact("absence", local(SHANGHAI, 2026, 1, 5), ref="vio-1"),
        fact("late_report", local(SHANGHAI, 2026, 3, 31, 23, 30), ref="vio-2"),
        fact("missed_report", local(SHANGHAI, 2026, 4, 1, 0, 10), ref="vio-3"),
    ]
    duties = [Duty("p-1", "hz-01", local(SHANGHAI, 2026, m, 10)) for m in (1, 2, 3, 4)]
    quarter = card(cards(facts, period=Period.parse("2026-Q1"), duties=duties), "hz-01", "p-1")
    assert [(line.kind, line.points) for line in quarter.lines] == [
        ("absence", -3),
        (BONUS, 2),  # February
        ("late_report", -2),
    ]
    assert quarter.total == -3
    assert quarter.score == BASE_SCORE - 3


# ---------------------------------------------------------------------------------------------------
# Properties over generated facts

PEOPLE = ("", "p-1", "p-2", "p-3")
SITES = ("hz-01", "ny-01")
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
V2 = replace(
    DEFAULT_RULES,
    version=2,
    effective_from=datetime(2026, 5, 17, 3, tzinfo=UTC),
    penalties={kind: -4 for kind in ViolationKind},
    bonuses={BONUS: 3},
)

instants = st.integers(-2 * 86_400, 367 * 86_400).map(lambda s: YEAR_START + timedelta(seconds=s))
fact_lists = st.lists(
    st.tuples(
        st.sampled_from(list(ViolationKind)), st.sampled_from(SITES), st.sampled_from(PEOPLE), instants, st.booleans()
    ),
    max_size=40,
).map(
    lambda rows: [
        Fact(kind, site, person, at, SourceRef("violation", f"vio-{i}"), drill=drill)
        for i, (kind, site, person, at, drill) in enumerate(rows)
    ]
)
duty_lists = st.lists(st.builds(Duty, st.sampled_from(PEOPLE[1:]), st.sampled_from(SITES), instants), max_size=20)


def annotations_of(facts: Sequence[Fact], picks: Sequence[bool]) -> list[Annotation]:
    return [
        Annotation(f"ann-{i}", f.site_id, (f.source,), "说明 reason", "p-leader", YEAR_START + timedelta(days=400))
        for i, (f, pick) in enumerate(zip(facts, picks, strict=False))
        if pick
    ]


def all_cards(
    facts: Sequence[Fact], annotations: Sequence[Annotation], duties: Sequence[Duty], period: Period
) -> tuple[Scorecard, ...]:
    return cards(facts, period=period, versions=[V2, DEFAULT_RULES], annotations=annotations, duties=duties)


@settings(max_examples=60, deadline=None)
@given(fact_lists, duty_lists, st.lists(st.booleans(), max_size=40), st.randoms(use_true_random=False))
def test_the_order_of_facts_never_changes_the_cards(
    facts: list[Fact], duties: list[Duty], picks: list[bool], rnd: random.Random
) -> None:
    notes = annotations_of(facts, picks)
    period = Period.parse("2026")
    expected = all_cards(facts, notes, duties, period)
    shuffled = [facts[:], duties[:], notes[:]]
    for items in shuffled:
        rnd.shuffle(items)
    assert all_cards(shuffled[0], shuffled[2], shuffled[1], period) == expected


@settings(max_examples=60, deadline=None)
@given(fact_lists, duty_lists, st.lists(st.booleans(), max_size=40), st.sampled_from(["2026-Q1", "2026-Q2", "2026"]))
def test_totals_are_the_sum_of_lines_and_periods_the_sum_of_their_months(
    facts: list[Fact], duties: list[Duty], picks: list[bool], text: str
) -> None:
    notes = annotations_of(facts, picks)
    period = Period.parse(text)
    whole = all_cards(facts, notes, duties, period)
    by_month = [all_cards(facts, notes, duties, month) for month in period.months()]
    for c in whole:
        assert c.total == sum(line.points for line in c.lines)
        assert (c.base, c.score) == (BASE_SCORE, BASE_SCORE + c.total)
        assert all(line.kind != BONUS or c.subject is Subject.PERSON for line in c.lines)
        parts = [m for months in by_month for m in months if (m.site_id, m.person_id) == (c.site_id, c.person_id)]
        assert sum(m.total for m in parts) == c.total
        assert [line for m in parts for line in m.lines] == list(c.lines)
    # Every counted fact is on its site's card exactly once, traceable to its record; drills on none.
    listed = [line.source for c in whole if c.subject is Subject.SITE for line in c.lines]
    zones = {site: ZONES[site] for site in SITES}
    months = set(period.months())
    assert sorted(listed) == sorted(
        f.source for f in facts if not f.drill and month_of(f.occurred_at, zones[f.site_id]) in months
    )


# ---------------------------------------------------------------------------------------------------
# Validation of a rule set

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def next_version(**changes: object) -> ScoringRules:
    return replace(DEFAULT_RULES, version=2, effective_from=datetime(2026, 7, 1, tzinfo=UTC), **changes)


def fields(problems: list[tuple[str, str]]) -> list[str]:
    return [f for f, _ in problems]


def test_a_new_version_after_the_last_is_valid() -> None:
    assert validate_rules(next_version(), [DEFAULT_RULES], NOW) == []
    # A version not yet in force may be replaced.
    assert validate_rules(next_version(bonuses={BONUS: 4}), [DEFAULT_RULES, next_version()], NOW) == []


def test_points_out_of_range_unknown_missing_or_not_whole_are_refused() -> None:
    penalties = {**DEFAULT_RULES.penalties, "late_report": 1, "missed_report": -101, "slept": -1, "absence": -1.5}
    del penalties["concealment"]
    problems = validate_rules(next_version(penalties=penalties, bonuses={BONUS: 101}), [DEFAULT_RULES], NOW)
    assert fields(problems) == [
        'rules.penalties["absence"]',
        'rules.penalties["late_report"]',
        'rules.penalties["missed_report"]',
        'rules.penalties["slept"]',
        'rules.penalties["concealment"]',
        'rules.bonuses["month_without_violation"]',
    ]
    descriptions = dict(problems)
    assert "whole points" in descriptions['rules.penalties["absence"]']
    assert "-100 to 0" in descriptions['rules.penalties["late_report"]']
    assert "unknown kind" in descriptions['rules.penalties["slept"]']
    assert "missing" in descriptions['rules.penalties["concealment"]']
    assert "0 to 100" in descriptions['rules.bonuses["month_without_violation"]']
    assert fields(validate_rules(next_version(bonuses={}), [DEFAULT_RULES], NOW)) == [
        'rules.bonuses["month_without_violation"]'
    ]


def test_overlapping_or_out_of_order_versions_are_refused() -> None:
    v2 = next_version()
    same_instant = replace(v2, version=3)
    (problem,) = validate_rules(same_instant, [DEFAULT_RULES, v2], NOW)
    assert problem[0] == "rules.effective_from" and "version 2 takes effect then too" in problem[1]
    earlier_than_v2 = replace(v2, version=3, effective_from=datetime(2026, 6, 15, tzinfo=UTC))
    (problem,) = validate_rules(earlier_than_v2, [DEFAULT_RULES, v2], NOW)
    assert problem[0] == "rules.effective_from" and "version 2" in problem[1]
    lower_but_later = replace(v2, effective_from=datetime(2026, 8, 1, tzinfo=UTC))
    v3 = replace(v2, version=3, effective_from=datetime(2026, 7, 15, tzinfo=UTC))
    assert fields(validate_rules(lower_but_later, [DEFAULT_RULES, v3], NOW)) == ["rules.effective_from"]


def test_rules_in_force_or_retroactive_cannot_be_changed() -> None:
    retroactive = replace(next_version(), effective_from=NOW - timedelta(days=1))
    assert fields(validate_rules(retroactive, [DEFAULT_RULES], NOW)) == ["rules.effective_from"]
    problems = validate_rules(replace(DEFAULT_RULES, effective_from=NOW), [DEFAULT_RULES], NOW)
    assert fields(problems) == ["rules.version"]
    assert "add a new version" in problems[0][1]
    assert fields(validate_rules(replace(next_version(), version=0), [DEFAULT_RULES], NOW)) == [
        "rules.version",
        "rules.effective_from",
    ]
    naive = replace(next_version(), effective_from=datetime(2026, 7, 1))
    assert fields(validate_rules(naive, [DEFAULT_RULES], NOW)) == ["rules.effective_from"]
