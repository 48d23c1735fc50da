"""The open items a handover carries, gathered from the services that own them (交接事项).

What exists today: open incidents (IncidentService.ListIncidents). Deadlines due, unacknowledged
notifications and promised callbacks are gathered once their services provide them; until then the
handover says so in its gathering notes, so nobody trusts a list that looks complete but is not.
"""

from __future__ import annotations

from datetime import datetime

import grpc
import structlog

from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from services.roster.duty_store import OpenItem

log = structlog.get_logger(__name__)

NOT_YET = (
    "deadlines: 报告时限尚未接入 reporting deadlines are not gathered yet",
    "notifications: 未确认通知尚未接入 unacknowledged notifications are not gathered yet",
    "callbacks: 承诺回电尚未接入 promised callbacks are not gathered yet",
)


class OpenItemsGatherer:
    def __init__(self, incidents: incident_pb2_grpc.IncidentServiceStub) -> None:
        self._incidents = incidents

    async def gather(self, *, site_id: str, until: datetime) -> tuple[list[OpenItem], list[str]]:
        items: list[OpenItem] = []
        notes = list(NOT_YET)
        try:
            reply = await self._incidents.ListIncidents(
                incident_pb2.ListIncidentsRequest(site_id=site_id, open_only=True, include_drills=True), timeout=3.0
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("open incidents not gathered", site_id=site_id, code=exc.code().name)
            notes.insert(0, f"incidents: 事件服务不可用 the incident service did not answer ({exc.code().name})")
            return items, notes
        for incident in reply.incidents:
            label = "【演练】" if incident.drill else ""
            stage = incident_pb2.Stage.Name(incident.stage).removeprefix("STAGE_").lower()
            items.append(OpenItem(kind="incident", ref_id=incident.id, text=f"{label}{incident.title} ({stage})"))
        return items, notes
