"""The labelled call-surge generator itself: determinism, geometry, labels and wording (pure, fast)."""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict

import pytest

from bench.surge_corpus import (
    DEFAULT_SITES,
    KINDS,
    Site,
    Surge,
    SurgeCall,
    generate_cascade,
    generate_neighbours,
    generate_surge,
)


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance, written here again so that the module's geometry is checked independently."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def by_event(surge: Surge) -> dict[int, list[SurgeCall]]:
    calls: dict[int, list[SurgeCall]] = defaultdict(list)
    for call in surge.calls:
        calls[call.event].append(call)
    return calls


# What a call about each kind says, in words any caller would use (typos and generic calls aside).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "fire": ("火", "烟", "烧", "伙", "fire", "smoke"),
    "building_fire": ("火", "烟", "烧", "伙", "fire", "smoke"),
    "traffic": ("车", "撞", "祸", "事故", "追尾", "crash", "accident", "truck", "car"),
    "collapse": ("塌", "倒", "垮", "踏", "掉下来", "埋", "collapse", "fell"),
    "explosion": ("炸", "巨响", "爆", "轰", "explosion"),
    "flood": ("水", "淹", "flood"),
    "landslide": ("滑", "山", "塌方", "泥", "landslide", "mud"),
    "gas_leak": ("气", "gas"),
    "drowning": ("水", "河", "落", "溺", "游泳", "drown", "water"),
    "stampede": ("踩", "挤", "倒", "stampede", "crush", "people"),
    "violence": ("打", "砍", "刀", "knife", "fight"),
    "medical": ("晕", "倒", "抽搐", "中暑", "吐", "不行", "心脏", "faint", "collapsed"),
    "power_outage": ("电", "店", "黑", "power"),
    "chemical_leak": ("泄", "漏", "化学", "毒", "刺鼻", "烟", "味", "chemical", "leak", "smoke"),
}


@pytest.fixture(scope="module")
def surge() -> Surge:
    return generate_surge(random.Random(20260101))


@pytest.fixture(scope="module")
def big() -> Surge:
    return generate_surge(random.Random(7), events=20, total_calls=10_000, unlocated_share=0.1)


def test_default_sites_are_apart() -> None:
    assert len(DEFAULT_SITES) >= 2
    assert {"hz-01", "nb-01"} <= {site.id for site in DEFAULT_SITES}
    for i, a in enumerate(DEFAULT_SITES):
        for b in DEFAULT_SITES[i + 1 :]:
            assert 30_000 <= metres(a.latitude, a.longitude, b.latitude, b.longitude) <= 150_000


def test_at_least_twelve_kinds_each_with_its_own_keywords() -> None:
    assert len(KINDS) >= 12
    assert set(KINDS) <= set(KEYWORDS)


def test_deterministic_for_a_seed() -> None:
    a = generate_surge(random.Random(42), events=8, calls_per_event=(20, 60), unlocated_share=0.2)
    b = generate_surge(random.Random(42), events=8, calls_per_event=(20, 60), unlocated_share=0.2)
    c = generate_surge(random.Random(43), events=8, calls_per_event=(20, 60), unlocated_share=0.2)
    assert a == b
    assert a != c
    assert generate_neighbours(random.Random(1)) == generate_neighbours(random.Random(1))
    assert generate_cascade() == generate_cascade()


def test_labels_order_and_times(surge: Surge) -> None:
    assert [event.index for event in surge.events] == list(range(20))
    sites = {site.id for site in DEFAULT_SITES}
    assert {event.site_id for event in surge.events} == sites  # 20 events spread over all sites
    for call in surge.calls:
        assert 0 <= call.event < len(surge.events)
        assert call.site_id == surge.events[call.event].site_id
        assert 0.0 <= call.offset_s <= 600.0
        assert call.latitude is not None and call.longitude is not None  # unlocated_share defaults to 0
    offsets = [call.offset_s for call in surge.calls]
    assert offsets == sorted(offsets)
    per_event = by_event(surge)
    assert set(per_event) == set(range(20))
    assert all(50 <= len(calls) <= 500 for calls in per_event.values())


def test_calls_interleave_across_events(surge: Surge) -> None:
    changes = sum(a.event != b.event for a, b in zip(surge.calls, surge.calls[1:], strict=False))
    assert changes > len(surge.calls) / 2


def test_each_event_is_a_burst(big: Surge) -> None:
    """Many calls early, a tail later: half of an event's calls come in the first quarter of its span."""
    for calls in by_event(big).values():
        if len(calls) < 50:
            continue
        first, last = calls[0].offset_s, calls[-1].offset_s
        median = calls[len(calls) // 2].offset_s
        assert median - first < 0.35 * (last - first)
        assert first < 600.0 / 3 + 60.0  # events start in the first third


@pytest.mark.parametrize("seed", range(5))
def test_every_call_within_radius_and_nearest_to_its_event(seed: int) -> None:
    surge = generate_surge(random.Random(seed), events=30, calls_per_event=(5, 40), radius_m=250.0)
    for call in surge.calls:
        assert call.latitude is not None and call.longitude is not None
        distances = [
            (metres(call.latitude, call.longitude, event.latitude, event.longitude), event.index)
            for event in surge.events
        ]
        assert dict((i, d) for d, i in distances)[call.event] <= 250.0
        assert min(distances)[1] == call.event


@pytest.mark.parametrize("seed", range(5))
def test_events_of_a_site_are_separated_and_within_its_area(seed: int) -> None:
    sites = {site.id: site for site in DEFAULT_SITES}
    surge = generate_surge(
        random.Random(seed), events=45, calls_per_event=(1, 3), min_separation_m=3000.0, site_spread_m=12000.0
    )
    for event in surge.events:
        site = sites[event.site_id]
        assert metres(site.latitude, site.longitude, event.latitude, event.longitude) <= 12000.0
    for i, a in enumerate(surge.events):
        for b in surge.events[i + 1 :]:
            if a.site_id == b.site_id:
                assert metres(a.latitude, a.longitude, b.latitude, b.longitude) >= 3000.0


def test_custom_sites() -> None:
    site = Site("wz-01", 28.0, 120.7)
    surge = generate_surge(random.Random(3), sites=[site], events=5, calls_per_event=(3, 3))
    assert {event.site_id for event in surge.events} == {"wz-01"}
    assert {call.site_id for call in surge.calls} == {"wz-01"}
    assert len(surge.calls) == 15


@pytest.mark.parametrize(("events", "total"), [(20, 10_000), (20, 20), (7, 1001), (1, 5), (12, 13)])
def test_total_calls_honoured_exactly(events: int, total: int) -> None:
    surge = generate_surge(random.Random(total), events=events, total_calls=total)
    counts = Counter(call.event for call in surge.calls)
    assert len(surge.calls) == total
    assert set(counts) == set(range(events))  # every event has at least one call


def test_total_calls_are_shared_unequally(big: Surge) -> None:
    counts = sorted(Counter(call.event for call in big.calls).values())
    assert len(big.calls) == 10_000
    assert counts[-1] > 3 * counts[0]


def test_unlocated_share(big: Surge) -> None:
    unlocated = [call for call in big.calls if call.latitude is None]
    assert len(unlocated) == 1000
    assert all(call.longitude is None for call in unlocated)
    assert all(call.place_text.strip() for call in unlocated)  # then the place text is all there is
    everyone = generate_surge(random.Random(1), events=3, calls_per_event=(10, 10), unlocated_share=1.0)
    assert all(call.latitude is None and call.longitude is None for call in everyone.calls)


def test_kinds_restricted_and_spread() -> None:
    surge = generate_surge(random.Random(5), events=10, calls_per_event=(1, 2), kinds=["fire", "traffic"])
    assert Counter(event.kind for event in surge.events) == {"fire": 5, "traffic": 5}
    every = generate_surge(random.Random(5), events=len(KINDS), calls_per_event=(1, 1))
    assert {event.kind for event in every.events} == set(KINDS)
    with pytest.raises(ValueError):
        generate_surge(random.Random(5), kinds=["alien_invasion"])


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_surge(
            random.Random(1), sites=DEFAULT_SITES[:1], events=60, min_separation_m=2000.0, site_spread_m=3000.0
        )
    with pytest.raises(ValueError):
        generate_surge(random.Random(1), events=5, total_calls=4)
    with pytest.raises(ValueError):
        generate_surge(random.Random(1), calls_per_event=(0, 10))


def test_place_names_unique(big: Surge) -> None:
    names = [event.place_name for event in big.events]
    assert len(set(names)) == len(names)
    many = generate_surge(random.Random(2), events=150, calls_per_event=(1, 1), site_spread_m=40_000.0)
    assert len({event.place_name for event in many.events}) == 150


def test_wording_is_varied(big: Surge) -> None:
    """An event's summaries are mostly distinct strings (short calls like "着火了！快来" do repeat)."""
    for calls in by_event(big).values():
        if len(calls) >= 20:
            assert len({call.summary for call in calls}) >= 0.6 * len(calls)
        if len(calls) >= 100:
            assert len({call.place_text for call in calls}) >= 10


def test_wording_is_about_the_event_kind(big: Surge) -> None:
    for index, calls in by_event(big).items():
        kind = big.events[index].kind
        about = [call for call in calls if any(word in call.summary for word in KEYWORDS[kind])]
        assert len(about) >= 0.75 * len(calls), (kind, [c.summary for c in calls if c not in about][:10])


def test_place_text_mentions_the_event_place_often(big: Surge) -> None:
    for index, calls in by_event(big).items():
        name = big.events[index].place_name
        named = [call for call in calls if call.place_text.startswith(name[:2]) or name in call.summary]
        assert len(named) >= 0.3 * len(calls)


def test_no_template_leftovers_and_some_english(big: Surge) -> None:
    english = 0
    for call in big.calls:
        for text in (call.summary, call.place_text):
            assert not any(mark in text for mark in "{}@|"), text
        assert call.summary.strip()
        english += sum(ch.isascii() and ch.isalpha() for ch in call.summary) > len(call.summary) / 2
    assert 0.01 * len(big.calls) <= english <= 0.06 * len(big.calls)


def test_generating_ten_thousand_calls_is_fast() -> None:
    started = time.perf_counter()
    surge = generate_surge(random.Random(11), events=20, total_calls=10_000)
    assert time.perf_counter() - started < 2.0
    assert len(surge.calls) == 10_000


@pytest.mark.parametrize("seed", range(4))
def test_neighbours(seed: int) -> None:
    surge = generate_neighbours(random.Random(seed), pairs=8, distance_m=(300.0, 900.0), radius_m=150.0)
    events = surge.events
    assert len(events) == 16
    assert {event.site_id for event in events} == {DEFAULT_SITES[0].id}
    pairs = [(events[i], events[i + 1]) for i in range(0, len(events), 2)]
    for k, (a, b) in enumerate(pairs):
        assert a.kind != b.kind
        assert 300.0 <= metres(a.latitude, a.longitude, b.latitude, b.longitude) <= 900.0
        for other in (e for j, pair in enumerate(pairs) if j != k for e in pair):
            for mine in (a, b):
                assert metres(mine.latitude, mine.longitude, other.latitude, other.longitude) >= 3000.0
    calls = by_event(surge)
    for call in surge.calls:
        event = events[call.event]
        assert call.latitude is not None and call.longitude is not None
        assert metres(call.latitude, call.longitude, event.latitude, event.longitude) <= 150.0
    for a, b in pairs:  # at the same time: the two bursts overlap
        assert all(20 <= len(calls[e.index]) <= 80 for e in (a, b))
        assert calls[a.index][0].offset_s < calls[b.index][-1].offset_s
        assert calls[b.index][0].offset_s < calls[a.index][-1].offset_s


def test_cascade() -> None:
    surge = generate_cascade()
    (event,) = surge.events
    assert event.kind == "traffic"
    a, b, c, d = surge.calls
    assert [call.offset_s for call in surge.calls] == sorted(call.offset_s for call in surge.calls)

    def at(call: SurgeCall) -> tuple[float, float]:
        assert call.latitude is not None and call.longitude is not None
        return call.latitude, call.longitude

    centre = (event.latitude, event.longitude)
    for call in surge.calls:
        assert call.event == 0 and call.site_id == event.site_id
        assert metres(*centre, *at(call)) <= 150.0
    assert 110.0 <= metres(*centre, *at(a)) <= 130.0
    assert 110.0 <= metres(*centre, *at(b)) <= 130.0
    assert 230.0 <= metres(*at(a), *at(b)) <= 250.0  # opposite sides
    assert metres(*at(c), *at(a)) < 240.0 and metres(*at(c), *at(b)) < 240.0
    assert metres(*centre, *at(d)) <= 30.0
    assert a.summary != b.summary
    assert not set(a.summary) >= set(b.summary) and not set(b.summary) >= set(a.summary)
