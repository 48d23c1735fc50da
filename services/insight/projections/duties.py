"""The duties projection (值班安排): who holds which shift at which site, from roster's events — a
published roster (roster.published carries the period's roster as it stands) and each assignment a
leave or a swap gave to someone else (assignment.changed). The assessment (考核) reads it for the
month-without-violation bonus (``services.insight.scoring.Duty``).

A publication replaces the site's shifts starting in its period: shifts it no longer lists go. Of
two events on one shift the later (the greater event id: ids grow with time) stands, and an earlier
event never brings back a shift a later publication dropped — whatever order they arrive in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.projection import Projection
from dutyline.roster.v1 import roster_pb2
from services.insight.projections.common import at, enum_name, unpack

TYPES = ("roster.published", "assignment.changed")


@dataclass(frozen=True)
class DutyRow:
    """A shift ``person_id`` holds at ``site_id`` as of ``event_id``."""

    assignment_id: str
    site_id: str
    person_id: str
    role: str | None
    shift_name: str
    starts_at: datetime
    ends_at: datetime
    drill: bool
    event_id: str


@dataclass(frozen=True)
class Publication:
    """A published roster: the site's shifts starting in [start, end) are ``rows`` from now on."""

    publication_id: str
    site_id: str
    start: datetime
    end: datetime
    rows: tuple[DutyRow, ...]
    event_id: str


def _duty(event: event_pb2.Event, assignment: roster_pb2.Assignment) -> DutyRow | None:
    starts, ends = at(assignment.start), at(assignment.end)
    if not assignment.id or not assignment.person_id or starts is None or ends is None:
        return None
    return DutyRow(
        assignment_id=assignment.id,
        site_id=assignment.site_id or event.site_id,
        person_id=assignment.person_id,
        role=enum_name(common_pb2.Role, assignment.role, "ROLE_"),
        shift_name=assignment.shift_name[:100],
        starts_at=starts,
        ends_at=ends,
        drill=event.drill,
        event_id=event.id,
    )


def change_of(event: event_pb2.Event) -> Publication | DutyRow | None:
    """What ``event`` changes (pure): a whole period's roster, or one shift's person."""
    if event.type == "roster.published":
        published = unpack(event, event_pb2.RosterPublished)
        start, end = at(published.period.start), at(published.period.end)
        if start is None or end is None:
            return None
        rows = tuple(row for a in published.roster if (row := _duty(event, a)) is not None)
        site_id = published.site_id or event.site_id
        return Publication(published.publication_id or event.id, site_id, start, end, rows, event.id)
    if event.type == "assignment.changed":
        return _duty(event, unpack(event, event_pb2.AssignmentChanged).assignment)
    raise ValueError(f"the duties projection does not read {event.type}")


UPSERT = """
INSERT INTO duties AS d (assignment_id, site_id, person_id, role, shift_name, starts_at, ends_at, drill, event_id)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
WHERE NOT EXISTS (SELECT 1 FROM duty_publications p
                  WHERE p.site_id = $2 AND p.starts_at <= $6 AND $6 < p.ends_at AND p.event_id > $9)
ON CONFLICT (assignment_id) DO UPDATE SET
    site_id = excluded.site_id, person_id = excluded.person_id, role = excluded.role,
    shift_name = excluded.shift_name, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
    drill = excluded.drill, event_id = excluded.event_id
WHERE excluded.event_id > d.event_id
"""

RECORD = """
INSERT INTO duty_publications (publication_id, site_id, starts_at, ends_at, event_id) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (publication_id) DO NOTHING
"""

# Shifts an earlier publication or change made that this publication no longer lists.
DROP_UNLISTED = """
DELETE FROM duties WHERE site_id = $1 AND starts_at >= $2 AND starts_at < $3 AND event_id < $4
    AND NOT (assignment_id = ANY($5::text[]))
"""


async def apply(conn: Connection, events: Sequence[event_pb2.Event]) -> None:
    for event in events:
        change = change_of(event)
        if isinstance(change, Publication):
            await conn.execute(RECORD, change.publication_id, change.site_id, change.start, change.end, change.event_id)
            await conn.execute(
                DROP_UNLISTED,
                change.site_id,
                change.start,
                change.end,
                change.event_id,
                [row.assignment_id for row in change.rows],
            )
            await conn.executemany(UPSERT, [astuple(row) for row in change.rows])
        elif change is not None:
            await conn.execute(UPSERT, *astuple(change))


DUTIES = Projection(name="insight-duties", types=TYPES, tables=("duties", "duty_publications"), apply=apply)
