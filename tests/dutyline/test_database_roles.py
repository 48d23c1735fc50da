"""Least privilege in the database, on the real stack: each service's role may use its own schema and
nothing else, and every process of the platform connects as the roles of the services it runs."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from dutyline.config import SERVICES, dsn_as, role_of
from dutyline.stack.platform import APPLICATION_PREFIX

pytestmark = pytest.mark.stack


async def connect_as(platform: Any, service: str) -> asyncpg.Connection:
    return await asyncpg.connect(platform.service_dsn(service))


async def test_intake_reads_its_own_schema_and_is_denied_incidents(platform: Any) -> None:
    conn = await connect_as(platform, "intake")
    try:
        assert await conn.fetchval("SELECT current_user") == "dutyline_intake"
        # Its own tables, the kit's among them.
        assert await conn.fetchval("SELECT count(*) FROM intake.calls") >= 0
        assert await conn.fetchval("SELECT count(*) FROM intake.outbox") >= 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.fetch("SELECT * FROM incident.incidents LIMIT 1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.fetch("SELECT * FROM incident.outbox LIMIT 1")
    finally:
        await conn.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_has_rows_of_its_schema_only(platform: Any, service: str) -> None:
    conn = await connect_as(platform, service)
    try:
        async with conn.transaction():
            # Rows of its own tables, through the kit's tables and their sequences.
            await conn.execute(
                f"INSERT INTO {service}.dead_letters (source, subject, data, reason) VALUES ('t', 't', '', 'role test')"
            )
            await conn.execute(f"DELETE FROM {service}.dead_letters WHERE reason = 'role test'")
        for other in SERVICES:
            if other != service:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.fetch(f"SELECT 1 FROM {other}.outbox LIMIT 1")
        # Not the structure: no DDL, no TRUNCATE, no rewriting the migrations' record, nothing in public.
        for statement in (
            f"CREATE TABLE {service}.extra (x int)",
            f"DROP TABLE {service}.outbox",
            f"TRUNCATE {service}.outbox",
            f"DELETE FROM {service}.schema_migrations",
            "CREATE TABLE public.extra (x int)",
            "CREATE TEMPORARY TABLE extra (x int)",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
        assert await conn.fetchval(f"SELECT count(*) > 0 FROM {service}.schema_migrations")
    finally:
        await conn.close()


async def test_a_role_signs_in_with_its_password_only(platform: Any) -> None:
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(dsn_as(platform.postgres.dsn, role_of("intake"), "not-its-password"))
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(dsn_as(platform.postgres.dsn, role_of("intake"), platform.pg_passwords["incident"]))


async def test_every_process_connects_as_the_roles_of_its_services(platform: Any, db: asyncpg.Connection) -> None:
    # Over the unix socket a connection has no client port: the platform names each process's
    # connections (application_name) instead.
    rows = await db.fetch(
        "SELECT application_name, usename FROM pg_stat_activity WHERE datname = current_database() "
        "AND starts_with(application_name, $1)",
        APPLICATION_PREFIX,
    )
    users_of: dict[str, set[str]] = {}
    for r in rows:
        users_of.setdefault(r["application_name"].removeprefix(APPLICATION_PREFIX), set()).add(r["usename"])
    checked = 0
    for name, process in platform.processes.items():
        hosted = platform.hosted(name)
        if not hosted or process.pid is None:
            continue
        users = users_of.get(name, set())
        expected = {role_of(s) for s in hosted}
        if name in SERVICES:
            # A server's outbox relay holds its connection for the whole run.
            assert users == expected, f"{name} connects as {sorted(users)}"
        else:
            # A worker's pools may have let idle connections go; those it has are its services'.
            assert users <= expected, f"{name} connects as {sorted(users)}"
        checked += 1
    assert checked >= len(SERVICES) + 1, "every service and at least one worker"
