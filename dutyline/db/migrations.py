"""Per-service schema migrations.

Each service owns one schema. Its migrations are the kit's (outbox, idempotency) followed by the
service's own ``services/<name>/migrations/NNNN_*.sql``, applied in order, each in its own
transaction, recorded in ``<schema>.schema_migrations``. A service refuses to start while its schema
is behind its code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import asyncpg

from dutyline.db.pool import Connection


class SchemaNotMigrated(RuntimeError):
    """The schema lags the code; the message tells the operator what to run."""


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def _sql_files(package: str, prefix: str) -> list[Migration]:
    root = resources.files(package)
    files = sorted((p for p in root.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [Migration(name=f"{prefix}{p.name}", sql=p.read_text(encoding="utf-8")) for p in files]


def migrations_for(service: str) -> list[Migration]:
    return _sql_files("dutyline.db.kit_migrations", "kit/") + _sql_files(f"services.{service}.migrations", "")


async def _applied(conn: Connection, schema: str) -> dict[str, str]:
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.schema_migrations")
    if not exists:
        return {}
    rows = await conn.fetch(f"SELECT name, checksum FROM {schema}.schema_migrations")
    return {r["name"]: r["checksum"] for r in rows}


async def migrate(conn: Connection, service: str) -> list[str]:
    """Apply the pending migrations of ``service``; returns the names applied."""
    schema = service
    applied_now: list[str] = []
    # One migrator per schema at a time (several replicas may run the migration job).
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"dutyline-migrate-{schema}")
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                    name text PRIMARY KEY,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = await _applied(conn, schema)
        for migration in migrations_for(service):
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    raise SchemaNotMigrated(
                        f"migration {schema}/{migration.name} was changed after it was applied; "
                        "add a new migration instead"
                    )
                continue
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path = {schema}")
                await conn.execute(migration.sql)
                await conn.execute(
                    f"INSERT INTO {schema}.schema_migrations (name, checksum) VALUES ($1, $2)",
                    migration.name,
                    migration.checksum,
                )
            applied_now.append(migration.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"dutyline-migrate-{schema}")
    return applied_now


async def ensure_migrated(conn: Connection, service: str) -> None:
    """Raise SchemaNotMigrated unless every migration of ``service`` is applied."""
    done = await _applied(conn, service)
    missing = [m.name for m in migrations_for(service) if m.name not in done]
    if missing:
        raise SchemaNotMigrated(
            f"schema {service!r} is not migrated (missing: {', '.join(missing)}); run `dutyline migrate` first"
        )


async def migrate_all(dsn: str, services: tuple[str, ...]) -> dict[str, list[str]]:
    """Migrate every service's schema; returns what each applied."""
    conn = await asyncpg.connect(dsn)
    try:
        return {service: await migrate(conn, service) for service in services}
    finally:
        await conn.close()
