"""The cases projection (工单): each hotline case once, from intake's case events — opened, answered
(in time or after the deadline then in force), overdue (the deadline passed before the caller was
told), feedback given (反馈) and its return visits (回访) with the caller's satisfaction.

Every case event carries the case as it stands, so any of them makes the row; the flags only ever turn
on, whatever order the events arrive in. The visits are counted per case.return_visited event: the
runner applies an event once (its id is recorded with the change), and one delivered twice in a batch
is taken once here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.intake.v1 import case_pb2
from dutyline.projection import Projection
from services.insight.projections.common import at, occurred, unpack, values

TYPES = ("case.opened", "case.answered", "case.feedback_given", "case.return_visited", "case.overdue")


@dataclass(frozen=True)
class CaseRow:
    """What one event says of its case (the flags it turns on, the visit it counts)."""

    case_id: str
    site_id: str
    drill: bool
    opened_at: datetime
    answered: bool
    answered_late: bool
    overdue: bool
    feedback_given: bool
    return_visits: int
    satisfied: int
    dissatisfied: int


def row_of(event: event_pb2.Event) -> CaseRow | None:
    """What ``event`` says of its case (pure); None for a case without its opening time."""
    if event.type not in TYPES:
        raise ValueError(f"the cases projection does not read {event.type}")
    case = unpack(event, event_pb2.CaseChanged).case
    opened_at = at(case.opened_at)
    if not case.id or opened_at is None:
        return None
    due = at(case.due_at)
    answered = event.type == "case.answered"
    visited = event.type == "case.return_visited"
    return CaseRow(
        case_id=case.id,
        site_id=case.site_id or event.site_id,
        drill=event.drill or case.drill,
        opened_at=opened_at,
        answered=answered,
        answered_late=answered and due is not None and occurred(event) > due,
        overdue=event.type == "case.overdue" or case.overdue,
        feedback_given=event.type == "case.feedback_given",
        return_visits=int(visited),
        satisfied=int(visited and case.return_visit == case_pb2.RETURN_VISIT_RESULT_SATISFIED),
        dissatisfied=int(visited and case.return_visit == case_pb2.RETURN_VISIT_RESULT_DISSATISFIED),
    )


UPSERT = """
INSERT INTO cases AS c (case_id, site_id, drill, opened_at, answered, answered_late, overdue, feedback_given,
    return_visits, satisfied, dissatisfied)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (case_id) DO UPDATE SET
    drill = c.drill OR excluded.drill,
    answered = c.answered OR excluded.answered,
    answered_late = c.answered_late OR excluded.answered_late,
    overdue = c.overdue OR excluded.overdue,
    feedback_given = c.feedback_given OR excluded.feedback_given,
    return_visits = c.return_visits + excluded.return_visits,
    satisfied = c.satisfied + excluded.satisfied,
    dissatisfied = c.dissatisfied + excluded.dissatisfied
"""


async def apply(conn: Connection, events: Sequence[event_pb2.Event]) -> None:
    once = {event.id: event for event in events}
    rows = [row for event in once.values() if (row := row_of(event)) is not None]
    if rows:
        await conn.executemany(UPSERT, [values(row) for row in rows])


CASES = Projection(name="insight-cases", types=TYPES, tables=("cases",), apply=apply)
