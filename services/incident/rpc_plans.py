"""PlanService over gRPC: emergency plans (应急预案) as versioned data, their activation on an incident
(the PlanActivationWorkflow carries it on), the tasks' completion, and the incident's response level
(启动/解除 响应级别). Every write is one transaction with its timeline entry and event (outbox) and its
idempotency key; a retry answers as the first request did."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import grpc
import structlog
from google.protobuf.message import Message
from temporalio.client import Client

from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import ALL_SITES, current_principal
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.errors import FailedPrecondition, NotFound, PermissionDenied
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2, plans_pb2, plans_pb2_grpc
from dutyline.temporal_start import reconcile_forever, signal_best_effort, start_once
from dutyline.temporal_worker import task_queue_of
from services.incident import convert, plan_rules, plan_store, store
from services.incident.access import readable_incident
from services.incident.plan_convert import activation_message, plan_from_message, plan_message, task_message
from workflows.plan_activation.types import TASK_CHANGED_SIGNAL, PlanActivationInput, TaskTimes, plan_workflow_id
from workflows.plan_activation.workflow import PlanActivationWorkflow

log = structlog.get_logger(__name__)


async def activation_view(conn: Connection, row: plan_store.ActivationRow) -> plans_pb2.PlanActivation:
    plan = await plan_store.plan_version(conn, plan_id=row.plan_id, version=row.plan_version)
    incident = await store.get_incident(conn, incident_id=row.incident_id)
    assert plan is not None and incident is not None  # foreign keys
    tasks = await plan_store.tasks(conn, activation_id=row.id)
    return activation_message(row, plan=plan, tasks=tasks, site_id=incident.site_id, drill=incident.drill)


class PlanServicer(plans_pb2_grpc.PlanServiceServicer):
    def __init__(self, *, pool: asyncpg.Pool, roster: RosterDirectory, client: Client, task_queue: str) -> None:
        self._pool = pool
        self._roster = roster
        self._client = client
        self._task_queue = task_queue

    async def _incident(self, incident_id: str) -> store.IncidentRow:
        return await readable_incident(self._pool, self._roster, incident_id)

    # -- plans --------------------------------------------------------------------------------------

    async def UpsertPlan(
        self, request: plans_pb2.UpsertPlanRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.Plan:
        principal = current_principal()
        if not principal.has_role("admin", "system") or ALL_SITES not in principal.sites:
            raise PermissionDenied("只有中心管理员可修改应急预案 only a central admin changes emergency plans")
        plan = plan_from_message(request.plan)

        async def work(conn: Connection) -> plans_pb2.Plan:
            saved = await plan_store.insert_plan_version(
                conn, plan=plan, created_by=principal.person_id, at=datetime.now(UTC)
            )
            return plan_message(saved)

        saved, _ = await idempotency.run_once(
            self._pool, method="UpsertPlan", request=request, response_type=plans_pb2.Plan, work=work
        )
        log.info("plan upserted", plan_id=saved.id, version=saved.version)
        return saved

    async def ListPlans(
        self, request: plans_pb2.ListPlansRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.ListPlansResponse:
        async with self._pool.acquire() as conn:
            if request.plan_id:
                found = await plan_store.plan_versions(conn, plan_id=request.plan_id)
                found = found if request.all_versions else found[:1]
            else:
                found = await plan_store.latest_plans(conn)
        return plans_pb2.ListPlansResponse(plans=[plan_message(p) for p in found])

    # -- activations --------------------------------------------------------------------------------

    async def ActivatePlan(
        self, request: plans_pb2.ActivatePlanRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.PlanActivation:
        incident = await self._incident(request.incident_id)
        if incident.stage == "closed":
            raise FailedPrecondition(f"incident {incident.id} is closed")
        actor = actor_of(current_principal())
        async with self._pool.acquire() as conn:
            if request.plan_id:
                versions = await plan_store.plan_versions(conn, plan_id=request.plan_id)
                if not versions:
                    raise NotFound(f"plan {request.plan_id} does not exist")
                chosen = versions[0]
            else:
                latest = {p.plan.id: p for p in await plan_store.latest_plans(conn)}
                picked = plan_rules.select_plan(
                    [p.plan for p in latest.values()],
                    category=incident.category,
                    sub_type=incident.sub_type,
                    severity=incident.severity,
                )
                if picked is None:
                    raise FailedPrecondition(
                        f"没有适用的应急预案 no plan fits a {incident.category or 'unclassified'} incident "
                        f"({incident.sub_type or 'no sub-type'}, severity {incident.severity}); name one with plan_id"
                    )
                chosen = latest[picked.id]

        async def work(conn: Connection) -> plans_pb2.PlanActivation:
            now = datetime.now(UTC)
            row = plan_store.ActivationRow(
                id=new_id("pla"),
                incident_id=incident.id,
                plan_id=chosen.plan.id,
                plan_version=chosen.plan.version,
                activated_by_id=actor.person_id,
                activated_by_name=actor.display_name,
                activated_by_kind=actor.kind,
                activated_at=now,
                status="active",
                ended_at=None,
                workflow_started=False,
            )
            dues = plan_rules.task_deadlines(chosen.plan, activated_at=now)
            if not await plan_store.insert_activation(conn, activation=row, tasks=dues):
                # Activated already (one activation per incident and plan): that one is the answer.
                first = await plan_store.activation_of(conn, incident_id=incident.id, plan_id=chosen.plan.id)
                assert first is not None
                return await activation_view(conn, first)
            view = await activation_view(conn, row)
            level = chosen.plan.response_level
            await plan_store.publish(
                conn,
                incident_id=incident.id,
                event_type="incident.plan_activated",
                kind="plan_activated",
                text=(
                    f"启动应急预案 Plan activated: {chosen.plan.name} (v{chosen.plan.version})"
                    + (f"，{plan_rules.level_label(level)}" if level else "")
                    + f"；任务 tasks: {len(dues)}"
                ),
                actor=actor,
                at=now,
                dedupe_key=f"{incident.id}:plan:{row.id}:activated",
                activation=view,
            )
            return view

        view, _ = await idempotency.run_once(
            self._pool, method="ActivatePlan", request=request, response_type=plans_pb2.PlanActivation, work=work
        )
        await self.start(view)
        return view

    async def start(self, view: plans_pb2.PlanActivation) -> bool:
        """Start the activation's workflow unless it runs; False when Temporal was away (the
        reconciler tries again)."""
        started = await start_once(
            self._client,
            PlanActivationWorkflow.run,
            PlanActivationInput(
                activation_id=view.id,
                incident_id=view.incident_id,
                site_id=view.site_id,
                activated_at=view.activated_at.ToDatetime(tzinfo=UTC).isoformat(),
                tasks=[TaskTimes(key=t.key, due_at=t.due_at.ToDatetime(tzinfo=UTC).isoformat()) for t in view.tasks],
            ),
            workflow_id=plan_workflow_id(view.id),
            task_queue=self._task_queue,
        )
        if started:
            async with self._pool.acquire() as conn:
                await plan_store.mark_started(conn, activation_id=view.id)
        return started

    async def unstarted(self) -> list[plans_pb2.PlanActivation]:
        async with self._pool.acquire() as conn:
            return [await activation_view(conn, row) for row in await plan_store.unstarted(conn)]

    async def ListPlanActivations(
        self, request: plans_pb2.ListPlanActivationsRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.ListPlanActivationsResponse:
        incident = await self._incident(request.incident_id)
        async with self._pool.acquire() as conn:
            rows = await plan_store.activations(conn, incident_id=incident.id)
            return plans_pb2.ListPlanActivationsResponse(activations=[await activation_view(conn, r) for r in rows])

    async def CompleteTask(
        self, request: plans_pb2.CompleteTaskRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.PlanTask:
        async with self._pool.acquire() as conn:
            row = await plan_store.activation(conn, activation_id=request.activation_id)
        if row is None:
            raise NotFound(f"plan activation {request.activation_id} does not exist")
        incident = await self._incident(row.incident_id)
        actor = actor_of(current_principal())

        async def work(conn: Connection) -> plans_pb2.PlanTask:
            task = await plan_store.task(conn, activation_id=row.id, key=request.task_key)
            if task is None:
                raise NotFound(f"plan activation {row.id} has no task {request.task_key}")
            if task.status == "done":
                return task_message(task)  # done already, by this request or another: as it stands
            current = await plan_store.activation(conn, activation_id=row.id)
            if current is None or current.status != "active":
                raise FailedPrecondition(f"plan activation {row.id} has ended")
            now = datetime.now(UTC)
            await plan_store.complete_task(
                conn, activation_id=row.id, key=task.key, result=request.result.strip(), actor=actor, at=now
            )
            done = await plan_store.task(conn, activation_id=row.id, key=task.key)
            assert done is not None
            await plan_store.publish(
                conn,
                incident_id=incident.id,
                event_type="incident.plan_task_changed",
                kind="plan_task_done",
                text=f"预案任务完成 Plan task done: {done.title} — {done.result}",
                actor=actor,
                at=now,
                dedupe_key=f"{incident.id}:plan:{row.id}:{task.key}:done",
                activation=await activation_view(conn, current),
                task=task_message(done),
            )
            return task_message(done)

        answer, _ = await idempotency.run_once(
            self._pool, method="CompleteTask", request=request, response_type=plans_pb2.PlanTask, work=work
        )
        await signal_best_effort(self._client, plan_workflow_id(row.id), TASK_CHANGED_SIGNAL)
        return answer

    # -- the response level ---------------------------------------------------------------------------

    async def _respond(
        self, method: str, request: Message, incident_id: str, level: str | None, reason: str
    ) -> incident_pb2.Incident:
        incident = await self._incident(incident_id)
        actor = actor_of(current_principal())

        async def work(conn: Connection) -> incident_pb2.Incident:
            current = await store.get_incident(conn, incident_id=incident.id)
            assert current is not None
            problem = plan_rules.response_problem(current.response_level, declare=level, stage=current.stage)
            if problem:
                raise FailedPrecondition(problem)
            now = datetime.now(UTC)
            changed = await plan_store.set_response_level(conn, incident_id=incident.id, level=level or "", at=now)
            label = plan_rules.level_label(level or current.response_level)
            await plan_store.publish(
                conn,
                incident_id=incident.id,
                event_type="incident.response_declared" if level else "incident.response_lifted",
                kind="response_declared" if level else "response_lifted",
                text=f"{'启动' if level else '解除'}{label} {'declared' if level else 'lifted'}: {reason}",
                actor=actor,
                at=now,
                dedupe_key=f"{incident.id}:response:{changed.version}",
            )
            return convert.incident_message(
                changed, reports=await store.reports(conn, incident_id=incident.id), now=now
            )

        answer, _ = await idempotency.run_once(
            self._pool, method=method, request=request, response_type=incident_pb2.Incident, work=work
        )
        return answer

    async def DeclareResponse(
        self, request: plans_pb2.DeclareResponseRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        level = convert.name_of(convert.RESPONSE_LEVELS, request.level)
        return await self._respond("DeclareResponse", request, request.incident_id, level, request.reason.strip())

    async def LiftResponse(
        self, request: plans_pb2.LiftResponseRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        return await self._respond("LiftResponse", request, request.incident_id, None, request.reason.strip())


def serve_plans(ctx: ServiceContext, server: grpc.aio.Server, client: Client) -> None:
    """Hosts PlanService in the incident process, with the reconciler that starts the activations'
    workflows Temporal missed; like IncidentService, it does not start without a policy for each RPC."""
    ctx.hosted.append(plans_pb2.DESCRIPTOR.services_by_name["PlanService"].full_name)
    channel = service_channel(ctx.settings, target="roster", caller="incident")
    ctx.on_close.append(channel.close)
    servicer = PlanServicer(
        pool=ctx.pool, roster=RosterDirectory(channel), client=client, task_queue=task_queue_of("incident")
    )
    ctx.background.append(reconcile_forever(servicer.unstarted, servicer.start))
    plans_pb2_grpc.add_PlanServiceServicer_to_server(servicer, server)
