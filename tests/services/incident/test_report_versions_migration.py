"""Migration 0007 on a database with reports made before it: each becomes version 1 with the figures it
stated (its accident report's casualties, else the incident's), and the shipped reporting policies get
their correction windows (30 days, 7 for road traffic and fire); a policy of one's own gets none."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from dutyline.db.migrations import migrations_for
from tests.dutyline.test_migrations import fresh_database

pytestmark = pytest.mark.stack

VERSIONS = "0007_report_versions.sql"


async def apply(conn: asyncpg.Connection, sql: str) -> None:
    async with conn.transaction():
        await conn.execute("SET LOCAL search_path = incident")
        await conn.execute(sql)


async def test_reports_made_before_become_version_one_and_the_shipped_policies_get_their_windows(
    platform: Any,
) -> None:
    dsn = await fresh_database(platform, "report_versions_backfill")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE SCHEMA incident")
        migrations = migrations_for("services.incident.migrations")
        before = [m for m in migrations if m.name < VERSIONS and not m.name.startswith("kit/")]
        [versions] = [m for m in migrations if m.name == VERSIONS]
        for migration in before:
            await apply(conn, migration.sql)
        await apply(
            conn,
            """INSERT INTO incidents (id, site_id, title, first_responder_id, registered_at, severity, casualties)
               VALUES ('inc-1', 'hz-01', '燃气泄漏', 'p-1', now(), 'III', '{"deaths": 2, "injuries": 5}');
               INSERT INTO reports (id, incident_id, kind, recipient, content, author_id, submitted_at, accident)
               VALUES ('rep-phone', 'inc-1', 'initial_phone', '上级', '电话初报', 'p-1', now(), NULL),
                      ('rep-written', 'inc-1', 'initial_written', '上级', '书面初报', 'p-2', now(),
                       '{"unit": "某厂", "casualties": {"deaths": 1}}');
               INSERT INTO reporting_policies (id, version, name, requirements, effective_from, created_by)
               VALUES ('accident-road-fire', 1, 'road', '[]', now(), 'system:defaults'),
                      ('national-II', 1, 'II', '[]', now(), 'system:defaults'),
                      ('national-II', 2, 'II changed', '[]', now(), 'p-admin'),
                      ('mine', 1, 'mine', '[]', now(), 'p-admin');""",
        )

        await apply(conn, versions.sql)

        rows = await conn.fetch(
            "SELECT report_id, version, content, casualties, severity, author_id, reason, changes "
            "FROM incident.report_versions ORDER BY report_id"
        )
        assert [
            (r["report_id"], r["version"], r["content"], json.loads(r["casualties"]), r["severity"], r["author_id"])
            for r in rows
        ] == [
            ("rep-phone", 1, "电话初报", {"deaths": 2, "injuries": 5}, "III", "p-1"),
            ("rep-written", 1, "书面初报", {"deaths": 1}, "III", "p-2"),
        ]
        assert all(r["reason"] == "" and json.loads(r["changes"]) == [] for r in rows)
        current = await conn.fetch("SELECT id, version, casualties FROM incident.reports ORDER BY id")
        assert [(r["id"], r["version"], json.loads(r["casualties"])) for r in current] == [
            ("rep-phone", 1, {"deaths": 2, "injuries": 5}),
            ("rep-written", 1, {"deaths": 1}),
        ]
        windows = await conn.fetch(
            "SELECT id, version, correction_within_seconds FROM incident.reporting_policies ORDER BY id, version"
        )
        assert [tuple(w) for w in windows] == [
            ("accident-road-fire", 1, 7 * 86400),
            ("mine", 1, None),
            ("national-II", 1, 30 * 86400),
            ("national-II", 2, None),  # an admin's version says what it says
        ]
        # A version is never changed: a correction is a new one.
        with pytest.raises(asyncpg.RaiseError, match="never changed"):
            await conn.execute("UPDATE incident.report_versions SET content = 'x'")
    finally:
        await conn.close()
