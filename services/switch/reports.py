"""What the switch reports (pure): Kamailio's form-encoded reports as ``Report``s, and those as the
``LineEvent``s of the ReportLineEvent contract (docs/telephony.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.intake.v1 import telephony_pb2

HEARTBEAT = "heartbeat"
# The report kinds of deploy/switch/kamailio.cfg, as LineEvent kinds.
KINDS = {
    "ringing": telephony_pb2.LINE_EVENT_KIND_RINGING,
    "answered": telephony_pb2.LINE_EVENT_KIND_ANSWERED,
    "transferred": telephony_pb2.LINE_EVENT_KIND_TRANSFERRED,
    "ended": telephony_pb2.LINE_EVENT_KIND_ENDED,
    "abandoned": telephony_pb2.LINE_EVENT_KIND_ABANDONED,
    "not_answered": telephony_pb2.LINE_EVENT_KIND_NOT_ANSWERED,
}
# What LineEvent.caller_number takes; a SIP user part that is no number (a name) is not sent.
_NUMBER = re.compile(r"^\+?[0-9*#]{1,32}$")


class BadReport(ValueError):
    """A report the adapter cannot make sense of: it is set aside, never retried."""


@dataclass(frozen=True)
class Report:
    """One event of a line's call as the switch reported it (a heartbeat has no call)."""

    kind: str
    at: datetime
    call_id: str = ""
    line: str = ""
    caller: str = ""
    extension: str = ""
    target: str = ""

    def to_json(self) -> dict[str, str]:
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Report:
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})  # type: ignore[arg-type]


def parse_report(form: Mapping[str, str]) -> Report:
    """A report from Kamailio's fields (kind, call_id, at = epoch seconds with a fraction, line,
    caller, extension, target); raises BadReport when it is not one."""
    kind = form.get("kind", "")
    if kind != HEARTBEAT and kind not in KINDS:
        raise BadReport(f"unknown kind {kind!r}")
    try:
        at = datetime.fromtimestamp(float(form.get("at", "")), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise BadReport(f"bad time {form.get('at')!r}") from exc
    if kind == HEARTBEAT:
        return Report(kind=kind, at=at)
    call_id, line = form.get("call_id", ""), form.get("line", "")
    if not call_id or not line:
        raise BadReport(f"a {kind} report needs call_id and line")
    return Report(
        kind=kind,
        at=at,
        call_id=call_id,
        line=line,
        caller=form.get("caller", ""),
        extension=form.get("extension", ""),
        target=form.get("target", ""),
    )


def caller_number(user: str) -> str:
    """The calling number as LineEvent takes it: digits, "anonymous" for a withheld number, or
    nothing when the caller's SIP user is a name."""
    if user.lower() in ("anonymous", "unknown"):
        return "anonymous"
    return user if _NUMBER.match(user) else ""


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def line_event(report: Report, line_id: str) -> telephony_pb2.LineEvent:
    """The LineEvent of a call's report, on the line ``line_id``."""
    return telephony_pb2.LineEvent(
        line_id=line_id,
        switch_call_id=report.call_id,
        kind=KINDS[report.kind],
        at=timestamp(report.at),
        caller_number=caller_number(report.caller),
        extension=report.extension if report.kind == "answered" else "",
        transfer_target=report.target if report.kind == "transferred" else "",
    )


def heartbeat(line_id: str, at: datetime) -> telephony_pb2.LineEvent:
    return telephony_pb2.LineEvent(line_id=line_id, kind=telephony_pb2.LINE_EVENT_KIND_HEARTBEAT, at=timestamp(at))
