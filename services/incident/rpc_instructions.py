"""InstructionService over gRPC (领导批示/指令): recording a leader's instruction with its assignee and
deadline, its completion with the result, and the lists. Each change commits with its timeline entry
and event; the instruction's process (workflows/instruction) is then started or woken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import structlog
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import instructions_pb2, instructions_pb2_grpc
from dutyline.temporal_start import reconcile_forever, signal_best_effort, start_once
from dutyline.temporal_worker import task_queue_of
from services.incident import instructions, store
from services.incident.instruction_policy import SERVICE
from workflows.instruction.types import COMPLETED_SIGNAL, InstructionInput, instruction_workflow_id
from workflows.instruction.workflow import InstructionWorkflow

log = structlog.get_logger(__name__)

PAGE_SIZE = 100
RECONCILE_AFTER = timedelta(seconds=10)


class InstructionStarter:
    """Starts the process of each committed instruction once, wakes it on completion, and starts those
    whose start failed (Temporal away) later."""

    def __init__(self, *, pool: asyncpg.Pool, client: Client) -> None:
        self._pool = pool
        self._client = client

    async def ensure_started(self, row: instructions.InstructionRow) -> bool:
        started = await start_once(
            self._client,
            InstructionWorkflow.run,
            InstructionInput(instruction_id=row.id, site_id=row.site_id),
            workflow_id=instruction_workflow_id(row.id),
            task_queue=task_queue_of("incident"),
        )
        if started:
            async with self._pool.acquire() as conn:
                await instructions.mark_workflow_started(conn, instruction_id=row.id)
        return started

    async def completed(self, instruction_id: str) -> None:
        await signal_best_effort(self._client, instruction_workflow_id(instruction_id), COMPLETED_SIGNAL)

    async def _pending(self) -> list[instructions.InstructionRow]:
        async with self._pool.acquire() as conn:
            return await instructions.without_workflow(conn, older_than=datetime.now(UTC) - RECONCILE_AFTER)

    async def reconcile_forever(self) -> None:
        await reconcile_forever(self._pending, self.ensure_started)


class InstructionServicer(instructions_pb2_grpc.InstructionServiceServicer):
    def __init__(self, *, pool: asyncpg.Pool, roster: RosterDirectory, starter: InstructionStarter) -> None:
        self._pool = pool
        self._roster = roster
        self._starter = starter

    async def RecordInstruction(
        self, request: instructions_pb2.RecordInstructionRequest, context: grpc.aio.ServicerContext
    ) -> instructions_pb2.Instruction:
        principal = current_principal()
        site = await self._roster.site(request.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        drill = request.drill
        if request.incident_id:
            async with self._pool.acquire() as conn:
                incident = await store.get_incident(conn, incident_id=request.incident_id)
            if incident is None or incident.site_id != site.id:
                raise InvalidArgument(
                    [FieldViolation("incident_id", f"no incident {request.incident_id} at {site.id}")]
                )
            if incident.stage == "closed":
                raise FailedPrecondition(f"事件 {incident.id} 已结案 incident {incident.id} is closed")
            drill = incident.drill
        if request.instructed_by_id:
            await self._roster.require_person_at(request.instructed_by_id, site, field="instructed_by_id")
        await self._roster.require_person_at(request.assignee_id, site, field="assignee_id")
        by, now = actor_of(principal), datetime.now(UTC)
        row = instructions.InstructionRow(
            id=new_id("ins"),
            site_id=site.id,
            incident_id=request.incident_id or None,
            instructed_by_id=request.instructed_by_id,
            instructed_by=request.instructed_by.strip(),
            content=request.content.strip(),
            assignee_id=request.assignee_id,
            due_at=from_ts(request.due_at),
            status=instructions.OPEN,
            overdue_at=None,
            result="",
            recorded_by_id=by.person_id,
            recorded_by_name=by.display_name,
            recorded_by_kind=by.kind,
            recorded_at=now,
            completed_by_id="",
            completed_by_name="",
            completed_by_kind="",
            completed_at=None,
            drill=drill,
            version=1,
            workflow_started_at=None,
        )

        async def work(conn: Connection) -> instructions_pb2.Instruction:
            await instructions.insert(conn, row=row)
            text = (
                f"领导批示 Instruction by {row.who_instructed} → {row.assignee_id}, "
                f"due {row.due_at.isoformat()}: {row.content[:1000]}"
            )
            return await instructions.publish(
                conn,
                event_type="incident.instruction_recorded",
                row=row,
                entry_kind="instruction_recorded",
                text=text,
                actor=by,
                at=now,
            )

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="RecordInstruction",
            request=request,
            response_type=instructions_pb2.Instruction,
            work=work,
        )
        if not replayed:
            structlog.contextvars.bind_contextvars(instruction_id=row.id)
            log.info("instruction recorded", site_id=row.site_id, incident_id=row.incident_id)
            await self._starter.ensure_started(row)
        return answer

    async def CompleteInstruction(
        self, request: instructions_pb2.CompleteInstructionRequest, context: grpc.aio.ServicerContext
    ) -> instructions_pb2.Instruction:
        principal = current_principal()
        async with self._pool.acquire() as conn:
            found = await instructions.get(conn, instruction_id=request.instruction_id)
        if found is None:
            raise NotFound(f"instruction {request.instruction_id} does not exist")
        site = await self._roster.site(found.site_id)
        principal.require_site(found.site_id, site.ancestor_ids)
        if found.assignee_id != principal.person_id and not principal.has_role("leader", "admin"):
            raise PermissionDenied(
                f"只有承办人 {found.assignee_id} 或值班领导可报告落实 "
                "only the assignee or a duty leader reports an instruction carried out"
            )
        by = actor_of(principal)

        async def work(conn: Connection) -> instructions_pb2.Instruction:
            now = datetime.now(UTC)
            done = await instructions.complete(
                conn, instruction_id=found.id, result=request.result.strip(), by=by, at=now
            )
            if done is None:
                raise FailedPrecondition(f"批示 {found.id} 已落实 instruction {found.id} was completed already")
            late = " (逾期 late)" if done.overdue else ""
            return await instructions.publish(
                conn,
                event_type="incident.instruction_completed",
                row=done,
                entry_kind="instruction_completed",
                text=f"批示已落实 Instruction {done.id} carried out{late}: {done.result[:1000]}",
                actor=by,
                at=now,
            )

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="CompleteInstruction",
            request=request,
            response_type=instructions_pb2.Instruction,
            work=work,
        )
        if not replayed:
            await self._starter.completed(found.id)
        return answer

    async def ListInstructions(
        self, request: instructions_pb2.ListInstructionsRequest, context: grpc.aio.ServicerContext
    ) -> instructions_pb2.ListInstructionsResponse:
        """Earliest due first; an incident's (any site the reader may see), an assignee's, or the
        open ones of the reader's sites."""
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            rows = await instructions.listed(
                conn,
                site_ids=site_ids,
                incident_id=request.incident_id or None,
                assignee_id=request.assignee_id or None,
                open_only=request.open_only,
                include_drills=request.include_drills,
                limit=size,
                offset=offset,
            )
        return instructions_pb2.ListInstructionsResponse(
            instructions=[instructions.instruction_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )


def serve_instructions(ctx: ServiceContext, server: grpc.aio.Server, client: Client) -> None:
    """Hosts InstructionService in the incident process: its servicer and the reconciler of its
    processes' starts; like IncidentService, it does not start without a policy for each RPC."""
    ctx.hosted.append(SERVICE)
    channel = service_channel(ctx.settings, target="roster", caller="incident")
    ctx.on_close.append(channel.close)
    roster = RosterDirectory(channel)
    starter = InstructionStarter(pool=ctx.pool, client=client)
    ctx.background.append(starter.reconcile_forever())
    servicer = InstructionServicer(pool=ctx.pool, roster=roster, starter=starter)
    instructions_pb2_grpc.add_InstructionServiceServicer_to_server(servicer, server)
