"""GetStatistics on the real stack: a generated month of a region of 20 sites (made through roster's
RPCs) — calls, line calls, callbacks, incidents, reports, violations, hotline cases, rosters published
twice (with coverage gaps), check-ins and absences, handovers, with drills — published to JetStream as
the services publish them, and projected by the insight server's own projections. Each figure group
is checked against a count made here from the generated records alone; the same events delivered
again change nothing; the region is the sum of its sites; `dutyline insight rebuild` (as insight's own
role) gives the same tables and figures back; another site's figures are refused; bad periods are
field errors."""

from __future__ import annotations

import asyncio
import bisect
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.envelope import timestamp
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.intake.v1 import case_pb2, telephony_pb2
from dutyline.natsconn import connect_url
from dutyline.projection import pending_of
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.insight.projections import PROJECTIONS
from services.insight.rpc_statistics import ANSWER_TIME_BOUNDS
from tests.dutyline.projection_servers import publish
from tests.services.insight import events as ev
from tests.support import token_for, until

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])
ZONE = ZoneInfo("Asia/Shanghai")
SITE_COUNT = 20
OFFICERS = ("p-a", "p-b", "p-c")
OFFICER, LEADER = common_pb2.ROLE_OFFICER, common_pb2.ROLE_LEADER
CATEGORIES = ("consultation", "complaint", "emergency", "notice")
CHANNELS = ("phone", "sms", "walk_in")
INCIDENT_CATEGORIES = {
    incident_pb2.INCIDENT_CATEGORY_ACCIDENT: "accident",
    incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER: "natural_disaster",
    incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH: "public_health",
}
SEVERITIES = (common_pb2.SEVERITY_I, common_pb2.SEVERITY_II, common_pb2.SEVERITY_III)
CASE_FIGURES = (
    "opened",
    "answered",
    "answered_on_time",
    "overdue",
    "feedback_given",
    "return_visits",
    "satisfied",
    "dissatisfied",
)
CHECK_IN_FIGURES = ("shifts", "on_time", "late", "absent", "early_leave")
HANDOVER_FIGURES = ("handovers", "accepted_on_time", "accepted_late", "not_submitted")
VISITS = {
    "satisfied": case_pb2.RETURN_VISIT_RESULT_SATISFIED,
    "dissatisfied": case_pb2.RETURN_VISIT_RESULT_DISSATISFIED,
    "unreachable": case_pb2.RETURN_VISIT_RESULT_UNREACHABLE,
}


@dataclass
class Month:
    """A month of a region's sites, and every figure counted from the generated records (site-keyed)."""

    start: datetime
    end: datetime
    tag: str = ""
    region: str = ""
    sites: tuple[str, ...] = ()
    events: list[event_pb2.Event] = field(default_factory=list)
    by_category: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_channel: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_hour: Counter[tuple[str, int]] = field(default_factory=Counter)
    by_day: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    answers: dict[tuple[str, str, str], list[tuple[float, bool]]] = field(default_factory=lambda: defaultdict(list))
    missed: Counter[tuple[str, str]] = field(default_factory=Counter)
    incidents: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    reports: Counter[tuple[str, str]] = field(default_factory=Counter)
    violations: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    cases: Counter[tuple[str, str]] = field(default_factory=Counter)
    check_ins: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    handovers: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps: list[tuple[str, str, datetime, datetime, int]] = field(default_factory=list)


def line_call(
    site: str, line_call_id: str, *, line: str, state: str, at: datetime, version: int, delay: float = 0.0
) -> event_pb2.Event:
    ring = at - timedelta(seconds=60)
    call = telephony_pb2.LineCall(
        id=line_call_id,
        site_id=site,
        line_id=line,
        switch_id="sw-1",
        state=state,
        ring_started_at=timestamp(ring),
        answered_at=timestamp(ring + timedelta(seconds=delay)) if delay else None,
        ended_at=timestamp(at) if state != "ringing" else None,
        answer_delay_seconds=delay,
        answered_late=delay > 15,
        officer_id="p-a",
        shift_name="day",
    )
    kind = "ringing" if state == "ringing" else state
    payload = event_pb2.LineCallChanged(call=call, detail=kind)
    return ev.event(f"line_call.{kind}", payload, aggregate_id=line_call_id, version=version, at=at, site=site)


def incident_changed(
    event_type: str,
    current: incident_pb2.Incident,
    *,
    version: int,
    at: datetime,
    report: incident_pb2.Report | None = None,
    violation: incident_pb2.Violation | None = None,
) -> event_pb2.Event:
    payload = event_pb2.IncidentChanged(
        incident=current,
        detail=event_type,
        report=report,
        violation=violation,
        violations=[violation] if violation else [],
    )
    return ev.event(
        event_type, payload, aggregate_id=current.id, version=version, at=at, site=current.site_id, drill=current.drill
    )


def a_month(seed: int, tag: str, sites: tuple[str, ...]) -> Month:
    """Random records of a past month (no other test's events fall in it) at ``sites`` (ids starting
    with st-<tag>-), counted as they are made."""
    rng = random.Random(seed)
    year, month_no = rng.randrange(2001, 2020), rng.randrange(1, 13)
    start = datetime(year, month_no, 1, tzinfo=ZONE)
    end = datetime(year + month_no // 12, month_no % 12 + 1, 1, tzinfo=ZONE)
    month = Month(start=start, end=end, tag=tag, region=f"st-{tag}", sites=sites)
    add = month.events.append

    def moment() -> datetime:
        # Days 2-27, away from the month's edges, so that every record falls in the month.
        return start + timedelta(days=rng.randrange(1, 27), seconds=rng.randrange(86_400))

    republications: list[Callable[[], event_pb2.Event]] = []
    for site in sites:
        for n in range(24):
            at, call_id = moment(), f"{site}-call-{n}"
            drill = n % 12 == 11
            delay = rng.randrange(2, 80) / 2  # halves: exact in PostgreSQL's real, some on the bounds
            officer, category, channel_ = rng.choice(OFFICERS), rng.choice(CATEGORIES), rng.choice(CHANNELS)
            late = delay > 15
            add(
                ev.call_registered(
                    call_id,
                    at,
                    delay=delay,
                    late=late,
                    officer=officer,
                    category=category,
                    channel=channel_,
                    site=site,
                    drill=drill,
                )
            )
            if drill:
                continue
            month.by_category[(site, category)] += 1
            month.by_channel[(site, channel_)] += 1
            month.by_hour[(site, at.astimezone(ZONE).hour)] += 1
            month.by_day[(site, at.astimezone(ZONE).strftime("%Y-%m-%d"), category)] += 1
            month.answers[(site, "", "")].append((delay, late))
            month.answers[(site, "", officer)].append((delay, late))
            if late:
                month.violations[(site, officer, "late_answer")] += 1
        for n in range(8):
            at, line_call_id = moment(), f"{site}-lc-{n}"
            state = ("ended", "ended", "not_answered", "abandoned")[n % 4]
            line = ("line-1", "line-2")[n % 2]
            delay = rng.randrange(2, 60) / 2 if state == "ended" else 0.0
            add(line_call(site, line_call_id, line=line, state="ringing", at=at - timedelta(seconds=50), version=1))
            add(line_call(site, line_call_id, line=line, state=state, at=at, version=2, delay=delay))
            if state == "ended":
                month.answers[(site, line, "-")].append((delay, delay > 15))
            else:
                month.missed[(site, state)] += 1
        for n in range(6):
            at, callback_id = moment(), f"{site}-cb-{n}"
            call = ev.call_record(f"{site}-cbcall-{n}", at=at, status="missed", site=site)
            due = at + timedelta(minutes=10)
            add(ev.callback_event("callback.promised", call, callback_id, due=due, at=at, recipient="p-b"))
            outcome = ("on_time", "late", "open")[n % 3]
            if outcome == "on_time":
                done = at + timedelta(minutes=5)
                add(
                    ev.callback_event(
                        "callback.completed", call, callback_id, due=due, at=done, completed=done, version=2
                    )
                )
            else:
                overdue_at = due + timedelta(seconds=1)
                add(
                    ev.callback_event(
                        "callback.overdue",
                        call,
                        callback_id,
                        due=due,
                        at=overdue_at,
                        overdue=True,
                        version=2,
                        recipient="p-b",
                    )
                )
                month.violations[(site, "p-b", "callback_overdue")] += 1
                if outcome == "late":
                    done = due + timedelta(minutes=30)
                    add(
                        ev.callback_event(
                            "callback.completed",
                            call,
                            callback_id,
                            due=due,
                            at=done,
                            completed=done,
                            version=3,
                            recipient="p-b",
                        )
                    )
            # The month is past: an open callback is late too.
            month.missed[(site, "callbacks_due")] += 1
            month.missed[(site, "callbacks_on_time" if outcome == "on_time" else "callbacks_late")] += 1
        for n in range(5):
            at, incident_id = moment(), f"{site}-inc-{n}"
            drill = n == 4
            category = rng.choice(list(INCIDENT_CATEGORIES))
            severity = rng.choice(SEVERITIES)
            late = rng.choice([0.0, 0.0, 300.0])
            report = incident_pb2.Report(
                id=f"{incident_id}-rep-1",
                incident_id=incident_id,
                kind=incident_pb2.REPORT_KIND_INITIAL_PHONE,
                number=1,
                author_id="p-c",
                submitted_at=timestamp(at + timedelta(minutes=20)),
                late_seconds=late,
            )
            current = ev.incident(incident_id, registered=at, severity=severity, reports=(report,), drill=drill)
            current.site_id, current.category = site, category
            add(_registered(current, at))
            add(incident_changed("incident.report_submitted", current, version=2, at=at, report=report))
            if drill:
                continue
            month.incidents[(site, INCIDENT_CATEGORIES[category], severity)] += 1
            month.reports[(site, "late" if late else "on_time")] += 1
            if n % 4 == 1:
                written = incident_pb2.Violation(
                    id=f"{incident_id}-vio",
                    incident_id=incident_id,
                    site_id=site,
                    person_id="p-c",
                    kind="missed",
                    report_kind=incident_pb2.REPORT_KIND_INITIAL_WRITTEN,
                    number=1,
                    recorded_at=timestamp(at + timedelta(hours=2)),
                )
                closed = incident_pb2.Incident()
                closed.CopyFrom(current)
                closed.stage = incident_pb2.STAGE_CLOSED
                add(
                    incident_changed(
                        "incident.closed", closed, version=3, at=at + timedelta(hours=2), violation=written
                    )
                )
                month.reports[(site, "missed")] += 1
                month.violations[(site, "p-c", "missed_report")] += 1
        for n in range(8):
            add_case(month, rng, f"{site}-case-{n}", site, moment(), drill=n == 7)
        for n in range(5):
            add_handover(month, rng, f"{site}-ho-{n}", site, moment(), drill=n == 4)
        republications.append(add_roster(month, rng, site))
    # The republications made after every first publication: later event ids (ids grow with the time).
    time.sleep(0.005)
    month.events.extend(republish() for republish in republications)
    return month


def add_case(month: Month, rng: random.Random, case_id: str, site: str, opened: datetime, *, drill: bool) -> None:
    """A case opened, maybe overdue, answered (in time or late), told to the caller and visited; a
    dissatisfied caller's case is answered and told again, in time, before the next visit."""
    due = opened + timedelta(days=1)
    case = case_pb2.Case(
        id=case_id,
        site_id=site,
        category=case_pb2.CASE_CATEGORY_COMPLAINT,
        owner_id="p-a",
        opened_at=timestamp(opened),
        due_at=timestamp(due),
        drill=drill,
        version=0,
    )

    def changed(kind: str, at: datetime) -> None:
        case.version += 1
        month.events.append(ev.case_event(kind, case, at=at))

    answered = rng.random() < 0.8
    late = answered and rng.random() < 0.3
    overdue = (late or not answered) and rng.random() < 0.7
    told = answered and rng.random() < 0.8
    visits = rng.choice([(), ("satisfied",), ("dissatisfied",), ("unreachable",), ("dissatisfied", "satisfied")])
    answered_at = due + timedelta(hours=1) if late else due - timedelta(hours=2)
    changed("case.opened", opened)
    if overdue:
        case.overdue = True
        changed("case.overdue", due + timedelta(minutes=1))
    if answered:
        changed("case.answered", answered_at)
    if told:
        changed("case.feedback_given", answered_at + timedelta(minutes=30))
        at = answered_at + timedelta(hours=2)
        for result in visits:
            case.return_visit = VISITS[result]
            changed("case.return_visited", at)
            if result == "dissatisfied":
                case.due_at.CopyFrom(timestamp(at + timedelta(days=1)))
                changed("case.answered", at + timedelta(hours=1))
                changed("case.feedback_given", at + timedelta(hours=2))
            at += timedelta(hours=3)
    if drill:
        return
    month.cases[(site, "opened")] += 1
    month.cases[(site, "answered")] += answered
    month.cases[(site, "answered_on_time")] += answered and not late
    month.cases[(site, "overdue")] += overdue
    month.cases[(site, "feedback_given")] += told
    if told:
        month.cases[(site, "return_visits")] += len(visits)
        month.cases[(site, "satisfied")] += visits.count("satisfied")
        month.cases[(site, "dissatisfied")] += visits.count("dissatisfied")
    if overdue:
        month.violations[(site, "p-a", "case_overdue")] += 1


def add_handover(
    month: Month, rng: random.Random, handover_id: str, site: str, submitted: datetime, *, drill: bool
) -> None:
    """A handover submitted, then accepted in time, accepted after being marked overdue, left open, or
    left open and overdue."""
    outcome = rng.choice(["on_time", "late", "open", "open_overdue"])
    overdue_at, accepted_at = submitted + timedelta(minutes=31), submitted + timedelta(minutes=10)
    add = month.events.append
    add(ev.handover("handover.submitted", handover_id, site=site, submitted=submitted, at=submitted, drill=drill))
    if outcome in ("late", "open_overdue"):
        add(
            ev.handover(
                "handover.overdue",
                handover_id,
                site=site,
                submitted=submitted,
                at=overdue_at,
                overdue=True,
                drill=drill,
            )
        )
    if outcome == "on_time":
        add(
            ev.handover(
                "handover.accepted",
                handover_id,
                site=site,
                submitted=submitted,
                at=accepted_at,
                accepted=accepted_at,
                drill=drill,
            )
        )
    if outcome == "late":
        accepted_at = overdue_at + timedelta(minutes=5)
        add(
            ev.handover(
                "handover.accepted",
                handover_id,
                site=site,
                submitted=submitted,
                at=accepted_at,
                accepted=accepted_at,
                overdue=True,
                drill=drill,
            )
        )
    if drill:
        return
    month.handovers[(site, "handovers")] += 1
    month.handovers[(site, "accepted_on_time")] += outcome == "on_time"
    month.handovers[(site, "accepted_late")] += outcome == "late"
    if outcome in ("late", "open_overdue"):
        month.violations[(site, "p-in", "handover_overdue")] += 1


def _shift(site: str, assignment_id: str, person: str, start: datetime, role: int = OFFICER) -> roster_pb2.Assignment:
    return roster_pb2.Assignment(
        id=assignment_id,
        site_id=site,
        person_id=person,
        role=role,
        shift_name="day" if start.hour == 8 else "night",
        start=timestamp(start),
        end=timestamp(start + timedelta(hours=12)),
        local_date=start.date().isoformat(),
    )


def _published(
    site: str,
    publication_id: str,
    start: datetime,
    end: datetime,
    shifts: list[roster_pb2.Assignment],
    gaps: list[roster_pb2.CoverageGap],
) -> event_pb2.Event:
    payload = event_pb2.RosterPublished(
        publication_id=publication_id,
        site_id=site,
        period=common_pb2.TimeRange(start=timestamp(start), end=timestamp(end)),
        assignments=len(shifts),
        gaps=gaps,
        override_reason="人手不足 short of staff",
        roster=shifts,
    )
    return ev.event(
        "roster.published", payload, aggregate_id=publication_id, version=1, at=start - timedelta(days=7), site=site
    )


def _gap(site: str, start: datetime, hours: int, role: int, required: int, present: int) -> roster_pb2.CoverageGap:
    period = common_pb2.TimeRange(start=timestamp(start), end=timestamp(start + timedelta(hours=hours)))
    return roster_pb2.CoverageGap(site_id=site, period=period, role=role, required=required, present=present)


def add_roster(month: Month, rng: random.Random, site: str) -> Callable[[], event_pb2.Event]:
    """Three days of day and night shifts published with a gap, and each shift's check-in, late check-in,
    absence (one coming late after it), or nothing; returns the republication that replaces the first:
    one shift fewer and other gaps (added to the month's events last)."""
    first = month.start + timedelta(days=rng.randrange(2, 22))
    period_end = first + timedelta(days=4)
    starts = [first + timedelta(hours=8 + 12 * k) for k in range(6)]
    shifts = [_shift(site, f"{site}-asg-{k}", OFFICERS[k % 3], at) for k, at in enumerate(starts)]
    dropped = _shift(site, f"{site}-asg-x", "p-x", first + timedelta(days=3, hours=8))
    month.events.append(
        _published(
            site, f"{site}-pub-1", first, period_end, [*shifts, dropped], [_gap(site, starts[0], 12, LEADER, 1, 0)]
        )
    )
    gaps = [_gap(site, starts[2], 24, LEADER, 1, 0), _gap(site, starts[3], 12, OFFICER, 2, 1)]
    for g in gaps:
        month.gaps.append(
            (
                site,
                "leader" if g.role == LEADER else "officer",
                g.period.start.ToDatetime(tzinfo=UTC),
                g.period.end.ToDatetime(tzinfo=UTC),
                g.required - g.present,
            )
        )
    for shift, at in zip(shifts, starts, strict=True):
        person = shift.person_id
        month.check_ins[(site, person, "shifts")] += 1
        outcome = rng.choice(["on_time", "late", "absent", "absent_then_late", "none"])
        if outcome == "on_time":
            month.events.append(ev.check_in(shift.id, person, at - timedelta(minutes=20), shift_start=at, site=site))
        if outcome.startswith("absent"):
            month.events.append(ev.absence(shift.id, person, at, site=site))
            month.violations[(site, person, "absence")] += 1
        if outcome in ("late", "absent_then_late"):
            came = at + timedelta(minutes=5 if outcome == "late" else 45)
            month.events.append(ev.check_in(shift.id, person, came, late_seconds=1200.0, shift_start=at, site=site))
            month.violations[(site, person, "late_check_in")] += 1
        if outcome != "none":
            month.check_ins[(site, person, "absent" if outcome.startswith("absent") else outcome)] += 1
    # A drill's absence counts nowhere.
    month.events.append(ev.absence(f"{site}-asg-drill", "p-a", starts[0], site=site, drill=True))
    return lambda: _published(site, f"{site}-pub-2", first, period_end, shifts, gaps)


def _registered(current: incident_pb2.Incident, at: datetime) -> event_pb2.Event:
    payload = event_pb2.IncidentRegistered(
        incident_id=current.id,
        title=current.title,
        severity=common_pb2.SEVERITY_UNRATED,
        first_responder_id="p-c",
        registered_at=timestamp(at),
    )
    return ev.event(
        "incident.registered",
        payload,
        aggregate_id=current.id,
        version=1,
        at=at,
        site=current.site_id,
        drill=current.drill,
    )


# -- what the answer says, keyed as the counts above ----------------------------------------------------


def answer_times(rows: Any, level: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    found = {}
    for r in rows:
        key = (r.site_id, r.line_id, r.officer_id) if level != "line" else (r.site_id, r.line_id, "-")
        found[key] = (
            r.answered,
            r.within_limit,
            round(r.seconds_mean, 3),
            round(r.seconds_p50, 3),
            round(r.seconds_p90, 3),
            r.seconds_max,
            tuple(r.histogram),
        )
    return found


def expected_answers(month: Month, level: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    found = {}
    for (site, line, officer), times in month.answers.items():
        if (level == "site") != (line == "" and officer == "") or (level == "line") != (officer == "-"):
            continue
        seconds = sorted(s for s, _ in times)
        histogram = [0] * (len(ANSWER_TIME_BOUNDS) + 1)
        for s in seconds:
            histogram[bisect.bisect_right(ANSWER_TIME_BOUNDS, s)] += 1
        found[(site, line, officer)] = (
            len(seconds),
            sum(not late for _, late in times),
            round(statistics.fmean(seconds), 3),
            round(statistics.median(seconds), 3),
            round(statistics.quantiles(seconds, n=10, method="inclusive")[8], 3) if len(seconds) > 1 else seconds[0],
            max(seconds),
            tuple(histogram),
        )
    return found


def figures(answer: insight_pb2.Statistics) -> dict[str, Any]:
    """Every group of a monthly answer (one bucket: the month) keyed as the counts."""
    missed: Counter[tuple[str, str]] = Counter()
    for m in answer.missed_calls:
        for name in ("missed", "abandoned"):
            missed[(m.site_id, {"missed": "not_answered", "abandoned": "abandoned"}[name])] += getattr(m, name)
        for name in ("callbacks_due", "callbacks_on_time", "callbacks_late", "callbacks_open"):
            missed[(m.site_id, name)] += getattr(m, name)
    reports: Counter[tuple[str, str]] = Counter()
    for r in answer.reports:
        for name in ("on_time", "late", "missed"):
            reports[(r.site_id, name)] += getattr(r, name)
        assert r.due == r.on_time + r.late + r.missed and r.wrong == 0
    cases = Counter({(r.site_id, name): getattr(r, name) for r in answer.cases for name in CASE_FIGURES})
    check_ins = Counter(
        {(r.site_id, r.person_id, name): getattr(r, name) for r in answer.check_ins for name in CHECK_IN_FIGURES}
    )
    handovers = Counter({(r.site_id, name): getattr(r, name) for r in answer.handovers for name in HANDOVER_FIGURES})
    return {
        "buckets": {r.bucket_start.ToDatetime(tzinfo=UTC) for r in answer.calls_by_category},
        "by_category": Counter({(r.site_id, r.key): r.calls for r in answer.calls_by_category}),
        "by_channel": Counter({(r.site_id, r.key): r.calls for r in answer.calls_by_channel}),
        "by_hour": Counter({(r.site_id, r.hour): r.calls for r in answer.calls_by_hour}),
        "answers_by_site": answer_times(answer.answer_times_by_site, "site"),
        "answers_by_line": answer_times(answer.answer_times_by_line, "line"),
        "answers_by_officer": answer_times(answer.answer_times_by_officer, "officer"),
        "missed": +missed,
        "incidents": Counter({(r.site_id, r.category, r.severity): r.incidents for r in answer.incidents}),
        "reports": +reports,
        "violations": Counter({(r.site_id, r.person_id, r.kind): r.violations for r in answer.violations}),
        "cases": +cases,
        "check_ins": +check_ins,
        "handovers": +handovers,
        "gaps": sorted(
            (g.site_id, g.role, g.start.ToDatetime(tzinfo=UTC), g.end.ToDatetime(tzinfo=UTC), g.missing)
            for g in answer.coverage_gaps
        ),
    }


def expected(month: Month, sites: tuple[str, ...]) -> dict[str, Any]:
    def of(counts: Counter[Any]) -> Counter[Any]:
        return Counter({k: v for k, v in counts.items() if k[0] in sites})

    answers = {k: v for k, v in month.answers.items() if k[0] in sites}
    return {
        "buckets": {month.start.astimezone(UTC)},
        "by_category": of(month.by_category),
        "by_channel": of(month.by_channel),
        "by_hour": of(month.by_hour),
        "answers_by_site": expected_answers(Month(month.start, month.end, answers=defaultdict(list, answers)), "site"),
        "answers_by_line": expected_answers(Month(month.start, month.end, answers=defaultdict(list, answers)), "line"),
        "answers_by_officer": expected_answers(
            Month(month.start, month.end, answers=defaultdict(list, answers)), "officer"
        ),
        "missed": of(month.missed),
        "incidents": of(month.incidents),
        "reports": of(month.reports),
        "violations": of(month.violations),
        "cases": +of(month.cases),
        "check_ins": +of(month.check_ins),
        "handovers": +of(month.handovers),
        "gaps": sorted(g for g in month.gaps if g[0] in sites),
    }


def same(found: dict[str, Any], wanted: dict[str, Any], what: str) -> None:
    """Each family of figures as counted (one assertion each, so that a failure shows the one that differs)."""
    assert found.keys() == wanted.keys()
    for family, figure in wanted.items():
        assert found[family] == figure, f"{what}: {family}"


def request(
    site: str, start: datetime, end: datetime, by: int = insight_pb2.GRANULARITY_MONTH
) -> insight_pb2.GetStatisticsRequest:
    return insight_pb2.GetStatisticsRequest(
        site_id=site, period=common_pb2.TimeRange(start=ts(start), end=ts(end)), granularity=by
    )


async def a_region(platform: Any, tag: str) -> tuple[str, ...]:
    """A region st-<tag> of SITE_COUNT sites under the headquarters, made through roster's RPCs."""
    region = f"st-{tag}"
    sites = tuple(f"{region}-{n:02d}" for n in range(1, SITE_COUNT + 1))
    async with channel(platform.address("roster"), ADMIN) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        for site_id, kind, parent in [
            (region, roster_pb2.SITE_KIND_REGION, "hq"),
            *((s, roster_pb2.SITE_KIND_SITE, region) for s in sites),
        ]:
            site = roster_pb2.Site(
                id=site_id, name=f"统计 {site_id}", kind=kind, parent_id=parent, time_zone="Asia/Shanghai"
            )
            await roster.UpsertSite(roster_pb2.UpsertSiteRequest(idempotency_key=str(uuid.uuid4()), site=site))
    return sites


@pytest.fixture(scope="module")
async def month(platform: Any) -> AsyncIterator[Month]:
    seed = random.randrange(1 << 30)
    tag = f"{seed:x}"
    generated = a_month(seed, tag, await a_region(platform, tag))
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        for event in generated.events:
            await publish(nc, [event])
            if event.type == "case.return_visited":
                # Stored twice in a row (a relay's retry after JetStream's dedupe window): one batch of
                # a projection (a rebuild's surely) holds both, and the visit still counts once.
                await publish(nc, [event], again=True)
    finally:
        await nc.close()
    yield generated


async def statistics_of(platform: Any, token: str, req: insight_pb2.GetStatisticsRequest) -> insight_pb2.Statistics:
    """The answer; UNAVAILABLE (roster slow to say whose a site is, on a busy machine) is asked again."""
    async with channel(platform.address("insight"), token) as ch:
        stub = insight_pb2_grpc.InsightServiceStub(ch)
        for _ in range(30):
            try:
                answer: insight_pb2.Statistics = await stub.GetStatistics(req, timeout=20)
                return answer
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                await asyncio.sleep(1)
        return await stub.GetStatistics(req, timeout=20)  # type: ignore[no-any-return]


async def caught_up(platform: Any) -> None:
    """Until the projections the figures read have applied every event of their types on the stream."""
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:

        async def pending() -> list[int]:
            return [(await pending_of(nc.jetstream(), "DUTYLINE", p.name)).events for p in PROJECTIONS]

        await until(pending, [0] * len(PROJECTIONS), seconds=90)
    finally:
        await nc.close()


def supervisor(month: Month) -> str:
    return token_for("p-st-supervisor", ["supervisor"], [month.region])


async def test_the_figures_are_the_records_counted_apart_once_each_and_the_region_sums_its_sites(
    platform: Any, month: Month
) -> None:
    token = supervisor(month)

    async def of(site: str) -> dict[str, Any]:
        return figures(await statistics_of(platform, token, request(site, month.start, month.end)))

    await caught_up(platform)
    for site in month.sites:
        same(await of(site), expected(month, (site,)), site)

    # Every event delivered again (the stream stores them twice), in another order: nothing changes.
    shuffled = month.events[:]
    random.Random(5).shuffle(shuffled)
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        await publish(nc, shuffled, again=True)
    finally:
        await nc.close()
    await caught_up(platform)
    parts = [await statistics_of(platform, token, request(s, month.start, month.end)) for s in month.sites]
    for site, part in zip(month.sites, parts, strict=True):
        same(figures(part), expected(month, (site,)), f"{site} again")

    # The region: its sites' rows, each once.
    region = await statistics_of(platform, token, request(month.region, month.start, month.end))
    assert set(region.site_ids) == {month.region, *month.sites} and region.time_zone == "Asia/Shanghai"
    same(figures(region), expected(month, month.sites), month.region)
    groups = (
        "calls_by_category",
        "answer_times_by_officer",
        "missed_calls",
        "reports",
        "violations",
        "cases",
        "check_ins",
        "handovers",
        "coverage_gaps",
    )
    for group in groups:
        rows = sorted(r.SerializeToString(deterministic=True) for p in parts for r in getattr(p, group))
        assert sorted(r.SerializeToString(deterministic=True) for r in getattr(region, group)) == rows, group

    # By day: each call in its local date; by week: weeks from Monday, the same calls in all.
    first = month.sites[0]
    daily = await statistics_of(platform, token, request(first, month.start, month.end, insight_pb2.GRANULARITY_DAY))
    by_day = Counter(
        {
            (r.site_id, r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE).strftime("%Y-%m-%d"), r.key): r.calls
            for r in daily.calls_by_category
        }
    )
    assert by_day == Counter({k: v for k, v in month.by_day.items() if k[0] == first})
    assert all(r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE).hour == 0 for r in daily.calls_by_hour)
    # Each shift's check-in in its shift's local date, the same ones in all.
    assert all(r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE).hour == 0 for r in daily.check_ins)
    assert sum(r.shifts for r in daily.check_ins) == sum(
        v for (site, _, name), v in month.check_ins.items() if site == first and name == "shifts"
    )
    weekly = await statistics_of(platform, token, request(first, month.start, month.end, insight_pb2.GRANULARITY_WEEK))
    weeks = {r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE) for r in weekly.calls_by_category}
    assert all(w.weekday() == 0 and w.hour == 0 for w in weeks)
    assert sum(r.calls for r in weekly.calls_by_category) == sum(
        v for k, v in month.by_category.items() if k[0] == first
    )


async def test_a_rebuild_as_insights_own_role_gives_the_same_tables_and_figures(
    platform: Any, month: Month, db: Any
) -> None:
    await caught_up(platform)
    same(await _figures_of(platform, month), expected(month, month.sites), "before")
    before = await _tables(db, month.tag)
    env = {
        "DUTYLINE_PG_DSN": platform.postgres.dsn,
        "DUTYLINE_INSIGHT_PG_PASSWORD": platform.pg_passwords["insight"],
        "DUTYLINE_NATS_URL": platform.nats.url,
        "DUTYLINE_NATS_CREDS": str(platform.nats_creds),
        "COLUMNS": "250",
    }
    result = await asyncio.to_thread(CliRunner().invoke, app, ["insight", "--lang", "en", "rebuild"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.count("rebuilt") == len(PROJECTIONS)
    await caught_up(platform)
    assert await _tables(db, month.tag) == before
    same(await _figures_of(platform, month), expected(month, month.sites), "rebuilt")


async def test_the_cli_prints_the_figures_in_both_languages(platform: Any, month: Month) -> None:
    await caught_up(platform)
    period = month.start.strftime("%Y-%m")
    env = {"COLUMNS": "250", "DUTYLINE_INSIGHT_ADDRESS": platform.address("insight"), "DUTYLINE_TOKEN": None}
    said = {}
    for lang in ("zh", "en"):
        argv = ["stats", "--token", supervisor(month), "--lang", lang, "--region", month.region]
        result = await asyncio.to_thread(CliRunner().invoke, app, [*argv, "--period", period, "--by", "month"], env=env)
        assert result.exit_code == 0, result.output
        said[lang] = " ".join(result.output.translate(str.maketrans({c: " " for c in "│╭╮╰╯─"})).split())
    assert "来电（按类别）" in said["zh"] and "三声内接听率" in said["zh"] and "超三声接听" in said["zh"]
    assert "Calls by category" in said["en"] and "Within three rings" in said["en"]
    assert "answered after three rings" in said["en"]
    # A site's row of answer times: the month, the site, answered and the share within the limit.
    first = month.sites[0]
    times = month.answers[(first, "", "")]
    within = sum(not late for _, late in times)
    row = f"{period} {first} {len(times)} {100 * within / len(times):.1f}%"
    assert row in said["en"] and row in said["zh"]
    # Its cases, a person's check-ins, its handovers (the last count: not accepted) and its gaps.
    assert "工单" in said["zh"] and "签到" in said["zh"] and "交接班" in said["zh"] and "排班缺口" in said["zh"]
    assert all(title in said["en"] for title in ("Cases", "Check-ins", "Handovers", "Coverage gaps"))
    handovers = [month.handovers[(first, n)] for n in HANDOVER_FIGURES]
    handovers.insert(3, handovers[0] - handovers[1] - handovers[2])
    rows = [
        [month.cases[(first, n)] for n in CASE_FIGURES],
        ["p-a", *(month.check_ins[(first, "p-a", n)] for n in CHECK_IN_FIGURES)],
        handovers,
    ]
    for counts in rows:
        row = " ".join([period, first, *(str(n) for n in counts)])
        assert row in said["en"] and row in said["zh"], row
    gap = min(g for g in month.gaps if g[0] == first)
    shown = [at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") for at in gap[2:4]]
    assert f"{first} {shown[0]} {shown[1]}" in said["en"]


async def _figures_of(platform: Any, month: Month) -> dict[str, Any]:
    return figures(await statistics_of(platform, ADMIN, request(month.region, month.start, month.end)))


async def _tables(db: Any, tag: str) -> dict[str, list[Any]]:
    """The rows of the generated records (the platform's own events may add others meanwhile)."""
    keys = {
        "calls": "call_id",
        "line_calls": "line_call_id",
        "callbacks": "callback_id",
        "incidents": "incident_id",
        "reports": "report_id",
        "violations": "record_id, kind",
        "cases": "case_id",
        "duties": "assignment_id",
        "shift_check_ins": "assignment_id",
        "shift_handovers": "handover_id",
        "coverage_gaps": "site_id, role, starts_at",
    }
    found = {}
    for table, key in keys.items():
        first = key.split(",")[0]
        rows = await db.fetch(f"SELECT * FROM insight.{table} WHERE {first} LIKE $1 ORDER BY {key}", f"st-{tag}-%")
        found[table] = [tuple(r) for r in rows]
    assert all(found.values())
    return found


async def test_an_officer_reads_their_sites_figures_but_of_people_only_their_own(platform: Any, month: Month) -> None:
    await caught_up(platform)
    site, officer = month.sites[0], OFFICERS[0]
    req = request(site, month.start, month.end)
    everyone = await statistics_of(platform, supervisor(month), req)
    own = await statistics_of(platform, token_for(officer, ["officer"], [site]), req)
    people = {r.officer_id for r in everyone.answer_times_by_officer} | {r.person_id for r in everyone.violations}
    assert len(people - {""}) > 1, "the generated month has several officers at the site"
    assert {r.officer_id for r in own.answer_times_by_officer} == {officer}
    assert {r.person_id for r in own.violations} == {officer}
    assert {r.person_id for r in own.check_ins} <= {officer}
    assert list(own.answer_times_by_officer) == [r for r in everyone.answer_times_by_officer if r.officer_id == officer]
    assert list(own.violations) == [r for r in everyone.violations if r.person_id == officer]
    # The site's own figures are the same for both.
    assert list(own.calls_by_category) == list(everyone.calls_by_category)
    assert list(own.answer_times_by_site) == list(everyone.answer_times_by_site)


async def test_another_sites_figures_are_refused(platform: Any) -> None:
    start = datetime(2026, 3, 1, tzinfo=ZONE)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await statistics_of(platform, HZ_OFFICER, request("nb-01", start, start + timedelta(days=31)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await statistics_of(platform, HZ_OFFICER, request("east", start, start + timedelta(days=31)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 3, 31, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), None),
    ],
)
async def test_a_bad_period_is_a_field_violation(platform: Any, start: datetime, end: datetime | None) -> None:
    """Backwards, empty, longer than 366 days, or open-ended."""
    req = insight_pb2.GetStatisticsRequest(site_id="hz-01", period=common_pb2.TimeRange(start=ts(start), end=ts(end)))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await statistics_of(platform, SUPERVISOR, req)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(refused.value)] == ["period"]
