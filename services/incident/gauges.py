"""incident's series that only its tables know, refreshed when the process is scraped (dutyline.metrics)."""

from __future__ import annotations

import asyncpg

from dutyline import metrics


async def deadlines(pool: asyncpg.Pool) -> None:
    """Open incidents with a report still due (the partial index incidents_next_due), and the deadlines
    that passed without their report (迟报 and 漏报: a violation with the deadline it missed)."""
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM incidents WHERE next_due_at IS NOT NULL AND stage <> 'closed') AS pending, "
        "(SELECT count(*) FROM violations WHERE due_at IS NOT NULL AND kind IN ('late', 'missed')) AS missed"
    )
    assert row is not None
    metrics.DEADLINES_PENDING.set(row["pending"])
    metrics.DEADLINES_MISSED.set(row["missed"])
