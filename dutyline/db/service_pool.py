"""A service's own connection pool: into its schema, as its own role, once the schema is migrated."""

from __future__ import annotations

import asyncpg

from dutyline import metrics
from dutyline.config import ServiceSettings
from dutyline.db.migrations import ensure_migrated
from dutyline.db.pool import create_pool


async def service_pool(settings: ServiceSettings, *, min_size: int, max_size: int) -> asyncpg.Pool:
    """A pool of the service of ``settings`` (its server's or its worker's); raises SchemaNotMigrated
    while the schema lags the code."""
    pool = await create_pool(settings.service_dsn(), schema=settings.service, min_size=min_size, max_size=max_size)
    try:
        async with pool.acquire() as conn:
            await ensure_migrated(conn, settings.service, settings.migrations)
    except BaseException:
        await pool.close()
        raise
    metrics.track_pool(settings.service, pool)
    return pool
