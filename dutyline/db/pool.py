"""asyncpg pool bound to one service's schema."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What a connection needs when it returns to the pool: nothing. The services keep no session state
    (settings are server_settings, locks are transaction locks, nobody LISTENs) and asyncpg rolls back an
    open transaction itself, so its default reset (RESET ALL, UNLISTEN, unlock all) is a round trip per
    checkout for nothing."""


# How long a request waits for a free connection before it gives up with a TimeoutError, which the gRPC kit
# answers as UNAVAILABLE (retry): a pool whose connections all hang must not hold callers for their whole
# deadline, nor forever when they set none.
ACQUIRE_TIMEOUT = 10.0


class BoundedPool(asyncpg.Pool):
    """asyncpg's pool whose ``acquire()`` waits at most ACQUIRE_TIMEOUT unless given a timeout."""

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext:
        return super().acquire(timeout=ACQUIRE_TIMEOUT if timeout is None else timeout)


async def create_pool(dsn: str, *, schema: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    # What asyncpg.create_pool does, with our pool class (it takes none); its defaults otherwise.
    pool = BoundedPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        # Session settings go in server_settings (they hold for the connection's life).
        server_settings={"search_path": schema, "application_name": f"dutyline-{schema}"},
        reset=_keep_session,
    )
    await pool
    return pool


# What store functions take: a plain connection or one borrowed from a pool.
Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
