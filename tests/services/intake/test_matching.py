"""Matching calls to open incidents (one event, one incident, many calls) and the six elements of a
superior's notice, without servers."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.intake import matching
from services.intake.matching import (
    EARTH_RADIUS_M,
    NOTICE_ELEMENTS,
    CallFacts,
    IncidentFacts,
    MatchSettings,
    Suggestion,
    auto_link,
    distance_m,
    missing_notice_elements,
    score,
    suggest,
    text_similarity,
)

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
WEST_LAKE = (30.2431, 120.1496)
WENSAN_ROAD = (30.2799, 120.1302)
DEFAULT = MatchSettings()


def offset(latitude: float, longitude: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    """The point `metres` from (latitude, longitude) along a bearing, on the same sphere as distance_m."""
    delta = metres / EARTH_RADIUS_M
    theta = math.radians(bearing_deg)
    phi1, lambda1 = math.radians(latitude), math.radians(longitude)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lambda2) + 540.0) % 360.0 - 180.0


def incident(**overrides: object) -> IncidentFacts:
    base = IncidentFacts(
        id="inc-1",
        site_id="hz-01",
        registered_at=NOW,
        latitude=WEST_LAKE[0],
        longitude=WEST_LAKE[1],
        place_text="西湖大道",
        title="燃气泄漏",
        summary="居民楼燃气泄漏，闻到煤气味",
        category="",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def call(**overrides: object) -> CallFacts:
    base = CallFacts(
        site_id="hz-01",
        at=NOW + timedelta(minutes=5),
        latitude=WEST_LAKE[0],
        longitude=WEST_LAKE[1],
        place_text="西湖大道",
        summary="燃气泄漏，楼道里全是煤气味",
        category="emergency",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def suggestion(incident_id: str, value: float) -> Suggestion:
    return Suggestion(incident_id, value, ("same site",))


# --- distance ---------------------------------------------------------------------------------------


def test_west_lake_to_wensan_road_is_about_four_and_a_half_kilometres() -> None:
    assert distance_m(*WEST_LAKE, *WENSAN_ROAD) == pytest.approx(4500, rel=0.02)


def test_distance_examples() -> None:
    assert distance_m(*WEST_LAKE, *WEST_LAKE) == 0.0
    assert distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_M / 180)
    assert distance_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert distance_m(89.0, -170.0, 89.0, 170.0) == pytest.approx(distance_m(89.0, 0.0, 89.0, 20.0))


latitudes = st.floats(-85.0, 85.0)
longitudes = st.floats(-180.0, 180.0)


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_bounded(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    there = distance_m(lat1, lon1, lat2, lon2)
    assert there == pytest.approx(distance_m(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0.0 <= there <= math.pi * EARTH_RADIUS_M + 1e-6


@given(latitudes, longitudes, st.floats(0.0, 100_000.0), st.floats(0.0, 360.0))
def test_distance_measures_what_was_walked(latitude: float, longitude: float, metres: float, bearing: float) -> None:
    assert distance_m(latitude, longitude, *offset(latitude, longitude, metres, bearing)) == pytest.approx(
        metres, abs=1e-3
    )


# --- text similarity ------------------------------------------------------------------------------


def test_chinese_texts_are_compared_by_character_pairs() -> None:
    assert text_similarity("居民楼燃气泄漏", "燃气泄漏 居民楼") >= 0.8
    assert text_similarity("居民楼燃气泄漏", "交通事故") == 0.0
    assert text_similarity("燃气泄漏！！", "燃 气 泄 漏") < text_similarity("燃气泄漏！！", "燃气泄漏") == 1.0


def test_english_texts_are_compared_by_words() -> None:
    assert text_similarity("Gas leak in a residential building", "RESIDENTIAL building: gas leak!") == 1.0
    assert text_similarity("Gas leak in a residential building", "car crash on the ring road") == 0.0
    assert 0.3 < text_similarity("gas leak, smell of gas", "strong gas smell near the school") < 0.7


def test_mixed_texts_and_texts_without_words() -> None:
    assert text_similarity("3号楼 gas leak 燃气泄漏", "燃气泄漏 in 3号楼") > 0.6
    assert text_similarity("", "燃气泄漏") == 0.0
    assert text_similarity("……!!!", "  ") == 0.0


texts = st.text(alphabet="燃气泄漏交通事故居民楼 abcgasleak,.!？3", max_size=30)


@given(texts, texts)
def test_similarity_is_symmetric_and_between_0_and_1(a: str, b: str) -> None:
    assert 0.0 <= text_similarity(a, b) == text_similarity(b, a) <= 1.0


@given(texts)
def test_a_text_is_like_itself(a: str) -> None:
    assert text_similarity(a, a) in (0.0, 1.0)


# --- score ---------------------------------------------------------------------------------------


def test_a_call_at_the_incident_is_linked_and_explained() -> None:
    found = score(call(), incident())
    assert found is not None and found.score >= DEFAULT.auto_link_score
    assert found.incident_id == "inc-1"
    assert found.reasons[:3] == ("same site", "0 m away", "5 min after")
    assert found.reasons[3].startswith("similar text ")


def test_a_call_that_cannot_be_about_the_incident_scores_none() -> None:
    assert score(call(site_id="sh-01"), incident()) is None
    assert score(call(at=NOW - timedelta(minutes=11)), incident()) is None
    assert score(call(at=NOW - timedelta(minutes=10)), incident()) is not None
    assert score(call(at=NOW + DEFAULT.window), incident()) is not None
    assert score(call(at=NOW + DEFAULT.window + timedelta(seconds=1)), incident()) is None
    far = offset(*WEST_LAKE, 1000.5, 90.0)
    assert score(call(latitude=far[0], longitude=far[1]), incident()) is None


def test_a_call_with_nothing_in_common_but_place_and_time_is_suggested_not_linked() -> None:
    found = score(call(summary="有人吵架"), incident(), DEFAULT)
    assert found is not None
    assert DEFAULT.suggest_score <= found.score < DEFAULT.auto_link_score


def test_unlocated_calls_fall_back_to_the_place_text() -> None:
    same = score(call(latitude=None, longitude=None), incident())
    other = score(call(latitude=None, longitude=None, place_text="文三路"), incident())
    assert same is not None and other is not None
    assert same.score >= DEFAULT.auto_link_score > other.score
    assert "no location, place text 1.00" in same.reasons


def test_two_unlocated_calls_about_one_place_and_thing_are_linked() -> None:
    first = incident(latitude=None, longitude=None, title="", summary="文三路口两车相撞，有人受伤")
    second = call(latitude=None, longitude=None, place_text="西湖大道", at=NOW + timedelta(minutes=30))
    found = score(replace(second, summary="两车相撞，司机受伤了"), replace(first, place_text="西湖大道"))
    assert found is not None and found.score >= DEFAULT.auto_link_score


def test_the_call_category_is_a_kind_of_call_not_of_event() -> None:
    unverified = score(call(), incident())
    verified = score(call(), incident(category="accident"))
    assert unverified is not None and verified is not None
    assert verified.score == unverified.score >= DEFAULT.auto_link_score


def test_different_kinds_of_event_halve_the_score() -> None:
    same = score(call(category="accident"), incident(category="accident"))
    different = score(call(category="public_health"), incident(category="accident"))
    assert same is not None and different is not None
    assert different.score == pytest.approx(same.score / 2)
    assert different.reasons[-1] == "category public_health vs accident"


def test_settings_must_make_sense() -> None:
    with pytest.raises(ValueError):
        MatchSettings(max_distance_m=0)
    with pytest.raises(ValueError):
        MatchSettings(window=timedelta(0))
    with pytest.raises(ValueError):
        MatchSettings(auto_link_score=0.2, suggest_score=0.3)


optional_place = st.one_of(st.none(), st.tuples(st.floats(30.0, 30.5), st.floats(119.9, 120.4)))
minutes_after = st.floats(-30.0, 400.0)
categories = st.sampled_from(["", "emergency", "accident", "public_health"])


@st.composite
def call_and_incident(draw: st.DrawFn) -> tuple[CallFacts, IncidentFacts]:
    call_place, incident_place = draw(optional_place), draw(optional_place)
    the_call = CallFacts(
        site_id=draw(st.sampled_from(["hz-01", "hz-02"])),
        at=NOW + timedelta(minutes=draw(minutes_after)),
        latitude=call_place[0] if call_place else None,
        longitude=call_place[1] if call_place else None,
        place_text=draw(texts),
        summary=draw(texts),
        category=draw(categories),
    )
    the_incident = IncidentFacts(
        id=draw(st.sampled_from(["a", "b"])),
        site_id=draw(st.sampled_from(["hz-01", "hz-02"])),
        registered_at=NOW,
        latitude=incident_place[0] if incident_place else None,
        longitude=incident_place[1] if incident_place else None,
        place_text=draw(texts),
        title=draw(texts),
        summary=draw(texts),
        category=draw(categories),
    )
    return the_call, the_incident


@given(call_and_incident())
def test_a_score_is_between_0_and_1(pair: tuple[CallFacts, IncidentFacts]) -> None:
    found = score(*pair)
    assert found is None or (0.0 <= found.score <= 1.0 and found.incident_id == pair[1].id)


@given(call_and_incident(), st.text(min_size=1, max_size=8).filter(lambda s: s != "hz-01"))
def test_another_site_never_matches(pair: tuple[CallFacts, IncidentFacts], site: str) -> None:
    the_call, the_incident = pair
    assert score(replace(the_call, site_id=site), replace(the_incident, site_id="hz-01")) is None


@given(call_and_incident(), st.floats(0.0, 2000.0), st.floats(0.0, 2000.0), st.floats(0.0, 360.0))
def test_moving_a_call_farther_never_raises_its_score(
    pair: tuple[CallFacts, IncidentFacts], metres1: float, metres2: float, bearing: float
) -> None:
    the_call, the_incident = pair
    the_incident = replace(the_incident, site_id=the_call.site_id, latitude=30.25, longitude=120.15)
    points = [offset(30.25, 120.15, metres, bearing) for metres in (metres1, metres2)]
    near, far = sorted(points, key=lambda p: distance_m(30.25, 120.15, *p))
    near_score = score(replace(the_call, latitude=near[0], longitude=near[1]), the_incident)
    far_score = score(replace(the_call, latitude=far[0], longitude=far[1]), the_incident)
    assert far_score is None or (near_score is not None and far_score.score <= near_score.score)


@given(call_and_incident(), minutes_after, minutes_after)
def test_a_later_call_never_scores_higher(
    pair: tuple[CallFacts, IncidentFacts], minutes1: float, minutes2: float
) -> None:
    the_call, the_incident = pair
    the_incident = replace(the_incident, site_id=the_call.site_id)
    earlier, later = sorted((minutes1, minutes2))
    early = score(replace(the_call, at=NOW + timedelta(minutes=earlier)), the_incident)
    late = score(replace(the_call, at=NOW + timedelta(minutes=later)), the_incident)
    assert late is None or early is None or late.score <= early.score
    if late is not None and earlier >= -10:
        assert early is not None


@given(call_and_incident(), st.floats(5000.0, 5_000_000.0), st.floats(0.0, 360.0))
def test_a_located_call_5_km_away_never_matches(
    pair: tuple[CallFacts, IncidentFacts], metres: float, bearing: float
) -> None:
    the_call, the_incident = pair
    the_incident = replace(the_incident, site_id=the_call.site_id, latitude=30.25, longitude=120.15)
    there = offset(30.25, 120.15, metres, bearing)
    assert score(replace(the_call, latitude=there[0], longitude=there[1]), the_incident) is None


VOCABULARY = ["gas", "leak", "smoke", "fire", "crash", "car", "bus", "injured", "school", "bridge", "river", "tree"]


@st.composite
def texts_sharing_words(draw: st.DrawFn) -> tuple[str, str]:
    """Two texts with at least one word in common and a similarity of at least 0.2."""
    words = draw(st.permutations(VOCABULARY))
    shared = draw(st.integers(1, 3))
    only_a, only_b = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    a = words[:shared] + words[shared : shared + only_a]
    b = words[:shared] + words[shared + only_a : shared + only_a + only_b]
    return " ".join(draw(st.permutations(a))), ", ".join(draw(st.permutations(b)))


@given(texts_sharing_words(), st.floats(0.0, 200.0), st.floats(0.0, 360.0), st.floats(-10.0, 30.0))
def test_a_call_within_200_m_and_30_min_with_similar_text_is_linked(
    pair: tuple[str, str], metres: float, bearing: float, minutes: float
) -> None:
    call_text, incident_text = pair
    assert text_similarity(call_text, incident_text) >= 0.2
    there = offset(*WEST_LAKE, metres, bearing)
    found = score(
        call(latitude=there[0], longitude=there[1], summary=call_text, at=NOW + timedelta(minutes=minutes)),
        incident(title=incident_text, summary=""),
    )
    assert found is not None and found.score >= DEFAULT.auto_link_score
    assert auto_link([found]) == "inc-1"


@given(texts_sharing_words(), st.floats(-10.0, 30.0), st.sampled_from(["文三路", "西湖大道 3号", "Yan'an Road"]))
def test_unlocated_calls_at_the_same_place_with_similar_text_are_linked(
    pair: tuple[str, str], minutes: float, place: str
) -> None:
    call_text, incident_text = pair
    found = score(
        call(latitude=None, longitude=None, place_text=place, summary=call_text, at=NOW + timedelta(minutes=minutes)),
        incident(latitude=None, longitude=None, place_text=place, title="", summary=incident_text),
    )
    assert found is not None and found.score >= DEFAULT.auto_link_score


# --- suggest and auto_link ----------------------------------------------------------------------------


def test_suggest_ranks_the_nearest_first_and_drops_the_unlikely() -> None:
    near = incident(id="near")
    farther = incident(id="farther", latitude=offset(*WEST_LAKE, 600, 0)[0])
    unrelated = incident(id="unrelated", latitude=offset(*WEST_LAKE, 950, 0)[0], title="吵架", summary="邻里纠纷")
    other_site = incident(id="other-site", site_id="sh-01")
    found = suggest(call(), [unrelated, other_site, farther, near])
    assert [s.incident_id for s in found] == ["near", "farther"]
    assert suggest(call(), [unrelated, farther, near], limit=1)[0].incident_id == "near"
    assert suggest(call(), [near], limit=0) == []


def test_equally_likely_incidents_rank_newest_first_and_need_a_person() -> None:
    old = incident(id="old", registered_at=NOW - timedelta(minutes=2))
    new = incident(id="new", registered_at=NOW - timedelta(minutes=1))
    before_both = call(at=NOW - timedelta(minutes=5))  # time does not tell them apart
    found = suggest(before_both, [old, new])
    assert [s.incident_id for s in found] == ["new", "old"]
    assert found[0].score == found[1].score
    assert auto_link(found) is None


@given(call_and_incident(), st.lists(call_and_incident(), max_size=8), st.integers(0, 6))
def test_suggest_is_sorted_limited_and_above_the_threshold(
    first: tuple[CallFacts, IncidentFacts], others: list[tuple[CallFacts, IncidentFacts]], limit: int
) -> None:
    the_call = replace(first[0], site_id="hz-01")
    incidents = [replace(inc, id=f"i{k}", site_id="hz-01") for k, (_, inc) in enumerate([first, *others])]
    found = suggest(the_call, incidents, limit=limit)
    assert len(found) <= limit
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert all(s.score >= DEFAULT.suggest_score for s in found)
    everything = [score(the_call, inc) for inc in incidents]
    eligible = sorted((s.score for s in everything if s is not None and s.score >= 0.3), reverse=True)
    assert [s.score for s in found] == eligible[:limit]


scores = st.floats(0.0, 1.0)


@given(scores, st.floats(0.0, 0.099), st.lists(scores, max_size=4), st.randoms(use_true_random=False))
def test_auto_link_leaves_a_close_call_to_a_person(
    best: float, gap: float, rest: list[float], rng: random.Random
) -> None:
    runner_up = max(0.0, best - gap)
    candidates = [suggestion("a", best), suggestion("b", runner_up)]
    candidates += [suggestion(f"c{k}", min(value, runner_up)) for k, value in enumerate(rest)]
    rng.shuffle(candidates)
    assert auto_link(candidates) is None


@given(st.floats(0.75, 1.0), st.floats(0.1, 1.0), st.randoms(use_true_random=False))
def test_auto_link_takes_a_clear_winner_in_any_order(best: float, gap: float, rng: random.Random) -> None:
    candidates = [suggestion("a", best), suggestion("b", max(0.0, best - gap)), suggestion("c", 0.0)]
    rng.shuffle(candidates)
    assert auto_link(candidates) == "a"


def test_auto_link_examples() -> None:
    assert auto_link([]) is None
    assert auto_link([suggestion("a", 0.74)]) is None
    assert auto_link([suggestion("a", 0.75)]) == "a"
    assert auto_link([suggestion("a", 0.85), suggestion("b", 0.75)]) == "a"  # 0.85 - 0.75 is 0.0999...98
    assert auto_link([suggestion("a", 0.9), suggestion("b", 0.81)]) is None
    assert auto_link([suggestion("a", 0.5)], MatchSettings(auto_link_score=0.5)) == "a"


# --- a surge: many calls about a few events ---------------------------------------------------------------

EVENTS = [
    ("燃气泄漏", ["闻到很浓的煤气味", "有人头晕", "楼道里有嘶嘶声", "住户已经撤到楼下", "请快派人来"]),
    ("车辆起火", ["冒黑烟", "司机已经下车", "火越来越大", "就在路边", "旁边还有加油站"]),
    ("交通事故", ["两车相撞", "有人受伤流血", "路口堵死了", "需要救护车", "电动车倒在地上"]),
    ("有人落水", ["在河边", "看不到人了", "有人跳下去救", "快来船", "小孩掉进去了"]),
    ("water main burst", ["street flooded", "cars stuck in water", "no water at home", "basement flooding"]),
    ("居民楼火灾", ["三楼窗户冒火", "有人被困", "浓烟很大", "楼里还有老人", "消防车进不来"]),
]
PLACES = ["文三路", "西湖大道", "延安路", "钱江新城", "下沙二号大街", "城西银泰", "武林广场", "Binjiang Ave"]


def surge(rng: random.Random) -> list[tuple[str, list[CallFacts]]]:
    """Calls about five events in one city, at least 3 km apart: per event, its key phrase and its calls in
    ring order, within 150 m and ±20 min of it, with summaries drawn from the event's phrases. The first
    caller gives coordinates; about one in five of the others gives only the place."""
    centres: list[tuple[float, float]] = []
    while len(centres) < 5:
        candidate = (rng.uniform(30.15, 30.35), rng.uniform(120.05, 120.30))
        if all(distance_m(*candidate, *c) >= 3000 for c in centres):
            centres.append(candidate)
    start = NOW + timedelta(minutes=rng.uniform(0, 60))
    events = []
    for centre, place in zip(centres, rng.sample(PLACES, 5), strict=True):
        key, details = rng.choice(EVENTS)
        when = start + timedelta(minutes=rng.uniform(0, 60))
        calls = []
        times = sorted(when + timedelta(minutes=rng.uniform(-20, 20)) for _ in range(rng.randint(2, 15)))
        for n, at in enumerate(times):
            phrases = [key, *rng.sample(details, rng.randint(0, 2))]
            rng.shuffle(phrases)
            separator = ", " if key.isascii() else "，"
            here = offset(*centre, 150 * math.sqrt(rng.random()), rng.uniform(0, 360))
            assert distance_m(*centre, *here) <= 150.001
            located = n == 0 or rng.random() < 0.8
            calls.append(
                CallFacts(
                    site_id="hz-01",
                    at=at,
                    latitude=here[0] if located else None,
                    longitude=here[1] if located else None,
                    place_text=place,
                    summary=separator.join(phrases),
                    category="emergency",
                )
            )
        events.append((key, calls))
    return events


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**64 - 1))
def test_a_surge_of_calls_about_five_events_makes_five_incidents(seed: int) -> None:
    events = surge(random.Random(seed))
    incidents: list[IncidentFacts] = []
    for k, (key, calls) in enumerate(events):
        first = calls[0]
        incidents.append(
            IncidentFacts(
                id=f"event-{k}",
                site_id="hz-01",
                registered_at=first.at + timedelta(minutes=1),
                latitude=first.latitude,
                longitude=first.longitude,
                place_text=first.place_text,
                title=f"{first.place_text} {key}",
                summary=first.summary,
                category="",
            )
        )
    for k, (_, calls) in enumerate(events):
        for later in calls[1:]:
            assert auto_link(suggest(later, incidents)) == f"event-{k}", (later, incidents[k])


# --- a notice from a superior ----------------------------------------------------------------------------


def test_a_complete_notice_misses_nothing() -> None:
    notice = {name: "x" for name in NOTICE_ELEMENTS}
    assert missing_notice_elements(notice) == []


def test_absent_and_blank_elements_are_listed_in_order() -> None:
    notice: dict[str, str | None] = {
        "issuing_person": "张三",
        "content": "  ",
        "meeting_time": None,
        "place": "市应急局三楼会议室",
        "extra": "ignored",
    }
    assert missing_notice_elements(notice) == ["meeting_time", "content", "participants", "issuing_unit"]
    assert missing_notice_elements({}) == list(NOTICE_ELEMENTS)


@given(
    lat=st.floats(min_value=-60, max_value=60),
    lon=st.floats(min_value=-170, max_value=170),
    bearing=st.floats(min_value=0, max_value=2 * math.pi),
    fraction=st.floats(min_value=0, max_value=1),
)
def test_calls_close_enough_to_be_one_event_share_a_lock_and_far_ones_do_not(
    lat: float, lon: float, bearing: float, fraction: float
) -> None:
    d = 1000.0
    # A second point at most d away (a small step on the sphere).
    step = d * fraction / matching.METERS_PER_DEGREE
    lat2 = lat + step * math.cos(bearing)
    lon2 = lon + step * math.sin(bearing) / math.cos(math.radians((lat + lat2) / 2))
    assume(matching.distance_m(lat, lon, lat2, lon2) <= d)
    assert set(matching.lock_keys("s", lat, lon, d)) & set(matching.lock_keys("s", lat2, lon2, d))
    far = lat + 4 * d / matching.METERS_PER_DEGREE
    assert not set(matching.lock_keys("s", lat, lon, d)) & set(matching.lock_keys("s", far, lon, d))
    assert not set(matching.lock_keys("s", lat, lon, d)) & set(matching.lock_keys("t", lat, lon, d))
