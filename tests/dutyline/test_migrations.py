"""Per-service schemas: migrations apply once, and a service refuses an unmigrated schema."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import asyncpg
import pytest

from dutyline.config import SERVICES
from dutyline.db.migrations import SchemaNotMigrated, ensure_migrated
from dutyline.launch import migrate_all

pytestmark = pytest.mark.stack


async def fresh_database(platform: Any, name: str) -> str:
    admin = await asyncpg.connect(platform.postgres.admin_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return platform.postgres.dsn_of(name)


async def test_a_service_refuses_to_start_on_an_unmigrated_schema(platform: Any) -> None:
    dsn = await fresh_database(platform, "unmigrated")
    env = {**platform.env("intake"), "DUTYLINE_PG_DSN": dsn, "DUTYLINE_INTAKE_ADDRESS": "127.0.0.1:1"}
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
    first = await migrate_all(dsn, passwords=platform.pg_passwords)
    assert all(first[s] for s in SERVICES)  # at least the kit's outbox and idempotency tables
    assert await migrate_all(dsn, passwords=platform.pg_passwords) == {s: [] for s in SERVICES}
    conn = await asyncpg.connect(dsn)
    try:
        for service in SERVICES:
            await ensure_migrated(conn, service, f"services.{service}.migrations")
        await conn.execute("DELETE FROM intake.schema_migrations WHERE name LIKE '0001%'")
        with pytest.raises(SchemaNotMigrated, match="dutyline migrate"):
            await ensure_migrated(conn, "intake", "services.intake.migrations")
    finally:
        await conn.close()


async def test_dutyline_migrate_opens_each_schema_to_its_role_only(
    platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from dutyline.cli.main import app
    from dutyline.config import dsn_as, get_settings, role_of

    dsn = await fresh_database(platform, "migrated_by_cli")
    monkeypatch.setenv("DUTYLINE_PG_DSN", dsn)
    for service in SERVICES:
        # The roles belong to the whole server: keep the passwords the running platform uses.
        monkeypatch.setenv(f"DUTYLINE_{service.upper()}_PG_PASSWORD", platform.pg_passwords[service])
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(CliRunner().invoke, app, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    conn = await asyncpg.connect(dsn_as(dsn, role_of("intake"), platform.pg_passwords["intake"]))
    try:
        assert await conn.fetchval("SELECT count(*) FROM intake.calls") == 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT 1 FROM incident.incidents")
    finally:
        await conn.close()
