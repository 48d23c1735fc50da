"""Per-service schemas: migrations apply once, and a service refuses an unmigrated schema."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import asyncpg
import pytest

from dutyline.config import SERVICES
from dutyline.db.migrations import SchemaNotMigrated, ensure_migrated, migrate_all

pytestmark = pytest.mark.stack


async def fresh_database(platform: Any, name: str) -> str:
    admin = await asyncpg.connect(platform.postgres.admin_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return platform.postgres.dsn.rsplit("/", 1)[0] + f"/{name}"


async def test_a_service_refuses_to_start_on_an_unmigrated_schema(platform: Any) -> None:
    dsn = await fresh_database(platform, "unmigrated")
    env = {**platform.env(), "DUTYLINE_PG_DSN": dsn, "DUTYLINE_INTAKE_ADDRESS": "127.0.0.1:1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.intake",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=os.getcwd(),
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert b"dutyline migrate" in output and b"not migrated" in output


async def test_migrations_apply_once_and_then_the_schemas_are_current(platform: Any) -> None:
    dsn = await fresh_database(platform, "migrated")
    first = await migrate_all(dsn, SERVICES)
    assert all(first[s] for s in SERVICES)  # at least the kit's outbox and idempotency tables
    assert await migrate_all(dsn, SERVICES) == {s: [] for s in SERVICES}
    conn = await asyncpg.connect(dsn)
    try:
        for service in SERVICES:
            await ensure_migrated(conn, service)
        await conn.execute("DELETE FROM intake.schema_migrations WHERE name LIKE '0001%'")
        with pytest.raises(SchemaNotMigrated, match="dutyline migrate"):
            await ensure_migrated(conn, "intake")
    finally:
        await conn.close()
