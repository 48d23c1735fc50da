"""How well the matching rules (services/intake/matching.py) turn labelled surges into incidents, and
a search over their weights and thresholds: ``python -m bench.tune_matching``.

`replay` feeds the calls of a surge, in arrival order, through the same rules intake applies (each
call scored against the profiles of the open incidents of its site, linked to the best plausible one
or opening a new one, the profile updated) and compares the incidents it ends with to the true
events: how many events were split into several incidents (each one more page to the duty leader,
one more set of deadlines), how many incidents mixed two events (an event hidden inside another:
the worse error), and the proposals to merge that a duty leader would see.
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.surge_corpus import Surge, SurgeCall, generate_cascade, generate_neighbours, generate_surge
from services.intake import matching

START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Outcome:
    """A surge replayed: the incident of each call (in call order), and what a duty leader sees."""

    incident_of_call: tuple[str, ...]
    merges: frozenset[tuple[str, str]]

    def incidents_of(self, surge: Surge) -> dict[int, set[str]]:
        """The incidents each true event ended up in."""
        found: dict[int, set[str]] = defaultdict(set)
        for call, incident in zip(surge.calls, self.incident_of_call, strict=True):
            found[call.event].add(incident)
        return found


@dataclass(frozen=True)
class Score:
    events: int
    incidents: int
    split: int  # extra incidents beyond one per event
    mixed: int  # incidents holding calls of more than one event
    misplaced: int  # calls not in their event's main incident
    merges: int  # proposals a duty leader would see
    merges_right: int  # of which about one event

    @property
    def exact(self) -> bool:
        return self.incidents == self.events and not self.mixed and not self.misplaced

    def __add__(self, other: Score) -> Score:
        return Score(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Score)))


def facts(call: SurgeCall) -> matching.CallFacts:
    return matching.CallFacts(
        site_id=call.site_id,
        at=START + timedelta(seconds=call.offset_s),
        latitude=call.latitude,
        longitude=call.longitude,
        place_text=call.place_text,
        summary=call.summary,
    )


def replay(calls: Sequence[SurgeCall], settings: matching.MatchSettings = matching.MatchSettings()) -> Outcome:
    """Decide every call in order, as intake does (candidates: the open profiles of the site within
    reach of the call, or without position, in the time window)."""
    profiles: dict[str, matching.Profile] = {}
    incident_of_call: list[str] = []
    merges: set[tuple[str, str]] = set()
    for n, call in enumerate(calls):
        fact = facts(call)
        candidates = [p for p in profiles.values() if _candidate(p, fact, settings)]
        decision = matching.decide(fact, candidates, settings)
        if decision.link_to is None:
            incident = f"inc-{n:05d}"
            profiles[incident] = matching.new_profile(incident, fact)
        else:
            incident = decision.link_to
            profiles[incident] = matching.with_call(profiles[incident], fact)
            for other in decision.merge_with:
                older, newer = sorted((incident, other.incident_id))
                merges.add((older, newer))
        incident_of_call.append(incident)
    return Outcome(tuple(incident_of_call), frozenset(merges))


def _candidate(profile: matching.Profile, call: matching.CallFacts, settings: matching.MatchSettings) -> bool:
    if profile.site_id != call.site_id or profile.last_at < call.at - settings.window:
        return False
    centroid = profile.centroid
    if centroid is None or call.latitude is None or call.longitude is None:
        return True
    return matching.distance_m(call.latitude, call.longitude, *centroid) <= settings.reach_m


def judge(surge: Surge, outcome: Outcome) -> Score:
    events_of: dict[str, Counter[int]] = defaultdict(Counter)
    for call, incident in zip(surge.calls, outcome.incident_of_call, strict=True):
        events_of[incident][call.event] += 1
    # Each event's main incident: the one holding most of its calls.
    main: dict[int, str] = {}
    for event in {c.event for c in surge.calls}:
        main[event] = max(events_of, key=lambda i: (events_of[i][event], i))
    misplaced = sum(1 for c, i in zip(surge.calls, outcome.incident_of_call, strict=True) if main[c.event] != i)
    majority = {i: counts.most_common(1)[0][0] for i, counts in events_of.items()}
    right = sum(1 for a, b in outcome.merges if majority.get(a) == majority.get(b))
    events = len({c.event for c in surge.calls})
    return Score(
        events=events,
        incidents=len(events_of),
        split=len(events_of) - events,
        mixed=sum(1 for counts in events_of.values() if len(counts) > 1),
        misplaced=misplaced,
        merges=len(outcome.merges),
        merges_right=right,
    )


def corpus(seed: int = 20261204) -> list[tuple[str, Surge]]:
    """The labelled surges the tests keep: spread events, unlocated callers, close neighbours of
    different kinds, and the four-call cascade."""
    rng = random.Random(seed)
    return [
        ("surge-20x(50..300)", generate_surge(rng, events=20, calls_per_event=(50, 300))),
        ("surge-30x(50..150) 3 sites", generate_surge(rng, events=30, calls_per_event=(50, 150))),
        (
            "surge-10x(20..80) 25% unlocated",
            generate_surge(rng, events=10, calls_per_event=(20, 80), unlocated_share=0.25),
        ),
        ("neighbours-10 pairs 300..900 m", generate_neighbours(rng, pairs=10)),
        ("neighbours-10 pairs 500..900 m", generate_neighbours(rng, pairs=10, distance_m=(500.0, 900.0))),
        ("cascade", generate_cascade()),
    ]


def evaluate(settings: matching.MatchSettings, surges: Iterable[tuple[str, Surge]]) -> list[tuple[str, Score]]:
    return [(name, judge(surge, replay(surge.calls, settings))) for name, surge in surges]


def _print(results: list[tuple[str, Score]]) -> None:
    for name, s in results:
        print(
            f"  {name:34} events {s.events:3}  incidents {s.incidents:3}  split {s.split:3}  mixed {s.mixed:2}  "
            f"misplaced {s.misplaced:4}  merge proposals {s.merges:3} ({s.merges_right} right)"
        )


GRID = {
    "link_score": (0.5, 0.55),
    "half_m": (250.0, 300.0, 350.0),
    "min_extent_m": (150.0, 200.0, 250.0),
    "related_factor": (0.7, 0.8),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="search the grid of settings (slow)")
    args = parser.parse_args(argv)
    surges = corpus()
    print("defaults:")
    _print(evaluate(matching.MatchSettings(), surges))
    if not args.grid:
        return
    ranked: list[tuple[tuple[int, ...], dict[str, Any]]] = []
    for values in itertools.product(*GRID.values()):
        chosen: dict[str, Any] = dict(zip(GRID, values, strict=True))
        settings = replace(matching.MatchSettings(), **chosen)
        results = evaluate(settings, surges)
        total = sum((s for _, s in results), Score(0, 0, 0, 0, 0, 0, 0))
        # Mixing events is the worst error, then calls in the wrong incident, then extra incidents.
        inexact = sum(1 for name, s in results if name.startswith("surge") and "unlocated" not in name and not s.exact)
        cost = (inexact, total.mixed, total.misplaced, total.split)
        ranked.append((cost, chosen))
        print(f"  {cost}: {chosen}", flush=True)
    ranked.sort(key=lambda r: r[0])
    print("best:")
    for found, best in ranked[:10]:
        print(f"  inexact surges {found[0]} mixed {found[1]} misplaced {found[2]} split {found[3]}: {best}")


if __name__ == "__main__":
    main()
