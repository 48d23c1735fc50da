"""The operator's steps of the emergency process, applied as Temporal updates that the incident's
workflow validates (an illegal step is FAILED_PRECONDITION naming the current stage), and the
reads that go with them: violations, reporting policies, the live feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import structlog
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from dutyline.common.v1 import common_pb2
from dutyline.directory import RosterDirectory
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import ALL_SITES, Principal, current_principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    PermissionDenied,
    Unavailable,
    Violations,
)
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2
from services.incident import convert, grants, policy_store, rules, store
from services.incident.starter import WorkflowStarter
from services.incident.watch import IncidentFeed
from workflows.incident.convert import authorised
from workflows.incident.types import (
    AbsorbArgs,
    AccidentData,
    Actor,
    CasualtiesData,
    CloseArgs,
    NoteArgs,
    ReclassifyArgs,
    ReportArgs,
    UpdateResult,
    VerifyArgs,
)

log = structlog.get_logger(__name__)

# A retry with the same idempotency key resumes the same update; it is never applied twice.
UPDATE_TIMEOUT = 30.0
WRITTEN_KINDS = ("initial_written", "follow_up", "final")


def actor(principal: Principal) -> Actor:
    return Actor(
        person_id=principal.person_id,
        name=principal.name,
        kind="system" if principal.has_role("system") else "person",
        admin=principal.has_role("admin", "system"),
    )


def casualties_data(message: incident_pb2.Casualties) -> CasualtiesData:
    return CasualtiesData(**{f: getattr(message, f) for f in convert.CASUALTY_FIELDS})


class ProcessRpcs:
    _pool: Any
    _roster: RosterDirectory
    _client: Client
    _feed: IncidentFeed
    _grant_keys: list[str]
    _starter: WorkflowStarter

    async def _readable(self, incident_id: str) -> store.IncidentRow:
        raise NotImplementedError

    async def _actionable(self, incident_id: str) -> tuple[store.IncidentRow, Principal]:
        """The incident, if the caller may act on it (its site, and not only reading as an agency)."""
        incident = await self._readable(incident_id)
        principal = current_principal()
        if principal.has_role("agency") and not principal.has_role("officer", "leader", "admin", "system"):
            raise PermissionDenied("an agency reads incidents; it does not act on them")
        return incident, principal

    async def _update(self, incident_id: str, name: str, arg: Any, key: str) -> str:
        """Apply step ``name`` as an update of the incident's workflow; returns the update's id."""
        handle = self._client.get_workflow_handle(incident_id)
        # The caller's key (ids and keys hold no space): another caller's same key is another update.
        update_id = f"{name}:{idempotency.caller_scope()} {key}"
        # What this service authorised, signed: the workflow's persisting activity checks it.
        grant = grants.sign(
            self._grant_keys[0],
            incident_id=incident_id,
            update_id=update_id,
            authorised=authorised(name, arg),
            now=datetime.now(UTC),
        )
        arg = replace(arg, actor=replace(arg.actor, grant=grant))
        started_here = looked_again = False
        while True:
            try:
                # Not asyncio.wait_for: its task, cancelled when the caller goes away, ends with the SDK's
                # own error, not CancelledError, which nobody retrieves ("Task exception was never retrieved").
                async with asyncio.timeout(UPDATE_TIMEOUT):
                    await handle.execute_update(name, arg, id=update_id, result_type=UpdateResult)
                return update_id
            except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from exc  # the caller went away (the SDK renames that)
                raise Unavailable(f"the incident process did not answer within {UPDATE_TIMEOUT:.0f} s; retry") from exc
            except WorkflowUpdateFailedError as exc:
                cause = exc.cause
                if isinstance(cause, ApplicationError):
                    raise FailedPrecondition(cause.message) from exc
                raise
            except RPCError as exc:
                if await self._applied(incident_id, update_id) is not None:
                    return update_id  # A retry after the step closed the process: the first answer stands.
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise Unavailable(f"the incident process did not answer: {exc.message}") from exc
                unstarted = await self._unstarted(incident_id)
                if unstarted is None and not looked_again:
                    # Started since this update was refused (OpenIncident's start landing just now): ask again.
                    looked_again = True
                    continue
                if unstarted is None:
                    raise FailedPrecondition(f"incident {incident_id} has no running process (closed?)") from exc
                # Committed a moment ago (its start is on its way), or while Temporal was away: start it
                # now, once; if Temporal is still away, the reconciler starts it soon.
                if started_here or not await self._starter.ensure_started(unstarted):
                    raise Unavailable(
                        f"事件流程尚未启动 incident {incident_id}'s process is not started yet; retry"
                    ) from exc
                started_here = True

    async def _unstarted(self, incident_id: str) -> store.IncidentRow | None:
        """The incident, if its workflow was never started."""
        async with self._pool.acquire() as conn:
            incident = await store.get_incident(conn, incident_id=incident_id)
        return incident if incident is not None and incident.workflow_started_at is None else None

    async def _answer(self, incident_id: str) -> incident_pb2.Incident:
        async with self._pool.acquire() as conn:
            incident = await store.get_incident(conn, incident_id=incident_id)
            reports = await store.reports(conn, incident_id=incident_id)
        assert incident is not None
        return convert.incident_message(incident, reports=reports)

    async def Verify(
        self, request: incident_pb2.VerifyRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        category = convert.name_of(convert.CATEGORIES, request.category)
        severity = convert.name_of(convert.SEVERITIES, request.severity)
        incident, principal = await self._actionable(request.incident_id)
        args = VerifyArgs(
            actor=actor(principal),
            confirmed=request.confirmed,
            category=category,
            sub_type=request.sub_type.strip(),
            severity=severity,
            casualties=casualties_data(request.casualties),
            reason=request.reason.strip(),
        )
        await self._update(incident.id, "verify", args, request.idempotency_key)
        return await self._answer(incident.id)

    async def Reclassify(
        self, request: incident_pb2.ReclassifyRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        severity = convert.name_of(convert.SEVERITIES, request.severity)
        incident, principal = await self._actionable(request.incident_id)
        category = convert.name_of(convert.CATEGORIES, request.category) or incident.category
        args = ReclassifyArgs(
            actor=actor(principal),
            severity=severity,
            category=category,
            sub_type=request.sub_type.strip() or incident.sub_type,
            reason=request.reason.strip(),
        )
        await self._update(incident.id, "reclassify", args, request.idempotency_key)
        return await self._answer(incident.id)

    async def SubmitReport(
        self, request: incident_pb2.SubmitReportRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Report:
        v = Violations()
        kind = convert.name_of(convert.REPORT_KINDS, request.kind)
        incident, principal = await self._actionable(request.incident_id)
        accident: AccidentData | None = None
        if incident.category == "accident" and kind in WRITTEN_KINDS:
            content = {
                f: getattr(request.accident, f)
                for f in ("unit", "time_place_scene", "what_happened", "measures", "other")
            }
            given = request.accident.HasField("casualties")
            for field, description in rules.accident_report_problems(
                content, convert.casualties_rule(request.accident.casualties) if given else None
            ):
                v.add(field, description)
            v.raise_if_any()
            accident = AccidentData(**content, casualties=casualties_data(request.accident.casualties))
        casualties = request.accident.casualties if accident else request.casualties
        args = ReportArgs(
            actor=actor(principal),
            report_id=new_id("rep"),
            kind=kind,
            recipient=request.recipient.strip(),
            content=request.content.strip(),
            accident=accident,
            casualties=casualties_data(casualties) if (accident or request.HasField("casualties")) else None,
        )
        await self._update(incident.id, "report", args, request.idempotency_key)
        async with self._pool.acquire() as conn:
            reports = await store.reports(conn, incident_id=incident.id)
        # The report this request made (a replay finds the first one by its number and kind).
        mine = [r for r in reports if r.id == args.report_id] or [r for r in reports if r.kind == kind]
        return convert.report_message(mine[-1])

    async def AddProgress(
        self, request: incident_pb2.AddProgressRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.TimelineEntry:
        incident, principal = await self._actionable(request.incident_id)
        args = NoteArgs(actor=actor(principal), text=request.text.strip())
        return await self._noted(incident.id, "progress", args, request.idempotency_key)

    async def RecordFeedback(
        self, request: incident_pb2.RecordFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.TimelineEntry:
        incident, principal = await self._actionable(request.incident_id)
        if request.call_id:
            async with self._pool.acquire() as conn:
                if not await store.has_call(conn, incident_id=incident.id, call_id=request.call_id):
                    raise InvalidArgument([FieldViolation("call_id", f"not a call of incident {incident.id}")])
        args = NoteArgs(
            actor=actor(principal),
            text=request.message.strip(),
            call_id=request.call_id,
            method=request.method.strip(),
            feedback_id=new_id("fb"),
        )
        return await self._noted(incident.id, "feedback", args, request.idempotency_key)

    async def _applied(self, incident_id: str, update_id: str) -> store.TimelineRow | None:
        """The timeline entry an update wrote, once it was applied."""
        async with self._pool.acquire() as conn:
            return await store.timeline_entry(conn, dedupe_key=f"{incident_id}:update:{update_id}")

    async def _noted(self, incident_id: str, name: str, arg: object, key: str) -> incident_pb2.TimelineEntry:
        """Apply a step that notes something on the timeline, and answer with that entry."""
        entry = await self._applied(incident_id, await self._update(incident_id, name, arg, key))
        assert entry is not None
        return convert.timeline_message(entry)

    async def Close(
        self, request: incident_pb2.CloseRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        incident, principal = await self._actionable(request.incident_id)
        if request.override_reason and not principal.has_role("admin", "system"):
            raise PermissionDenied("only an admin may close with missing reports or feedback")
        args = CloseArgs(
            actor=actor(principal), summary=request.summary.strip(), override_reason=request.override_reason.strip()
        )
        await self._update(incident.id, "close", args, request.idempotency_key)
        return await self._answer(incident.id)

    async def Merge(
        self, request: incident_pb2.MergeRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        duplicate, principal = await self._actionable(request.duplicate_id)
        primary, _ = await self._actionable(request.primary_id)
        if primary.site_id != duplicate.site_id:
            raise InvalidArgument([FieldViolation("primary_id", "an incident of the same site")])
        if primary.drill != duplicate.drill:
            # A drill's calls and reports must never count for a real incident, nor the reverse.
            raise InvalidArgument([FieldViolation("primary_id", "drills and real incidents are never merged")])
        if primary.stage == "closed":
            raise FailedPrecondition(f"incident {primary.id} is closed; merge into an open one")
        async with self._pool.acquire() as conn:
            moved = await store.reports(conn, incident_id=duplicate.id)
            made_there = await store.reports(conn, incident_id=primary.id)
        args = CloseArgs(
            actor=actor(principal),
            summary=request.reason.strip() or "duplicate",
            merged_into=primary.id,
            reported_there=sorted({r.kind for r in made_there}),
        )
        await self._update(duplicate.id, "close", args, request.idempotency_key)
        await self._update(
            primary.id,
            "absorb",
            AbsorbArgs(
                actor=actor(principal),
                duplicate_id=duplicate.id,
                report_kinds=[r.kind for r in moved],
                at=datetime.now(UTC).isoformat(),
            ),
            request.idempotency_key,
        )
        return await self._answer(primary.id)

    async def ListViolations(
        self, request: incident_pb2.ListViolationsRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.ListViolationsResponse:
        principal = current_principal()
        site_ids = await self._roster.readable_sites(principal, request.site_id)
        start = from_ts(request.period.start) if request.period.HasField("start") else None
        end = from_ts(request.period.end) if request.period.HasField("end") else None
        size, offset = request.page.page_size or store.PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            rows = await store.list_violations(
                conn,
                site_ids=site_ids,
                person_id=request.person_id or None,
                start=start,
                end=end,
                include_drills=request.include_drills,
                limit=size,
                offset=offset,
            )
        return incident_pb2.ListViolationsResponse(
            violations=[convert.violation_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def UpsertReportingPolicy(
        self, request: incident_pb2.UpsertReportingPolicyRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.ReportingPolicy:
        principal = current_principal()
        if not principal.has_role("admin", "system") or ALL_SITES not in principal.sites:
            raise PermissionDenied("only a central admin changes reporting policies")
        policy = policy_from_message(request.policy)
        async with self._pool.acquire() as conn, conn.transaction():
            saved = await policy_store.insert_version(conn, policy=policy, created_by=principal.person_id)
        return policy_message(saved)

    async def ListReportingPolicies(
        self, request: incident_pb2.ListReportingPoliciesRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.ListReportingPoliciesResponse:
        async with self._pool.acquire() as conn:
            policies = await policy_store.latest(conn, jurisdiction=request.jurisdiction or None, at=datetime.now(UTC))
        return incident_pb2.ListReportingPoliciesResponse(policies=[policy_message(p) for p in policies])

    async def WatchIncidents(
        self, request: incident_pb2.WatchIncidentsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[incident_pb2.IncidentChange]:
        async for change in self._feed.watch(current_principal(), request):
            yield change


def policy_from_message(message: incident_pb2.ReportingPolicy) -> rules.Policy:
    v = Violations()
    requirements = []
    for r in message.requirements:
        kind = convert.name_of(convert.REPORT_KINDS, r.kind)
        # The proto's pattern admits only HH:MM.
        times = [datetime.strptime(text, "%H:%M").time() for text in r.fixed_local_times]
        requirements.append(
            rules.Requirement(
                kind=kind,
                recipient=r.recipient.strip(),
                # A final report and fixed-time follow-ups have no relative deadline.
                due_after=None if times or kind == "final" else timedelta(seconds=r.due_after_seconds),
                anchor=r.anchor or "registered",
                fixed_local_times=tuple(times),
                required_content=tuple(r.required_content),
            )
        )
    policy = rules.Policy(
        id=message.id.strip(),
        version=0,
        name=message.name.strip(),
        jurisdiction=message.jurisdiction,
        category=convert.name_of(convert.CATEGORIES, message.category),
        severity=convert.name_of(convert.SEVERITIES, message.severity),
        sub_types=tuple(message.sub_types),
        requirements=tuple(requirements),
        effective_from=from_ts(message.effective_from) if message.HasField("effective_from") else datetime.now(UTC),
        # 0: the platform's time to verify (the proto's default cannot mean "verify at once").
        verify_within=timedelta(seconds=message.verify_within_seconds) or rules.DEFAULT_VERIFY_WITHIN,
        progress_every=timedelta(seconds=message.progress_every_seconds),
        recipient_site_id=message.recipient_site_id,
        receipt_window_seconds=message.receipt_window_seconds,
        # 0: material figures may be corrected at any time.
        correction_within=timedelta(seconds=message.correction_within_seconds) or None,
    )
    for field, description in rules.validate_policy(policy):
        v.add(field, description)
    v.raise_if_any()
    return policy


def policy_message(policy: rules.Policy) -> incident_pb2.ReportingPolicy:
    return incident_pb2.ReportingPolicy(
        id=policy.id,
        version=policy.version,
        name=policy.name,
        jurisdiction=policy.jurisdiction,
        category=convert.CATEGORIES.get(policy.category, 0),
        severity=convert.SEVERITIES.get(policy.severity, 0),
        sub_types=list(policy.sub_types),
        effective_from=ts(policy.effective_from),
        verify_within_seconds=int(policy.verify_within.total_seconds()),
        progress_every_seconds=int(policy.progress_every.total_seconds()),
        recipient_site_id=policy.recipient_site_id,
        receipt_window_seconds=policy.receipt_window_seconds,
        correction_within_seconds=int(policy.correction_within.total_seconds()) if policy.correction_within else 0,
        requirements=[
            incident_pb2.ReportRequirement(
                kind=convert.REPORT_KINDS[r.kind],
                recipient=r.recipient,
                due_after_seconds=int(r.due_after.total_seconds()) if r.due_after is not None else 0,
                anchor=r.anchor,
                fixed_local_times=[t.strftime("%H:%M") for t in r.fixed_local_times],
                required_content=list(r.required_content),
            )
            for r in policy.requirements
        ],
    )
