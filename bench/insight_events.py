"""A month of a region's events as the services publish them, for insight's benchmark: every call with its
real sequence (the switch's line call, intake's record, its completion or the missed call's callback),
incidents with their reports and violations, and each shift's check-ins and handover.

Seeded, so two runs publish the same month (ids apart: the envelope makes a fresh event id each time).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event, timestamp
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2, telephony_pb2
from dutyline.roster.v1 import roster_pb2

ZONE = "Asia/Shanghai"
REGION = "bench-region"
OFFICERS_PER_SITE = 6
LINES_PER_SITE = 2
ANSWER_LIMIT_SECONDS = 15.0
# Shares of the calls the switch saw: not answered, abandoned while ringing; the rest answered.
NOT_ANSWERED = 0.06
ABANDONED = 0.02
# A missed call's callback is made in time this often; else it goes overdue first.
CALLBACK_ON_TIME = 0.9
# An incident's first report is late this often, its written report never made (漏报) this often.
LATE_REPORT = 0.1
MISSED_REPORT = 0.05
# Calls by hour of the site's day (night quieter).
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2)
CATEGORIES = (
    (intake_pb2.CALL_CATEGORY_CONSULTATION, 45),
    (intake_pb2.CALL_CATEGORY_COMPLAINT, 15),
    (intake_pb2.CALL_CATEGORY_EMERGENCY, 10),
    (intake_pb2.CALL_CATEGORY_NOTICE, 15),
    (intake_pb2.CALL_CATEGORY_MESSAGE, 10),
    (intake_pb2.CALL_CATEGORY_OTHER, 5),
)
SHIFTS = (("day", 8), ("night", 20))  # name, local start hour; each 12 hours


@dataclass(frozen=True)
class Sizes:
    calls: int
    incidents: int
    sites: int
    month: str = "2026-03"

    @property
    def site_ids(self) -> list[str]:
        return [f"bench-s{n:02d}" for n in range(1, self.sites + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """The month in the sites' zone, as UTC times [start, end)."""
        year, month = (int(p) for p in self.month.split("-"))
        zone = ZoneInfo(ZONE)
        start = datetime(year, month, 1, tzinfo=zone)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def _actor(person_id: str) -> common_pb2.Actor:
    return common_pb2.Actor(person_id=person_id, display_name=person_id, kind="person")


def _event(kind: str, payload: Message, *, site: str, aggregate: str, version: int, at: datetime, by: str) -> bytes:
    return build_event(
        event_type=kind,
        site_id=site,
        aggregate_id=aggregate,
        aggregate_version=version,
        actor=_actor(by),
        payload=payload,
        occurred_at=at,
    ).SerializeToString()


class Month:
    """The events of ``sizes`` (``events()``: (site, type, serialized event) in no particular order)."""

    def __init__(self, sizes: Sizes, *, seed: int = 17) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.start, self.end = sizes.bounds()
        self.days = (self.end - self.start).days
        self.counted: dict[str, int] = {}

    def _moment(self) -> datetime:
        """A random moment of the month, busier by day (the hour's weight)."""
        day = self.rng.randrange(self.days)
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        return self.start + timedelta(days=day, hours=hour, seconds=self.rng.uniform(0, 3600))

    def _delay(self) -> float:
        """Seconds to answer: mostly a few rings, a tail beyond the three-ring limit."""
        return round(min(120.0, self.rng.lognormvariate(1.8, 0.6)), 1)

    def events(self) -> Iterator[tuple[str, str, bytes]]:
        sites = self.sizes.site_ids
        for n in range(self.sizes.calls):
            yield from self._call(n, sites[n % len(sites)])
        for n in range(self.sizes.incidents):
            yield from self._incident(n, sites[n % len(sites)])
        for site in sites:
            yield from self._shifts(site)

    def _emit(
        self, site: str, kind: str, payload: Message, aggregate: str, version: int, at: datetime, by: str
    ) -> tuple[str, str, bytes]:
        self.counted[kind] = self.counted.get(kind, 0) + 1
        return site, kind, _event(kind, payload, site=site, aggregate=aggregate, version=version, at=at, by=by)

    def _call(self, n: int, site: str) -> Iterator[tuple[str, str, bytes]]:
        rng = self.rng
        officer = f"p-{site}-{rng.randrange(1, OFFICERS_PER_SITE + 1)}"
        line = f"line-{site}-{rng.randrange(1, LINES_PER_SITE + 1)}"
        line_call_id, call_id = f"lc-{n}", f"call-{n}"
        ring = self._moment()
        shift = "day" if 8 <= (ring + timedelta(hours=8)).hour < 20 else "night"
        base = telephony_pb2.LineCall(
            id=line_call_id,
            site_id=site,
            line_id=line,
            switch_id=f"sw-{site}",
            state="ringing",
            ring_started_at=timestamp(ring),
            officer_id=officer,
            shift_name=shift,
        )
        yield self._emit(site, "line_call.ringing", _line(base, "ringing"), line_call_id, 1, ring, "switch")
        outcome = rng.random()
        if outcome < NOT_ANSWERED + ABANDONED:
            yield from self._missed(n, site, base, officer, "not_answered" if outcome < NOT_ANSWERED else "abandoned")
            return
        delay = self._delay()
        late = delay > ANSWER_LIMIT_SECONDS
        answered = ring + timedelta(seconds=delay)
        base.state = "answered"
        base.answered_at.CopyFrom(timestamp(answered))
        base.answer_delay_seconds, base.answered_late = delay, late
        yield self._emit(site, "line_call.answered", _line(base, "answered"), line_call_id, 2, answered, "switch")
        category = rng.choices([c for c, _ in CATEGORIES], weights=[w for _, w in CATEGORIES])[0]
        registered = answered + timedelta(seconds=rng.uniform(30, 240))
        assignment = f"asg-{site}-{officer}-{shift}"
        registered_payload = event_pb2.CallRegistered(
            call_id=call_id,
            channel="phone",
            category=intake_pb2.CallCategory.Name(category).removeprefix("CALL_CATEGORY_").lower(),
            officer_id=officer,
            ring_started_at=timestamp(ring),
            answered_at=timestamp(answered),
            answer_delay_seconds=delay,
            answered_late=late,
            line_call_id=line_call_id,
            assignment_id=assignment,
        )
        yield self._emit(site, "call.registered", registered_payload, call_id, 1, registered, officer)
        ended = registered + timedelta(seconds=rng.uniform(5, 60))
        base.state, base.call_id = "ended", call_id
        base.ended_at.CopyFrom(timestamp(ended))
        yield self._emit(site, "line_call.ended", _line(base, "ended"), line_call_id, 3, ended, "switch")
        record = intake_pb2.Call(
            id=call_id,
            site_id=site,
            channel=intake_pb2.CHANNEL_PHONE,
            category=category,
            ring_started_at=timestamp(ring),
            answered_at=timestamp(answered),
            ended_at=timestamp(ended),
            answer_delay_seconds=delay,
            answered_late=late,
            officer_id=officer,
            assignment_id=assignment,
            registered_at=timestamp(registered),
            status="completed",
            line_call_id=line_call_id,
            summary="来电已办结 call completed",
        )
        completed = ended + timedelta(minutes=rng.uniform(1, 30))
        changed = event_pb2.CallChanged(call=record, detail="办结 completed")
        yield self._emit(site, "call.completed", changed, call_id, 2, completed, officer)

    def _missed(
        self, n: int, site: str, base: telephony_pb2.LineCall, officer: str, state: str
    ) -> Iterator[tuple[str, str, bytes]]:
        rng = self.rng
        ring = base.ring_started_at.ToDatetime(tzinfo=UTC)
        ended = ring + timedelta(seconds=rng.uniform(10, 60))
        base.state = state
        base.ended_at.CopyFrom(timestamp(ended))
        yield self._emit(site, f"line_call.{state}", _line(base, state), base.id, 2, ended, "switch")
        call_id, callback_id = f"call-{n}", f"cb-{n}"
        record = intake_pb2.Call(
            id=call_id,
            site_id=site,
            channel=intake_pb2.CHANNEL_PHONE,
            category=intake_pb2.CALL_CATEGORY_OTHER,
            ring_started_at=timestamp(ring),
            ended_at=timestamp(ended),
            officer_id=officer,
            registered_at=timestamp(ended),
            status="missed",
            line_call_id=base.id,
            summary="未接来电 missed call",
        )
        due = ended + timedelta(minutes=30)
        callback = intake_pb2.Callback(
            id=callback_id, call_id=call_id, recipient_id=officer, kind="callback", site_id=site, due_at=timestamp(due)
        )
        yield self._emit(
            site, "call.missed", event_pb2.CallChanged(call=record, detail="missed"), call_id, 1, ended, "switch"
        )
        promised = event_pb2.CallChanged(call=record, callback=callback)
        yield self._emit(site, "callback.promised", promised, callback_id, 1, ended, "switch")
        if rng.random() < CALLBACK_ON_TIME:
            done = ended + timedelta(minutes=rng.uniform(2, 25))
            callback.status = "completed"
            callback.completed_at.CopyFrom(timestamp(done))
            payload = event_pb2.CallChanged(call=record, callback=callback)
            yield self._emit(site, "callback.completed", payload, callback_id, 2, done, officer)
        else:
            callback.overdue = True
            payload = event_pb2.CallChanged(call=record, callback=callback)
            yield self._emit(site, "callback.overdue", payload, callback_id, 2, due, "system")

    def _incident(self, n: int, site: str) -> Iterator[tuple[str, str, bytes]]:
        rng = self.rng
        incident_id = f"inc-{n}"
        officer = f"p-{site}-{rng.randrange(1, OFFICERS_PER_SITE + 1)}"
        registered = self._moment()
        title = "道路交通事故 road accident"
        registered_payload = event_pb2.IncidentRegistered(
            incident_id=incident_id,
            title=title,
            category="accident",
            severity=common_pb2.SEVERITY_UNRATED,
            first_responder_id=officer,
            registered_at=timestamp(registered),
        )
        yield self._emit(site, "incident.registered", registered_payload, incident_id, 1, registered, officer)
        current = incident_pb2.Incident(
            id=incident_id,
            site_id=site,
            title=title,
            category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
            severity=rng.choice((common_pb2.SEVERITY_III, common_pb2.SEVERITY_IV)),
            stage=incident_pb2.STAGE_REGISTER,
            first_responder_id=officer,
            responsible_person_id=officer,
            registered_at=timestamp(registered),
            source_category="emergency",
            call_count=1,
        )
        verified = registered + timedelta(minutes=rng.uniform(2, 10))
        current.stage = incident_pb2.STAGE_ESCALATE
        current.verified_at.CopyFrom(timestamp(verified))
        yield self._emit(site, "incident.verified", _changed(current, "verified"), incident_id, 2, verified, officer)
        version = 3
        kinds = [incident_pb2.REPORT_KIND_INITIAL_PHONE, incident_pb2.REPORT_KIND_INITIAL_WRITTEN]
        if rng.random() < MISSED_REPORT:
            kinds.pop()  # the written report is never made: 漏报 when the incident closes
        at = verified
        for number, kind in enumerate(kinds, start=1):
            late = 600.0 if rng.random() < LATE_REPORT else 0.0
            at += timedelta(minutes=rng.uniform(5, 25) + late / 60)
            report = incident_pb2.Report(
                id=f"rep-{n}-{number}",
                incident_id=incident_id,
                kind=kind,
                number=1,
                author_id=officer,
                submitted_at=timestamp(at),
                late_seconds=late,
            )
            current.reports.append(report)
            violations = [_violation(f"vio-{n}-{number}", current, officer, "late", at, kind)] if late else []
            payload = _changed(current, "report submitted", report=report, violations=violations)
            yield self._emit(site, "incident.report_submitted", payload, incident_id, version, at, officer)
            version += 1
        closed = at + timedelta(hours=rng.uniform(1, 12))
        current.stage = incident_pb2.STAGE_CLOSED
        current.closed_at.CopyFrom(timestamp(closed))
        missing = len(kinds) < 2
        violations = (
            [
                _violation(
                    f"vio-{n}-missed", current, officer, "missed", closed, incident_pb2.REPORT_KIND_INITIAL_WRITTEN
                )
            ]
            if missing
            else []
        )
        payload = _changed(current, "closed", violations=violations)
        yield self._emit(site, "incident.closed", payload, incident_id, version, closed, officer)

    def _shifts(self, site: str) -> Iterator[tuple[str, str, bytes]]:
        """Each shift's check-in (a few late) and the handover to the next shift, submitted and accepted."""
        rng = self.rng
        zone = ZoneInfo(ZONE)
        local_start = self.start.astimezone(zone)
        people = [f"p-{site}-{k}" for k in range(1, OFFICERS_PER_SITE + 1)]
        for day in range(self.days):
            for index, (shift, hour) in enumerate(SHIFTS):
                begins = (local_start + timedelta(days=day)).replace(hour=hour).astimezone(UTC)
                person = people[(2 * day + index) % len(people)]
                assignment = f"asg-{site}-{person}-{shift}"
                late = 300.0 if rng.random() < 0.03 else 0.0
                checked = begins + timedelta(seconds=late - 120)
                check_in = roster_pb2.CheckInRecord(
                    assignment_id=assignment,
                    person_id=person,
                    checked_in_at=timestamp(checked),
                    status="late" if late else "on_time",
                    late_seconds=late,
                    shift_start=timestamp(begins),
                )
                yield self._emit(site, "checkin.recorded", check_in, assignment, 2, checked, person)
                nxt = people[(2 * day + index + 1) % len(people)]
                handover_id = f"ho-{site}-{day}-{shift}"
                ends = begins + timedelta(hours=12)
                submitted, accepted = ends - timedelta(minutes=10), ends + timedelta(minutes=5)
                handover = roster_pb2.Handover(
                    id=handover_id,
                    site_id=site,
                    outgoing_assignment_id=assignment,
                    incoming_assignment_id=f"asg-{site}-{nxt}-next",
                    status="submitted",
                    outgoing_person_id=person,
                    incoming_person_id=nxt,
                    submitted_at=timestamp(submitted),
                )
                yield self._emit(site, "handover.submitted", handover, handover_id, 1, submitted, person)
                handover.status = "accepted"
                handover.accepted_at.CopyFrom(timestamp(accepted))
                yield self._emit(site, "handover.accepted", handover, handover_id, 2, accepted, nxt)


def _line(call: telephony_pb2.LineCall, detail: str) -> event_pb2.LineCallChanged:
    return event_pb2.LineCallChanged(call=call, detail=detail)


def _changed(
    current: incident_pb2.Incident,
    detail: str,
    *,
    report: incident_pb2.Report | None = None,
    violations: list[incident_pb2.Violation] | None = None,
) -> event_pb2.IncidentChanged:
    """As incident publishes it: every violation of the change, and the last alone in ``violation``."""
    violations = violations or []
    return event_pb2.IncidentChanged(
        incident=current,
        detail=detail,
        report=report,
        violations=violations,
        violation=violations[-1] if violations else None,
    )


def _violation(
    violation_id: str,
    current: incident_pb2.Incident,
    person: str,
    kind: str,
    at: datetime,
    report_kind: incident_pb2.ReportKind,
) -> incident_pb2.Violation:
    return incident_pb2.Violation(
        id=violation_id,
        incident_id=current.id,
        site_id=current.site_id,
        person_id=person,
        kind=kind,
        report_kind=report_kind,
        number=1,
        recorded_at=timestamp(at),
        late_seconds=600.0 if kind == "late" else 0.0,
    )
