"""asyncpg pool bound to one service's schema."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy


async def create_pool(dsn: str, *, schema: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    # Session settings go in server_settings: asyncpg runs RESET ALL when a connection returns.
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": schema, "application_name": f"dutyline-{schema}"},
    )
    assert pool is not None
    return pool


# What store functions take: a plain connection or one borrowed from a pool.
Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
