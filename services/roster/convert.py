"""Between stored rows and rule types on one side and roster protobuf messages on the other."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ROLE_NAMES, ROLE_VALUES, ts
from dutyline.roster.v1 import roster_pb2
from services.roster import duty_store, rules, schedule_store, store

SITE_KINDS = {
    "headquarters": roster_pb2.SITE_KIND_HEADQUARTERS,
    "region": roster_pb2.SITE_KIND_REGION,
    "site": roster_pb2.SITE_KIND_SITE,
}
SITE_KIND_NAMES = {v: k for k, v in SITE_KINDS.items()}


def site_message(site: store.SiteRow) -> roster_pb2.Site:
    return roster_pb2.Site(
        id=site.id,
        name=site.name,
        kind=SITE_KINDS[site.kind],
        parent_id=site.parent_id or "",
        time_zone=site.time_zone,
        jurisdiction=site.jurisdiction,
        answer_limit_seconds=site.answer_limit_seconds,
        greeting=site.greeting,
        ancestor_ids=list(site.ancestor_ids),
        check_in_lead_minutes=site.check_in_lead_minutes,
        absent_after_minutes=site.absent_after_minutes,
        reminder_minutes=site.reminder_minutes,
        handover_accept_minutes=site.handover_accept_minutes,
        max_consecutive_shifts=site.max_consecutive_shifts,
    )


def contacts(items: tuple[tuple[str, str], ...]) -> list[roster_pb2.ContactMethod]:
    return [roster_pb2.ContactMethod(channel=c, address=a) for c, a in items]


def person_message(person: store.PersonRow) -> roster_pb2.Person:
    return roster_pb2.Person(
        id=person.id,
        display_name=person.display_name,
        site_id=person.site_id,
        roles=[ROLE_VALUES[r] for r in person.roles if r in ROLE_VALUES],
        qualifications=list(person.qualifications),
        contacts=contacts(person.contacts),
        department=person.department,
    )


def directory_message(entry: store.DirectoryRow) -> roster_pb2.DirectoryEntry:
    return roster_pb2.DirectoryEntry(
        id=entry.id,
        site_id=entry.site_id,
        department=entry.department,
        name=entry.name,
        title=entry.title,
        contacts=contacts(entry.contacts),
    )


def pattern_message(row: schedule_store.PatternRow) -> roster_pb2.ShiftPattern:
    pattern = row.pattern
    return roster_pb2.ShiftPattern(
        id=pattern.id,
        site_id=pattern.site_id,
        name=row.name,
        shifts=[
            roster_pb2.ShiftDefinition(
                name=s.name,
                local_start=s.local_start.strftime("%H:%M"),
                duration_minutes=int(s.duration.total_seconds() // 60),
                staffing=[
                    roster_pb2.StaffingRequirement(role=ROLE_VALUES[role], minimum=minimum)
                    for role, minimum in sorted(s.staffing.items())
                ],
            )
            for s in pattern.shifts
        ],
        double_leader_dates=sorted(d.isoformat() for d in pattern.double_leader_dates),
    )


def pattern_from_message(message: roster_pb2.ShiftPattern) -> tuple[rules.Pattern, list[tuple[str, str]]]:
    """The pattern (its fields already checked against the proto) as rule data, and the local dates
    that have the proto's shape but name no day (2026-02-30)."""
    problems: list[tuple[str, str]] = []
    shifts = []
    for shift in message.shifts:
        start = rules.parse_local_time(shift.local_start)
        if start is None:  # the proto's pattern admits only times parse_local_time reads
            raise ValueError(f"unreadable local start {shift.local_start!r}")
        staffing = {ROLE_NAMES[requirement.role]: requirement.minimum for requirement in shift.staffing}
        shifts.append(
            rules.ShiftDef(
                name=shift.name,
                local_start=start,
                duration=timedelta(minutes=shift.duration_minutes),
                staffing=staffing,
            )
        )
    dates = set()
    for index, text in enumerate(message.double_leader_dates):
        try:
            dates.add(date.fromisoformat(text))
        except ValueError:
            problems.append((f"pattern.double_leader_dates[{index}]", "no such day"))
    pattern = rules.Pattern(
        id=message.id, site_id=message.site_id, shifts=tuple(shifts), double_leader_dates=frozenset(dates)
    )
    return pattern, problems


def rotation_message(site_id: str, rotation: rules.RotationSpec) -> roster_pb2.Rotation:
    return roster_pb2.Rotation(
        id=rotation.id,
        site_id=site_id,
        pattern_id=rotation.pattern_id,
        shift_names=list(rotation.shift_names),
        role=ROLE_VALUES[rotation.role],
        person_ids=list(rotation.person_ids),
        period_days=rotation.period_days,
        start_date=rotation.start_date.isoformat(),
        slots=rotation.slots,
        double_leader_dates_only=rotation.double_leader_dates_only,
    )


def assignment_message(
    assignment: rules.Assignment,
    *,
    display_name: str = "",
    rostered_person_id: str = "",
    check_in_status: str = "",
) -> roster_pb2.Assignment:
    return roster_pb2.Assignment(
        id=assignment.id,
        site_id=assignment.site_id,
        person_id=assignment.person_id,
        role=ROLE_VALUES[assignment.role],
        shift_name=assignment.shift_name,
        start=ts(assignment.starts_at),
        end=ts(assignment.ends_at),
        local_date=assignment.local_date.isoformat(),
        display_name=display_name,
        rostered_person_id=rostered_person_id or assignment.person_id,
        check_in_status=check_in_status,
    )


def assignment_row_message(row: schedule_store.AssignmentRow) -> roster_pb2.Assignment:
    return assignment_message(
        row.assignment,
        display_name=row.display_name,
        rostered_person_id=row.rostered_person_id,
        check_in_status=row.check_in_status,
    )


def gap_message(site_id: str, gap: rules.Gap) -> roster_pb2.CoverageGap:
    return roster_pb2.CoverageGap(
        site_id=site_id,
        period=common_pb2.TimeRange(start=ts(gap.starts_at), end=ts(gap.ends_at)),
        role=ROLE_VALUES[gap.role],
        required=gap.required,
        present=gap.present,
    )


def violation_message(violation: rules.RuleViolation) -> roster_pb2.RuleViolation:
    return roster_pb2.RuleViolation(
        rule=violation.rule,
        person_id=violation.person_id,
        detail=violation.detail,
        assignment_ids=list(violation.assignment_ids),
    )


def leave_message(leave: duty_store.LeaveRow) -> roster_pb2.LeaveRequest:
    return roster_pb2.LeaveRequest(
        id=leave.id,
        site_id=leave.site_id,
        assignment_id=leave.assignment_id,
        person_id=leave.person_id,
        substitute_id=leave.substitute_id,
        reason=leave.reason,
        status=leave.status,
        decided_by=leave.decided_by or "",
        requested_at=ts(leave.requested_at),
        decided_at=ts(leave.decided_at),
        remark=leave.remark,
    )


def swap_message(swap: duty_store.SwapRow) -> roster_pb2.SwapRequest:
    return roster_pb2.SwapRequest(
        id=swap.id,
        site_id=swap.site_id,
        assignment_id=swap.assignment_id,
        other_assignment_id=swap.other_assignment_id,
        requested_by=swap.requested_by,
        reason=swap.reason,
        status=swap.status,
        decided_by=swap.decided_by or "",
        requested_at=ts(swap.requested_at),
        decided_at=ts(swap.decided_at),
        remark=swap.remark,
    )


def open_item_message(item: duty_store.OpenItem) -> roster_pb2.OpenItem:
    return roster_pb2.OpenItem(kind=item.kind, ref_id=item.ref_id, text=item.text, due_at=ts(item.due_at))


def check_in_message(row: duty_store.CheckInRow, *, shift_start: datetime) -> roster_pb2.CheckInRecord:
    return roster_pb2.CheckInRecord(
        assignment_id=row.assignment_id,
        person_id=row.person_id,
        checked_in_at=ts(row.checked_in_at),
        status=row.status,
        late_seconds=row.late_seconds,
        shift_start=ts(shift_start),
    )


def handover_message(row: duty_store.HandoverRow) -> roster_pb2.Handover:
    return roster_pb2.Handover(
        id=row.id,
        site_id=row.site_id,
        outgoing_assignment_id=row.outgoing_assignment_id,
        incoming_assignment_id=row.incoming_assignment_id,
        outgoing_person_id=row.outgoing_person_id,
        incoming_person_id=row.incoming_person_id,
        shift_log=row.shift_log,
        notes=row.notes,
        open_items=[open_item_message(i) for i in row.open_items],
        gathering_notes=list(row.gathering_notes),
        status=row.status,
        overdue=row.overdue,
        submitted_at=ts(row.submitted_at),
        accepted_at=ts(row.accepted_at),
        remarks=row.remarks,
        # Only a submitted handover becomes overdue (not accepted in time, workflows/shift): the
        # incoming officer's to accept, so theirs to answer for.
        charged_person_id=row.incoming_person_id if row.overdue else "",
        countersigned_by_id=row.countersigned_by_id or "",
        countersigned_at=ts(row.countersigned_at),
        countersign_remarks=row.countersign_remarks,
    )
