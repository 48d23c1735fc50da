"""The duties projection (值班安排): who holds which shift at which site, from roster's events — a
published roster (roster.published carries the period's roster as it stands) and each assignment a
leave or a swap gave to someone else (assignment.changed). The assessment (考核) reads it for the
month-without-violation bonus (``services.insight.scoring.Duty``), the statistics for the shifts of
each person and the coverage gaps (缺岗时段) of each site: the spans the publication itself lists as
short of the required officers or leader (published with an override; an approved leave or swap
never opens one: roster refuses it).

A publication replaces the site's shifts and gaps starting in its period: those it no longer lists
go. Of two events on one shift the later (the greater event id: ids grow with time) stands, and an
earlier event never brings back a shift or gap a later publication dropped — whatever order they
arrive in.

Both events name each person they list (roster's display name): the documents show people by it
(``people``), the latest event's name standing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.events.v1 import event_pb2
from dutyline.projection import Projection
from dutyline.roster.v1 import roster_pb2
from services.insight.projections.common import at, enum_name, unpack, values

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
class GapRow:
    """A span of ``site_id``'s published roster with ``present`` of the ``required`` ``role``."""

    site_id: str
    role: str
    starts_at: datetime
    ends_at: datetime
    required: int
    present: int
    drill: bool
    event_id: str


@dataclass(frozen=True)
class NameRow:
    """The name ``person_id`` goes by as of ``event_id``."""

    person_id: str
    display_name: str
    event_id: str


@dataclass(frozen=True)
class Publication:
    """A published roster: the site's shifts and gaps starting in [start, end) are ``rows`` and
    ``gaps`` from now on."""

    publication_id: str
    site_id: str
    start: datetime
    end: datetime
    rows: tuple[DutyRow, ...]
    event_id: str
    gaps: tuple[GapRow, ...] = ()
    names: tuple[NameRow, ...] = ()


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


def _gap(event: event_pb2.Event, site_id: str, gap: roster_pb2.CoverageGap) -> GapRow | None:
    starts, ends = at(gap.period.start), at(gap.period.end)
    role = enum_name(common_pb2.Role, gap.role, "ROLE_")
    if starts is None or ends is None or role is None:
        return None
    return GapRow(site_id, role, starts, ends, gap.required, gap.present, event.drill, event.id)


def change_of(event: event_pb2.Event) -> Publication | DutyRow | None:
    """What ``event`` changes (pure): a whole period's roster, or one shift's person."""
    if event.type == "roster.published":
        published = unpack(event, event_pb2.RosterPublished)
        start, end = at(published.period.start), at(published.period.end)
        if start is None or end is None:
            return None
        rows = tuple(row for a in published.roster if (row := _duty(event, a)) is not None)
        site_id = published.site_id or event.site_id
        gaps = tuple(gap for g in published.gaps if (gap := _gap(event, site_id, g)) is not None)
        return Publication(
            published.publication_id or event.id,
            site_id,
            start,
            end,
            rows,
            event.id,
            gaps,
            names_of(event, published.roster),
        )
    if event.type == "assignment.changed":
        return _duty(event, unpack(event, event_pb2.AssignmentChanged).assignment)
    raise ValueError(f"the duties projection does not read {event.type}")


def names_of(event: event_pb2.Event, assignments: Sequence[roster_pb2.Assignment]) -> tuple[NameRow, ...]:
    """The names the event gives its people (one row a person)."""
    names = {a.person_id: a.display_name.strip()[:100] for a in assignments if a.person_id and a.display_name.strip()}
    return tuple(NameRow(person, name, event.id) for person, name in sorted(names.items()))


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

DROP_GAPS = """
DELETE FROM coverage_gaps WHERE site_id = $1 AND starts_at >= $2 AND starts_at < $3 AND event_id < $4
"""

# A gap of this publication, unless a later one covers its start (that one listed it, or dropped it).
UPSERT_GAP = """
INSERT INTO coverage_gaps AS g (site_id, role, starts_at, ends_at, required, present, drill, event_id)
SELECT $1, $2, $3, $4, $5, $6, $7, $8
WHERE NOT EXISTS (SELECT 1 FROM duty_publications p
                  WHERE p.site_id = $1 AND p.starts_at <= $3 AND $3 < p.ends_at AND p.event_id > $8)
ON CONFLICT (site_id, role, starts_at) DO UPDATE SET
    ends_at = excluded.ends_at, required = excluded.required, present = excluded.present,
    drill = excluded.drill, event_id = excluded.event_id
WHERE excluded.event_id > g.event_id
"""


UPSERT_NAME = """
INSERT INTO people AS p (person_id, display_name, event_id) VALUES ($1, $2, $3)
ON CONFLICT (person_id) DO UPDATE SET display_name = excluded.display_name, event_id = excluded.event_id
WHERE excluded.event_id > p.event_id
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
            await conn.executemany(UPSERT, [values(row) for row in change.rows])
            await conn.execute(DROP_GAPS, change.site_id, change.start, change.end, change.event_id)
            await conn.executemany(UPSERT_GAP, [values(gap) for gap in change.gaps])
            await conn.executemany(UPSERT_NAME, [values(name) for name in change.names])
        elif change is not None:
            await conn.execute(UPSERT, *values(change))
            changed = unpack(event, event_pb2.AssignmentChanged).assignment
            await conn.executemany(UPSERT_NAME, [values(name) for name in names_of(event, [changed])])


DUTIES = Projection(
    name="insight-duties", types=TYPES, tables=("duties", "duty_publications", "coverage_gaps", "people"), apply=apply
)
