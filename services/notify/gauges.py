"""notify's series that only its tables know, refreshed when the process is scraped (dutyline.metrics)."""

from __future__ import annotations

import asyncpg

from dutyline import metrics


async def escalations(pool: asyncpg.Pool) -> None:
    """Escalations still running, and those that ran through their chain with nobody acknowledging."""
    row = await pool.fetchrow(
        "SELECT count(*) FILTER (WHERE status = 'running') AS open, "
        "count(*) FILTER (WHERE status = 'exhausted') AS exhausted FROM escalations"
    )
    assert row is not None
    metrics.ESCALATIONS_OPEN.set(row["open"])
    metrics.ESCALATIONS_EXHAUSTED.set(row["exhausted"])
