"""Per-service schema migrations.

Each service owns one schema. Its migrations are the kit's (outbox, idempotency) followed by the
service's own ``NNNN_*.sql`` files from the package it names (``services/<name>/migrations``),
applied in order, each in its own transaction, recorded in ``<schema>.schema_migrations``. A service
refuses to start while its schema is behind its code.
"""

from __future__ import annotations

import hashlib
import re
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


def migrations_for(package: str) -> list[Migration]:
    """The kit's migrations, then those of ``package`` (a package of ``NNNN_*.sql`` files)."""
    return _sql_files("dutyline.db.kit_migrations", "kit/") + _sql_files(package, "")


def checked_identifier(name: str) -> str:
    """``name`` (a schema's or a role's) if it is a plain lower-case identifier: it is written into SQL
    unquoted."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


async def _applied(conn: Connection, schema: str) -> dict[str, str]:
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.schema_migrations")
    if not exists:
        return {}
    rows = await conn.fetch(f"SELECT name, checksum FROM {schema}.schema_migrations")
    return {r["name"]: r["checksum"] for r in rows}


async def migrate(conn: Connection, schema: str, package: str) -> list[str]:
    """Apply the pending migrations of ``package`` to ``schema``; returns the names applied."""
    checked_identifier(schema)
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
        for migration in migrations_for(package):
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


async def ensure_migrated(conn: Connection, schema: str, package: str) -> None:
    """Raise SchemaNotMigrated unless every migration of ``package`` is applied to ``schema``."""
    try:
        done = await _applied(conn, checked_identifier(schema))
    except asyncpg.InsufficientPrivilegeError as exc:
        # The schema exists but this role has no rights on it yet: migrations grant them.
        raise SchemaNotMigrated(
            f"schema {schema!r} is not open to this role ({exc}); run `dutyline migrate` first"
        ) from exc
    missing = [m.name for m in migrations_for(package) if m.name not in done]
    if missing:
        raise SchemaNotMigrated(
            f"schema {schema!r} is not migrated (missing: {', '.join(missing)}); run `dutyline migrate` first"
        )
