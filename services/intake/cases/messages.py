"""Cases as readers and events see them: the caller always masked."""

from __future__ import annotations

from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import case_pb2, intake_pb2
from services.intake.cases import store
from services.intake.cases.calendar import HolidayCalendar
from services.intake.cases.policy_store import CalendarRow, PolicyRow
from services.intake.cases.rules import CATEGORY_VALUES, STATUS_VALUES, VISIT_VALUES


def case_message(case: store.CaseRow, notes: list[store.NoteRow] | None = None) -> case_pb2.Case:
    return case_pb2.Case(
        id=case.id,
        site_id=case.site_id,
        category=CATEGORY_VALUES[case.category],
        status=STATUS_VALUES[case.status],
        urgent=case.urgent,
        subject=case.subject,
        caller=intake_pb2.Caller(
            name=case.caller_name_masked,
            phone=case.caller_phone_masked,
            unit=case.caller_unit_masked,
            address=case.caller_address_masked,
        ),
        call_id=case.call_id or "",
        owner_id=case.owner_id,
        pending_owner_id=case.pending_owner_id,
        due_at=ts(case.due_at),
        policy_version=case.policy_version,
        overdue=case.overdue,
        answer=case.answer,
        feedback=case.feedback,
        return_visit=VISIT_VALUES.get(case.return_visit, case_pb2.RETURN_VISIT_RESULT_UNSPECIFIED),
        return_visit_comment=case.return_visit_comment,
        reopened=case.reopened,
        notes=[case_pb2.CaseNote(text=n.text, by=n.by, at=ts(n.at), kind=n.kind) for n in notes or []],
        opened_by=case.opened_by,
        opened_at=ts(case.opened_at),
        closed_at=ts(case.closed_at),
        version=case.version,
        drill=case.drill,
    )


def policy_message(row: PolicyRow) -> case_pb2.CasePolicy:
    return case_pb2.CasePolicy(
        site_id=row.site_id,
        category=CATEGORY_VALUES[row.category],
        working_days=row.handling.working_days,
        urgent_hours=row.handling.urgent_hours,
        remind_before_minutes=row.handling.remind_before_minutes,
        version=row.handling.version,
        updated_by=row.updated_by,
        updated_at=ts(row.updated_at),
    )


def calendar_message(row: CalendarRow) -> case_pb2.HolidayCalendar:
    return case_pb2.HolidayCalendar(
        site_id=row.site_id,
        holidays=_days(row.calendar, "holidays"),
        working_days=_days(row.calendar, "working_days"),
        version=row.version,
    )


def _days(calendar: HolidayCalendar, which: str) -> list[str]:
    return [d.isoformat() for d in sorted(getattr(calendar, which))]
