"""CaseService (工单) end to end on the real stack: a whole case from opening to closing with its
events and workflow; every RPC's bad input answered with field violations and nothing written;
retries that duplicate nothing; callers of another site refused; closing without feedback refused; a
dissatisfied return visit reopening the case; policies and calendars setting the deadline."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import field_violations
from dutyline.intake.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc
from services.intake.cases.calendar import Handling, HolidayCalendar, deadline
from tests.support import events_about, token_for, until
from workflows.case.workflow import CaseWorkflow

pytestmark = pytest.mark.stack

OFFICER, OTHER_OFFICER, LEADER = "p-hz-officer-3", "p-hz-officer-4", "p-hz-leader-1"
CALLER = intake_pb2.Caller(name="钱七", phone="13912345678", unit="西湖区某公司", address="杭州市西湖区文三路 1 号")


def key() -> str:
    return str(uuid.uuid4())


async def stub_for(platform: Any, person: str, roles: list[str], sites: list[str]) -> Any:
    return channel(platform.address("intake"), token_for(person, roles, sites))


@pytest.fixture
async def cases(platform: Any) -> AsyncIterator[case_pb2_grpc.CaseServiceStub]:
    async with await stub_for(platform, OFFICER, ["officer"], ["hz-01"]) as ch:
        yield case_pb2_grpc.CaseServiceStub(ch)


@pytest.fixture
async def receiver(platform: Any) -> AsyncIterator[case_pb2_grpc.CaseServiceStub]:
    async with await stub_for(platform, OTHER_OFFICER, ["officer"], ["hz-01"]) as ch:
        yield case_pb2_grpc.CaseServiceStub(ch)


@pytest.fixture
async def foreign(platform: Any) -> AsyncIterator[case_pb2_grpc.CaseServiceStub]:
    async with await stub_for(platform, "p-nb-officer-1", ["officer"], ["nb-01"]) as ch:
        yield case_pb2_grpc.CaseServiceStub(ch)


@pytest.fixture
async def central_admin(platform: Any) -> AsyncIterator[case_pb2_grpc.CaseServiceStub]:
    async with await stub_for(platform, "p-admin", ["admin"], ["*"]) as ch:
        yield case_pb2_grpc.CaseServiceStub(ch)


@pytest.fixture
async def temporal(platform: Any) -> Client:
    return await Client.connect(platform.temporal.address)


def open_request(**fields: Any) -> case_pb2.OpenCaseRequest:
    request = case_pb2.OpenCaseRequest(
        idempotency_key=key(),
        site_id="hz-01",
        category=case_pb2.CASE_CATEGORY_COMPLAINT,
        subject="小区夜间施工噪音扰民 night-time construction noise",
        caller=CALLER,
        drill=True,
    )
    for name, value in fields.items():
        setattr(request, name, value)
    return request


async def counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    """Cases, their notes and their changes (each one an event): what a refused request must not add to."""
    return (
        await db.fetchval("SELECT count(*) FROM intake.cases"),
        await db.fetchval("SELECT count(*) FROM intake.case_notes"),
        await db.fetchval("SELECT coalesce(sum(version), 0) FROM intake.cases"),
    )


async def refused(rpc: Any, request: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await rpc(request)
    return caught.value


async def twice(rpc: Any, request: Any) -> Any:
    """The answer to ``request``, sent twice: the retry gets the same answer (and changes nothing)."""
    first = await rpc(request)
    assert await rpc(request) == first
    return first


async def workflow_status(temporal: Client, case_id: str) -> WorkflowExecutionStatus | None:
    return (await temporal.get_workflow_handle(f"case-{case_id}").describe()).status


async def workflow_phase(temporal: Client, case_id: str) -> str:
    state: dict[str, str] = await temporal.get_workflow_handle(f"case-{case_id}").query(CaseWorkflow.state)
    return state["phase"]


async def test_a_complaint_from_opening_to_closing(
    platform: Any,
    cases: case_pb2_grpc.CaseServiceStub,
    receiver: case_pb2_grpc.CaseServiceStub,
    temporal: Client,
    db: asyncpg.Connection,
) -> None:
    async with await stub_for(platform, OFFICER, ["officer"], ["hz-01"]) as ch:
        now = datetime.now(UTC)
        registered = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(
            intake_pb2.RegisterCallRequest(
                idempotency_key=key(),
                site_id="hz-01",
                channel=intake_pb2.CHANNEL_PHONE,
                category=intake_pb2.CALL_CATEGORY_COMPLAINT,
                ring_started_at=ts(now - timedelta(seconds=5)),
                answered_at=ts(now - timedelta(seconds=2)),
                caller=CALLER,
                summary="投诉施工噪音 a noise complaint",
                drill=True,
            )
        )
    opened = await twice(cases.OpenCase, open_request(call_id=registered.call.id))
    assert (opened.status, opened.call_id, opened.opened_by) == (
        case_pb2.CASE_STATUS_ACCEPTED,
        registered.call.id,
        OFFICER,
    )
    # Personal data masked in answers and sealed at rest.
    assert (opened.caller.name, opened.caller.phone) == ("钱*", "139****5678")
    stored = await db.fetchrow(
        "SELECT caller_phone_enc, caller_address_masked FROM intake.cases WHERE id = $1", opened.id
    )
    assert stored is not None
    assert b"13912345678" not in bytes(stored["caller_phone_enc"]) and stored["caller_address_masked"].startswith(
        "杭州市"
    )
    assert from_ts(opened.due_at) > datetime.now(UTC)
    await until(lambda: workflow_status(temporal, opened.id), WorkflowExecutionStatus.RUNNING)

    assigned = await twice(
        cases.AssignCase, case_pb2.AssignCaseRequest(idempotency_key=key(), case_id=opened.id, owner_id=OTHER_OFFICER)
    )
    assert (assigned.status, assigned.owner_id, assigned.pending_owner_id) == (
        case_pb2.CASE_STATUS_ASSIGNED,
        "",
        OTHER_OFFICER,
    )
    # Only the receiver signs for it.
    error = await refused(
        cases.AcknowledgeCase, case_pb2.AcknowledgeCaseRequest(idempotency_key=key(), case_id=opened.id)
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    acked = await twice(
        receiver.AcknowledgeCase, case_pb2.AcknowledgeCaseRequest(idempotency_key=key(), case_id=opened.id)
    )
    assert (acked.status, acked.owner_id, acked.due_at) == (
        case_pb2.CASE_STATUS_IN_PROGRESS,
        OTHER_OFFICER,
        opened.due_at,
    )

    await twice(
        receiver.AddCaseNote,
        case_pb2.AddCaseNoteRequest(idempotency_key=key(), case_id=opened.id, text="已联系施工单位"),
    )
    await twice(
        receiver.AnswerCase, case_pb2.AnswerCaseRequest(idempotency_key=key(), case_id=opened.id, answer="22点后停工")
    )
    told = await twice(
        receiver.RecordCaseFeedback,
        case_pb2.RecordCaseFeedbackRequest(idempotency_key=key(), case_id=opened.id, feedback="电话告知来电人"),
    )
    assert told.status == case_pb2.CASE_STATUS_FEEDBACK_GIVEN
    visited = await twice(
        cases.RecordReturnVisit,
        case_pb2.RecordReturnVisitRequest(
            idempotency_key=key(), case_id=opened.id, result=case_pb2.RETURN_VISIT_RESULT_SATISFIED
        ),
    )
    assert (visited.status, visited.return_visit) == (
        case_pb2.CASE_STATUS_FEEDBACK_GIVEN,
        case_pb2.RETURN_VISIT_RESULT_SATISFIED,
    )
    closed = await twice(cases.CloseCase, case_pb2.CloseCaseRequest(idempotency_key=key(), case_id=opened.id))
    assert closed.status == case_pb2.CASE_STATUS_CLOSED and closed.HasField("closed_at")
    assert [n.kind for n in closed.notes] == [
        "assigned",
        "acknowledged",
        "noted",
        "answered",
        "feedback_given",
        "return_visited",
        "closed",
    ]
    assert not closed.overdue

    shown = await cases.GetCase(case_pb2.GetCaseRequest(case_id=opened.id))
    assert shown == closed
    listed = await cases.ListCases(case_pb2.ListCasesRequest(site_id="hz-01", status=case_pb2.CASE_STATUS_CLOSED))
    assert opened.id in [c.id for c in listed.cases]

    # The workflow waits out the reopening window of a closed case, and supervises it again if reopened.
    await until(lambda: workflow_phase(temporal, opened.id), "closed")
    reopened = await twice(
        cases.ReopenCase, case_pb2.ReopenCaseRequest(idempotency_key=key(), case_id=opened.id, reason="来电人再次来电")
    )
    assert (reopened.status, reopened.reopened, reopened.HasField("closed_at")) == (
        case_pb2.CASE_STATUS_IN_PROGRESS,
        1,
        False,
    )
    await until(lambda: workflow_phase(temporal, opened.id), "before_reminder")
    events = await events_about(platform, opened.id)
    assert [e.type for e in events] == [
        "case.opened",
        "case.assigned",
        "case.acknowledged",
        "case.noted",
        "case.answered",
        "case.feedback_given",
        "case.return_visited",
        "case.closed",
        "case.reopened",
    ]
    payload = event_pb2.CaseChanged()
    assert events[0].payload.Unpack(payload)
    assert payload.case.caller.phone == "139****5678" and "13912345678" not in events[0].SerializeToString().decode(
        errors="ignore"
    )
    assert all(e.drill for e in events)


async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    platform: Any,
    cases: case_pb2_grpc.CaseServiceStub,
    central_admin: case_pb2_grpc.CaseServiceStub,
    db: asyncpg.Connection,
) -> None:
    opened = await cases.OpenCase(open_request())
    before = await counts(db)
    bad = [
        (cases.OpenCase, open_request(subject=" ", site_id="HZ 01"), {"subject", "site_id"}),
        (cases.OpenCase, open_request(idempotency_key=""), {"idempotency_key"}),
        (cases.OpenCase, open_request(owner_id="p-nobody"), {"owner_id"}),
        (cases.OpenCase, open_request(owner_id="p-nb-officer-1"), {"owner_id"}),  # a person of another site
        (cases.OpenCase, open_request(call_id="call-none"), {"call_id"}),
        (cases.OpenCase, open_request(category=case_pb2.CASE_CATEGORY_UNSPECIFIED), {"category"}),
        (cases.GetCase, case_pb2.GetCaseRequest(case_id="no such id"), {"case_id"}),
        (cases.ListCases, case_pb2.ListCasesRequest(page={"page_size": 501}), {"page.page_size"}),
        (
            cases.AssignCase,
            case_pb2.AssignCaseRequest(idempotency_key=key(), case_id=opened.id, owner_id="p-nobody"),
            {"owner_id"},
        ),
        (
            cases.AcknowledgeCase,
            case_pb2.AcknowledgeCaseRequest(idempotency_key="has space", case_id=opened.id),
            {"idempotency_key"},
        ),
        (
            cases.AddCaseNote,
            case_pb2.AddCaseNoteRequest(idempotency_key=key(), case_id=opened.id, text="\x00"),
            {"text"},
        ),
        (
            cases.AnswerCase,
            case_pb2.AnswerCaseRequest(idempotency_key=key(), case_id=opened.id, answer="x" * 4001),
            {"answer"},
        ),
        (
            cases.RecordCaseFeedback,
            case_pb2.RecordCaseFeedbackRequest(idempotency_key=key(), case_id=opened.id),
            {"feedback"},
        ),
        (
            cases.RecordReturnVisit,
            case_pb2.RecordReturnVisitRequest(idempotency_key=key(), case_id=opened.id, result=cast(Any, 9)),
            {"result"},
        ),
        (cases.ReopenCase, case_pb2.ReopenCaseRequest(idempotency_key=key(), case_id=opened.id), {"reason"}),
        (
            cases.CloseCase,
            case_pb2.CloseCaseRequest(idempotency_key=key(), case_id=opened.id, summary="a\u202eb"),
            {"summary"},
        ),
        (
            central_admin.UpsertCasePolicy,
            case_pb2.UpsertCasePolicyRequest(
                idempotency_key=key(),
                policy=case_pb2.CasePolicy(category=case_pb2.CASE_CATEGORY_REQUEST, working_days=61, urgent_hours=2),
            ),
            {"policy.working_days", "policy.remind_before_minutes"},
        ),
        (central_admin.ListCasePolicies, case_pb2.ListCasePoliciesRequest(site_id="nowhere"), {"site_id"}),
        (
            central_admin.UpsertHolidayCalendar,
            case_pb2.UpsertHolidayCalendarRequest(
                idempotency_key=key(),
                calendar=case_pb2.HolidayCalendar(
                    site_id="hz-01", holidays=["2026-02-30"], working_days=["2026-10-01"]
                ),
            ),
            {"calendar.holidays[0]", "calendar.working_days"},
        ),
        (cases.GetHolidayCalendar, case_pb2.GetHolidayCalendarRequest(site_id="-x"), {"site_id"}),
    ]
    for rpc, request, fields in bad:
        error = await refused(rpc, request)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (type(request).__name__, error.details())
        assert {v.field for v in field_violations(error)} == fields, (type(request).__name__, error.details())
    assert await counts(db) == before
    # The refused policy was the default's (no site); other tests' sites may have policies of their own.
    assert (
        await db.fetchval("SELECT count(*) FROM intake.case_policies WHERE category = 'request' AND site_id = ''") == 0
    )
    assert [e.type for e in await events_about(platform, opened.id)] == ["case.opened"]


async def test_a_retried_request_duplicates_nothing(
    platform: Any, cases: case_pb2_grpc.CaseServiceStub, db: asyncpg.Connection
) -> None:
    request = open_request()
    first = await cases.OpenCase(request)
    again = await cases.OpenCase(request)
    assert again == first
    assert (
        await db.fetchval("SELECT count(*) FROM intake.cases WHERE subject = $1 AND id = $2", request.subject, first.id)
        == 1
    )
    note = case_pb2.AddCaseNoteRequest(idempotency_key=key(), case_id=first.id, text="回访前先核实 check first")
    assert await cases.AddCaseNote(note) == await cases.AddCaseNote(note)
    assert await db.fetchval("SELECT count(*) FROM intake.case_notes WHERE case_id = $1", first.id) == 1
    # The same key for a different request is refused.
    error = await refused(cases.OpenCase, open_request(idempotency_key=request.idempotency_key, subject="另一件事"))
    assert [v.field for v in field_violations(error)] == ["idempotency_key"]
    assert [e.type for e in await events_about(platform, first.id)] == ["case.opened", "case.noted"]


async def test_a_caller_of_another_site_is_refused(
    cases: case_pb2_grpc.CaseServiceStub, foreign: case_pb2_grpc.CaseServiceStub, db: asyncpg.Connection
) -> None:
    opened = await cases.OpenCase(open_request())
    before = await counts(db)
    attempts = [
        (foreign.OpenCase, open_request()),
        (foreign.GetCase, case_pb2.GetCaseRequest(case_id=opened.id)),
        (foreign.ListCases, case_pb2.ListCasesRequest(site_id="hz-01")),
        (
            foreign.AssignCase,
            case_pb2.AssignCaseRequest(idempotency_key=key(), case_id=opened.id, owner_id="p-nb-officer-1"),
        ),
        (foreign.AddCaseNote, case_pb2.AddCaseNoteRequest(idempotency_key=key(), case_id=opened.id, text="x")),
        (foreign.CloseCase, case_pb2.CloseCaseRequest(idempotency_key=key(), case_id=opened.id)),
        (foreign.GetHolidayCalendar, case_pb2.GetHolidayCalendarRequest(site_id="hz-01")),
    ]
    for rpc, request in attempts:
        assert (await refused(rpc, request)).code() == grpc.StatusCode.PERMISSION_DENIED, type(request).__name__
    assert await counts(db) == before
    own = await foreign.ListCases(case_pb2.ListCasesRequest())
    assert opened.id not in [c.id for c in own.cases]


async def test_closing_needs_feedback_to_the_caller_and_illegal_steps_are_refused(
    cases: case_pb2_grpc.CaseServiceStub,
) -> None:
    opened = await cases.OpenCase(open_request(owner_id=OFFICER))
    answer = case_pb2.AnswerCaseRequest(idempotency_key=key(), case_id=opened.id, answer="已处理")
    assert (await refused(cases.AnswerCase, answer)).code() == grpc.StatusCode.FAILED_PRECONDITION  # not signed for
    await cases.AcknowledgeCase(case_pb2.AcknowledgeCaseRequest(idempotency_key=key(), case_id=opened.id))
    await cases.AnswerCase(answer)
    error = await refused(cases.CloseCase, case_pb2.CloseCaseRequest(idempotency_key=key(), case_id=opened.id))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "feedback" in (error.details() or "")
    shown = await cases.GetCase(case_pb2.GetCaseRequest(case_id=opened.id))
    assert shown.status == case_pb2.CASE_STATUS_ANSWERED


async def test_a_dissatisfied_caller_reopens_the_case_with_a_new_deadline(
    cases: case_pb2_grpc.CaseServiceStub, db: asyncpg.Connection
) -> None:
    opened = await cases.OpenCase(
        open_request(owner_id=OFFICER, category=case_pb2.CASE_CATEGORY_CONSULTATION, urgent=True)
    )
    for request in (
        case_pb2.AcknowledgeCaseRequest(idempotency_key=key(), case_id=opened.id),
        case_pb2.AnswerCaseRequest(idempotency_key=key(), case_id=opened.id, answer="答复"),
        case_pb2.RecordCaseFeedbackRequest(idempotency_key=key(), case_id=opened.id, feedback="已告知"),
    ):
        await getattr(cases, type(request).__name__.removesuffix("Request"))(request)
    reopened = await cases.RecordReturnVisit(
        case_pb2.RecordReturnVisitRequest(
            idempotency_key=key(),
            case_id=opened.id,
            result=case_pb2.RETURN_VISIT_RESULT_DISSATISFIED,
            comment="仍有噪音",
        )
    )
    assert (reopened.status, reopened.reopened, reopened.answer, reopened.feedback) == (
        case_pb2.CASE_STATUS_IN_PROGRESS,
        1,
        "",
        "",
    )
    # Urgent: the policy's 2 hours from the return visit.
    assert from_ts(reopened.due_at) > from_ts(opened.due_at)
    assert await db.fetchval("SELECT deadline_round FROM intake.cases WHERE id = $1", opened.id) == 2


async def test_policies_and_the_holiday_calendar_set_the_deadline(
    platform: Any,
    central_admin: case_pb2_grpc.CaseServiceStub,
    cases: case_pb2_grpc.CaseServiceStub,
    db: asyncpg.Connection,
) -> None:
    async with await stub_for(platform, "p-hz-admin", ["admin"], ["hz-01"]) as ch:
        site_admin = case_pb2_grpc.CaseServiceStub(ch)
        policy = case_pb2.CasePolicy(
            site_id="hz-01",
            category=case_pb2.CASE_CATEGORY_CONSULTATION,
            working_days=2,
            urgent_hours=4,
            remind_before_minutes=60,
        )
        # Only a central admin changes policies; the site's admin keeps its calendar.
        error = await refused(
            site_admin.UpsertCasePolicy, case_pb2.UpsertCasePolicyRequest(idempotency_key=key(), policy=policy)
        )
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        holidays = [(today + timedelta(days=d)).isoformat() for d in (1, 2)]
        calendar = await twice(
            site_admin.UpsertHolidayCalendar,
            case_pb2.UpsertHolidayCalendarRequest(
                idempotency_key=key(), calendar=case_pb2.HolidayCalendar(site_id="hz-01", holidays=holidays)
            ),
        )
    assert list(calendar.holidays) == holidays and calendar.version >= 1
    assert await cases.GetHolidayCalendar(case_pb2.GetHolidayCalendarRequest(site_id="hz-01")) == calendar

    saved = await twice(
        central_admin.UpsertCasePolicy, case_pb2.UpsertCasePolicyRequest(idempotency_key=key(), policy=policy)
    )
    assert saved.version >= 1 and saved.updated_by == "p-admin"
    versions = "SELECT count(*) FROM intake.case_policies WHERE site_id = 'hz-01' AND category = 'consultation'"
    assert await db.fetchval(versions) == saved.version  # the retry added no version
    in_force = await cases.ListCasePolicies(case_pb2.ListCasePoliciesRequest(site_id="hz-01"))
    by_category = {p.category: p for p in in_force.policies}
    assert by_category[case_pb2.CASE_CATEGORY_CONSULTATION] == saved
    assert by_category[case_pb2.CASE_CATEGORY_COMPLAINT].working_days == 5  # the built-in default

    opened = await cases.OpenCase(open_request(category=case_pb2.CASE_CATEGORY_CONSULTATION))
    assert opened.policy_version == saved.version
    expected = deadline(
        from_ts(opened.opened_at),
        Handling(2, 4, 60),
        HolidayCalendar(holidays=frozenset(today + timedelta(days=d) for d in (1, 2))),
        ZoneInfo("Asia/Shanghai"),
        urgent=False,
    )
    assert from_ts(opened.due_at) == expected.due_at


async def test_a_department_of_the_directory_owns_a_case_once_signed_for(
    cases: case_pb2_grpc.CaseServiceStub, db: asyncpg.Connection
) -> None:
    opened = await cases.OpenCase(open_request(owner_id="dir-hz-gas"))
    acked = await cases.AcknowledgeCase(case_pb2.AcknowledgeCaseRequest(idempotency_key=key(), case_id=opened.id))
    assert (acked.status, acked.owner_id) == (case_pb2.CASE_STATUS_IN_PROGRESS, "dir-hz-gas")
    # Reassigned to a person: still the department's until the person signs; then a new deadline.
    moved = await cases.AssignCase(
        case_pb2.AssignCaseRequest(idempotency_key=key(), case_id=opened.id, owner_id=OFFICER, reason="转办")
    )
    assert (moved.status, moved.owner_id, moved.pending_owner_id) == (
        case_pb2.CASE_STATUS_ASSIGNED,
        "dir-hz-gas",
        OFFICER,
    )
    mine = await cases.AcknowledgeCase(case_pb2.AcknowledgeCaseRequest(idempotency_key=key(), case_id=opened.id))
    assert mine.owner_id == OFFICER and from_ts(mine.due_at) >= from_ts(opened.due_at)
    # (On a weekend both deadlines run from Monday: the same time; the round says it was set anew.)
    assert await db.fetchval("SELECT deadline_round FROM intake.cases WHERE id = $1", opened.id) == 2


async def test_the_caller_is_revealed_only_for_a_reason_and_audited(
    platform: Any, cases: case_pb2_grpc.CaseServiceStub, db: asyncpg.Connection
) -> None:
    opened = await cases.OpenCase(open_request())
    request = case_pb2.RevealCaseCallerRequest(case_id=opened.id, reason="回访来电人 return visit")
    revealed = await cases.RevealCaseCaller(request)
    assert revealed.caller == CALLER
    audit = await db.fetchrow(
        "SELECT case_id, revealed_by, reason FROM intake.case_reveal_audit WHERE id = $1", revealed.audit_id
    )
    assert audit is not None and tuple(audit) == (opened.id, OFFICER, "回访来电人 return visit")
    async with await stub_for(platform, "p-east-supervisor", ["supervisor"], ["east"]) as ch:
        supervisor = case_pb2_grpc.CaseServiceStub(ch)
        assert (await supervisor.GetCase(case_pb2.GetCaseRequest(case_id=opened.id))).caller.phone == "139****5678"
        assert (await refused(supervisor.RevealCaseCaller, request)).code() == grpc.StatusCode.PERMISSION_DENIED
    no_reason = case_pb2.RevealCaseCallerRequest(case_id=opened.id, reason=" ")
    assert {v.field for v in field_violations(await refused(cases.RevealCaseCaller, no_reason))} == {"reason"}
