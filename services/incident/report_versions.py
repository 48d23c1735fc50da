"""Report versions (更正): every version of a report is kept in report_versions (1 = as submitted), the
reports row shows the current one. The workflow's load_incident_report activity reads the current
version a correction is compared with; apply_change records the new one (add_version) in its
transaction. Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.db.pool import Connection
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2
from services.incident import convert, store
from workflows.incident.convert import parse
from workflows.incident.types import (
    LOAD_REPORT,
    AccidentData,
    CasualtiesData,
    CorrectionData,
    ReportQuery,
    ReportVersionData,
)


@dataclass(frozen=True)
class VersionRow:
    report_id: str
    version: int
    content: str
    accident: dict[str, Any] | None
    casualties: dict[str, int]
    severity: str
    cause: str
    reason: str
    author_id: str
    recorded_at: datetime
    changes: list[dict[str, Any]] = field(default_factory=list)
    content_changed: bool = False
    late: bool = False


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _version(record: asyncpg.Record) -> VersionRow:
    values = dict(record)
    for name in ("accident", "casualties", "changes"):
        values[name] = _json(values[name])
    return VersionRow(**values)


async def report_of(conn: Connection, *, report_id: str) -> store.ReportRow | None:
    row = await conn.fetchrow("SELECT * FROM reports WHERE id = $1", report_id)
    return store._report(row) if row is not None else None


async def versions(conn: Connection, *, report_id: str) -> list[VersionRow]:
    rows = await conn.fetch("SELECT * FROM report_versions WHERE report_id = $1 ORDER BY version", report_id)
    return [_version(r) for r in rows]


async def add_version(conn: Connection, *, correction: CorrectionData) -> store.ReportRow:
    """The report's next version, kept, and shown as the report's current one. Recording it again
    (an activity retried) changes nothing."""
    accident = json.dumps(asdict(correction.accident)) if correction.accident is not None else None
    casualties = json.dumps(asdict(correction.casualties))
    at = parse(correction.recorded_at)
    await conn.execute(
        """INSERT INTO report_versions (report_id, version, content, accident, casualties, severity, cause, reason,
               author_id, recorded_at, changes, content_changed, late)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING""",
        correction.report_id,
        correction.version,
        correction.content,
        accident,
        casualties,
        correction.severity,
        correction.cause,
        correction.reason,
        correction.author_id,
        at,
        json.dumps([asdict(c) for c in correction.changes]),
        correction.content_changed,
        correction.late,
    )
    row = await conn.fetchrow(
        """UPDATE reports SET version = $2, content = $3, accident = $4, casualties = $5, severity = $6, cause = $7,
               corrected_at = $8, correction_reason = $9, corrected_by = $10
           WHERE id = $1 AND version < $2 RETURNING *""",
        correction.report_id,
        correction.version,
        correction.content,
        accident,
        casualties,
        correction.severity,
        correction.cause,
        at,
        correction.reason,
        correction.author_id,
    )
    current = (
        row if row is not None else await conn.fetchrow("SELECT * FROM reports WHERE id = $1", correction.report_id)
    )
    assert current is not None
    return store._report(current)


def _changes(changes: list[dict[str, Any]]) -> list[incident_pb2.FigureChange]:
    return [incident_pb2.FigureChange(**c) for c in changes]


def version_message(v: VersionRow) -> incident_pb2.ReportVersion:
    return incident_pb2.ReportVersion(
        report_id=v.report_id,
        version=v.version,
        content=v.content,
        accident=convert.accident_message(v.accident),
        casualties=convert.casualties_message(v.casualties),
        severity=convert.SEVERITIES.get(v.severity, 0),
        cause=v.cause,
        reason=v.reason,
        author_id=v.author_id,
        recorded_at=ts(v.recorded_at),
        changes=_changes(v.changes),
        content_changed=v.content_changed,
        late=v.late,
    )


def correction_message(c: CorrectionData) -> incident_pb2.ReportCorrection:
    return incident_pb2.ReportCorrection(
        report_id=c.report_id,
        from_version=c.version - 1,
        to_version=c.version,
        reason=c.reason,
        changes=_changes([asdict(change) for change in c.changes]),
        content_changed=c.content_changed,
        late=c.late,
        allowed_until=ts(parse(c.allowed_until)) if c.allowed_until else None,
    )


def _casualties(values: dict[str, Any] | None) -> CasualtiesData:
    values = values or {}
    return CasualtiesData(**{k: int(v) for k, v in values.items() if k in convert.CASUALTY_FIELDS})


def version_data(report: store.ReportRow) -> ReportVersionData:
    accident = None
    if report.accident:
        items = {k: str(v) for k, v in report.accident.items() if k != "casualties"}
        accident = AccidentData(**items, casualties=_casualties(report.accident.get("casualties")))
    return ReportVersionData(
        report_id=report.id,
        kind=report.kind,
        number=report.number,
        version=report.version,
        content=report.content,
        author_id=report.corrected_by or report.author_id,
        casualties=_casualties(report.casualties),
        severity=report.severity,
        cause=report.cause,
        accident=accident,
    )


class ReportVersionActivities:
    def __init__(self, *, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name=LOAD_REPORT)
    @classified
    async def load_report(self, query: ReportQuery) -> ReportVersionData:
        """The report's current version, to compare a correction with (the incident's workflow runs
        its corrections one at a time, so this stays current until the correction is recorded)."""
        async with self._pool.acquire() as conn:
            report = await report_of(conn, report_id=query.report_id)
        if report is None or report.incident_id != query.incident_id:
            # The service checked it before the update; a report merged away since cannot be corrected here.
            raise ApplicationError(
                f"NOT_FOUND: report {query.report_id} is not a report of incident {query.incident_id}",
                type="ReportNotFound",
                non_retryable=True,
            )
        return version_data(report)
