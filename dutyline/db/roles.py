"""Least privilege in the database: each service connects as its own role, which may use the tables,
sequences and functions of its own schema (the kit's outbox, dead letters, idempotency keys and
consumed events included) and nothing else.

Run by the migrator, as the administrator, after a schema's migrations (so new tables are granted
too); every step is idempotent. The roles own nothing: the migrator owns the schemas and their
objects, so a service cannot alter or drop them, nor grant anything to anyone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from dutyline.db.migrations import checked_identifier
from dutyline.db.pool import Connection

_ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
# Two migrators granting on one object at once may fail ("tuple concurrently updated"); roles belong
# to the whole server. So one migrator at a time changes roles and rights (several replicas may run
# the migration job).
_LOCK = "dutyline-roles-and-grants"


class MissingRole(RuntimeError):
    """A service's role neither exists nor can be created by the migrating user."""


class RoleTooPowerful(RuntimeError):
    """A service's role exists with rights that bypass its schema's grants."""


@asynccontextmanager
async def _exclusive(conn: Connection) -> AsyncIterator[None]:
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", _LOCK)
    try:
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", _LOCK)


async def _execute_formatted(conn: Connection, template: str, *args: str) -> None:
    """Run a utility statement (which takes no parameters) with its identifiers (%I) and literals (%L)
    quoted by the server's format()."""
    placeholders = "".join(f", ${i}::text" for i in range(2, len(args) + 2))
    statement = await conn.fetchval(f"SELECT format($1::text{placeholders})", template, *args)
    await conn.execute(statement)


async def restrict_public(conn: Connection) -> None:
    """Take PUBLIC's default rights away from the current database and its ``public`` schema: only
    the roles granted CONNECT (the services') and the owner may connect, nobody else creates or uses
    objects in ``public``."""
    database = await conn.fetchval("SELECT current_database()")
    async with _exclusive(conn):
        await _execute_formatted(conn, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")


async def ensure_role(conn: Connection, role: str, *, password: str = "") -> None:
    """Create the login role ``role`` unless it exists (e.g. declared by the database's operator);
    set its password when one is given, else leave it as it is."""
    checked_identifier(role)
    async with _exclusive(conn):
        row = await conn.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", role)
        if row is None:
            try:
                await conn.execute(f"CREATE ROLE {role} {_ROLE_ATTRIBUTES}")
            except asyncpg.InsufficientPrivilegeError as exc:
                raise MissingRole(
                    f"role {role} does not exist and this user may not create it ({exc}): declare it where the "
                    "database's roles are managed (deploy/k8s/helm/postgresql-cluster.yaml) or migrate as a "
                    "user with CREATEROLE"
                ) from exc
        elif row["rolsuper"] or row["rolbypassrls"]:
            raise RoleTooPowerful(f"role {role} is a superuser or bypasses row security; a service's role must not")
        if password:
            await _execute_formatted(conn, "ALTER ROLE %I PASSWORD %L", role, password)


async def grant_schema(conn: Connection, schema: str, role: str) -> None:
    """Let ``role`` connect to the current database and read and write the objects of ``schema`` —
    rows, not structure: no DDL, no TRUNCATE, and ``schema_migrations`` read-only. Nobody else but
    the owner may use ``schema``."""
    checked_identifier(schema)
    checked_identifier(role)
    database = await conn.fetchval("SELECT current_database()")
    statements = (
        f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON {schema}.schema_migrations FROM {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"GRANT EXECUTE ON ALL ROUTINES IN SCHEMA {schema} TO {role}",
    )
    async with _exclusive(conn):
        await _execute_formatted(conn, "GRANT CONNECT ON DATABASE %I TO %I", database, role)
        for statement in statements:
            await conn.execute(statement)
