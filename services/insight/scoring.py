"""Assessment (考核): scoring rules as versioned data, the facts that cost or earn points, a leader's
annotation of an exceptional circumstance (特殊情况说明), and scorecards per person and per site for a
month, quarter or year. Every point on a card is traceable to the record that caused it.

No I/O and no clock: every time is an argument, values are frozen dataclasses, points are ints.

Facts are made by the projection from the other services' events; the kinds use these names:
- incident: violation "late" → `late_report` (迟报), "missed" → `missed_report` (漏报); `wrong_report`
  (错报), `concealment` (瞒报) and `unverified` (未及时核实) under their own names;
- roster: violation "absence" → `absence` (缺勤/脱岗), a check-in of status "late" → `late_check_in`
  (迟到), `early_leave` (早退), a handover never submitted → `handover_missed` (未交接班),
  handover.overdue → `handover_overdue` (交接超时), inspection.missed → `inspection_missed` (领导未查岗,
  charged to the duty leader of the shift);
- intake: a call answered_late → `late_answer` (超三声接听), call.missed → `unanswered_call` (未接来电),
  line_call.unregistered → `unregistered_call` (接听未登记), callback.overdue → `callback_overdue`
  (回电超期), case.overdue → `case_overdue` (工单超期).

Decisions:
- A card is 百分制: `score = BASE_SCORE (100) + total`, for a month, a quarter or a year alike, and is
  not clamped (a score below 0 still shows every point). Totals add up: a quarter's total is the sum of
  its months' totals, a year's of its months'.
- Drills (演练) are on no card at all, not even at 0 points: a scorecard is a record of real duty that is
  exported and signed, and an exercise must never be mistaken for real (DESIGN.md §3). A drill does not
  cost the month-without-violation bonus either.
- An annotated fact scores 0 and stays on the card with its annotation (who decided, when, why) and the
  points its rule would have given (`rule_points`).
- Person cards are per person and site: the site's time zone sets the person's months there. A site's
  card holds every fact of the site (its people's and site-level ones, whose person_id is ""); the
  bonus is personal and appears only on person cards.
- The month-without-violation bonus (当月无违规加分) is earned by a person for a calendar month of the
  site's zone in which they held a duty there, that has ended by `as_of`, and in which they have no line
  with negative points: drills, annotated facts and kinds their rules price at 0 do not cost it. A rule
  set's version applies to a fact in force at the fact's time; to a bonus, the one in force at the
  month's last instant.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from operator import attrgetter
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo


class ViolationKind(StrEnum):
    """What a fact records; each costs the points its rule set gives it."""

    LATE_REPORT = "late_report"  # 迟报
    MISSED_REPORT = "missed_report"  # 漏报
    WRONG_REPORT = "wrong_report"  # 错报
    CONCEALMENT = "concealment"  # 瞒报
    UNVERIFIED = "unverified"  # 未及时核实
    ABSENCE = "absence"  # 缺勤/脱岗
    LATE_CHECK_IN = "late_check_in"  # 迟到
    EARLY_LEAVE = "early_leave"  # 早退
    UNANSWERED_CALL = "unanswered_call"  # 未接来电
    LATE_ANSWER = "late_answer"  # 超三声接听
    UNREGISTERED_CALL = "unregistered_call"  # 接听未登记
    CASE_OVERDUE = "case_overdue"  # 工单超期
    CALLBACK_OVERDUE = "callback_overdue"  # 回电超期
    HANDOVER_MISSED = "handover_missed"  # 未交接班
    HANDOVER_OVERDUE = "handover_overdue"  # 交接超时
    INSPECTION_MISSED = "inspection_missed"  # 领导未查岗


class BonusKind(StrEnum):
    MONTH_WITHOUT_VIOLATION = "month_without_violation"  # 当月无违规


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Subject(StrEnum):
    PERSON = "person"
    SITE = "site"


BASE_SCORE = 100
# A rule gives at most this many points either way: a penalty is -100..0, a bonus 0..100.
MAX_POINTS = 100
# The source of a bonus line: the month it rewards, e.g. SourceRef("month", "2026-03").
MONTH_RECORD = "month"


def _require_aware(name: str, value: datetime) -> None:
    # A naive datetime would silently mean "the server's local time".
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class ScoringRules:
    """One version of the scoring rules (考核细则): points per violation kind (≤ 0) and per bonus kind
    (≥ 0). A version is in force from `effective_from` until the next version's; `version` grows with
    `effective_from`. Not validated on construction (the service builds one from a request first):
    `validate_rules` lists the problems. A kind absent from a stored version (added to the code after it)
    scores 0 under it."""

    version: int
    effective_from: datetime
    penalties: Mapping[str, int]
    bonuses: Mapping[str, int]

    def __post_init__(self) -> None:
        # A copy the caller's dicts cannot change afterwards.
        object.__setattr__(self, "penalties", MappingProxyType(dict(self.penalties)))
        object.__setattr__(self, "bonuses", MappingProxyType(dict(self.bonuses)))


# The shipped rules, in force from 2000 until an organization adds a version of its own. The service
# evaluates and validates with them first in the list of versions: (DEFAULT_RULES, *stored).
DEFAULT_RULES = ScoringRules(
    version=1,
    effective_from=datetime(2000, 1, 1, tzinfo=UTC),
    penalties={
        ViolationKind.LATE_REPORT: -2,
        ViolationKind.MISSED_REPORT: -5,
        ViolationKind.WRONG_REPORT: -3,
        ViolationKind.CONCEALMENT: -10,
        ViolationKind.UNVERIFIED: -2,
        ViolationKind.ABSENCE: -3,
        ViolationKind.LATE_CHECK_IN: -1,
        ViolationKind.EARLY_LEAVE: -2,
        ViolationKind.UNANSWERED_CALL: -1,
        ViolationKind.LATE_ANSWER: -1,
        ViolationKind.UNREGISTERED_CALL: -1,
        ViolationKind.CASE_OVERDUE: -1,
        ViolationKind.CALLBACK_OVERDUE: -1,
        ViolationKind.HANDOVER_MISSED: -2,
        ViolationKind.HANDOVER_OVERDUE: -1,
        ViolationKind.INSPECTION_MISSED: -1,
    },
    bonuses={BonusKind.MONTH_WITHOUT_VIOLATION: 2},
)


def _check_points(
    problems: list[tuple[str, str]],
    path: str,
    given: Mapping[str, int],
    kinds: type[StrEnum],
    low: int,
    high: int,
) -> None:
    known = [k.value for k in kinds]
    for kind in sorted(given):
        where = f'{path}["{kind}"]'
        value = given[kind]
        if kind not in known:
            problems.append((where, f"未知类型 unknown kind; one of {', '.join(known)}"))
        elif isinstance(value, bool) or not isinstance(value, int):
            problems.append((where, "须为整数分 whole points"))
        elif not low <= value <= high:
            problems.append((where, f"须在 {low} 到 {high} 分之间 from {low} to {high} points"))
    for kind in known:
        if kind not in given:
            problems.append((f'{path}["{kind}"]', "缺少，不计分请填 0 missing; give 0 to not count it"))


def validate_rules(rules: ScoringRules, existing: Sequence[ScoringRules], now: datetime) -> list[tuple[str, str]]:
    """Problems of a rule set to store beside `existing` (the versions stored, DEFAULT_RULES included) as
    (field path, description); empty if it may be stored. Same version as a stored one = a replacement.

    - every violation and bonus kind is priced, none unknown; penalties -100..0, bonuses 0..100, ints;
    - it takes effect at `now` or later, and replaces only a version not yet in force: scorecards already
      given never change under a rule change (a correction is a new version);
    - versions never overlap: no two take effect at the same instant, and a higher version takes effect
      after every lower one."""
    _require_aware("now", now)
    problems: list[tuple[str, str]] = []
    if rules.version < 1:
        problems.append(("rules.version", "从 1 起 must be 1 or more"))
    _check_points(problems, "rules.penalties", rules.penalties, ViolationKind, -MAX_POINTS, 0)
    _check_points(problems, "rules.bonuses", rules.bonuses, BonusKind, 0, MAX_POINTS)
    start = rules.effective_from
    if start.tzinfo is None or start.utcoffset() is None:
        problems.append(("rules.effective_from", "须带时区 must be timezone-aware"))
        return problems
    if start < now:
        problems.append(
            ("rules.effective_from", "不能追溯生效 must not be in the past: cards already given would change")
        )
    for other in sorted(existing, key=lambda r: (r.version, r.effective_from)):
        when = other.effective_from.isoformat()
        if other.version == rules.version:
            if other.effective_from <= now:
                problems.append(
                    (
                        "rules.version",
                        f"版本 {other.version} 已于 {when} 生效，不能修改，请新建版本 "
                        f"version {other.version} is in force since {when}: add a new version",
                    )
                )
        elif other.effective_from == start:
            problems.append(
                (
                    "rules.effective_from",
                    f"与版本 {other.version} 同时生效 version {other.version} takes effect then too",
                )
            )
        elif (other.version < rules.version) != (other.effective_from < start):
            problems.append(
                (
                    "rules.effective_from",
                    f"版本须按生效时间递增：版本 {other.version} 于 {when} 生效 "
                    f"versions take effect in order: version {other.version} does at {when}",
                )
            )
    return problems


def rules_at(versions: Iterable[ScoringRules], at: datetime) -> ScoringRules:
    """The version in force at `at`: the latest effective_from not after it (highest version on a tie).
    LookupError if none was in force yet."""
    _require_aware("at", at)
    return _Versions(versions).at(at)


class _Versions:
    """Rule versions in the order they take effect, for finding the one in force at many instants."""

    def __init__(self, versions: Iterable[ScoringRules]) -> None:
        self._ordered = sorted(versions, key=lambda r: (r.effective_from, r.version))
        self._starts = [r.effective_from for r in self._ordered]

    def at(self, at: datetime) -> ScoringRules:
        # The last of those in force by then is the latest effective_from, the highest version on a tie.
        taken = bisect_right(self._starts, at)
        if not taken:
            raise LookupError(f"no scoring rules in force at {at.isoformat()}")
        return self._ordered[taken - 1]


@dataclass(frozen=True, order=True)
class SourceRef:
    """The record a point comes from, e.g. ("violation", "vio-…"), ("call", "c-…"), ("case", "case-…")."""

    record_type: str
    record_id: str


@dataclass(frozen=True)
class Fact:
    """A recorded thing that costs points. `person_id` "" is a site-level fact (on the site's card only).
    Unique per (site_id, source, kind)."""

    kind: str
    site_id: str
    person_id: str
    occurred_at: datetime
    source: SourceRef
    drill: bool = False
    # What happened, for people reading the card (e.g. "initial_written report 12 min late").
    detail: str = ""


@dataclass(frozen=True)
class Duty:
    """A shift a person held at a site (an assignment): the months they were on duty, for the bonus."""

    person_id: str
    site_id: str
    starts_at: datetime


@dataclass(frozen=True)
class Annotation:
    """A leader's note of an exceptional circumstance (特殊情况说明): the facts of the site it waives, by
    their source, score 0. When several annotations waive one fact, the latest decided counts."""

    id: str
    site_id: str
    waives: tuple[SourceRef, ...]
    reason: str
    decided_by: str
    decided_at: datetime


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")
# The last number of each granularity's periods in a year.
_LAST = MappingProxyType({Granularity.MONTH: 12, Granularity.QUARTER: 4, Granularity.YEAR: 1})


@dataclass(frozen=True)
class Period:
    """A calendar month ("2026-03"), quarter ("2026-Q1") or year ("2026") in a site's time zone.
    `number` is the month (1..12) or quarter (1..4); 1 for a year."""

    granularity: Granularity
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9998 and 1 <= self.number <= _LAST[self.granularity]):
            raise ValueError(f"no {self.granularity} {self.number} of year {self.year}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period from its text: "2026-03", "2026-Q1" or "2026"; ValueError otherwise."""
        match = _PERIOD.match(text)
        if match is None:
            raise ValueError(f'a period is "2026-03", "2026-Q1" or "2026", got {text!r}')
        year, month, quarter = match.groups()
        if month is not None:
            return cls(Granularity.MONTH, int(year), int(month))
        if quarter is not None:
            return cls(Granularity.QUARTER, int(year), int(quarter))
        return cls(Granularity.YEAR, int(year))

    def __str__(self) -> str:
        if self.granularity is Granularity.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.granularity is Granularity.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    def months(self) -> tuple[Period, ...]:
        """The calendar months of the period, in order."""
        first, count = {
            Granularity.MONTH: (self.number, 1),
            Granularity.QUARTER: (3 * self.number - 2, 3),
            Granularity.YEAR: (1, 12),
        }[self.granularity]
        return tuple(Period(Granularity.MONTH, self.year, m) for m in range(first, first + count))

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from local midnight of its first day to that of the next period's."""
        months = self.months()
        first, last = months[0], months[-1]
        after = (last.year + 1, 1) if last.number == 12 else (last.year, last.number + 1)
        return _local_month_start(first.year, first.number, zone), _local_month_start(*after, zone)


def _local_month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    # fold=0: where midnight falls into a DST gap this is the instant the clock jumps, the day's first.
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


class _Span(NamedTuple):
    """A month of a period as the instants [start, end) it spans in a zone."""

    start: datetime
    end: datetime
    month: Period


def _spans(period: Period, zones: Mapping[str, ZoneInfo]) -> dict[str, tuple[_Span, ...]]:
    """Each site's months of `period` as instants of its zone: which month a time falls in is then a
    comparison or two, not a conversion to local time (a region's cards read some 150,000 facts)."""
    by_zone: dict[ZoneInfo, tuple[_Span, ...]] = {}
    for zone in zones.values():
        if zone not in by_zone:
            by_zone[zone] = tuple(_Span(*month.bounds(zone), month) for month in period.months())
    return {site_id: by_zone[zone] for site_id, zone in zones.items()}


def _span_of(at: datetime, spans: tuple[_Span, ...]) -> _Span | None:
    """The month of `spans` that `at` falls in: the same as month_of in the spans' zone, if that is one of them."""
    for span in spans:
        if span.start <= at < span.end:
            return span
    return None


def month_of(at: datetime, zone: ZoneInfo) -> Period:
    """The calendar month of the zone that `at` falls in."""
    _require_aware("at", at)
    local = at.astimezone(zone)
    return Period(Granularity.MONTH, local.year, local.month)


@dataclass(frozen=True)
class ScoreLine:
    """One line of a card: a fact (or a bonus: kind in BonusKind, source ("month", "2026-03"), at the
    month's last instant), the rule version used, the points its rule gives and the points counted (0 when an
    annotation waives it)."""

    kind: str
    source: SourceRef
    occurred_at: datetime
    person_id: str
    rules_version: int
    rule_points: int
    points: int
    detail: str = ""
    annotation: Annotation | None = None


@dataclass(frozen=True)
class Scorecard:
    """A person's card at a site (subject "person") or a site's card (subject "site", person_id "") for a
    period: score = base + total, total = the sum of the lines' points."""

    subject: Subject
    site_id: str
    person_id: str
    period: Period
    base: int
    total: int
    score: int
    lines: tuple[ScoreLine, ...] = field(default=())


_line_order = attrgetter("occurred_at", "kind", "source", "person_id")


def _card(subject: Subject, site_id: str, person_id: str, period: Period, lines: list[ScoreLine]) -> Scorecard:
    total = sum(line.points for line in lines)
    return Scorecard(
        subject=subject,
        site_id=site_id,
        person_id=person_id,
        period=period,
        base=BASE_SCORE,
        total=total,
        score=BASE_SCORE + total,
        lines=tuple(sorted(lines, key=_line_order)),
    )


def _waivers(annotations: Iterable[Annotation]) -> dict[tuple[str, SourceRef], Annotation]:
    latest: dict[tuple[str, SourceRef], Annotation] = {}
    for a in sorted(annotations, key=lambda a: (a.decided_at, a.id)):
        _require_aware("annotation.decided_at", a.decided_at)
        for source in a.waives:
            latest[(a.site_id, source)] = a
    return latest


def _in_force(versions: _Versions, at: datetime, what: str, of: object) -> ScoringRules:
    try:
        return versions.at(at)
    except LookupError as error:
        # Worded only when it happens: a region's cards look up some 150,000 facts' rules.
        raise ValueError(f"{what} {of}: {error}") from None


def scorecards(
    facts: Iterable[Fact],
    *,
    rules_versions: Sequence[ScoringRules],
    annotations: Iterable[Annotation],
    duties: Iterable[Duty],
    period: Period,
    zones: Mapping[str, ZoneInfo],
    as_of: datetime,
) -> tuple[Scorecard, ...]:
    """The cards of the sites in `zones` (site id → its time zone) for `period`: one per site, and one per
    person with a fact or a duty there in the period, ordered by site, the site's card first, then by
    person. Facts and duties of other sites are left out. Bonuses are earned only for months ended by
    `as_of`. `rules_versions` are all versions (DEFAULT_RULES first); ValueError for a fact of an unknown
    kind, a fact listed twice, or a fact or bonus month before every version."""
    _require_aware("as_of", as_of)
    versions = _Versions(rules_versions)
    waivers = _waivers(annotations)
    spans = _spans(period, zones)
    known = {k.value for k in ViolationKind}

    site_lines: dict[str, list[ScoreLine]] = {site: [] for site in zones}
    person_lines: dict[tuple[str, str], list[ScoreLine]] = defaultdict(list)
    # Months in which a person lost the bonus at a site: a line with negative points.
    costly_months: set[tuple[str, str, Period]] = set()
    seen: set[tuple[str, str, str, str]] = set()
    for fact in facts:
        _require_aware("fact.occurred_at", fact.occurred_at)
        if fact.kind not in known:
            raise ValueError(f"fact {fact.source} has an unknown kind {fact.kind!r}")
        # Its parts rather than the SourceRef, whose hash is computed in Python.
        identity = (fact.site_id, fact.source.record_type, fact.source.record_id, fact.kind)
        if identity in seen:
            raise ValueError(f"fact {fact.kind} of {fact.source} at {fact.site_id} is listed twice")
        seen.add(identity)
        site_spans = spans.get(fact.site_id)
        if site_spans is None or fact.drill:
            continue
        span = _span_of(fact.occurred_at, site_spans)
        if span is None:
            continue
        rules = _in_force(versions, fact.occurred_at, "fact", fact.source)
        rule_points = rules.penalties.get(fact.kind, 0)
        annotation = waivers.get((fact.site_id, fact.source))
        line = ScoreLine(
            kind=fact.kind,
            source=fact.source,
            occurred_at=fact.occurred_at,
            person_id=fact.person_id,
            rules_version=rules.version,
            rule_points=rule_points,
            points=0 if annotation else rule_points,
            detail=fact.detail,
            annotation=annotation,
        )
        site_lines[fact.site_id].append(line)
        if fact.person_id:
            person_lines[(fact.site_id, fact.person_id)].append(line)
            if line.points < 0:
                costly_months.add((fact.site_id, fact.person_id, span.month))

    on_duty: dict[tuple[str, str, Period], datetime] = {}
    for duty in duties:
        _require_aware("duty.starts_at", duty.starts_at)
        span = _span_of(duty.starts_at, spans.get(duty.site_id, ()))
        if span is not None:
            on_duty[(duty.site_id, duty.person_id, span.month)] = span.end
            person_lines.setdefault((duty.site_id, duty.person_id), [])

    for (site_id, person_id, month), end in on_duty.items():
        if end > as_of or (site_id, person_id, month) in costly_months:
            continue
        # The month's last instant: the line stays in its month, under the version then in force.
        last = end - timedelta(microseconds=1)
        rules = _in_force(versions, last, "the bonus of", month)
        points = rules.bonuses.get(BonusKind.MONTH_WITHOUT_VIOLATION, 0)
        if points == 0:
            # A bonus priced at 0 is switched off: no line.
            continue
        person_lines[(site_id, person_id)].append(
            ScoreLine(
                kind=BonusKind.MONTH_WITHOUT_VIOLATION,
                source=SourceRef(MONTH_RECORD, str(month)),
                occurred_at=last,
                person_id=person_id,
                rules_version=rules.version,
                rule_points=points,
                points=points,
            )
        )

    cards = [_card(Subject.SITE, site_id, "", period, lines) for site_id, lines in site_lines.items()]
    cards += [
        _card(Subject.PERSON, site_id, person_id, period, lines) for (site_id, person_id), lines in person_lines.items()
    ]
    # The site's card ("" person) sorts before its people's.
    return tuple(sorted(cards, key=lambda c: (c.site_id, c.person_id)))
