"""Case policies (versioned handling times per category and site) and each site's holiday calendar,
in intake's schema. The caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dutyline.db.pool import Connection
from services.intake.cases.calendar import Handling, HolidayCalendar
from services.intake.cases.rules import BUILT_IN

DEFAULT_SITE = ""


@dataclass(frozen=True)
class PolicyRow:
    site_id: str  # "" for the default
    category: str
    handling: Handling
    updated_by: str
    updated_at: datetime | None  # None: built in


@dataclass(frozen=True)
class CalendarRow:
    site_id: str
    calendar: HolidayCalendar
    version: int


async def insert_version(
    conn: Connection, *, site_id: str, category: str, handling: Handling, by: str, at: datetime
) -> PolicyRow:
    """The next version of the policy of ``category`` at ``site_id`` ("" the default)."""
    # Versions of one policy are numbered in turn: writers of the same one wait for each other.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('case_policy:' || $1 || ':' || $2))", site_id, category)
    version = await conn.fetchval(
        "SELECT coalesce(max(version), 0) + 1 FROM case_policies WHERE site_id = $1 AND category = $2",
        site_id,
        category,
    )
    await conn.execute(
        """INSERT INTO case_policies
           (site_id, category, version, working_days, urgent_hours, remind_before_minutes, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        site_id,
        category,
        version,
        handling.working_days,
        handling.urgent_hours,
        handling.remind_before_minutes,
        by,
        at,
    )
    stored = Handling(handling.working_days, handling.urgent_hours, handling.remind_before_minutes, version)
    return PolicyRow(site_id, category, stored, by, at)


async def in_force(conn: Connection, *, site_id: str) -> dict[str, PolicyRow]:
    """The policy of each category at ``site_id``: its own newest version, else the default's, else
    the built-in one. ``site_id`` "": the defaults."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (category) * FROM case_policies
           WHERE site_id = $1 OR site_id = ''
           ORDER BY category, (site_id = $1) DESC, version DESC""",
        site_id,
    )
    found = {
        r["category"]: PolicyRow(
            r["site_id"],
            r["category"],
            Handling(r["working_days"], r["urgent_hours"], r["remind_before_minutes"], r["version"]),
            r["updated_by"],
            r["updated_at"],
        )
        for r in rows
    }
    for category, handling in BUILT_IN.items():
        found.setdefault(category, PolicyRow(DEFAULT_SITE, category, handling, "", None))
    return found


async def get_calendar(conn: Connection, *, site_id: str) -> CalendarRow:
    """The site's calendar (an empty one, version 0, if none was set: weekends off only)."""
    row = await conn.fetchrow("SELECT * FROM holiday_calendars WHERE site_id = $1", site_id)
    if row is None:
        return CalendarRow(site_id, HolidayCalendar(), 0)
    return CalendarRow(
        site_id, HolidayCalendar(frozenset(row["holidays"]), frozenset(row["working_days"])), row["version"]
    )


async def put_calendar(
    conn: Connection, *, site_id: str, holidays: list[date], working_days: list[date], by: str, at: datetime
) -> CalendarRow:
    row = await conn.fetchrow(
        """INSERT INTO holiday_calendars (site_id, holidays, working_days, version, updated_by, updated_at)
           VALUES ($1, $2, $3, 1, $4, $5)
           ON CONFLICT (site_id) DO UPDATE SET holidays = $2, working_days = $3,
               version = holiday_calendars.version + 1, updated_by = $4, updated_at = $5
           RETURNING *""",
        site_id,
        holidays,
        working_days,
        by,
        at,
    )
    assert row is not None
    return CalendarRow(
        site_id, HolidayCalendar(frozenset(row["holidays"]), frozenset(row["working_days"])), row["version"]
    )
