"""ReportInboxService: a duty office's report inbox (报告收件箱). Reports its subordinate offices submit are
delivered here (inbox_store.deliver, with the report); an officer of the office signs for one (签收) or
returns it (退回, as wrong: 错报). Signing for an incident's first report opens the office's own incident,
linked to the sender's, whose officers then report further up under their own policy. Each delivery has
a ReportReceiptWorkflow that escalates an item not signed for in time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import structlog
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.errors import FailedPrecondition, NotFound
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import inbox_pb2, inbox_pb2_grpc, incident_pb2
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.temporal_start import reconcile_forever, signal_best_effort, start_once
from dutyline.temporal_worker import task_queue_of
from services.incident import convert, inbox_store, store
from services.incident.inbox_policy import SERVICE
from services.incident.inbox_store import InboxItemRow, local_time
from workflows.report_receipt.types import SETTLED_SIGNAL, ReceiptInput, workflow_id
from workflows.report_receipt.workflow import ReportReceiptWorkflow

log = structlog.get_logger(__name__)

RECONCILE_AFTER = timedelta(seconds=2)
# The opening of an incident as OpenIncident does it (server.new_incident and IncidentServicer._register).
NewIncident = Callable[[incident_pb2.OpenIncidentRequest, str, datetime, SiteInfo], store.IncidentRow]
Register = Callable[[Connection, store.IncidentRow], Awaitable[None]]
Started = Callable[[store.IncidentRow], Awaitable[bool]]


class ReceiptStarter:
    """Starts each delivery's ReportReceiptWorkflow once: deliveries commit inside the incident worker's
    activity, so a reconciler here starts the ones without a process yet."""

    def __init__(self, *, pool: asyncpg.Pool, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._client = client
        self._task_queue = task_queue

    async def ensure_started(self, item: InboxItemRow) -> bool:
        started = await start_once(
            self._client,
            ReportReceiptWorkflow.run,
            ReceiptInput(
                item_id=item.id,
                recipient_site_id=item.recipient_site_id,
                delivered_at=item.delivered_at.astimezone(UTC).isoformat(),
                window_seconds=item.window_seconds,
            ),
            workflow_id=workflow_id(item.id),
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await inbox_store.mark_workflow_started(conn, item_id=item.id)
        return started

    async def _pending(self) -> list[InboxItemRow]:
        async with self._pool.acquire() as conn:
            return await inbox_store.without_workflow(conn, older_than=datetime.now(UTC) - RECONCILE_AFTER)

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started, every=2.0)


class ReportInboxServicer(inbox_pb2_grpc.ReportInboxServiceServicer):
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        client: Client,
        roster: RosterDirectory,
        people: roster_pb2_grpc.RosterServiceStub,
        new_incident: NewIncident,
        register: Register,
        start_incident: Started,
    ) -> None:
        self._pool = pool
        self._client = client
        self._roster = roster
        self._people = people
        self._new_incident = new_incident
        self._register = register
        self._start_incident = start_incident

    async def _message(self, conn: Connection, item: InboxItemRow) -> inbox_pb2.ReportInboxItem:
        incident = await store.get_incident(conn, incident_id=item.incident_id)
        assert incident is not None
        report = await inbox_store.report_of(conn, item=item)
        return inbox_store.item_message(item, report=report, incident=incident)

    async def ListInbox(
        self, request: inbox_pb2.ListInboxRequest, context: grpc.aio.ServicerContext
    ) -> inbox_pb2.ListInboxResponse:
        site = await self._roster.site(request.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        size, offset = request.page.page_size or store.PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            items = await inbox_store.list_items(
                conn,
                site_id=site.id,
                status=convert.name_of(convert.DELIVERY_STATUSES, request.status) or None,
                include_drills=not request.hide_drills,
                limit=size,
                offset=offset,
            )
            messages = [await self._message(conn, item) for item in items]
        return inbox_pb2.ListInboxResponse(
            items=messages,
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(items) == size else ""),
        )

    async def _item_to_act_on(self, item_id: str) -> tuple[InboxItemRow, SiteInfo, Principal]:
        """The item, if the caller acts for its receiving office (the sender's staff only read its status)."""
        async with self._pool.acquire() as conn:
            item = await inbox_store.get_item(conn, item_id=item_id)
        if item is None:
            raise NotFound(f"report inbox item {item_id} does not exist")
        site = await self._roster.site(item.recipient_site_id)
        principal = current_principal()
        principal.require_site(site.id, site.ancestor_ids)
        return item, site, principal

    async def _name_of(self, principal: Principal) -> str:
        """Who signs or returns, by name: the token's, else the directory's (the id if roster is away)."""
        if principal.name:
            return principal.name
        try:
            person = await self._people.GetPerson(
                roster_pb2.GetPersonRequest(person_id=principal.person_id), timeout=2.0
            )
        except grpc.aio.AioRpcError:
            return principal.person_id
        return person.display_name or principal.person_id

    async def ReceiveReport(
        self, request: inbox_pb2.ReceiveReportRequest, context: grpc.aio.ServicerContext
    ) -> inbox_pb2.ReportInboxItem:
        """签收. The first report of an incident signed for opens the office's own incident (idempotent)."""
        item, site, principal = await self._item_to_act_on(request.item_id)
        name = await self._name_of(principal)
        opened: list[store.IncidentRow] = []

        async def work(conn: Connection) -> inbox_pb2.ReportInboxItem:
            current = await inbox_store.get_item(conn, item_id=item.id, for_update=True)
            assert current is not None
            if current.status == "received":
                return await self._message(conn, current)
            if current.status == "returned":
                raise FailedPrecondition(f"报告已退回，不能签收 the report was returned: {current.return_reason}")
            now = datetime.now(UTC)
            sending = await store.get_incident(conn, incident_id=current.incident_id)
            assert sending is not None
            receiving = await inbox_store.receiving_incident(conn, reported_from=sending.id, site_id=site.id)
            if receiving is None:
                receiving = self._reported_incident(sending, site, principal, now)
                await self._register(conn, receiving)
                opened.append(receiving)
            received = await inbox_store.receive(
                conn,
                item_id=current.id,
                person_id=principal.person_id,
                name=name,
                at=now,
                receiving_incident_id=receiving.id,
            )
            report = await inbox_store.report_of(conn, item=received)
            signed = f"签收 received by {name} at {local_time(now, sending.time_zone)}"
            await inbox_store.record_change(
                conn,
                item=received,
                incident=sending,
                report=report,
                at=now,
                actor=_actor(principal, name),
                event_type="incident.report_received",
                kind="report_received",
                text=f"{signed} ({site.id}; 事件 incident {receiving.id})",
            )
            author = await _author_name(conn, sending.id, report)
            await store.append_timeline(
                conn,
                incident_id=receiving.id,
                at=now,
                actor_id=principal.person_id,
                actor_name=name,
                actor_kind="person",
                kind="report_received",
                text=f"收到 {sending.site_id} 报告 Report received from {sending.site_id} ({author}; 事件 incident "
                f"{sending.id}): {report.kind}{' #' + str(report.number) if report.number else ''}, submitted "
                f"{local_time(report.submitted_at, sending.time_zone)}; {signed}\n{report.content}",
                dedupe_key=f"{receiving.id}:received:{received.id}",
            )
            return inbox_store.item_message(received, report=report, incident=sending)

        answer, _ = await idempotency.run_once(
            self._pool,
            method="ReceiveReport",
            request=request,
            response_type=inbox_pb2.ReportInboxItem,
            work=work,
        )
        for incident in opened:
            await self._start_incident(incident)
            log.info("incident opened from a report signed for", incident_id=incident.id, site_id=incident.site_id)
        await signal_best_effort(self._client, workflow_id(item.id), SETTLED_SIGNAL, "received")
        return answer

    def _reported_incident(
        self, sending: store.IncidentRow, site: SiteInfo, principal: Principal, now: datetime
    ) -> store.IncidentRow:
        """The receiving office's incident about ``sending``, opened as OpenIncident opens one; the signer
        answers for its reports further up."""
        request = incident_pb2.OpenIncidentRequest(
            site_id=site.id,
            title=f"[{sending.site_id}] {sending.title}"[:200],
            summary=sending.summary,
            place=convert.place_of(sending),
            drill=sending.drill,
            category=convert.CATEGORIES.get(sending.category, 0),
        )
        opened = self._new_incident(request, principal.person_id, now, site)
        return replace(
            opened,
            occurred_at=sending.occurred_at,
            reported_from_incident_id=sending.id,
            reported_from_site_id=sending.site_id,
        )

    async def ReturnReport(
        self, request: inbox_pb2.ReturnReportRequest, context: grpc.aio.ServicerContext
    ) -> inbox_pb2.ReportInboxItem:
        """退回 with a reason; as wrong (错报), a wrong_report violation charged to the report's author."""
        item, site, principal = await self._item_to_act_on(request.item_id)
        name = await self._name_of(principal)
        reason = request.reason.strip()

        async def work(conn: Connection) -> inbox_pb2.ReportInboxItem:
            current = await inbox_store.get_item(conn, item_id=item.id, for_update=True)
            assert current is not None
            if current.status == "returned":
                raise FailedPrecondition(f"报告已退回 the report was returned already: {current.return_reason}")
            now = datetime.now(UTC)
            sending = await store.get_incident(conn, incident_id=current.incident_id)
            assert sending is not None
            returned = await inbox_store.return_item(
                conn,
                item_id=current.id,
                person_id=principal.person_id,
                name=name,
                at=now,
                reason=reason,
                wrong=request.wrong,
            )
            report = await inbox_store.report_of(conn, item=returned)
            violations = []
            if request.wrong:
                charged = await store.record_charge(
                    conn,
                    violation_id=new_id("vio"),
                    incident=sending,
                    person_id=returned.author_id,
                    kind="wrong_report",
                    ref=f"wrong:{returned.id}",
                    report_kind=report.kind,
                    number=report.number,
                    recorded_at=now,
                )
                violations = [charged] if charged is not None else []
            text = f"退回 returned by {name} at {local_time(now, sending.time_zone)} ({site.id}): {reason}" + (
                f"; 错报 returned as wrong, charged to {returned.author_id}" if request.wrong else ""
            )
            await inbox_store.record_change(
                conn,
                item=returned,
                incident=sending,
                report=report,
                at=now,
                actor=_actor(principal, name),
                event_type="incident.report_returned",
                kind="report_returned",
                text=text,
                violations=violations,
            )
            if returned.receiving_incident_id:
                await store.append_timeline(
                    conn,
                    incident_id=returned.receiving_incident_id,
                    at=now,
                    actor_id=principal.person_id,
                    actor_name=name,
                    actor_kind="person",
                    kind="report_returned",
                    text=f"{sending.site_id} 的报告 report {report.kind}: {text}",
                    dedupe_key=f"{returned.receiving_incident_id}:returned:{returned.id}",
                )
            return inbox_store.item_message(returned, report=report, incident=sending)

        answer, _ = await idempotency.run_once(
            self._pool,
            method="ReturnReport",
            request=request,
            response_type=inbox_pb2.ReportInboxItem,
            work=work,
        )
        await signal_best_effort(self._client, workflow_id(item.id), SETTLED_SIGNAL, "returned")
        return answer


def _actor(principal: Principal, name: str) -> common_pb2.Actor:
    actor = actor_of(principal)
    actor.display_name = name
    return actor


async def _author_name(conn: Connection, incident_id: str, report: store.ReportRow) -> str:
    """The report's author by name, as the sending incident's timeline recorded them when they reported."""
    name = await conn.fetchval(
        "SELECT actor_name FROM timeline WHERE incident_id = $1 AND actor_id = $2 AND actor_name <> '' "
        "ORDER BY seq DESC LIMIT 1",
        incident_id,
        report.author_id,
    )
    return str(name or report.author_id)


def serve_inbox(
    ctx: ServiceContext,
    server: grpc.aio.Server,
    client: Client,
    *,
    new_incident: NewIncident,
    register: Register,
    start_incident: Started,
) -> None:
    """Hosts ReportInboxService in the incident process, with the reconciler that starts each delivery's
    receipt process; like IncidentService, it does not start without a policy for each RPC."""
    ctx.hosted.append(SERVICE)
    channel = service_channel(ctx.settings, target="roster", caller="incident")
    ctx.on_close.append(channel.close)
    receipts = ReceiptStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("incident"))
    ctx.background.append(receipts.reconcile_forever())
    servicer = ReportInboxServicer(
        pool=ctx.pool,
        client=client,
        roster=RosterDirectory(channel),
        people=roster_pb2_grpc.RosterServiceStub(channel),
        new_incident=new_incident,
        register=register,
        start_incident=start_incident,
    )
    inbox_pb2_grpc.add_ReportInboxServiceServicer_to_server(servicer, server)
