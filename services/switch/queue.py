"""The adapter's local queue (a SQLite file): a report is stored before Kamailio hears "200", so a
report the adapter has taken survives its restart and is delivered afterwards, in the order taken.
Reports intake refuses are moved to the dead letters, with the reason, for an operator to read."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.switch.reports import Report

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    UNIQUE (call_id, kind)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    dead_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Queued:
    id: int
    report: Report
    attempts: int


class ReportQueue:
    """Reports waiting for delivery, oldest first. One process owns the file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        # The write is on disk before the switch is told it was taken.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def put(self, report: Report) -> bool:
        """Stores ``report``; False when the same event of the call was taken before (the switch said
        it twice): it is kept once."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO reports (call_id, kind, body, taken_at) VALUES (?, ?, ?, ?)",
            (report.call_id, report.kind, json.dumps(report.to_json()), _now()),
        )
        return cursor.rowcount == 1

    def first(self) -> Queued | None:
        row = self._db.execute("SELECT id, body, attempts FROM reports ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        return Queued(id=row[0], report=Report.from_json(json.loads(row[1])), attempts=row[2])

    def failed_attempt(self, queued: Queued) -> None:
        self._db.execute("UPDATE reports SET attempts = attempts + 1 WHERE id = ?", (queued.id,))

    def delivered(self, queued: Queued) -> None:
        self._db.execute("DELETE FROM reports WHERE id = ?", (queued.id,))

    def set_aside(self, queued: Queued, reason: str) -> None:
        """Moves a report intake refused to the dead letters."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM reports WHERE id = ?", (queued.id,))
            self.dead_letter(json.dumps(queued.report.to_json()), reason)

    def dead_letter(self, body: str, reason: str) -> None:
        """Keeps what could not be delivered (a report intake refused, or one the adapter could not
        read), with why."""
        self._db.execute(
            "INSERT INTO dead_letters (body, reason, dead_at) VALUES (?, ?, ?)", (body, reason[:2000], _now())
        )

    def dead_letters(self) -> list[tuple[str, str]]:
        """(body, reason) of each dead letter, oldest first."""
        return [(r[0], r[1]) for r in self._db.execute("SELECT body, reason FROM dead_letters ORDER BY id")]

    def depth(self) -> int:
        """How many reports wait for delivery."""
        return int(self._db.execute("SELECT count(*) FROM reports").fetchone()[0])

    def dead_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM dead_letters").fetchone()[0])


def _now() -> str:
    return datetime.now(UTC).isoformat()
