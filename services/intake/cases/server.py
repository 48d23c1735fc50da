"""CaseService over gRPC (工单): opening a case with its deadline, handing it over and signing for it,
the answer, the feedback to the caller, the return visit, reopening and closing; the case policies and
the sites' holiday calendars. Each change commits with its event; the case's workflow is then woken."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import structlog
from google.protobuf.message import Message
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import ALL_SITES, Principal, current_principal
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.intake.v1 import case_pb2, case_pb2_grpc, intake_pb2
from dutyline.privacy import CallerCipher
from dutyline.roster.v1 import roster_pb2_grpc
from dutyline.temporal_worker import task_queue_of
from services.intake import store as call_store
from services.intake.caller_data import CallerVault
from services.intake.cases import policy_store, rules, store
from services.intake.cases.calendar import Handling, calendar_of, deadline
from services.intake.cases.messages import calendar_message, case_message, policy_message
from services.intake.cases.owners import PERSON, Owners
from services.intake.cases.policy import SERVICE
from services.intake.cases.starter import CaseStarter
from services.intake.settings import IntakeSettings
from workflows.case.types import REOPEN_WINDOW_SECONDS

log = structlog.get_logger(__name__)

PAGE_SIZE = 100
REOPEN_WINDOW = timedelta(seconds=REOPEN_WINDOW_SECONDS)
DEFAULT_ZONE = "Asia/Shanghai"
# The caller's values a case keeps (sealed and masked), as the vault gives them for a row.
_CALLER_COLUMNS = frozenset(f for f in store.CaseRow.__dataclass_fields__ if f.startswith("caller_"))


@dataclass
class Change:
    """What an action on a case writes besides its new status: columns, a note, the event's detail."""

    columns: dict[str, object] = field(default_factory=dict)
    note: str = ""
    detail: str = ""


def zone_of(site: SiteInfo) -> ZoneInfo:
    return ZoneInfo(site.time_zone or DEFAULT_ZONE)


class CaseServicer(case_pb2_grpc.CaseServiceServicer):
    def __init__(
        self, *, pool: asyncpg.Pool, roster: RosterDirectory, owners: Owners, vault: CallerVault, starter: CaseStarter
    ) -> None:
        self._pool = pool
        self._roster = roster
        self._owners = owners
        self._vault = vault
        self._starter = starter

    # -- reading -----------------------------------------------------------------------------------

    async def _case(self, case_id: str) -> tuple[store.CaseRow, SiteInfo, Principal]:
        """The case, if the caller acts for its site (NOT_FOUND / PERMISSION_DENIED otherwise)."""
        async with self._pool.acquire() as conn:
            case = await store.get_case(conn, case_id=case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        principal = current_principal()
        site = await self._roster.site(case.site_id)
        principal.require_site(case.site_id, site.ancestor_ids)
        return case, site, principal

    @staticmethod
    async def _full(conn: Connection, case: store.CaseRow) -> case_pb2.Case:
        return case_message(case, await store.notes(conn, case_id=case.id))

    async def GetCase(self, request: case_pb2.GetCaseRequest, context: grpc.aio.ServicerContext) -> case_pb2.Case:
        case, _, _ = await self._case(request.case_id)
        async with self._pool.acquire() as conn:
            return await self._full(conn, case)

    async def ListCases(
        self, request: case_pb2.ListCasesRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.ListCasesResponse:
        site_ids = await self._roster.readable_sites(current_principal(), request.site_id)
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            rows = await store.list_cases(
                conn,
                site_ids=site_ids,
                status=rules.STATUSES.get(request.status),
                owner_id=request.owner_id or None,
                open_only=request.open_only,
                overdue_only=request.overdue_only,
                limit=size,
                offset=offset,
            )
        return case_pb2.ListCasesResponse(
            cases=[case_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    # -- opening -----------------------------------------------------------------------------------

    async def _deadline_at(
        self, conn: Connection, site: SiteInfo, category: str, urgent: bool, start: datetime
    ) -> dict[str, Any]:
        """The deadline columns of a case (re)started at ``start``, from the policy and calendar in force."""
        handling = (await policy_store.in_force(conn, site_id=site.id))[category].handling
        calendar = (await policy_store.get_calendar(conn, site_id=site.id)).calendar
        due = deadline(start, handling, calendar, zone_of(site), urgent=urgent)
        return {"due_at": due.due_at, "remind_at": due.remind_at, "policy_version": handling.version}

    async def OpenCase(self, request: case_pb2.OpenCaseRequest, context: grpc.aio.ServicerContext) -> case_pb2.Case:
        principal = current_principal()
        site = await self._roster.site(request.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        if request.call_id:
            async with self._pool.acquire() as conn:
                call = await call_store.get_call(conn, call_id=request.call_id)
            if call is None or call.site_id != site.id:
                raise InvalidArgument([FieldViolation("call_id", f"no call {request.call_id} at site {site.id}")])
        owner_kind = await self._owners.kind_of(request.owner_id, site, field="owner_id") if request.owner_id else ""
        category = rules.CATEGORIES[request.category]
        case_id, now = new_id("case"), datetime.now(UTC)
        caller = request.caller
        sealed = self._vault.sealed(
            case_id,
            name=caller.name.strip(),
            phone=caller.phone.strip(),
            unit=caller.unit.strip(),
            address=caller.address.strip(),
        )
        opened: list[store.CaseRow] = []

        async def work(conn: Connection) -> case_pb2.Case:
            due = await self._deadline_at(conn, site, category, request.urgent, now)
            case = store.CaseRow(
                id=case_id,
                site_id=site.id,
                category=category,
                status=rules.ASSIGNED if owner_kind else rules.ACCEPTED,
                urgent=request.urgent,
                subject=request.subject.strip(),
                **{k: v for k, v in sealed.items() if k in _CALLER_COLUMNS},
                call_id=request.call_id or None,
                owner_id="",
                owner_kind="",
                pending_owner_id=request.owner_id,
                pending_owner_kind=owner_kind,
                assigned_by=principal.person_id if owner_kind else "",
                deadline_round=1,
                overdue_round=0,
                answer="",
                feedback="",
                return_visit="",
                return_visit_comment="",
                reopened=0,
                opened_by=principal.person_id,
                opened_at=now,
                closed_at=None,
                drill=request.drill,
                version=1,
                workflow_started_at=None,
                **due,
            )
            await store.insert_case(conn, case=case)
            if owner_kind:
                await store.add_note(
                    conn, case_id=case.id, kind="assigned", text=f"→ {request.owner_id}", by=principal.person_id, at=now
                )
            message = case_message(case)
            await emit(
                conn,
                event_type="case.opened",
                site_id=case.site_id,
                aggregate_id=case.id,
                aggregate_version=case.version,
                payload=event_pb2.CaseChanged(case=message, detail=category),
                drill=case.drill,
            )
            opened.append(case)
            return await self._full(conn, case)

        answer, replayed = await idempotency.run_once(
            self._pool, method="OpenCase", request=request, response_type=case_pb2.Case, work=work
        )
        if not replayed:
            structlog.contextvars.bind_contextvars(case_id=answer.id)
            log.info("case opened", category=category, urgent=request.urgent)
            await self._starter.ensure_started(opened[0])
        return answer

    # -- acting on a case ----------------------------------------------------------------------------

    async def _act(
        self,
        request: Message,
        case_id: str,
        *,
        method: str,
        action: str,
        event_type: str,
        change: Callable[[Connection, store.CaseRow, str, datetime], Awaitable[Change]],
    ) -> case_pb2.Case:
        """One action on the case named by the request: the transition checked on the locked row, the
        change, its note and its event in one transaction (once per idempotency key); then the
        workflow is woken."""
        case, _, principal = await self._case(case_id)

        async def work(conn: Connection) -> case_pb2.Case:
            current = await store.get_case(conn, case_id=case.id, for_update=True)
            assert current is not None
            now = datetime.now(UTC)
            status = rules.next_status(current.status, action)
            done = await change(conn, current, status, now)
            updated = await store.change_case(conn, case_id=current.id, status=status, **done.columns)
            if done.note:
                await store.add_note(
                    conn,
                    case_id=current.id,
                    kind=event_type.removeprefix("case."),
                    text=done.note,
                    by=principal.person_id,
                    at=now,
                )
            await emit(
                conn,
                event_type=event_type,
                site_id=updated.site_id,
                aggregate_id=updated.id,
                aggregate_version=updated.version,
                payload=event_pb2.CaseChanged(case=case_message(updated), detail=done.detail),
                drill=updated.drill,
            )
            return await self._full(conn, updated)

        answer, replayed = await idempotency.run_once(
            self._pool, method=method, request=request, response_type=case_pb2.Case, work=work
        )
        if not replayed:
            await self._starter.changed(case.id)
        return answer

    async def _restart(
        self, conn: Connection, case: store.CaseRow, start: datetime, columns: dict[str, object]
    ) -> dict[str, object]:
        """``columns`` with a new deadline round from ``start`` (reassigned, reopened)."""
        site = await self._roster.site(case.site_id)
        due = await self._deadline_at(conn, site, case.category, case.urgent, start)
        return columns | due | {"deadline_round": case.deadline_round + 1}

    async def AssignCase(self, request: case_pb2.AssignCaseRequest, context: grpc.aio.ServicerContext) -> case_pb2.Case:
        _, site, principal = await self._case(request.case_id)
        kind = await self._owners.kind_of(request.owner_id, site, field="owner_id")

        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            if current.owner_id == request.owner_id:
                raise FailedPrecondition(f"{request.owner_id} 已是承办人 already owns case {current.id}")
            columns: dict[str, object] = {
                "pending_owner_id": request.owner_id,
                "pending_owner_kind": kind,
                "assigned_by": principal.person_id,
            }
            reason = request.reason.strip()
            return Change(
                columns, note=f"→ {request.owner_id}" + (f": {reason}" if reason else ""), detail=request.owner_id
            )

        return await self._act(
            request, request.case_id, method="AssignCase", action="assign", event_type="case.assigned", change=change
        )

    async def AcknowledgeCase(
        self, request: case_pb2.AcknowledgeCaseRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.Case:
        principal = current_principal()

        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            # A person signs for themselves (or their leader for them); a department through whoever
            # at the site took its acknowledgement.
            if (
                current.pending_owner_kind == PERSON
                and current.pending_owner_id != principal.person_id
                and not principal.has_role("leader", "admin")
            ):
                raise PermissionDenied(
                    f"只有 {current.pending_owner_id} 本人或值班领导可签收 "
                    "only the receiver or a leader signs for the case"
                )
            columns: dict[str, object] = {
                "owner_id": current.pending_owner_id,
                "owner_kind": current.pending_owner_kind,
                "pending_owner_id": "",
                "pending_owner_kind": "",
            }
            if current.owner_id:
                # Reassigned: the receiver gets the policy's handling time from now.
                columns = await self._restart(conn, current, now, columns)
            return Change(
                columns, note=f"{current.pending_owner_id} 签收 acknowledged", detail=current.pending_owner_id
            )

        return await self._act(
            request,
            request.case_id,
            method="AcknowledgeCase",
            action="acknowledge",
            event_type="case.acknowledged",
            change=change,
        )

    async def AddCaseNote(
        self, request: case_pb2.AddCaseNoteRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.Case:
        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            return Change(note=request.text.strip())

        return await self._act(
            request, request.case_id, method="AddCaseNote", action="note", event_type="case.noted", change=change
        )

    async def AnswerCase(self, request: case_pb2.AnswerCaseRequest, context: grpc.aio.ServicerContext) -> case_pb2.Case:
        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            answer = request.answer.strip()
            return Change({"answer": answer}, note=answer)

        return await self._act(
            request, request.case_id, method="AnswerCase", action="answer", event_type="case.answered", change=change
        )

    async def RecordCaseFeedback(
        self, request: case_pb2.RecordCaseFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.Case:
        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            feedback = request.feedback.strip()
            return Change({"feedback": feedback}, note=feedback, detail="on time" if now <= current.due_at else "late")

        return await self._act(
            request,
            request.case_id,
            method="RecordCaseFeedback",
            action="feedback",
            event_type="case.feedback_given",
            change=change,
        )

    async def RecordReturnVisit(
        self, request: case_pb2.RecordReturnVisitRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.Case:
        result = rules.VISIT_RESULTS[request.result]

        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            comment = request.comment.strip()
            columns: dict[str, object] = {"return_visit": result, "return_visit_comment": comment}
            detail = result
            if result == "dissatisfied":
                # 不满意: handled again, with a new deadline, and told again.
                columns = await self._restart(
                    conn, current, now, columns | {"reopened": current.reopened + 1, "answer": "", "feedback": ""}
                )
                detail = "dissatisfied: reopened"
            return Change(columns, note=f"{result}" + (f": {comment}" if comment else ""), detail=detail)

        return await self._act(
            request,
            request.case_id,
            method="RecordReturnVisit",
            action=f"visit_{result}",
            event_type="case.return_visited",
            change=change,
        )

    async def ReopenCase(self, request: case_pb2.ReopenCaseRequest, context: grpc.aio.ServicerContext) -> case_pb2.Case:
        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            if current.closed_at is not None and now - current.closed_at > REOPEN_WINDOW:
                raise FailedPrecondition(
                    f"工单办结已超过 {REOPEN_WINDOW.days} 天，请新建工单 "
                    f"case {current.id} was closed more than {REOPEN_WINDOW.days} days ago: open a new case"
                )
            columns = await self._restart(
                conn,
                current,
                now,
                {"reopened": current.reopened + 1, "answer": "", "feedback": "", "closed_at": None},
            )
            return Change(columns, note=request.reason.strip())

        return await self._act(
            request, request.case_id, method="ReopenCase", action="reopen", event_type="case.reopened", change=change
        )

    async def CloseCase(self, request: case_pb2.CloseCaseRequest, context: grpc.aio.ServicerContext) -> case_pb2.Case:
        async def change(conn: Connection, current: store.CaseRow, status: str, now: datetime) -> Change:
            return Change({"closed_at": now}, note=request.summary.strip() or "办结 closed")

        return await self._act(
            request, request.case_id, method="CloseCase", action="close", event_type="case.closed", change=change
        )

    async def RevealCaseCaller(
        self, request: case_pb2.RevealCaseCallerRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.RevealCallerResponse:
        """The case's caller in clear, for a stated reason, with an audit entry (who, when, why), for the
        officers, leaders and admins of its site who call the caller back."""
        case, _, principal = await self._case(request.case_id)
        audit_id = new_id("rev")
        async with self._pool.acquire() as conn:
            await store.audit_reveal(
                conn,
                audit_id=audit_id,
                case_id=case.id,
                by=principal.person_id,
                reason=request.reason.strip(),
                at=datetime.now(UTC),
            )
        # The audit is committed before anything clear leaves the service; the log names no value.
        log.info("case caller revealed", case_id=case.id, audit_id=audit_id)
        return intake_pb2.RevealCallerResponse(caller=self._vault.opened(case), audit_id=audit_id)

    # -- policies and calendars ----------------------------------------------------------------------

    async def UpsertCasePolicy(
        self, request: case_pb2.UpsertCasePolicyRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.CasePolicy:
        principal = current_principal()
        if ALL_SITES not in principal.sites:
            raise PermissionDenied("只有总值班室管理员可修改工单时限 only a central admin changes case policies")
        policy = request.policy
        if policy.site_id:
            await self._roster.site(policy.site_id)  # INVALID_ARGUMENT for an unknown site
        handling = Handling(policy.working_days, policy.urgent_hours, policy.remind_before_minutes)

        async def work(conn: Connection) -> case_pb2.CasePolicy:
            row = await policy_store.insert_version(
                conn,
                site_id=policy.site_id,
                category=rules.CATEGORIES[policy.category],
                handling=handling,
                by=principal.person_id,
                at=datetime.now(UTC),
            )
            return policy_message(row)

        answer, _ = await idempotency.run_once(
            self._pool, method="UpsertCasePolicy", request=request, response_type=case_pb2.CasePolicy, work=work
        )
        return answer

    async def ListCasePolicies(
        self, request: case_pb2.ListCasePoliciesRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.ListCasePoliciesResponse:
        if request.site_id:
            await self._roster.site(request.site_id)
        async with self._pool.acquire() as conn:
            rows = await policy_store.in_force(conn, site_id=request.site_id)
        return case_pb2.ListCasePoliciesResponse(policies=[policy_message(rows[c]) for c in sorted(rows)])

    async def UpsertHolidayCalendar(
        self, request: case_pb2.UpsertHolidayCalendarRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.HolidayCalendar:
        principal = current_principal()
        site = await self._roster.site(request.calendar.site_id)
        principal.require_site(site.id, site.ancestor_ids)
        calendar, problems = calendar_of(request.calendar.holidays, request.calendar.working_days)
        if problems:
            raise InvalidArgument(problems)

        async def work(conn: Connection) -> case_pb2.HolidayCalendar:
            row = await policy_store.put_calendar(
                conn,
                site_id=site.id,
                holidays=sorted(calendar.holidays),
                working_days=sorted(calendar.working_days),
                by=principal.person_id,
                at=datetime.now(UTC),
            )
            return calendar_message(row)

        answer, _ = await idempotency.run_once(
            self._pool,
            method="UpsertHolidayCalendar",
            request=request,
            response_type=case_pb2.HolidayCalendar,
            work=work,
        )
        return answer

    async def GetHolidayCalendar(
        self, request: case_pb2.GetHolidayCalendarRequest, context: grpc.aio.ServicerContext
    ) -> case_pb2.HolidayCalendar:
        site = await self._roster.site(request.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        async with self._pool.acquire() as conn:
            return calendar_message(await policy_store.get_calendar(conn, site_id=site.id))


def serve_cases(
    ctx: ServiceContext[IntakeSettings],
    server: grpc.aio.Server,
    client: Client,
    *,
    roster: grpc.aio.Channel,
    directory: RosterDirectory,
) -> None:
    """Hosts CaseService in the intake process: its servicer, the reconciler of its workflows' starts;
    like IntakeService, it does not start without a policy for each of its RPCs (``ctx.hosted``)."""
    ctx.hosted.append(SERVICE)
    starter = CaseStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("intake"))
    ctx.background.append(starter.reconcile_forever())
    servicer = CaseServicer(
        pool=ctx.pool,
        roster=directory,
        owners=Owners(directory, roster_pb2_grpc.RosterServiceStub(roster)),
        vault=CallerVault(CallerCipher(ctx.settings.caller_keys.get_secret_value()), table="cases"),
        starter=starter,
    )
    case_pb2_grpc.add_CaseServiceServicer_to_server(servicer, server)
