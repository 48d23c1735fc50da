"""Pure rules of incidents and reporting (突发事件报告): severity grading, reporting policies as versioned
data, the deadlines planned from them (迟报 when one passes unreported, 漏报 when one is still unmet at
closing), follow-ups (续报) at fixed local times, the final report (终报), the stage machine of the
emergency process and the required content of production-safety accident reports.

No I/O and no clock: every time is an argument, so the module is deterministic and safe to import into
Temporal workflow code. Values are frozen dataclasses; functions return new values.

Fixed local times (e.g. 续报 at 08:00 and 17:00) are mapped to instants by `_local_instant`: a wall-clock
time T on a local date becomes the first instant at which the zone's clock shows T or later. An ambiguous
time (fall-back, the hour happens twice) is its first occurrence (fold=0) and appears once, not twice. A
nonexistent time (spring-forward gap) is the instant the clock jumps, e.g. Europe/Berlin 2026-03-29 02:30
-> 03:00 CEST (01:00 UTC): the follow-up is still required that day, as early as the clock allows.
Two listed times falling into the same gap give one follow-up.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEVERITIES = ("unrated", "I", "II", "III", "IV")  # I 特别重大, II 重大, III 较大, IV 一般
CATEGORIES = ("natural_disaster", "accident", "public_health", "social_safety")
REPORT_KINDS = ("leader_notice", "initial_phone", "initial_written", "follow_up", "final")
STAGES = ("register", "verify", "escalate", "track", "feedback", "closed")
ANCHORS = ("registered", "verified")
ACTIONS = (
    "verify",
    "unfounded",
    "reclassify",
    "report",
    "progress",
    "feedback",
    "close",
    "merge_into",
    "escalate",
    "correct",
)

# Required content token: the six items of a production-safety accident report (事故报告六项内容).
ACCIDENT_SIX_ITEMS = "accident_six_items"

LEADER = "带班领导 duty leader"
SUPERIOR = "上级值班室 superior duty office"
COUNTY = "县级应急管理部门 county emergency bureau"
NEXT_LEVEL = "上一级应急管理部门 emergency bureau one level up"

DAY = timedelta(days=1)
# 伤亡变化补报: casualty changes are reported within 30 days of an accident, 7 for road traffic and fire.
# The same windows bound the correction of a report's material figures (later is 错报).
CASUALTY_CHANGE_WITHIN = timedelta(days=30)
ROAD_FIRE_CHANGE_WITHIN = timedelta(days=7)
# The platform's time to verify (核实时限) when no policy of the jurisdiction names one.
DEFAULT_VERIFY_WITHIN = timedelta(minutes=10)
MAX_VERIFY_WITHIN = DAY
# Scene contact more often than this would page people for routine silence.
MIN_PROGRESS_EVERY = timedelta(minutes=5)
MAX_PROGRESS_EVERY = timedelta(days=7)
# Sorts deadlines without a due time (the final report) after every timed one.
_FOREVER = datetime.max.replace(tzinfo=UTC)
_KIND_RANK = {kind: rank for rank, kind in enumerate(REPORT_KINDS)}


def _require_aware(name: str, value: datetime) -> None:
    # Naive datetimes cannot be compared with aware ones and would silently mean "server local time".
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


# -- severity --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Casualties:
    """Figures reported for an incident: deaths (死亡), serious injuries (重伤, incl. acute industrial
    poisoning), injuries (轻伤), missing (下落不明) and the estimated direct economic loss in yuan.

    Not validated on construction (it is built from request messages); `accident_report_problems` reports
    negative figures as problems."""

    deaths: int = 0
    serious_injuries: int = 0
    injuries: int = 0
    missing: int = 0
    loss_yuan: int = 0


def suggest_severity(c: Casualties) -> str:
    """The production-safety grade (生产安全事故等级) the figures point to, one of "I".."IV".

    Missing persons (下落不明) count as deaths for grading, as the accident regulations do:
    - "I" 特别重大: >= 30 deaths, or >= 100 serious injuries, or >= 100 M yuan;
    - "II" 重大: 10-29 deaths, or 50-99 serious injuries, or >= 50 M yuan (below 100 M);
    - "III" 较大: 3-9 deaths, or 10-49 serious injuries, or >= 10 M yuan (below 50 M);
    - "IV" 一般: anything below, including no casualties at all.
    The highest grade any one figure reaches wins. It is only a suggestion: the officer decides.
    """
    deaths = c.deaths + c.missing
    if deaths >= 30 or c.serious_injuries >= 100 or c.loss_yuan >= 100_000_000:
        return "I"
    if deaths >= 10 or c.serious_injuries >= 50 or c.loss_yuan >= 50_000_000:
        return "II"
    if deaths >= 3 or c.serious_injuries >= 10 or c.loss_yuan >= 10_000_000:
        return "III"
    return "IV"


# -- reporting policies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One report a policy requires.

    - `due_after`: due this long after the anchor ("registered" or "verified");
    - `fixed_local_times`: recurring follow-ups (续报) at these local times every day, from verification
      until the final report; only for kind "follow_up" and never together with `due_after`;
    - neither: required before closing but without a deadline (the final report, 终报).
    `required_content` names content rules the report must satisfy, e.g. ACCIDENT_SIX_ITEMS.
    Not validated on construction: see `validate_policy`."""

    kind: str
    recipient: str
    due_after: timedelta | None = None
    anchor: str = "registered"
    fixed_local_times: tuple[time, ...] = ()
    required_content: tuple[str, ...] = ()

    @property
    def recurring(self) -> bool:
        return bool(self.fixed_local_times)


@dataclass(frozen=True)
class Policy:
    """Which reports are due, to whom and by when, for incidents of a jurisdiction, category, severity and
    sub-types. "" (or no sub-types) matches any. `jurisdiction` is an administrative-division code prefix,
    matched as a plain string prefix of the incident's code: "" national, "33" Zhejiang, "3301" Hangzhou
    and its districts (330106 …), "330100" only codes that start with it. Versioned per id;
    `effective_from` is aware.

    Each kind other than follow_up appears at most once (a deadline is identified by kind and number),
    and a policy's follow-ups are either one recurring requirement (fixed local times) or one-off
    follow-ups with due_after, not both, so follow-up numbers always run in due order. `version` is 1, 2, …
    as stored (0 for a draft the store has not numbered yet). Not validated on construction (the server
    builds one from a request first): `validate_policy` lists the problems, and the planning functions
    assume a policy without any."""

    id: str
    version: int
    name: str
    jurisdiction: str
    category: str
    severity: str
    sub_types: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    effective_from: datetime
    # 核实时限: how long after the first call's answer (or a direct registration) the incident must be
    # verified; past it the duty leader is told and the responsible person charged (未及时核实).
    verify_within: timedelta = DEFAULT_VERIFY_WITHIN
    # 现场联系: while the incident is in tracking, the scene reports progress at least this often;
    # timedelta(0): not required.
    progress_every: timedelta = timedelta(0)
    # The duty office reports go to ("": the parent site) and how long it has to sign for one (0: the default).
    recipient_site_id: str = ""
    receipt_window_seconds: int = 0
    # How long after the reporting clock starts a report's material figures may be corrected (更正);
    # later is 错报. None: no limit.
    correction_within: timedelta | None = None

    def recurring_follow_up(self) -> Requirement | None:
        """The follow-up requirement at fixed local times, if the policy has one."""
        return next((r for r in self.requirements if r.recurring), None)


def validate_policy(policy: Policy) -> list[tuple[str, str]]:
    """Problems of a reporting policy as (field, description), fields named as in the request
    ("policy.id", "policy.requirements[0].due_after_seconds"); empty if the policy is usable."""
    problems: list[tuple[str, str]] = []
    if not policy.id.strip():
        problems.append(("policy.id", "required"))
    if not policy.name.strip():
        problems.append(("policy.name", "required"))
    if policy.version < 0:
        problems.append(("policy.version", "must not be negative"))
    if policy.jurisdiction and not (policy.jurisdiction.isascii() and policy.jurisdiction.isdigit()):
        problems.append(("policy.jurisdiction", 'digits of an administrative-division code prefix ("" = national)'))
    if policy.category and policy.category not in CATEGORIES:
        problems.append(("policy.category", f'"" (any) or one of {", ".join(CATEGORIES)}'))
    if policy.severity and policy.severity not in SEVERITIES:
        problems.append(("policy.severity", f'"" (any) or one of {", ".join(SEVERITIES)}'))
    for i, sub_type in enumerate(policy.sub_types):
        if not sub_type.strip():
            problems.append((f"policy.sub_types[{i}]", "must not be blank"))
    if policy.effective_from.tzinfo is None or policy.effective_from.utcoffset() is None:
        problems.append(("policy.effective_from", "must be timezone-aware"))
    if not timedelta(0) < policy.verify_within <= MAX_VERIFY_WITHIN:
        problems.append(("policy.verify_within_seconds", "more than 0, at most 24 h"))
    if policy.progress_every and not MIN_PROGRESS_EVERY <= policy.progress_every <= MAX_PROGRESS_EVERY:
        problems.append(("policy.progress_every_seconds", "0 (not required) or from 5 min to 7 days"))
    if policy.correction_within is not None and policy.correction_within < timedelta(0):
        problems.append(("policy.correction_within_seconds", "must not be negative"))
    if not policy.requirements:
        problems.append(("policy.requirements", "at least one report"))
    seen: set[str] = set()
    for i, r in enumerate(policy.requirements):
        prefix = f"policy.requirements[{i}]"
        if r.kind not in REPORT_KINDS:
            problems.append((f"{prefix}.kind", f"one of {', '.join(REPORT_KINDS)}"))
        elif r.kind != "follow_up" and r.kind in seen:
            # Deadlines are identified by kind and number: two of a kind would be one deadline.
            problems.append((f"{prefix}.kind", f"{r.kind} is required twice"))
        seen.add(r.kind)
        if not r.recipient.strip():
            problems.append((f"{prefix}.recipient", "required"))
        if r.anchor not in ANCHORS:
            problems.append((f"{prefix}.anchor", f"one of {', '.join(ANCHORS)}"))
        if r.due_after is not None and r.due_after < timedelta(0):
            problems.append((f"{prefix}.due_after_seconds", "must not be negative"))
        if r.fixed_local_times:
            if r.kind != "follow_up":
                problems.append((f"{prefix}.fixed_local_times", "only follow-ups (续报) recur at fixed times"))
            if r.due_after is not None:
                problems.append((f"{prefix}.fixed_local_times", "give either a due time or fixed times, not both"))
            if any(t.tzinfo is not None for t in r.fixed_local_times):
                problems.append((f"{prefix}.fixed_local_times", "wall-clock times of the site's zone, no offset"))
    follow_ups = [r for r in policy.requirements if r.kind == "follow_up"]
    if any(r.recurring for r in follow_ups) and len(follow_ups) > 1:
        # Keeps follow-up numbers in due order when later ones are added (extend_follow_ups).
        problems.append(("policy.requirements", "follow-ups: one at fixed times, or one-off ones, not both"))
    return problems


def _national_serious(*, phone: timedelta, written: timedelta) -> tuple[Requirement, ...]:
    """重特大 (I and II): phone and written initial reports, 续报 twice a day, final report."""
    return (
        Requirement("leader_notice", LEADER, due_after=timedelta(0)),
        Requirement("initial_phone", SUPERIOR, due_after=phone),
        Requirement("initial_written", SUPERIOR, due_after=written),
        Requirement("follow_up", SUPERIOR, fixed_local_times=(time(8, 0), time(17, 0))),
        Requirement("final", SUPERIOR),
    )


def _accident(casualty_change_within: timedelta) -> tuple[Requirement, ...]:
    """生产安全事故: the unit to the county within 1 h, each level up within 2 h with the six items, and
    changes in casualties reported within the given days of registration (伤亡变化补报)."""
    return (
        Requirement("leader_notice", LEADER, due_after=timedelta(0)),
        Requirement("initial_phone", COUNTY, due_after=timedelta(hours=1)),
        Requirement(
            "initial_written", NEXT_LEVEL, due_after=timedelta(hours=2), required_content=(ACCIDENT_SIX_ITEMS,)
        ),
        Requirement("follow_up", COUNTY, due_after=casualty_change_within),
        Requirement("final", COUNTY),
    )


def default_policies(effective_from: datetime) -> list[Policy]:
    """The shipped national defaults and the Zhejiang (33) override, version 1 each.

    - national-I / national-II (特别重大 / 重大), any category: leader notice at registration, phone report
      within 30 min, written within 1 h, 续报 at 08:00 and 17:00 local, final report;
    - national-III (较大): phone 1 h, written 2 h, 续报 at 08:00;
    - national-IV (一般): written 2 h;
    - accident (生产安全事故, any severity): phone to the county bureau 1 h, written one level up 2 h with
      the six items, casualty changes within 30 days (counted from registration);
    - accident-road-fire (sub-types road_traffic, fire): the same with 7 days;
    - zj-I / zj-II (浙江 I, II, any category): phone 15 min, written 35 min, otherwise as national.
    Every policy ends with a final report (终报) that has no deadline but is required before closing.
    Every policy gives 10 min to verify (核实时限). While in tracking the scene reports progress (现场联系)
    every hour for I and II (Zhejiang's too), every 2 h for III and for accidents (of any grade, so a
    重大 accident under the accident policy is not left without), and is not required for IV.
    A report's material figures may be corrected within the casualty-change window (30 days, 7 for road
    traffic and fire), counted like the deadlines; a later correction of one is 错报.
    """
    _require_aware("effective_from", effective_from)

    def policy(
        id: str,
        name: str,
        *,
        jurisdiction: str = "",
        category: str = "",
        severity: str = "",
        sub_types: tuple[str, ...] = (),
        requirements: tuple[Requirement, ...],
        progress_every: timedelta = timedelta(0),
        correction_within: timedelta = CASUALTY_CHANGE_WITHIN,
    ) -> Policy:
        return Policy(
            id,
            1,
            name,
            jurisdiction,
            category,
            severity,
            sub_types,
            requirements,
            effective_from,
            verify_within=DEFAULT_VERIFY_WITHIN,
            progress_every=progress_every,
            correction_within=correction_within,
        )

    half_hour, hour, two_hours = timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2)
    return [
        policy(
            "national-I",
            "国家 特别重大 (I) national default",
            severity="I",
            requirements=_national_serious(phone=half_hour, written=hour),
            progress_every=hour,
        ),
        policy(
            "national-II",
            "国家 重大 (II) national default",
            severity="II",
            requirements=_national_serious(phone=half_hour, written=hour),
            progress_every=hour,
        ),
        policy(
            "national-III",
            "国家 较大 (III) national default",
            severity="III",
            requirements=(
                Requirement("leader_notice", LEADER, due_after=timedelta(0)),
                Requirement("initial_phone", SUPERIOR, due_after=hour),
                Requirement("initial_written", SUPERIOR, due_after=two_hours),
                Requirement("follow_up", SUPERIOR, fixed_local_times=(time(8, 0),)),
                Requirement("final", SUPERIOR),
            ),
            progress_every=two_hours,
        ),
        policy(
            "national-IV",
            "国家 一般 (IV) national default",
            severity="IV",
            requirements=(
                Requirement("leader_notice", LEADER, due_after=timedelta(0)),
                Requirement("initial_written", SUPERIOR, due_after=two_hours),
                Requirement("final", SUPERIOR),
            ),
        ),
        policy(
            "accident",
            "生产安全事故 production-safety accident",
            category="accident",
            requirements=_accident(CASUALTY_CHANGE_WITHIN),
            progress_every=two_hours,
        ),
        policy(
            "accident-road-fire",
            "道路交通、火灾事故 road traffic and fire accidents",
            category="accident",
            sub_types=("road_traffic", "fire"),
            requirements=_accident(ROAD_FIRE_CHANGE_WITHIN),
            progress_every=two_hours,
            correction_within=ROAD_FIRE_CHANGE_WITHIN,
        ),
        policy(
            "zj-I",
            "浙江 特别重大 (I) Zhejiang",
            jurisdiction="33",
            severity="I",
            requirements=_national_serious(phone=timedelta(minutes=15), written=timedelta(minutes=35)),
            progress_every=hour,
        ),
        policy(
            "zj-II",
            "浙江 重大 (II) Zhejiang",
            jurisdiction="33",
            severity="II",
            requirements=_national_serious(phone=timedelta(minutes=15), written=timedelta(minutes=35)),
            progress_every=hour,
        ),
    ]


def _specificity(p: Policy) -> tuple[int, bool, bool, bool]:
    return (len(p.jurisdiction), bool(p.sub_types), bool(p.category), bool(p.severity))


def _in_force(policies: Sequence[Policy], at: datetime) -> list[Policy]:
    """Per id, the highest version effective at `at`."""
    latest: dict[str, Policy] = {}
    for p in policies:
        if p.effective_from <= at and (p.id not in latest or p.version > latest[p.id].version):
            latest[p.id] = p
    return list(latest.values())


def select_policy(
    policies: Sequence[Policy], *, jurisdiction: str, category: str, sub_type: str, severity: str, at: datetime
) -> Policy | None:
    """The policy in force at `at` for an incident, or None when none applies.

    Versions: per id only the highest version with effective_from <= at is in force; if that version no
    longer matches the incident, the id does not apply (an older version is not used instead).

    Matching: the policy's jurisdiction is a prefix of the incident's ("" matches all); category "" or
    equal; severity "" or equal ("unrated" incidents match only severity-"" policies); sub_types empty or
    containing `sub_type`.

    Precedence, most specific first, compared in this order:
    1. the longer jurisdiction prefix (a province's rule beats a national one, a city's beats its province);
    2. a sub-type match over a policy for any sub-type;
    3. a category match over any category;
    4. a severity match over any severity;
    5. the smallest id (deterministic tie-break).
    So a Hangzhou (330100) accident of severity II gets zj-II ("33") over the national accident policy,
    while a Beijing (110000) one gets the accident policy over national-II (category before severity).
    """
    _require_aware("at", at)
    in_force = _in_force(policies, at)
    matching = [
        p
        for p in in_force
        if jurisdiction.startswith(p.jurisdiction)
        and p.category in ("", category)
        and p.severity in ("", severity)
        and (not p.sub_types or sub_type in p.sub_types)
    ]
    if not matching:
        return None
    best = max(_specificity(p) for p in matching)
    return min((p for p in matching if _specificity(p) == best), key=lambda p: p.id)


def verify_within(policies: Sequence[Policy], *, jurisdiction: str, at: datetime) -> timedelta:
    """The time to verify (核实时限) an incident of `jurisdiction` whose category and severity are not
    known yet: the shortest of every policy in force at `at` for the jurisdiction (versions and
    prefixes as in `select_policy`), DEFAULT_VERIFY_WITHIN when none applies.

    The shortest, not the one `select_policy` would pick: before verification the incident may still
    turn out to be 特别重大, so the strictest rule that could apply is the one to keep; and a policy for
    an unspecified category and severity (what select_policy would need) is rarely defined."""
    _require_aware("at", at)
    in_force = _in_force(policies, at)
    return min(
        (p.verify_within for p in in_force if jurisdiction.startswith(p.jurisdiction)),
        default=DEFAULT_VERIFY_WITHIN,
    )


def verified_anchor(policy: Policy, *, clock_from: datetime, verified_at: datetime) -> datetime:
    """The instant a requirement anchored to "verified" (and the recurring 续报) counts from: the
    verification, but never later than it was due (clock_from + the policy's verify_within), so
    verifying late cannot push a deadline later — the clock runs from the first call's answer."""
    _require_aware("clock_from", clock_from)
    _require_aware("verified_at", verified_at)
    return min(verified_at, clock_from + policy.verify_within)


def scene_alert_due(since: datetime, every: timedelta, *, alerts: int) -> datetime | None:
    """When the next alert for silence from the scene (现场联系中断) is due: the scene last reported at
    `since`; `alerts` were sent since then (0: none yet). The first goes to the responsible person one
    interval after `since`, the second to the duty leader one interval later; after that None (the
    leader's escalation carries on up the chain), as also when progress is not required (every 0)."""
    _require_aware("since", since)
    if every <= timedelta(0) or alerts >= 2:
        return None
    return since + every * (alerts + 1)


# -- deadlines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A report due by a time. `number` numbers follow-ups (续报一 = 1, 续报二 = 2, …) and is 0 for other
    kinds; `due_at` None means required before closing without a deadline (终报). `met_at` is when the
    report that met it was submitted; `missed` says the due time passed while it was unreported (迟报) and
    stays True when a late report meets it afterwards."""

    kind: str
    number: int
    recipient: str
    due_at: datetime | None
    met_at: datetime | None = None
    missed: bool = False

    @property
    def key(self) -> str:
        """Stable identity within an incident: kind and number, e.g. "initial_phone:0", "follow_up:3"."""
        return f"{self.kind}:{self.number}"

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def pending(self) -> bool:
        """Unmet and not yet passed (not marked missed)."""
        return self.met_at is None and not self.missed


def _order(d: Deadline) -> tuple[datetime, int, int]:
    # Kinds at the same due time in process order (leader notice first), not alphabetically.
    return (d.due_at or _FOREVER, _KIND_RANK[d.kind], d.number)


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the clock of `tz` shows `at` on `day`, or later (module docstring)."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    instant = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(instant, tz) == naive:
        return instant  # exists; fold=0 is the first occurrence of an ambiguous time
    # In a spring-forward gap: fold=1 lies before the jump, fold=0 after it. Bisect to the jump; the span is
    # at most the size of the gap, so this takes ~32 steps.
    low, high = naive.replace(tzinfo=tz, fold=1).astimezone(UTC), instant
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if _wall(middle, tz) >= naive:
            high = middle
        else:
            low = middle
    return high


def _slots(times: Sequence[time], tz: ZoneInfo, since: datetime) -> Iterator[datetime]:
    """Instants of the local times of day, strictly increasing, starting a day before `since`'s local date
    (callers filter); infinite. Times that land on the same instant (one gap) are yielded once."""
    ordered = sorted(set(times))
    if not ordered:
        return  # no fixed times, no slots (and no endless loop)
    day = since.astimezone(tz).date() - DAY
    last: datetime | None = None
    while True:
        for t in ordered:
            instant = _local_instant(day, t, tz)
            if last is None or instant > last:
                last = instant
                yield instant
        day += DAY


def _take_slots(
    times: Sequence[time], tz: ZoneInfo, *, after: datetime, until: datetime, at_least_one: bool
) -> list[datetime]:
    """Slots strictly after `after` up to `until` inclusive; the first one even beyond `until` if asked."""
    taken: list[datetime] = []
    for slot in _slots(times, tz, after):
        if slot <= after:
            continue
        if slot > until and (taken or not at_least_one):
            break
        taken.append(slot)
    return taken


def plan_deadlines(
    policy: Policy,
    *,
    registered_at: datetime,
    verified_at: datetime,
    tz: ZoneInfo,
    now: datetime,
    horizon: timedelta = timedelta(days=2),
) -> list[Deadline]:
    """The deadlines `policy` sets for an incident, sorted by (due_at, kind in REPORT_KINDS order, number)
    with undated ones (the final report) last.

    - a requirement with due_after: due at its anchor (registered_at or verified_at) + due_after;
    - a requirement with neither due_after nor fixed times: due_at None (required before closing);
    - the recurring follow-up: one deadline per fixed local time strictly after verified_at, up to
      now + horizon inclusive, and at least the first one even if it lies beyond the horizon
      (`extend_follow_ups` adds later ones);
    - follow-ups (recurring or one-off) are numbered 1, 2, … in due order.
    Nothing is due before registered_at: if verified_at were earlier, verified-anchored times are moved
    up to registered_at and fixed times before it are skipped.
    """
    for name, value in (("registered_at", registered_at), ("verified_at", verified_at), ("now", now)):
        _require_aware(name, value)
    if horizon < timedelta(0):
        raise ValueError("horizon must not be negative")
    deadlines: list[Deadline] = []
    follow_ups: list[tuple[datetime | None, str]] = []
    for r in policy.requirements:
        if r.recurring:
            # A fixed time at or before registration never appears.
            after = verified_at if verified_at >= registered_at else registered_at - timedelta(microseconds=1)
            slots = _take_slots(r.fixed_local_times, tz, after=after, until=now + horizon, at_least_one=True)
            follow_ups.extend((slot, r.recipient) for slot in slots)
            continue
        due: datetime | None = None
        if r.due_after is not None:
            anchor = registered_at if r.anchor == "registered" else verified_at
            due = max(anchor + r.due_after, registered_at)
        if r.kind == "follow_up":
            follow_ups.append((due, r.recipient))
        else:
            deadlines.append(Deadline(r.kind, 0, r.recipient, due))
    follow_ups.sort(key=lambda f: f[0] or _FOREVER)
    deadlines.extend(
        Deadline("follow_up", number, recipient, due) for number, (due, recipient) in enumerate(follow_ups, start=1)
    )
    return sorted(deadlines, key=_order)


def replan(
    existing: Sequence[Deadline], new_plan: Sequence[Deadline], *, now: datetime | None = None
) -> list[Deadline]:
    """The deadlines after a reclassification: `existing` merged with `new_plan` (from `plan_deadlines`
    under the policy now in force). Sorted like `plan_deadlines`.

    - history stays: every existing deadline that is met or missed is kept unchanged;
    - a report once required stays required: every existing unmet deadline is kept, also when the new
      policy does not require it (a downgrade cannot waive a report already owed);
    - due times only move forward: where the new plan has the same report, the earlier of the two due
      times wins (an upgrade may bring a report forward, nothing is pushed back); the recipient becomes
      the new plan's (the policy in force decides whom to report to);
    - reports the new plan adds are added.
    Reports other than follow-ups are matched by key (kind). Follow-ups are matched by position: the
    existing pending follow-ups (oldest first) pair with the new plan's follow-ups due after the last
    one already met or missed (and, if `now` is given, after `now`: an upgrade does not retroactively
    require 续报 whose time has passed). Paired ones keep their number and take the earlier due time; the
    rest of the new ones are numbered on from the highest existing number. Both sequences are increasing,
    so the merged follow-ups stay in due order and their numbers stay without holes.
    Once the final report is met no new follow-ups are added (终报 ends the 续报).
    """
    if now is not None:
        _require_aware("now", now)
    by_key: dict[str, Deadline] = {d.key: d for d in existing if d.kind != "follow_up"}
    for d in new_plan:
        if d.kind == "follow_up":
            continue
        old = by_key.get(d.key)
        if old is None:
            by_key[d.key] = replace(d, met_at=None, missed=False)
        elif old.pending:
            by_key[d.key] = replace(old, recipient=d.recipient, due_at=_earlier(old.due_at, d.due_at))
    result = list(by_key.values())

    old_follow_ups = [d for d in existing if d.kind == "follow_up"]
    history = [d for d in old_follow_ups if not d.pending]
    pending = sorted((d for d in old_follow_ups if d.pending), key=_order)
    result.extend(history)
    final_met = any(d.kind == "final" and d.met for d in existing)
    cutoffs = [d.due_at for d in history if d.due_at is not None] + ([now] if now is not None else [])
    cutoff = max(cutoffs) if cutoffs else None
    fresh = sorted(
        (
            d
            for d in new_plan
            if d.kind == "follow_up" and not final_met and (cutoff is None or d.due_at is None or d.due_at > cutoff)
        ),
        key=_order,
    )
    number = max((d.number for d in old_follow_ups), default=0)
    for i in range(max(len(pending), len(fresh))):
        if i < len(pending) and i < len(fresh):
            result.append(
                replace(pending[i], recipient=fresh[i].recipient, due_at=_earlier(pending[i].due_at, fresh[i].due_at))
            )
        elif i < len(pending):
            result.append(pending[i])
        else:
            number += 1
            result.append(Deadline("follow_up", number, fresh[i].recipient, fresh[i].due_at))
    return sorted(result, key=_order)


def extend_follow_ups(
    deadlines: Sequence[Deadline],
    policy: Policy,
    *,
    tz: ZoneInfo,
    verified_at: datetime,
    now: datetime,
    horizon: timedelta = timedelta(days=2),
) -> list[Deadline]:
    """`deadlines` plus the next recurring follow-ups of `policy`, numbered on from the highest existing
    follow-up: every fixed local time after the last planned follow-up (and after verified_at) up to
    now + horizon, and in any case enough that one follow-up is pending with its due time after `now`.

    Slots at or before `now` are not added: a follow-up is owed from when it is planned, so a workflow
    that did not run for longer than the horizon does not charge the officer with 续报 nobody was asked
    for. Nothing is added when the policy has no fixed times, or once the final report is met (终报 ends
    the 续报). Sorted like `plan_deadlines`."""
    _require_aware("verified_at", verified_at)
    _require_aware("now", now)
    if horizon < timedelta(0):
        raise ValueError("horizon must not be negative")
    result = sorted(deadlines, key=_order)
    recurring = policy.recurring_follow_up()
    if recurring is None or any(d.kind == "final" and d.met for d in deadlines):
        return result
    follow_ups = [d for d in deadlines if d.kind == "follow_up"]
    after = max([verified_at, now] + [d.due_at for d in follow_ups if d.due_at is not None])
    has_pending = any(d.pending and d.due_at is not None and d.due_at > now for d in follow_ups)
    slots = _take_slots(recurring.fixed_local_times, tz, after=after, until=now + horizon, at_least_one=not has_pending)
    number = max((d.number for d in follow_ups), default=0)
    result.extend(Deadline("follow_up", number + i, recurring.recipient, s) for i, s in enumerate(slots, start=1))
    return sorted(result, key=_order)


def mark_report(
    deadlines: Sequence[Deadline], *, kind: str, at: datetime
) -> tuple[list[Deadline], Deadline | None, float]:
    """A report of `kind` submitted at `at`: it meets the earliest unmet deadline of that kind (by due
    time, undated last; for follow-ups the earliest unmet follow-up), also one already missed (迟报: it
    stays marked missed). Returns (updated deadlines in the given order, the deadline as met or None when
    no unmet one of that kind exists, lateness in seconds = max(0, at - due_at), 0 without a due time).
    A kind without an unmet deadline meets nothing, an unknown kind included: this runs inside workflow
    code, where raising would fail the workflow task; the server validates kinds.

    A final report (终报) also ends the 续报: pending follow-ups due after `at` are dropped, so none of
    them fires after the incident has been reported on in full."""
    _require_aware("at", at)
    candidates = [d for d in deadlines if d.kind == kind and d.met_at is None]
    target = min(candidates, key=_order) if candidates else None
    met = replace(target, met_at=at) if target is not None else None
    lateness = max(0.0, (at - target.due_at).total_seconds()) if target and target.due_at is not None else 0.0
    updated: list[Deadline] = []
    for d in deadlines:
        if d is target and met is not None:
            updated.append(met)
        elif kind == "final" and d.kind == "follow_up" and d.pending and d.due_at is not None and d.due_at > at:
            continue
        else:
            updated.append(d)
    return updated, met, lateness


def due_now(deadlines: Sequence[Deadline], now: datetime) -> list[Deadline]:
    """Deadlines that have passed unreported and are not yet marked missed (due_at <= now), by due time."""
    _require_aware("now", now)
    return sorted((d for d in deadlines if d.pending and d.due_at is not None and d.due_at <= now), key=_order)


def mark_missed(deadlines: Sequence[Deadline], keys: Collection[str]) -> list[Deadline]:
    """`deadlines` (same order) with the unmet ones among `keys` marked missed; unknown keys are ignored."""
    wanted = set(keys)
    return [replace(d, missed=True) if d.key in wanted and d.met_at is None else d for d in deadlines]


def next_due(deadlines: Sequence[Deadline]) -> datetime | None:
    """The earliest due time among pending deadlines (unmet, not missed), or None: when to wake next."""
    return min((d.due_at for d in deadlines if d.pending and d.due_at is not None), default=None)


def unmet_required(deadlines: Sequence[Deadline]) -> list[Deadline]:
    """Every unmet deadline, missed ones and the undated final report included, sorted: what blocks
    closing (and becomes 漏报 if the incident is closed anyway)."""
    return sorted((d for d in deadlines if d.met_at is None), key=_order)


# -- the emergency process -------------------------------------------------------------------------

STAGE_NAMES = {
    "register": "登记",
    "verify": "核实",
    "escalate": "上报",
    "track": "跟踪",
    "feedback": "反馈",
    "closed": "已结案",
}

_OPEN_AFTER_VERIFICATION = {
    "report": None,  # None: stays in the stage (filled in below)
    "progress": None,
    "correct": None,
    "reclassify": None,
    "escalate": "escalate",
    "feedback": "feedback",
    "merge_into": "closed",
    "close": "closed",
}


def _after_verification(stage: str, first_report_to: str | None = None) -> dict[str, str]:
    table = {action: target or stage for action, target in _OPEN_AFTER_VERIFICATION.items()}
    if first_report_to is not None:
        table["report"] = first_report_to
    return table


# stage -> action -> next stage. Before verification the incident may be verified, found unfounded,
# merged as a duplicate, reported on and noted, but not reclassified, closed or given feedback.
_TRANSITIONS: Mapping[str, Mapping[str, str]] = {
    "register": {
        "verify": "escalate",  # verification need not wait for the leader notice; that stays due
        "unfounded": "closed",
        "report": "verify",  # the leader notice ends registration
        "progress": "register",
        "correct": "register",  # a report may be corrected wherever one may be made
        "merge_into": "closed",
    },
    "verify": {
        "verify": "escalate",
        "unfounded": "closed",
        "report": "verify",
        "progress": "verify",
        "correct": "verify",
        "merge_into": "closed",
    },
    "escalate": _after_verification("escalate", first_report_to="track"),
    "track": _after_verification("track"),
    "feedback": _after_verification("feedback"),
    "closed": {},
}

_ACTION_PHRASES = {
    "verify": "verify",
    "unfounded": "mark as unfounded",
    "reclassify": "reclassify",
    "report": "report on",
    "progress": "record progress on",
    "correct": "correct a report of",
    "feedback": "record feedback on",
    "close": "close",
    "merge_into": "merge",
    "escalate": "escalate",
}


def allowed(stage: str, action: str) -> bool:
    """Whether `action` may be taken in `stage` (unknown stages and actions are not allowed)."""
    return action in _TRANSITIONS.get(stage, {})


def after(stage: str, action: str) -> str:
    """The stage after `action` in `stage`:
    register --report (leader notice)--> verify --verify--> escalate --first report--> track
    --feedback--> feedback --close--> closed; unfounded (register/verify) and merge_into go to closed;
    progress, reclassify and further reports stay; escalate (after verification) goes back to escalate.
    Raises ValueError with `illegal_transition_message` for a disallowed action."""
    if not allowed(stage, action):
        raise ValueError(illegal_transition_message(stage, action))
    return _TRANSITIONS[stage][action]


def illegal_transition_message(stage: str, action: str) -> str:
    """Why `action` is refused in `stage`, naming the stage, e.g.
    "cannot reclassify an incident in stage verify (核实); verify it first"."""
    if stage not in _TRANSITIONS:
        return f"unknown stage {stage!r}"
    if action not in _ACTION_PHRASES:
        return f"unknown action {action!r}; one of {', '.join(ACTIONS)}"
    head = f"cannot {_ACTION_PHRASES[action]} an incident in stage {stage} ({STAGE_NAMES[stage]})"
    if stage == "closed":
        hint = "it is closed"
    elif stage in ("register", "verify"):
        hint = "verify it first, or mark it unfounded" if action == "close" else "verify it first"
    elif action == "unfounded":
        hint = "it is already verified; close it instead"
    elif action == "verify":
        hint = "it is already verified"
    else:
        hint = "not allowed in this stage"
    return f"{head}; {hint}"


# -- report content ------------------------------------------------------------------------------

_ACCIDENT_ITEMS = (
    ("unit", "事故发生单位概况 the unit is required"),
    ("time_place_scene", "发生的时间、地点以及现场情况 time, place and scene are required"),
    ("what_happened", "简要经过 what happened is required"),
    ("measures", "已经采取的措施 the measures taken are required"),
)


def accident_report_problems(content: Mapping[str, str], casualties: Casualties | None) -> list[tuple[str, str]]:
    """(field, description) for each problem of a production-safety accident report (事故报告): `content`
    holds the items by name (unit, time_place_scene, what_happened, measures, other); unit, time/place/
    scene, what happened and measures must not be blank, the casualties (with missing, 含下落不明) and
    estimated loss must be given and not negative; "other" (其他应当报告的情况) is optional. Fields are
    named as in the request, e.g. "accident.unit", "accident.casualties.deaths". Empty when complete."""
    problems = [(f"accident.{name}", text) for name, text in _ACCIDENT_ITEMS if not content.get(name, "").strip()]
    if casualties is None:
        problems.append(
            ("accident.casualties", "伤亡人数（含下落不明）和直接经济损失 casualties and loss are required")
        )
    else:
        for name in ("deaths", "serious_injuries", "injuries", "missing", "loss_yuan"):
            if getattr(casualties, name) < 0:
                problems.append((f"accident.casualties.{name}", "must not be negative"))
    return problems


# -- report corrections (更正, 错报) ---------------------------------------------------------------

# The material figures of a report (重要数据), in the order they are shown.
MATERIAL_FIGURES = ("deaths", "serious_injuries", "injuries", "missing", "loss_yuan", "severity", "cause")
FIGURE_NAMES = {
    "deaths": "死亡 deaths",
    "serious_injuries": "重伤 serious injuries",
    "injuries": "轻伤 injuries",
    "missing": "下落不明 missing",
    "loss_yuan": "直接经济损失(元) loss (yuan)",
    "severity": "等级 severity",
    "cause": "原因 cause",
}
# A severity or cause not stated yet: stating it later adds to the report, it corrects nothing.
_NOT_STATED = ("", "unrated")


@dataclass(frozen=True)
class ReportFigures:
    """The material figures one version of a report states: casualties and loss, severity ("unrated",
    "I".."IV", or "" when it states none) and cause (事故原因, "" when not stated)."""

    casualties: Casualties = Casualties()
    severity: str = ""
    cause: str = ""

    def value(self, figure: str) -> str:
        if figure in ("severity", "cause"):
            return str(getattr(self, figure))
        return str(getattr(self.casualties, figure))


@dataclass(frozen=True)
class FigureChange:
    """One material figure that differs between two versions, as text. `material`: it corrects what
    was stated (every casualty figure and the loss, always stated; a severity or cause only once one
    was stated)."""

    figure: str
    before: str
    after: str
    material: bool


def figure_changes(before: ReportFigures, after: ReportFigures) -> list[FigureChange]:
    """The material figures that differ from `before` to `after`, in MATERIAL_FIGURES order (empty:
    the correction changes only the wording). A cause compares without surrounding whitespace."""
    changes = []
    for figure in MATERIAL_FIGURES:
        old, new = before.value(figure), after.value(figure)
        if figure == "cause":
            old, new = old.strip(), new.strip()
        if old != new:
            stated = figure not in ("severity", "cause") or old not in _NOT_STATED
            changes.append(FigureChange(figure, old, new, material=stated))
    return changes


def correction_allowed_until(policy: Policy | None, *, clock_from: datetime) -> datetime | None:
    """Until when a report's material figures may be corrected: `clock_from` (the reporting clock's
    start, as for the deadlines) plus the policy's correction window; None when there is no limit (no
    policy in force yet, or one without a window)."""
    _require_aware("clock_from", clock_from)
    if policy is None or policy.correction_within is None:
        return None
    return clock_from + policy.correction_within


def wrong_report(changes: Sequence[FigureChange], *, allowed_until: datetime | None, at: datetime) -> bool:
    """Whether a correction made at `at` is 错报: it changes a material figure after `allowed_until`.
    A correction of the wording only, or one within the window, is not."""
    _require_aware("at", at)
    return allowed_until is not None and at > allowed_until and any(c.material for c in changes)


def describe_changes(changes: Sequence[FigureChange]) -> str:
    """The changes as one line for the timeline, e.g. "死亡 deaths 1→3; 原因 cause —→燃气管道老化"."""
    return "; ".join(f"{FIGURE_NAMES[c.figure]} {c.before or '—'}→{c.after or '—'}" for c in changes)
