"""Pure rules of matching emergency calls to the open incidents they are about (同一事件多次来电合并).
No I/O and no clock: every time is an argument.

A surge of calls about one event must end as ONE incident with many calls: an earthquake makes
thousands of calls, not thousands of incidents, and every incident pages the duty leader and starts
legal reporting deadlines. Intake keeps a **profile** (事件画像) of every open incident of a site: where
its calls come from (centroid and spread), when (first and last call), and what their callers said
(how many calls used each term, kind of event and place name — see `wording`). A new call is scored
against every open profile near it (`score`), and `decide` links it to the best one that is
plausibly the same event; only a call with no plausible match opens a new incident. When a call
fits several profiles, the others are proposed for merging into the one it was linked to (a
person decides: `Decision.merge_with`), instead of a third incident being opened.

Score of a call against a profile, in [0, 1] (`MatchSettings` holds every number; they are settings,
tuned on the labelled surges of `bench.surge_corpus` with ``python -m bench.tune_matching``):

- It cannot be the same event (None): another site; a drill against a real incident or the reverse;
  the call rang more than `early_call` before the profile's first call, or more than `window` after
  its last one; both located and the call farther than `max_distance_m` beyond the profile's extent.
- Otherwise ``place_weight * place + time_weight * time + text_weight * text``, where

  * place: both located: how far the call is beyond the profile's extent (``beyond``: the distance
    to the centroid less the spread of its calls times `spread_factor`, between `min_extent_m` and
    `max_extent_m`): 1 within the extent, 0.5 at `half_m` beyond it (``0.5 ** (beyond / half_m) ** 2``).
    Either unlocated: the share of the call's place words (place names, terms of its place text) the
    profile's calls used; `unknown_place` when the call names no place at all;
  * time: 1 up to the profile's last call, falling linearly to 0 at `window` after it;
  * text: the share of the call's words (kinds of event count `kind_weight`, place names
    `place_name_weight`, other terms 1) that the profile's calls used, a word counting fully once
    `common_share` of them used it; divided by `text_full` and capped at 1 (no two callers use the
    same words);

  then, when the call names a kind of event that the profile's callers do not (`wording.relation`):
  multiplied by a factor from `conflict_at_scene` within the extent to `conflict_factor` at `half_m`
  beyond it for another kind (a fight at a gas leak), from 1 to `related_factor` for a related kind
  (a drowning at a flood); `conflict_factor` for a kind the verified incident's category excludes.
  The factor is softened as far as the rest of the words agree (a typo that reads as another kind, a
  side remark), reaching 1 at full agreement.

What the defaults guarantee (tests keep them):

- a located call within an incident's extent while it is still called about, naming no other kind
  of event and sharing no word, scores 0.45 + 0.2 = 0.65 >= `link_score` (0.5): callers at the scene
  who only cry for help are linked;
- the same call naming another kind of event scores at most 0.65 * 0.75 < 0.5: a fight at the place
  of a gas leak is an incident of its own unless its caller's words say it is the gas leak;
- a call 1 km or more beyond an incident's extent never matches it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property

from services.intake import wording

EARTH_RADIUS_M = 6_371_008.8  # WGS-84 mean radius (R1)
METERS_PER_DEGREE = 111_195.0  # along a meridian, on the mean sphere
# Scores are sums of floats: thresholds are compared with this tolerance.
_TOLERANCE = 1e-9
# A profile keeps the terms most used by its calls, at most this many.
MAX_TERMS = 300


@dataclass(frozen=True)
class MatchSettings:
    """How near, how soon and how alike a call must be to an incident to be about the same event.
    Tuned on the labelled surges of `bench.surge_corpus` (`python -m bench.tune_matching`)."""

    max_distance_m: float = 1000.0  # a located call farther than this beyond an incident's extent never matches
    half_m: float = 300.0  # this far beyond the extent, the place agrees half (0.5 ** (beyond / half_m) ** 2)
    spread_factor: float = 1.5  # an incident's extent: its calls' spread (rms radius) times this ...
    min_extent_m: float = 200.0  # ... at least this (a scene: the first calls may come from anywhere around it) ...
    max_extent_m: float = 400.0  # ... at most this
    window: timedelta = timedelta(hours=6)  # calls this long after an incident's last call may still be about it
    early_call: timedelta = timedelta(minutes=10)  # a call may ring this long before an incident's first call
    place_weight: float = 0.45
    time_weight: float = 0.2
    text_weight: float = 0.35
    kind_weight: float = 3.0  # a kind of event counts this many terms
    place_name_weight: float = 2.0  # a place name counts this many terms
    common_share: float = 0.1  # a term used by this share of an incident's calls counts fully
    text_full: float = 0.5  # text agreement at or above this counts as full
    unknown_place: float = 0.3  # the place agreement of an unlocated call that names no place
    conflict_factor: float = 0.4  # the call names a kind of event the incident's callers do not, half_m out ...
    conflict_at_scene: float = 0.75  # ... and within the incident's extent
    related_factor: float = 0.7  # the call names only kinds related to, not the same as, the incident's
    kind_share: float = 0.15  # a kind used by this share of an incident's calls is one of its kinds
    link_score: float = 0.5  # the best incident at or above this gets the call
    merge_score: float = 0.5  # another incident at or above this is proposed for merging with it
    suggest_score: float = 0.3  # shown to the officer at or above this

    def __post_init__(self) -> None:
        if not 0 < self.half_m < self.max_distance_m or not 0 <= self.min_extent_m <= self.max_extent_m:
            raise ValueError("need 0 < half_m < max_distance_m and 0 <= min_extent_m <= max_extent_m")
        if self.window <= timedelta(0) or self.early_call < timedelta(0):
            raise ValueError("window must be positive and early_call not negative")
        if not 0.0 <= self.suggest_score <= self.link_score <= 1.0 or not 0.0 <= self.merge_score <= 1.0:
            raise ValueError("need 0 <= suggest_score <= link_score <= 1 and 0 <= merge_score <= 1")
        weights = (self.place_weight, self.time_weight, self.text_weight)
        if min(weights) < 0 or abs(sum(weights) - 1.0) > 1e-6:
            raise ValueError("the place, time and text weights are not negative and add up to 1")
        if not 0 < self.text_full <= 1 or not 0 < self.common_share <= 1 or not 0 <= self.conflict_factor <= 1:
            raise ValueError("text_full and common_share in (0, 1], conflict_factor in [0, 1]")

    @property
    def reach_m(self) -> float:
        """How far from a call an incident's centroid can be and still match it."""
        return self.max_distance_m + self.max_extent_m


@dataclass(frozen=True)
class CallFacts:
    """What matching needs to know of an emergency call."""

    site_id: str
    at: datetime  # aware UTC, ring start
    latitude: float | None
    longitude: float | None
    place_text: str
    summary: str
    drill: bool = False

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @cached_property
    def _said(self) -> wording.Features:
        return wording.features(self.summary)

    @cached_property
    def _place(self) -> wording.Features:
        return wording.features(self.place_text)

    @cached_property
    def words(self) -> wording.Features:
        """What the caller said happened, and where. The kinds of event come from what happened only: a
        place is no event, and read by its sounds it may seem one (世纪道, a typo of 世纪大道, reads as 挤倒)."""
        said, place = self._said, self._place
        return wording.Features(kinds=said.kinds, places=said.places | place.places, terms=said.terms | place.terms)

    @cached_property
    def place_words(self) -> frozenset[str]:
        """The place names the caller gave, and the terms of the place text (marked as in profiles)."""
        return frozenset(wording.PLACE_MARK + p for p in self.words.places) | self._place.terms


@dataclass(frozen=True)
class Profile:
    """What intake knows of an open incident to match calls against (事件画像): where, when and in
    what words its calls came. Positions are summed in metres on a plane tangent at the first
    located call (``ref``), so the centroid and spread update in O(1) as calls come and go."""

    incident_id: str
    site_id: str
    drill: bool
    first_at: datetime
    last_at: datetime
    calls: int = 0  # calls (or the incident's own description) in the word counts
    located: int = 0  # located calls in the position sums
    ref_lat: float | None = None
    ref_lon: float | None = None
    sum_x: float = 0.0
    sum_y: float = 0.0
    sum_xx: float = 0.0
    sum_yy: float = 0.0
    # How many calls used each word (``#fire``, ``@解放路``, terms); the most used MAX_TERMS.
    terms: Mapping[str, int] = field(default_factory=dict)
    category: str = ""  # the verified incident's category ("" before)
    title: str = ""

    @property
    def centroid(self) -> tuple[float, float] | None:
        if not self.located or self.ref_lat is None or self.ref_lon is None:
            return None
        return _from_plane(self.ref_lat, self.ref_lon, self.sum_x / self.located, self.sum_y / self.located)

    @property
    def spread_m(self) -> float:
        """Root-mean-square distance of the located calls from the centroid."""
        if self.located < 2:
            return 0.0
        n = self.located
        variance = (self.sum_xx + self.sum_yy) / n - ((self.sum_x / n) ** 2 + (self.sum_y / n) ** 2)
        return math.sqrt(max(0.0, variance))


def extent_m(profile: Profile, settings: MatchSettings = MatchSettings()) -> float:
    """How far around its centroid an incident's calls come from: its spread times `spread_factor`,
    between `min_extent_m` (a first call may be anywhere around the event) and `max_extent_m`."""
    return min(settings.max_extent_m, max(settings.min_extent_m, settings.spread_factor * profile.spread_m))


def kinds_of(profile: Profile, settings: MatchSettings = MatchSettings()) -> frozenset[str]:
    """The kinds of event a fair share (`kind_share`) of an incident's callers named."""
    least = max(1.0, profile.calls * settings.kind_share)
    mark = wording.KIND_MARK
    return frozenset(t[len(mark) :] for t, n in profile.terms.items() if t.startswith(mark) and n >= least)


@dataclass(frozen=True)
class Suggestion:
    """An incident a call probably concerns, how likely, and why."""

    incident_id: str
    score: float  # 0..1
    reasons: tuple[str, ...]  # e.g. ("320 m from its calls", "2 min after its last call", "words 0.62")


@dataclass(frozen=True)
class Decision:
    """What to do with a call: link it to ``link_to`` (None: open a new incident), the incidents to
    show the officer, and those proposed for merging with ``link_to`` (plausibly the same event)."""

    link_to: str | None
    suggestions: tuple[Suggestion, ...]
    merge_with: tuple[Suggestion, ...] = ()


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on a sphere of the WGS-84 mean radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def _to_plane(ref_lat: float, ref_lon: float, lat: float, lon: float) -> tuple[float, float]:
    """Metres east and north of the reference point (equirectangular; exact enough within kilometres)."""
    dlon = (lon - ref_lon + 540.0) % 360.0 - 180.0
    return (
        math.radians(dlon) * EARTH_RADIUS_M * math.cos(math.radians(ref_lat)),
        math.radians(lat - ref_lat) * EARTH_RADIUS_M,
    )


def _from_plane(ref_lat: float, ref_lon: float, x: float, y: float) -> tuple[float, float]:
    lat = ref_lat + math.degrees(y / EARTH_RADIUS_M)
    lon = ref_lon + math.degrees(x / (EARTH_RADIUS_M * max(math.cos(math.radians(ref_lat)), 1e-6)))
    return lat, (lon + 540.0) % 360.0 - 180.0


# --- profiles: made, grown, shrunk and folded --------------------------------------------------------


def _counted(terms: Mapping[str, int], words: Iterable[str], sign: int) -> dict[str, int]:
    counts = dict(terms)
    for word in words:
        counts[word] = max(0, counts.get(word, 0) + sign)
        if not counts[word]:
            del counts[word]
    return _capped(counts)


def _capped(counts: dict[str, int]) -> dict[str, int]:
    if len(counts) <= MAX_TERMS:
        return counts
    kept = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS]
    return dict(kept)


def new_profile(incident_id: str, call: CallFacts, *, title: str = "") -> Profile:
    """The profile of an incident opened for ``call`` (or opened directly, described as a call)."""
    empty = Profile(incident_id=incident_id, site_id=call.site_id, drill=call.drill, first_at=call.at, last_at=call.at)
    return with_call(empty, call, title=title)


def with_call(profile: Profile, call: CallFacts, *, title: str = "") -> Profile:
    """The profile with one more call about its event."""
    changed = replace(
        profile,
        first_at=min(profile.first_at, call.at),
        last_at=max(profile.last_at, call.at),
        calls=profile.calls + 1,
        terms=_counted(profile.terms, call.words.tokens, +1),
        title=profile.title or title,
    )
    if call.latitude is None or call.longitude is None:
        return changed
    ref_lat = changed.ref_lat if changed.ref_lat is not None else call.latitude
    ref_lon = changed.ref_lon if changed.ref_lon is not None else call.longitude
    x, y = _to_plane(ref_lat, ref_lon, call.latitude, call.longitude)
    return replace(
        changed,
        located=changed.located + 1,
        ref_lat=ref_lat,
        ref_lon=ref_lon,
        sum_x=changed.sum_x + x,
        sum_y=changed.sum_y + y,
        sum_xx=changed.sum_xx + x * x,
        sum_yy=changed.sum_yy + y * y,
    )


def without_call(profile: Profile, call: CallFacts) -> Profile:
    """The profile after ``call`` moved to another incident (its first and last times stay)."""
    changed = replace(profile, calls=max(0, profile.calls - 1), terms=_counted(profile.terms, call.words.tokens, -1))
    if call.latitude is None or call.longitude is None or not changed.located:
        return changed
    assert changed.ref_lat is not None and changed.ref_lon is not None
    x, y = _to_plane(changed.ref_lat, changed.ref_lon, call.latitude, call.longitude)
    if changed.located == 1:
        return replace(changed, located=0, ref_lat=None, ref_lon=None, sum_x=0.0, sum_y=0.0, sum_xx=0.0, sum_yy=0.0)
    return replace(
        changed,
        located=changed.located - 1,
        sum_x=changed.sum_x - x,
        sum_y=changed.sum_y - y,
        sum_xx=changed.sum_xx - x * x,
        sum_yy=changed.sum_yy - y * y,
    )


def folded(primary: Profile, duplicate: Profile) -> Profile:
    """The primary's profile once a duplicate incident was merged into it: both incidents' calls."""
    terms = dict(primary.terms)
    for word, count in duplicate.terms.items():
        terms[word] = terms.get(word, 0) + count
    merged = replace(
        primary,
        first_at=min(primary.first_at, duplicate.first_at),
        last_at=max(primary.last_at, duplicate.last_at),
        calls=primary.calls + duplicate.calls,
        terms=_capped(terms),
    )
    if not duplicate.located or duplicate.ref_lat is None or duplicate.ref_lon is None:
        return merged
    if not merged.located or merged.ref_lat is None or merged.ref_lon is None:
        return replace(
            merged,
            located=duplicate.located,
            ref_lat=duplicate.ref_lat,
            ref_lon=duplicate.ref_lon,
            sum_x=duplicate.sum_x,
            sum_y=duplicate.sum_y,
            sum_xx=duplicate.sum_xx,
            sum_yy=duplicate.sum_yy,
        )
    # Shift the duplicate's sums to the primary's reference point: sum((x + dx)^2) = sum(x^2) + 2 dx sum(x) + n dx^2.
    dx, dy = _to_plane(merged.ref_lat, merged.ref_lon, duplicate.ref_lat, duplicate.ref_lon)
    n = duplicate.located
    return replace(
        merged,
        located=merged.located + n,
        sum_x=merged.sum_x + duplicate.sum_x + n * dx,
        sum_y=merged.sum_y + duplicate.sum_y + n * dy,
        sum_xx=merged.sum_xx + duplicate.sum_xx + 2 * dx * duplicate.sum_x + n * dx * dx,
        sum_yy=merged.sum_yy + duplicate.sum_yy + 2 * dy * duplicate.sum_y + n * dy * dy,
    )


# --- scoring and deciding ------------------------------------------------------------------------------


def _usage(profile: Profile, word: str, settings: MatchSettings) -> float:
    """How fully the profile's calls used a word: 1 once `common_share` of them did."""
    used = profile.terms.get(word, 0)
    if not used:
        return 0.0
    return min(1.0, used / max(1.0, settings.common_share * profile.calls))


def _weight(word: str, settings: MatchSettings) -> float:
    if word.startswith(wording.KIND_MARK):
        return settings.kind_weight
    if word.startswith(wording.PLACE_MARK):
        return settings.place_name_weight
    return 1.0


def _agreement(profile: Profile, words: Iterable[str], settings: MatchSettings) -> float | None:
    """The weighted share of ``words`` the profile's calls used; None for no words."""
    total = used = 0.0
    for word in words:
        weight = _weight(word, settings)
        total += weight
        used += weight * _usage(profile, word, settings)
    return used / total if total else None


def score(call: CallFacts, profile: Profile, settings: MatchSettings = MatchSettings()) -> Suggestion | None:
    """How likely the call is about the profile's incident, or None when it cannot be (module docstring)."""
    if call.site_id != profile.site_id or call.drill != profile.drill:
        return None
    if call.at < profile.first_at - settings.early_call:
        return None
    after_last = call.at - profile.last_at
    if after_last > settings.window:
        return None
    reasons: list[str] = []
    beyond = 0.0  # how far beyond the incident's extent the call is (0 when either is unlocated)
    centroid = profile.centroid
    if call.latitude is not None and call.longitude is not None and centroid is not None:
        metres = distance_m(call.latitude, call.longitude, *centroid)
        beyond = max(0.0, metres - extent_m(profile, settings))
        if beyond > settings.max_distance_m:
            return None
        place = 0.5 ** ((beyond / settings.half_m) ** 2)
        reasons.append(f"{metres:.0f} m from its calls' centre")
    else:
        agreement = _agreement(profile, call.place_words, settings)
        place = settings.unknown_place if agreement is None else agreement
        reasons.append("no position; " + ("no place named" if agreement is None else f"place words {place:.2f}"))

    time = 1.0 - max(0.0, after_last / settings.window)
    minutes = round(abs(after_last.total_seconds()) / 60)
    reasons.append(f"{minutes} min {'after' if after_last >= timedelta(0) else 'before'} its last call")

    words = call.words
    text = _agreement(profile, words.tokens, settings) or 0.0
    agreement = min(1.0, text / settings.text_full)
    reasons.append(f"words {text:.2f}")
    value = settings.place_weight * place + settings.time_weight * time + settings.text_weight * agreement
    # Another kind of event says "another event", a related kind (落水 in a flood) "maybe another" —
    # the more, the farther beyond the incident's extent the call is (at the scene a caller who names
    # something else mostly describes the same event otherwise: 罐子漏了 and 呼吸困难 at a tanker crash)
    # and the less the rest of the words agree (a typo, 踩塌 for 踩踏; a side remark, 电线冒火花).
    kinds = kinds_of(profile, settings)
    relation = wording.relation(words.kinds, kinds)
    if relation in ("other", "related") and not wording.fits_category(words.kinds, profile.category):
        relation = "other"
    far = min(1.0, beyond / settings.half_m)
    if relation == "other":
        factor = settings.conflict_at_scene - (settings.conflict_at_scene - settings.conflict_factor) * far
    elif relation == "related":
        factor = 1.0 - (1.0 - settings.related_factor) * far
    else:
        factor = 1.0 if wording.fits_category(words.kinds, profile.category) else settings.conflict_factor
    if factor < 1.0:
        value *= factor + (1.0 - factor) * agreement
        reasons.append(f"{relation} kind of event ({', '.join(sorted(words.kinds))} vs {', '.join(sorted(kinds))})")
    return Suggestion(profile.incident_id, min(1.0, max(0.0, value)), tuple(reasons))


def decide(
    call: CallFacts, profiles: Sequence[Profile], settings: MatchSettings = MatchSettings(), *, limit: int = 5
) -> Decision:
    """Link the call to the best incident that is plausibly its event, else open a new one.

    Ties go to the incident with more calls, then the older one, then by id, so that concurrent
    deciders agree. Ambiguity never opens an incident: the runners-up that are plausible too are
    proposed for merging (merge_with), and the officer sees the `limit` best suggestions."""
    by_id = {p.incident_id: p for p in profiles}
    scored = [s for s in (score(call, p, settings) for p in profiles) if s is not None]
    scored.sort(key=lambda s: (-s.score, -by_id[s.incident_id].calls, by_id[s.incident_id].first_at, s.incident_id))
    shown = tuple(s for s in scored if s.score + _TOLERANCE >= settings.suggest_score)[: max(0, limit)]
    if not scored or scored[0].score + _TOLERANCE < settings.link_score:
        return Decision(link_to=None, suggestions=shown)
    best = scored[0]
    merges = tuple(s for s in scored[1:] if s.score + _TOLERANCE >= settings.merge_score)
    return Decision(link_to=best.incident_id, suggestions=shown, merge_with=merges)


def lock_keys(site_id: str, latitude: float, longitude: float, max_distance_m: float) -> list[str]:
    """Names of the grid cells (about ``max_distance_m`` across) within ``max_distance_m`` of a
    point, sorted. Two calls close enough to be about one event always share a cell, so deciding
    under these locks serializes exactly the decisions that could collide, and calls far apart
    are decided in parallel. Each row of cells has its own longitude step (it narrows poleward)."""
    step = max_distance_m / METERS_PER_DEGREE
    d_lat = step
    keys: list[str] = []
    for row in range(math.floor((latitude - d_lat) / step), math.floor((latitude + d_lat) / step) + 1):
        row_lat = max(-89.0, min(89.0, (row + 0.5) * step))
        lon_step = step / max(math.cos(math.radians(row_lat)), 0.01)
        # The farthest a point within the distance can be in longitude, at this row's latitude.
        d_lon = lon_step * 1.01
        first, last = math.floor((longitude - d_lon) / lon_step), math.floor((longitude + d_lon) / lon_step)
        keys.extend(f"{site_id}:{row}:{column}" for column in range(first, last + 1))
    return sorted(set(keys))


def bounding_box(latitude: float, longitude: float, metres: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within ``metres`` of a point; the
    candidates' spatial query (a GiST index on positions) looks inside it."""
    d_lat = metres / METERS_PER_DEGREE * 1.01
    d_lon = d_lat / max(math.cos(math.radians(min(89.0, abs(latitude) + d_lat))), 0.01)
    return latitude - d_lat, longitude - d_lon, latitude + d_lat, longitude + d_lon
