"""When each task of an activated plan is due a notice (pure: every time is an argument)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.plan_activation.types import ESCALATION, OVERDUE, REMINDER


@dataclass(frozen=True, order=True)
class Notice:
    at: datetime
    key: str
    kind: str


def pending_notices(
    dues: Mapping[str, datetime],
    *,
    open_tasks: Collection[str],
    sent: Collection[tuple[str, str]],
    started_at: datetime,
    now: datetime,
    remind_before: timedelta,
    escalate_after: timedelta,
) -> list[Notice]:
    """The notices still to send for the open tasks, soonest first: a reminder before the deadline
    (none when the task is due too soon after the activation for one, or its deadline has passed),
    the overdue notice to the owner at the deadline, the escalation to the duty leader later."""
    notices: list[Notice] = []
    for key, due_at in dues.items():
        if key not in open_tasks:
            continue
        remind_at = due_at - remind_before
        planned = [(remind_at, REMINDER)] if started_at < remind_at and now < due_at else []
        planned += [(due_at, OVERDUE), (due_at + escalate_after, ESCALATION)]
        notices.extend(Notice(at, key, kind) for at, kind in planned if (key, kind) not in sent)
    return sorted(notices)
