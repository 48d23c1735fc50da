"""Required qualifications, trainings, expiry warnings and drills in roster's database (migration 0008).
The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from dutyline.db.pool import Connection
from services.roster.competence_rules import Held, Requirement


async def set_requirements(
    conn: Connection, *, site_id: str, requirements: list[Requirement], updated_by: str
) -> datetime:
    """Replace the site's requirements; returns when."""
    await conn.execute("DELETE FROM required_qualifications WHERE site_id = $1", site_id)
    await conn.executemany(
        """INSERT INTO required_qualifications (site_id, role, qualification, valid_days, updated_by)
           VALUES ($1, $2, $3, $4, $5)""",
        [(site_id, r.role, r.qualification, r.valid_days, updated_by) for r in requirements],
    )
    updated_at: datetime = await conn.fetchval("SELECT now()")
    return updated_at


async def requirements(conn: Connection, *, site_id: str) -> list[Requirement]:
    rows = await conn.fetch(
        """SELECT role, qualification, valid_days FROM required_qualifications WHERE site_id = $1
           ORDER BY role, qualification""",
        site_id,
    )
    return [Requirement(r["role"], r["qualification"], r["valid_days"]) for r in rows]


async def held(conn: Connection, *, person_ids: Iterable[str]) -> Held:
    """The last valid day of each qualification the people were ever trained for."""
    rows = await conn.fetch(
        """SELECT person_id, qualification, max(valid_until) AS valid_until FROM trainings
           WHERE person_id = ANY($1::text[]) GROUP BY person_id, qualification""",
        sorted(set(person_ids)),
    )
    return {(r["person_id"], r["qualification"]): r["valid_until"] for r in rows}


@dataclass(frozen=True)
class TrainingRow:
    id: str
    person_id: str
    site_id: str
    qualification: str
    completed_on: date
    valid_until: date
    course: str
    certificate_no: str
    recorded_by: str
    recorded_at: datetime


def _training(row: asyncpg.Record) -> TrainingRow:
    return TrainingRow(**{k: row[k] for k in TrainingRow.__dataclass_fields__})


async def record_training(conn: Connection, *, training: TrainingRow) -> tuple[TrainingRow, bool]:
    """The training as stored, and whether it is new: the same person, qualification and day recorded
    again is the training recorded first."""
    row = await conn.fetchrow(
        """INSERT INTO trainings (id, person_id, site_id, qualification, completed_on, valid_until, course,
                                  certificate_no, recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (person_id, qualification, completed_on) DO NOTHING
           RETURNING *""",
        training.id,
        training.person_id,
        training.site_id,
        training.qualification,
        training.completed_on,
        training.valid_until,
        training.course,
        training.certificate_no,
        training.recorded_by,
        training.recorded_at,
    )
    if row is not None:
        return _training(row), True
    first = await conn.fetchrow(
        "SELECT * FROM trainings WHERE person_id = $1 AND qualification = $2 AND completed_on = $3",
        training.person_id,
        training.qualification,
        training.completed_on,
    )
    assert first is not None
    return _training(first), False


@dataclass(frozen=True)
class ExpiringRow:
    person_id: str
    display_name: str
    site_id: str
    qualification: str
    valid_until: date


async def required_held_until(conn: Connection, *, first: date, last: date) -> list[ExpiringRow]:
    """Required qualifications people hold whose last valid day is in [first, last]."""
    rows = await conn.fetch(
        """SELECT t.person_id, p.display_name, p.site_id, t.qualification, max(t.valid_until) AS valid_until
           FROM trainings t JOIN people p ON p.id = t.person_id
           WHERE EXISTS (SELECT 1 FROM required_qualifications r
                         WHERE r.site_id = p.site_id AND r.role = ANY(p.roles) AND r.qualification = t.qualification)
           GROUP BY t.person_id, p.display_name, p.site_id, t.qualification
           HAVING max(t.valid_until) BETWEEN $1 AND $2""",
        first,
        last,
    )
    return [ExpiringRow(**{k: r[k] for k in ExpiringRow.__dataclass_fields__}) for r in rows]


async def add_warning(conn: Connection, *, row: ExpiringRow) -> bool:
    """Record the warning of one qualification and expiry; False if it was warned already."""
    added = await conn.fetchval(
        """INSERT INTO qualification_warnings (person_id, qualification, valid_until, site_id)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true""",
        row.person_id,
        row.qualification,
        row.valid_until,
        row.site_id,
    )
    return bool(added)


async def unnotified_warnings(conn: Connection, *, limit: int = 100) -> list[ExpiringRow]:
    rows = await conn.fetch(
        """SELECT w.person_id, p.display_name, w.site_id, w.qualification, w.valid_until
           FROM qualification_warnings w JOIN people p ON p.id = w.person_id
           WHERE w.notified_at IS NULL ORDER BY w.warned_at LIMIT $1""",
        limit,
    )
    return [ExpiringRow(**{k: r[k] for k in ExpiringRow.__dataclass_fields__}) for r in rows]


async def mark_notified(conn: Connection, *, row: ExpiringRow) -> None:
    await conn.execute(
        """UPDATE qualification_warnings SET notified_at = now()
           WHERE person_id = $1 AND qualification = $2 AND valid_until = $3""",
        row.person_id,
        row.qualification,
        row.valid_until,
    )


@dataclass(frozen=True)
class DrillRow:
    id: str
    site_id: str
    subject: str
    scheduled_for: datetime
    participant_ids: tuple[str, ...]
    scheduled_by: str
    status: str = "scheduled"
    attended_ids: tuple[str, ...] = ()
    held_at: datetime | None = None
    review: str = ""
    recorded_by: str = ""
    version: int = 1


def _drill(row: asyncpg.Record) -> DrillRow:
    values = {k: row[k] for k in DrillRow.__dataclass_fields__}
    values["participant_ids"] = tuple(row["participant_ids"])
    values["attended_ids"] = tuple(row["attended_ids"])
    return DrillRow(**values)


async def insert_drill(conn: Connection, *, drill: DrillRow) -> DrillRow:
    row = await conn.fetchrow(
        """INSERT INTO drills (id, site_id, subject, scheduled_for, participant_ids, scheduled_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        drill.id,
        drill.site_id,
        drill.subject,
        drill.scheduled_for,
        list(drill.participant_ids),
        drill.scheduled_by,
    )
    assert row is not None
    return _drill(row)


async def get_drill(conn: Connection, *, drill_id: str, for_update: bool = False) -> DrillRow | None:
    row = await conn.fetchrow("SELECT * FROM drills WHERE id = $1" + (" FOR UPDATE" if for_update else ""), drill_id)
    return None if row is None else _drill(row)


async def record_drill(
    conn: Connection, *, drill_id: str, attended_ids: list[str], held_at: datetime, review: str, recorded_by: str
) -> DrillRow:
    row = await conn.fetchrow(
        """UPDATE drills SET status = 'held', attended_ids = $2, held_at = $3, review = $4, recorded_by = $5,
                             version = version + 1
           WHERE id = $1 RETURNING *""",
        drill_id,
        attended_ids,
        held_at,
        review,
        recorded_by,
    )
    assert row is not None
    return _drill(row)


async def list_drills(
    conn: Connection, *, site_id: str, status: str | None, start: datetime | None, end: datetime | None
) -> list[DrillRow]:
    rows = await conn.fetch(
        """SELECT * FROM drills WHERE site_id = $1 AND ($2::text IS NULL OR status = $2)
           AND ($3::timestamptz IS NULL OR scheduled_for >= $3) AND ($4::timestamptz IS NULL OR scheduled_for < $4)
           ORDER BY scheduled_for, id LIMIT 500""",
        site_id,
        status,
        start,
        end,
    )
    return [_drill(r) for r in rows]
