"""Duty log rules (值班日志), pure: every time is an argument, no I/O.

A shift (班次) is the officers' assignments of a site with one shift name, start and end; its duty
leaders (带班领导) are the leaders on duty at the site during it. Its log is "open" while the shift
runs and "built" once the shift's end has passed: the end is known from the published roster the
moment it is published, whereas a next shift's start may never be rostered and roster emits no event
when a shift starts. A log is "signed" once the outgoing officer (交班值班员) and the duty leader both
signed the same version; that version never changes, and a correction is a new version.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

OFFICER, LEADER = "outgoing_officer", "leader"
SIGNER_ROLES = (OFFICER, LEADER)


@dataclass(frozen=True)
class Shift:
    """One shift of a site: its window and who holds it."""

    site_id: str
    shift_name: str
    start: datetime
    end: datetime
    officer_ids: tuple[str, ...]
    leader_ids: tuple[str, ...]
    officer_assignment_ids: tuple[str, ...]

    @property
    def log_id(self) -> str:
        return log_id(self.site_id, self.shift_name, self.start, self.end)


def log_id(site_id: str, shift_name: str, start: datetime, end: datetime) -> str:
    """A shift's log id: the site and start readable, the name and end hashed (a name may be Chinese)."""
    digest = hashlib.sha256(f"{shift_name}|{end.timestamp():.0f}".encode()).hexdigest()[:10]
    return f"dlog-{site_id}-{start.timestamp():.0f}-{digest}"


def parse_log_id(value: str) -> tuple[str, datetime] | None:
    """The site and start a log id names, or None for no log id."""
    head, _, rest = value.removeprefix("dlog-").rpartition("-")
    site_id, _, start = head.rpartition("-")
    if not value.startswith("dlog-") or not site_id or not start.isdigit() or not rest:
        return None
    try:
        return site_id, datetime.fromtimestamp(int(start), tz=UTC)
    except (OverflowError, OSError, ValueError):  # a start no clock can hold: no log of ours
        return None


def shifts_of(duties: Iterable[Mapping[str, Any]]) -> list[Shift]:
    """The shifts the duties (rows with site_id, person_id, role, shift_name, starts_at, ends_at,
    assignment_id) make, earliest first: the officers' groups, with the leaders on duty during each."""
    groups: dict[tuple[str, str, datetime, datetime], list[Mapping[str, Any]]] = {}
    leaders: list[Mapping[str, Any]] = []
    for duty in duties:
        if duty["role"] == "leader":
            leaders.append(duty)
        elif duty["role"] == "officer":
            groups.setdefault((duty["site_id"], duty["shift_name"], duty["starts_at"], duty["ends_at"]), []).append(
                duty
            )
    shifts = []
    for (site, name, start, end), officers in groups.items():
        on = sorted(
            {d["person_id"] for d in leaders if d["site_id"] == site and d["starts_at"] < end and d["ends_at"] > start}
        )
        ordered = sorted(officers, key=lambda d: d["assignment_id"])
        shifts.append(
            Shift(
                site,
                name,
                start,
                end,
                tuple(dict.fromkeys(d["person_id"] for d in ordered)),
                tuple(on),
                tuple(d["assignment_id"] for d in ordered),
            )
        )
    return sorted(shifts, key=lambda s: (s.start, s.shift_name))


def shift_at(shifts: Sequence[Shift], instant: datetime) -> Shift | None:
    """The shift in force at ``instant`` (the latest started, when shifts overlap)."""
    running = [s for s in shifts if s.start <= instant < s.end]
    return max(running, key=lambda s: s.start, default=None)


def state_of(shift: Shift, now: datetime, signed_roles: Iterable[str]) -> str:
    """ "open" while the shift runs, "signed" once both signed, else "built" (module docstring)."""
    if set(SIGNER_ROLES) <= set(signed_roles):
        return "signed"
    return "open" if now < shift.end else "built"


def sign_refusal(shift: Shift, *, now: datetime, role: str, signed_roles: Iterable[str]) -> str | None:
    """Why the log may not be signed as ``role`` now (None: it may), bilingual."""
    signed = set(signed_roles)
    if state_of(shift, now, signed) == "signed":
        return "the log is signed by both and cannot change / 日志已由双方签字，不可更改"
    if now < shift.end:
        return "the shift is still on; sign after it ends / 班次尚未结束，结束后再签字"
    if role in signed:
        return "this role has signed the version already / 该角色已签字"
    return None


def signer_mismatch(shift: Shift, *, role: str, person_id: str) -> str | None:
    """Why the caller is not the person who signs as ``role`` (None: they are)."""
    if role == OFFICER and person_id not in shift.officer_ids:
        return f"{person_id} is not the shift's officer / 非本班值班员，不能以交班值班员身份签字"
    if role == LEADER and person_id not in shift.leader_ids:
        return f"{person_id} is not the shift's duty leader / 非本班带班领导，不能以带班领导身份签字"
    return None


@dataclass
class Figures:
    """What happened on a shift (DutyFigures in the API)."""

    calls: int = 0
    calls_by_category: Counter[str] = field(default_factory=Counter)
    calls_by_channel: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    answered_late: int = 0
    answer_seconds_mean: float = 0.0
    answer_seconds_max: float = 0.0
    missed: int = 0
    abandoned: int = 0
    callbacks_due: int = 0
    callbacks_on_time: int = 0
    callbacks_late: int = 0
    callbacks_open: int = 0
    incidents: int = 0
    incidents_by_category: Counter[str] = field(default_factory=Counter)
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missed: int = 0
    cases_opened: int = 0
    cases_answered: int = 0
    notices: int = 0
    notices_incomplete: int = 0
    escalations: int = 0
    escalations_acknowledged: int = 0
    violations_by_kind: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Entry:
    """A line of the log as facts, worded in the reader's language (dutyline.dutylog_words); each kind
    fills its own facts (DutyLogEntry in the API says which)."""

    at: datetime
    kind: str
    ref_id: str
    person_id: str
    event_id: str = ""
    channel: str = ""
    category: str = ""
    answer_delay_seconds: float = 0.0
    late: bool = False
    state: str = ""
    report_kind: str = ""
    report_number: int = 0
    late_seconds: float = 0.0
    incident_id: str = ""
    title: str = ""
    severity: str = ""
    violation_kind: str = ""
    detail: str = ""
    text: str = ""


@dataclass(frozen=True)
class ShiftRecords:
    """The read model's rows of a site in a shift's window (drills left out): each a mapping with the
    columns of its table (services/insight/migrations)."""

    calls: Sequence[Mapping[str, Any]] = ()
    line_calls: Sequence[Mapping[str, Any]] = ()
    callbacks: Sequence[Mapping[str, Any]] = ()
    incidents: Sequence[Mapping[str, Any]] = ()
    reports: Sequence[Mapping[str, Any]] = ()
    violations: Sequence[Mapping[str, Any]] = ()
    events: Sequence[Mapping[str, Any]] = ()


MISSED, ABANDONED = "not_answered", "abandoned"


def figures(records: ShiftRecords) -> Figures:
    out = Figures()
    out.calls = len(records.calls)
    out.calls_by_category.update(c["category"] or "other" for c in records.calls)
    out.calls_by_channel.update(c["channel"] or "unknown" for c in records.calls)
    answered = [c for c in records.calls if c["answered_at"] is not None]
    out.answered = len(answered)
    out.answered_late = sum(bool(c["answered_late"]) for c in answered)
    delays = [float(c["answer_delay_seconds"] or 0.0) for c in answered]
    out.answer_seconds_mean = sum(delays) / len(delays) if delays else 0.0
    out.answer_seconds_max = max(delays, default=0.0)
    out.notices = sum(c["category"] == "notice" for c in records.calls)
    out.missed = sum(c["state"] == MISSED for c in records.line_calls)
    out.abandoned = sum(c["state"] == ABANDONED for c in records.line_calls)
    out.callbacks_due = len(records.callbacks)
    for b in records.callbacks:
        if b["completed_at"] is None:
            out.callbacks_open += 1
        elif b["due_at"] is None or b["completed_at"] <= b["due_at"]:
            out.callbacks_on_time += 1
        else:
            out.callbacks_late += 1
    out.incidents = len(records.incidents)
    out.incidents_by_category.update(i["category"] or "uncategorized" for i in records.incidents)
    out.reports_late = sum(r["late_seconds"] > 0 for r in records.reports)
    out.reports_on_time = len(records.reports) - out.reports_late
    out.reports_missed = sum(v["kind"] == "missed_report" for v in records.violations)
    out.violations_by_kind.update(v["kind"] for v in records.violations)
    kinds = Counter(e["kind"] for e in records.events)
    out.cases_opened, out.cases_answered = kinds["case_opened"], kinds["case_answered"]
    out.notices_incomplete = len({e["ref_id"] for e in records.events if e["kind"] == "notice_incomplete"})
    out.escalations, out.escalations_acknowledged = kinds["escalation"], kinds["acknowledgement"]
    return out


def entries(records: ShiftRecords) -> list[Entry]:
    """The log's lines, in the order things happened."""
    lines: list[Entry] = []
    for c in records.calls:
        lines.append(
            Entry(
                c["registered_at"],
                "call",
                c["call_id"],
                c["officer_id"] or "",
                channel=c["channel"] or "",
                category=c["category"] or "",
                answer_delay_seconds=float(c["answer_delay_seconds"] or 0.0),
                late=bool(c["answered_late"]),
                text=c.get("summary") or "",
            )
        )
    for lc in records.line_calls:
        if lc["state"] in (MISSED, ABANDONED):
            when = lc["ring_started_at"] or lc["ended_at"]
            lines.append(Entry(when, "missed_call", lc["line_call_id"], lc["officer_id"] or "", state=lc["state"]))
    for b in records.callbacks:
        if b["completed_at"] is not None:
            late = b["due_at"] is not None and b["completed_at"] > b["due_at"]
            lines.append(Entry(b["completed_at"], "callback", b["callback_id"], "", category=b["kind"], late=late))
    for i in records.incidents:
        lines.append(
            Entry(
                i["registered_at"],
                "incident",
                i["incident_id"],
                i["first_responder_id"] or "",
                category=i["category"] or "",
                title=i["title"],
                severity=i["severity"] or "",
            )
        )
    for r in records.reports:
        lines.append(
            Entry(
                r["submitted_at"],
                "report",
                r["report_id"],
                r["author_id"] or "",
                report_kind=r["kind"] or "",
                report_number=r["number"],
                late=r["late_seconds"] > 0,
                late_seconds=max(0.0, float(r["late_seconds"])),
                incident_id=r["incident_id"],
            )
        )
    for v in records.violations:
        lines.append(
            Entry(
                v["occurred_at"],
                "violation",
                v["record_id"],
                v["person_id"],
                v["event_id"],
                violation_kind=v["kind"],
                late_seconds=max(0.0, float(v["late_seconds"])),
                detail=v["detail"],
            )
        )
    for e in records.events:
        kind = {"case_opened": "case", "case_answered": "case", "notice_incomplete": "notice"}.get(e["kind"], e["kind"])
        lines.append(
            Entry(e["at"], kind, e["ref_id"], e["person_id"], e["event_id"], state=e["kind"], text=e["summary"])
        )
    return sorted((e for e in lines if e.at is not None), key=lambda e: (e.at, e.kind, e.ref_id))


def check_in_status(row: Mapping[str, Any] | None) -> str:
    """on_time, late, absent, or pending while nothing was recorded."""
    return str(row["status"]) if row is not None else "pending"


def handover_status(row: Mapping[str, Any] | None) -> str:
    if row is None or (row["submitted_at"] is None and not row["overdue"]):
        return "not_submitted"
    if row["accepted_at"] is not None:
        return "accepted"
    return "overdue" if row["overdue"] else "submitted"
