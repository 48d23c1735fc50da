"""Pure rules of matching a call to the open incidents it probably concerns (同一事件多次来电合并), and the
six elements of a notice from a superior (上级通知六要素). No I/O and no clock: every time is an argument.

A surge of calls about one event must end as ONE incident with many calls: an earthquake makes thousands
of calls, not thousands of incidents. `suggest` ranks the open incidents a new call may belong to;
`auto_link` says whether the best one is certain enough to link without asking the officer.

Score of a call against an incident (`score`), in [0, 1]:

- It cannot be the same event (None): another site; the call rang more than `EARLY_CALL` (10 min) before
  the incident was registered, or after `registered_at + window`; both are located and farther apart than
  `max_distance_m`.
- Otherwise a weighted sum of three components, each in [0, 1]:

  ========  ======  ==========================================================================
  part      weight  component
  ========  ======  ==========================================================================
  place     0.5     both located: 1 at 0 m, falling linearly to 0 at `max_distance_m`;
                    either unlocated: `text_similarity` of the two place texts (0 if either is
                    blank: no evidence of the same place)
  time      0.2     1 at registration (and for calls up to 10 min before it), falling linearly to
                    0 at `window` after it
  text      0.3     `text_similarity` of the call's summary and the incident's title, summary or
                    both (the best of the three), divided by `TEXT_FULL` (0.3) and capped at 1:
                    two callers never describe one event in the same words, so a similarity of
                    0.3 already counts as full agreement
  ========  ======  ==========================================================================

  then multiplied by `CATEGORY_PENALTY` (0.5) when the call and the incident carry different kinds of
  event (see `_categories_conflict`).

What the weights guarantee with the default settings:

- a located call within 200 m and 30 min of a located incident whose texts have a similarity >= 0.2
  scores >= 0.5 * 0.8 + 0.2 * (1 - 30/360) + 0.3 * (0.2/0.3) = 0.783 >= 0.75: it is linked automatically
  (unless a second incident is as likely);
- two unlocated calls with the same place text, within 30 min and with summaries of similarity >= 0.07
  reach 0.75 as well;
- without a single shared word the score is at most 0.5 + 0.2 = 0.7: a call that says something else
  entirely is suggested to the officer but never linked on place and time alone;
- a located call farther than `max_distance_m` (1 km) from a located incident never matches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8  # WGS-84 mean radius (R1)

LOCATION_WEIGHT = 0.5
TIME_WEIGHT = 0.2
TEXT_WEIGHT = 0.3
# A text similarity at or above this counts as full agreement of the texts.
TEXT_FULL = 0.3
# Factor applied when the call and the incident are about different kinds of event.
CATEGORY_PENALTY = 0.5
# How far the best suggestion must lead the runner-up to be linked without asking (两者难分时由人决定).
AUTO_LINK_LEAD = 0.1
# A call may ring shortly before the incident it is about is registered (the first caller was still
# being heard while the second phone rang); earlier than this it is about something else.
EARLY_CALL = timedelta(minutes=10)
# Scores are sums of floats: 0.85 - 0.75 is 0.0999...98. Thresholds are compared with this tolerance.
_TOLERANCE = 1e-9

# Kinds of call (services.intake.rules.CATEGORIES). They say how a call came, not what happened, so they
# are never compared with an incident's category (natural_disaster, accident, ...).
CALL_KINDS = frozenset({"consultation", "complaint", "emergency", "notice", "message", "other"})

# The six elements of a notice from a superior (上级通知六要素): time, place, content, participants,
# issuing unit, issuing person.
NOTICE_ELEMENTS = ("meeting_time", "place", "content", "participants", "issuing_unit", "issuing_person")

# CJK ideographs (with extensions A and B, compatibility ideographs) and kana: written without spaces,
# compared as overlapping character pairs.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df"
_TOKEN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
# English words too common to say anything about an event.
_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "at", "by", "for", "from", "has", "have", "in", "is", "it", "of", "on", "or"}
    | {"the", "there", "to", "was", "were", "with"}
)


@dataclass(frozen=True)
class CallFacts:
    """What matching needs to know of a call being registered."""

    site_id: str
    at: datetime  # aware UTC, ring start
    latitude: float | None
    longitude: float | None
    place_text: str
    summary: str
    category: str  # kind of call: "emergency", ...


@dataclass(frozen=True)
class IncidentFacts:
    """What matching needs to know of an open incident."""

    id: str
    site_id: str
    registered_at: datetime  # aware UTC
    latitude: float | None
    longitude: float | None
    place_text: str
    title: str
    summary: str
    category: str  # incident category once verified ("" before), e.g. "accident"


@dataclass(frozen=True)
class MatchSettings:
    """How near, how soon and how certain a match must be."""

    max_distance_m: float = 1000.0  # beyond this, a located call does not match a located incident
    window: timedelta = timedelta(hours=6)  # calls this long after registration may still be about it
    auto_link_score: float = 0.75  # link automatically at or above this
    suggest_score: float = 0.3  # suggest at or above this

    def __post_init__(self) -> None:
        if not self.max_distance_m > 0:
            raise ValueError("max_distance_m must be positive")
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")
        if not 0.0 <= self.suggest_score <= self.auto_link_score <= 1.0:
            raise ValueError("need 0 <= suggest_score <= auto_link_score <= 1")


@dataclass(frozen=True)
class Suggestion:
    """An incident a call probably concerns, how likely, and why."""

    incident_id: str
    score: float  # 0..1
    reasons: tuple[str, ...]  # e.g. ("same site", "320 m away", "12 min after", "similar text 0.62")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on a sphere of the WGS-84 mean radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def _tokens(text: str) -> set[str]:
    """Chinese (and other unspaced CJK) runs as character bigrams, a lone character as itself; other
    writing as lower-cased words without common English stop words. Punctuation and spaces separate."""
    tokens: set[str] = set()
    for cjk, word in _TOKEN.findall(text.casefold()):
        if cjk:
            if len(cjk) == 1:
                tokens.add(cjk)
            else:
                tokens.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word not in _STOP_WORDS:
            tokens.add(word)
    return tokens


def text_similarity(a: str, b: str) -> float:
    """Dice coefficient of the token sets of two texts, in [0, 1]: 1 for the same words in any order or
    punctuation, 0 when nothing is shared or either text has no tokens at all."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


def _categories_conflict(call: CallFacts, incident: IncidentFacts) -> bool:
    """Whether the call and the incident are known to be about different kinds of event.

    Only when both name a kind of event and the kinds differ. A call's own category (emergency,
    complaint, ...) is a kind of call, not of event, and an unverified incident has none: neither
    counts, or every call would be halved against every verified incident."""
    call_kind = call.category.strip()
    incident_kind = incident.category.strip()
    if not call_kind or not incident_kind or call_kind in CALL_KINDS:
        return False
    return call_kind != incident_kind


def score(call: CallFacts, incident: IncidentFacts, settings: MatchSettings = MatchSettings()) -> Suggestion | None:
    """How likely the call is about the incident, or None when it cannot be (see the module docstring)."""
    if call.site_id != incident.site_id:
        return None
    after = call.at - incident.registered_at
    if after < -EARLY_CALL or after > settings.window:
        return None
    reasons = ["same site"]

    if (
        call.latitude is not None
        and call.longitude is not None
        and incident.latitude is not None
        and incident.longitude is not None
    ):
        metres = distance_m(call.latitude, call.longitude, incident.latitude, incident.longitude)
        if metres > settings.max_distance_m:
            return None
        place = 1.0 - metres / settings.max_distance_m
        reasons.append(f"{metres:.0f} m away")
    else:
        place = text_similarity(call.place_text, incident.place_text)
        reasons.append(f"no location, place text {place:.2f}")

    time = 1.0 - max(after, timedelta(0)) / settings.window
    minutes = round(abs(after.total_seconds()) / 60)
    reasons.append(f"{minutes} min {'before' if after < timedelta(0) else 'after'}")

    text = max(
        text_similarity(call.summary, incident.title),
        text_similarity(call.summary, incident.summary),
        text_similarity(call.summary, f"{incident.title} {incident.summary}"),
    )
    reasons.append(f"similar text {text:.2f}")

    value = LOCATION_WEIGHT * place + TIME_WEIGHT * time + TEXT_WEIGHT * min(1.0, text / TEXT_FULL)
    if _categories_conflict(call, incident):
        value *= CATEGORY_PENALTY
        reasons.append(f"category {call.category} vs {incident.category}")
    return Suggestion(incident.id, min(1.0, max(0.0, value)), tuple(reasons))


def suggest(
    call: CallFacts,
    incidents: Sequence[IncidentFacts],
    settings: MatchSettings = MatchSettings(),
    limit: int = 5,
) -> list[Suggestion]:
    """The incidents scoring at least `suggest_score`, best first (equal scores: newest incident first,
    then by id), at most `limit`. Give `auto_link` at least two (limit >= 2) so it can see a runner-up."""
    ranked: list[tuple[Suggestion, IncidentFacts]] = []
    for incident in incidents:
        found = score(call, incident, settings)
        if found is not None and found.score + _TOLERANCE >= settings.suggest_score:
            ranked.append((found, incident))
    ranked.sort(key=lambda pair: pair[1].id)
    ranked.sort(key=lambda pair: (pair[0].score, pair[1].registered_at), reverse=True)
    return [found for found, _ in ranked[: max(0, limit)]]


def auto_link(suggestions: Sequence[Suggestion], settings: MatchSettings = MatchSettings()) -> str | None:
    """The incident to link the call to without asking, or None when a person must choose.

    The best suggestion qualifies when it scores at least `auto_link_score` and leads the runner-up
    (if any) by at least 0.1: when two incidents are about equally likely, the officer decides."""
    if not suggestions:
        return None
    ordered = sorted(suggestions, key=lambda s: s.score, reverse=True)
    best = ordered[0]
    if best.score + _TOLERANCE < settings.auto_link_score:
        return None
    if len(ordered) > 1 and best.score - ordered[1].score + _TOLERANCE < AUTO_LINK_LEAD:
        return None
    return best.incident_id


def missing_notice_elements(notice: Mapping[str, str | None]) -> list[str]:
    """The six elements of a notice from a superior (上级通知六要素) that are absent or blank, in the order
    of `NOTICE_ELEMENTS`; each is flagged for follow-up with the issuer."""
    return [name for name in NOTICE_ELEMENTS if not (notice.get(name) or "").strip()]


METERS_PER_DEGREE = 111_195.0  # along a meridian, on the mean sphere


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
