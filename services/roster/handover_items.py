"""The open items a handover carries, gathered from the services that own them (交接事项): open
incidents, their pending reporting deadlines and the leaders' instructions not carried out yet
(incident), unacknowledged notifications (notify) and open callbacks and messages (intake). A service
that does not answer is named in the gathering notes, so nobody trusts a list that looks complete but
is not. Gathered on behalf of the person handing over: the list holds what they may read, and the
services record who asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import grpc
import structlog

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import on_behalf
from dutyline.grpckit.convert import from_ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc, instructions_pb2, instructions_pb2_grpc
from dutyline.intake.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from services.roster.duty_store import OpenItem

log = structlog.get_logger(__name__)

TIMEOUT = 3.0
CALLBACK_LABELS = {"message": "留言 message", "callback": "回电 callback", "notice": "上级通知待补全 notice incomplete"}


class OpenItemsGatherer:
    def __init__(
        self,
        *,
        incidents: incident_pb2_grpc.IncidentServiceStub,
        notify: notify_pb2_grpc.NotifyServiceStub,
        intake: intake_pb2_grpc.IntakeServiceStub,
        cases: case_pb2_grpc.CaseServiceStub,
        instructions: instructions_pb2_grpc.InstructionServiceStub,
    ) -> None:
        self._incidents = incidents
        self._notify = notify
        self._intake = intake
        self._cases = cases
        self._instructions = instructions

    async def gather(self, *, site_id: str, until: datetime) -> tuple[list[OpenItem], list[str]]:
        items: list[OpenItem] = []
        notes: list[str] = []
        sources: list[tuple[str, str, Callable[[str], Awaitable[list[OpenItem]]]]] = [
            ("incidents and deadlines", "事件服务", self._incident_items),
            ("notifications", "通知服务", self._notification_items),
            ("callbacks", "接警服务", self._callback_items),
            ("cases", "工单服务", self._case_items),
            ("instructions", "事件服务", self._instruction_items),
        ]
        for what, service_zh, source in sources:
            try:
                items.extend(await source(site_id))
            except grpc.aio.AioRpcError as exc:
                log.warning("open items not gathered", what=what, site_id=site_id, code=exc.code().name)
                notes.append(f"{what}: {service_zh}不可用 the service did not answer ({exc.code().name})")
        return items, notes

    async def _incident_items(self, site_id: str) -> list[OpenItem]:
        reply = await self._incidents.ListIncidents(
            incident_pb2.ListIncidentsRequest(site_id=site_id, open_only=True, include_drills=True),
            timeout=TIMEOUT,
            metadata=on_behalf(),
        )
        items = []
        for incident in reply.incidents:
            label = "【演练】" if incident.drill else ""
            stage = incident_pb2.Stage.Name(incident.stage).removeprefix("STAGE_").lower()
            items.append(OpenItem(kind="incident", ref_id=incident.id, text=f"{label}{incident.title} ({stage})"))
            for deadline in incident.pending_deadlines:
                kind = incident_pb2.ReportKind.Name(deadline.kind).removeprefix("REPORT_KIND_").lower()
                number = f" #{deadline.number}" if deadline.number else ""
                overdue = "（已超时 overdue）" if deadline.missed else ""
                items.append(
                    OpenItem(
                        kind="deadline",
                        ref_id=incident.id,
                        text=f"{label}{incident.title}: {kind}{number}{overdue}",
                        due_at=from_ts(deadline.due_at) if deadline.HasField("due_at") else None,
                    )
                )
        return items

    async def _notification_items(self, site_id: str) -> list[OpenItem]:
        reply = await self._notify.ListNotifications(
            notify_pb2.ListNotificationsRequest(site_id=site_id, unacknowledged_only=True),
            timeout=TIMEOUT,
            metadata=on_behalf(),
        )
        return [
            OpenItem(kind="notification", ref_id=n.id, text=f"{n.person_name or n.person_id}: {n.subject} ({n.status})")
            for n in reply.notifications
        ]

    async def _callback_items(self, site_id: str) -> list[OpenItem]:
        # Every open one, page by page: a handover must not leave any out.
        open_callbacks: list[intake_pb2.Callback] = []
        token = ""
        while True:
            reply = await self._intake.ListCallbacks(
                intake_pb2.ListCallbacksRequest(
                    site_id=site_id, open_only=True, page=common_pb2.PageRequest(page_size=500, page_token=token)
                ),
                timeout=TIMEOUT,
                metadata=on_behalf(),
            )
            open_callbacks.extend(reply.callbacks)
            token = reply.page.next_page_token
            if not token:
                break
        return [
            OpenItem(
                # A notice from a superior with missing elements is followed up until completed.
                kind="notice" if c.kind == "notice" else "callback",
                ref_id=c.call_id if c.kind == "notice" else c.id,
                text=f"{CALLBACK_LABELS.get(c.kind, c.kind)} → {c.recipient_id}: {c.content}",
                due_at=from_ts(c.due_at) if c.HasField("due_at") else None,
            )
            for c in open_callbacks
        ]

    async def _case_items(self, site_id: str) -> list[OpenItem]:
        """Every case not closed (工单): who holds it, its status and when it is due."""
        open_cases: list[case_pb2.Case] = []
        token = ""
        while True:
            reply = await self._cases.ListCases(
                case_pb2.ListCasesRequest(
                    site_id=site_id, open_only=True, page=common_pb2.PageRequest(page_size=500, page_token=token)
                ),
                timeout=TIMEOUT,
                metadata=on_behalf(),
            )
            open_cases.extend(reply.cases)
            token = reply.page.next_page_token
            if not token:
                break
        return [
            OpenItem(
                kind="case",
                ref_id=c.id,
                text=f"工单 case ({case_pb2.CaseStatus.Name(c.status).removeprefix('CASE_STATUS_').lower()}) "
                f"→ {c.owner_id or c.pending_owner_id or '-'}: {c.subject}",
                due_at=from_ts(c.due_at) if c.HasField("due_at") else None,
            )
            for c in open_cases
        ]

    async def _instruction_items(self, site_id: str) -> list[OpenItem]:
        """Every leader's instruction not carried out yet (领导批示未落实): for whom, what, by when."""
        open_instructions: list[instructions_pb2.Instruction] = []
        token = ""
        while True:
            reply = await self._instructions.ListInstructions(
                instructions_pb2.ListInstructionsRequest(
                    site_id=site_id,
                    open_only=True,
                    include_drills=True,
                    page=common_pb2.PageRequest(page_size=500, page_token=token),
                ),
                timeout=TIMEOUT,
                metadata=on_behalf(),
            )
            open_instructions.extend(reply.instructions)
            token = reply.page.next_page_token
            if not token:
                break
        return [
            OpenItem(
                kind="instruction",
                ref_id=i.id,
                text=f"{'【演练】' if i.drill else ''}领导批示 instruction "
                f"({i.instructed_by or i.instructed_by_id}) → {i.assignee_id}: {i.content}"
                f"{'（已超时 overdue）' if i.overdue else ''}",
                due_at=from_ts(i.due_at) if i.HasField("due_at") else None,
            )
            for i in open_instructions
        ]
