"""The rules of presence on duty (在岗), pure: every time is an argument.

Check-out (签退): at or after the shift's end it is on time. Before it, it is early leave (早退)
unless the post was handed over (the incoming officer accepted this shift's handover) or the duty
leader released the officer (准假: a leader of the site recorded the check-out, with the reason).

Presence check (在岗抽查): the person confirms by the deadline, through ConfirmPresence or by
acknowledging the check's message; an acknowledgement after the deadline does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_ANSWER_MINUTES = 10


@dataclass(frozen=True)
class CheckOutVerdict:
    status: str  # "on_time" | "early_leave" | "excused"
    early_seconds: float
    note: str


def check_out(
    *, at: datetime, ends_at: datetime, accepted_handover: str | None, released_by: str | None, reason: str
) -> CheckOutVerdict:
    """What a check-out at ``at`` is: ``released_by`` names the leader who checks the officer out."""
    early = max(0.0, (ends_at - at).total_seconds())
    if early == 0:
        return CheckOutVerdict("on_time", 0.0, reason)
    if accepted_handover:
        return CheckOutVerdict("excused", early, f"handover {accepted_handover} accepted")
    if released_by:
        return CheckOutVerdict("excused", early, f"released by {released_by}: {reason}")
    return CheckOutVerdict("early_leave", early, reason)


def answer_due(requested_at: datetime, answer_minutes: int) -> datetime:
    """The deadline of a presence check (``answer_minutes`` 0 takes the default)."""
    return requested_at + timedelta(minutes=answer_minutes or DEFAULT_ANSWER_MINUTES)


def acknowledged_in_time(acknowledged: Iterable[datetime | None], due_at: datetime) -> datetime | None:
    """The first acknowledgement of the check's messages by the deadline, if any."""
    in_time = [at for at in acknowledged if at is not None and at <= due_at]
    return min(in_time) if in_time else None
