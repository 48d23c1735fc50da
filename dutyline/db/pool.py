"""asyncpg pool bound to one service's schema."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What a connection needs when it returns to the pool: nothing. The services keep no session state
    (settings are server_settings, locks are transaction locks, nobody LISTENs) and asyncpg rolls back an
    open transaction itself, so its default reset (RESET ALL, UNLISTEN, unlock all) is a round trip per
    checkout for nothing."""


async def create_pool(dsn: str, *, schema: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    # Session settings go in server_settings (they hold for the connection's life).
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": schema, "application_name": f"dutyline-{schema}"},
        reset=_keep_session,
    )
    assert pool is not None
    return pool


# What store functions take: a plain connection or one borrowed from a pool.
Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
