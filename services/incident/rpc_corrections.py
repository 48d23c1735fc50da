"""Corrections of reports (更正) and their history: CorrectReport applies a correction as the `correct`
update of the incident's workflow (which compares it with the current version, charges a late
correction of a material figure as 错报 and records the new version); ListReportVersions lists every
version with its differences from the one before."""

from __future__ import annotations

import grpc

from dutyline.grpckit.errors import NotFound, Violations
from dutyline.incident.v1 import incident_pb2
from services.incident import convert, report_versions, rules, store
from services.incident.rpc_process import ProcessRpcs, actor, casualties_data
from workflows.incident.types import AccidentData, CorrectArgs

ACCIDENT_ITEMS = ("unit", "time_place_scene", "what_happened", "measures", "other")


class CorrectionRpcs(ProcessRpcs):
    async def _report(self, report_id: str) -> store.ReportRow:
        async with self._pool.acquire() as conn:
            report = await report_versions.report_of(conn, report_id=report_id)
        if report is None:
            raise NotFound(f"report {report_id} does not exist")
        return report

    async def CorrectReport(
        self, request: incident_pb2.CorrectReportRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Report:
        report = await self._report(request.report_id)
        incident, principal = await self._actionable(report.incident_id)
        accident: AccidentData | None = None
        if request.HasField("accident"):
            # A corrected accident report is still a complete one (事故报告六项内容).
            v = Violations()
            items = {f: getattr(request.accident, f).strip() for f in ACCIDENT_ITEMS}
            given = request.accident.HasField("casualties")
            for field, description in rules.accident_report_problems(
                items, convert.casualties_rule(request.accident.casualties) if given else None
            ):
                v.add(field, description)
            v.raise_if_any()
            accident = AccidentData(**items, casualties=casualties_data(request.accident.casualties))
        args = CorrectArgs(
            actor=actor(principal),
            report_id=report.id,
            reason=request.reason.strip(),
            content=request.content.strip(),
            casualties=casualties_data(request.casualties) if request.HasField("casualties") else None,
            accident=accident,
            severity=convert.name_of(convert.SEVERITIES, request.severity),
            cause=request.cause.strip(),
        )
        await self._update(incident.id, "correct", args, request.idempotency_key)
        async with self._pool.acquire() as conn:
            reports = await store.reports(conn, incident_id=incident.id)
        return convert.report_message(next(r for r in reports if r.id == report.id))

    async def ListReportVersions(
        self, request: incident_pb2.ListReportVersionsRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.ListReportVersionsResponse:
        report = await self._report(request.report_id)
        await self._readable(report.incident_id)
        async with self._pool.acquire() as conn:
            rows = await report_versions.versions(conn, report_id=report.id)
            reports = await store.reports(conn, incident_id=report.incident_id)
        return incident_pb2.ListReportVersionsResponse(
            versions=[report_versions.version_message(r) for r in rows],
            report=convert.report_message(next(r for r in reports if r.id == report.id)),
        )
