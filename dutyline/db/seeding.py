"""Seeding the demo organization into roster's schema (dutyline up, `dutyline migrate --demo`)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from services.roster.seed import seed_demo


async def seed_demo_organization(dsn: str, *, im_base_url: str = "") -> bool:
    """Seed the demo organization unless the roster has data; returns whether it seeded."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "roster"})
    try:
        async with conn.transaction():
            return await seed_demo(conn, today=datetime.now(UTC).date(), im_base_url=im_base_url)
    finally:
        await conn.close()
