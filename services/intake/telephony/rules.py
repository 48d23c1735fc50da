"""Pure rules of telephony: a line call rebuilt from its switch events (in any order), a line's state,
and the deadlines of missed and unregistered calls. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dutyline.intake.v1 import telephony_pb2

KINDS = {
    telephony_pb2.LINE_EVENT_KIND_RINGING: "ringing",
    telephony_pb2.LINE_EVENT_KIND_ANSWERED: "answered",
    telephony_pb2.LINE_EVENT_KIND_TRANSFERRED: "transferred",
    telephony_pb2.LINE_EVENT_KIND_ENDED: "ended",
    telephony_pb2.LINE_EVENT_KIND_ABANDONED: "abandoned",
    telephony_pb2.LINE_EVENT_KIND_NOT_ANSWERED: "not_answered",
    telephony_pb2.LINE_EVENT_KIND_HEARTBEAT: "heartbeat",
    telephony_pb2.LINE_EVENT_KIND_RECORDING: "recording",
}
MISSED = ("abandoned", "not_answered")
# A line's limits when its configuration says 0.
DOWN_AFTER_SECONDS = 120
CALLBACK_DUE_SECONDS = 600
REGISTER_WITHIN_SECONDS = 600
# A call still ringing or in progress this long after it rang is taken as lost (its end never came):
# it no longer makes the line look busy.
OPEN_CALL_HORIZON = timedelta(hours=4)


@dataclass(frozen=True)
class SwitchEvent:
    """One event of a call as the switch reported it."""

    kind: str
    at: datetime
    extension: str = ""
    transfer_target: str = ""
    recording_ref: str = ""
    recording_retain_until: datetime | None = None


@dataclass(frozen=True)
class CallFacts:
    """A line call as all of its events so far say."""

    state: str
    ring_started_at: datetime
    answered_at: datetime | None
    transferred_at: datetime | None
    ended_at: datetime | None
    answer_delay_seconds: float
    answered_late: bool
    extension: str
    transfer_target: str
    recording_ref: str
    recording_retain_until: datetime | None

    @property
    def missed(self) -> bool:
        return self.state in MISSED


def call_facts(events: Iterable[SwitchEvent], answer_limit_seconds: int) -> CallFacts:
    """The line call its events make, whatever the order they arrived in (one event per kind counts).

    An answered call is answered whatever else was reported; a call is missed only when the switch
    said so (abandoned or not answered); an end without an answer waits for the answer. The ring
    starts at the ringing event, or the earliest event while that one is not known; the answer is
    late when it came more than ``answer_limit_seconds`` after the ring (三声响铃).
    """
    by_kind: dict[str, SwitchEvent] = {}
    for event in sorted(events, key=lambda e: e.at):
        by_kind.setdefault(event.kind, event)
    if not by_kind:
        raise ValueError("a line call has at least one event")
    ring = by_kind["ringing"].at if "ringing" in by_kind else min(e.at for e in by_kind.values())
    answered = by_kind.get("answered")
    transferred = by_kind.get("transferred")
    ended = by_kind.get("ended")
    missed = next((by_kind[k] for k in MISSED if k in by_kind), None)
    if answered is not None:
        state = "ended" if ended else "transferred" if transferred else "answered"
    elif missed is not None:
        state = missed.kind
    else:
        state = "ended" if ended else "transferred" if transferred else "ringing"
    delay = max(0.0, (answered.at - ring).total_seconds()) if answered else 0.0
    recording = by_kind.get("recording") or (ended if ended and ended.recording_ref else None)
    end = ended or (missed if answered is None else None)
    return CallFacts(
        state=state,
        ring_started_at=ring,
        answered_at=answered.at if answered else None,
        transferred_at=transferred.at if transferred else None,
        ended_at=end.at if end else None,
        answer_delay_seconds=delay,
        answered_late=answered is not None and delay > answer_limit_seconds,
        extension=answered.extension if answered else "",
        transfer_target=transferred.transfer_target if transferred else "",
        recording_ref=recording.recording_ref if recording else "",
        recording_retain_until=recording.recording_retain_until if recording else None,
    )


def silent_too_long(last_seen_at: datetime | None, configured_at: datetime, now: datetime, down_after: int) -> bool:
    """Whether a line heard from last at ``last_seen_at`` (never: since it was configured) is down."""
    return now - (last_seen_at or configured_at) > timedelta(seconds=down_after or DOWN_AFTER_SECONDS)


def line_state(*, down: bool, open_call_states: Sequence[str]) -> str:
    """ "down", "in_call" (a call answered and not ended), "ringing" or "up"."""
    if down:
        return "down"
    if any(s in ("answered", "transferred") for s in open_call_states):
        return "in_call"
    return "ringing" if "ringing" in open_call_states else "up"


def callback_due(missed_at: datetime, due_seconds: int) -> datetime:
    """When the officer must have called a missed caller back (a site's line setting, 10 min by default)."""
    return missed_at + timedelta(seconds=due_seconds or CALLBACK_DUE_SECONDS)


def registration_overdue(ended_at: datetime | None, within_seconds: int, now: datetime) -> bool:
    """Whether an answered call that ended at ``ended_at`` is past the time to register it."""
    return ended_at is not None and now - ended_at > timedelta(seconds=within_seconds or REGISTER_WITHIN_SECONDS)


def callback_recipient(officers: Sequence[str], leaders: Sequence[str], line_people: Sequence[str]) -> str:
    """Who calls a missed caller back: the officer on duty; with none, the leader on duty; with roster
    unable to tell, the first person of the line's extensions."""
    for people in (officers, leaders, line_people):
        if people:
            return people[0]
    raise ValueError("a line has at least one extension")
