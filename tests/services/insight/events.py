"""Events as the services publish them, for insight's tests: the envelope of ``build_event`` around the
payloads the catalog names, with the versions the services give them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event, timestamp
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import case_pb2, intake_pb2, telephony_pb2
from dutyline.roster.v1 import inspections_pb2, roster_pb2

ACTOR = common_pb2.Actor(person_id="p-officer", display_name="officer", kind="person")


def event(
    event_type: str,
    payload: Message,
    *,
    aggregate_id: str,
    version: int,
    at: datetime,
    site: str = "hz-01",
    drill: bool = False,
) -> event_pb2.Event:
    return build_event(
        event_type=event_type,
        site_id=site,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        actor=ACTOR,
        payload=payload,
        occurred_at=at,
        drill=drill,
    )


def call_registered(
    call_id: str,
    at: datetime,
    *,
    delay: float = 5.0,
    late: bool = False,
    officer: str = "p-officer",
    category: str = "consultation",
    channel: str = "phone",
    incident_id: str = "",
    line_call_id: str = "",
    assignment_id: str = "asg-1",
    site: str = "hz-01",
    drill: bool = False,
    summary: str = "",
) -> event_pb2.Event:
    ring = at - timedelta(seconds=delay + 30)
    payload = event_pb2.CallRegistered(
        call_id=call_id,
        summary=summary,
        channel=channel,
        category=category,
        officer_id=officer,
        ring_started_at=timestamp(ring),
        answered_at=timestamp(ring + timedelta(seconds=delay)),
        answer_delay_seconds=delay,
        answered_late=late,
        incident_id=incident_id,
        escalation="linked" if incident_id else "",
        line_call_id=line_call_id,
        assignment_id=assignment_id,
    )
    return event("call.registered", payload, aggregate_id=call_id, version=1, at=at, site=site, drill=drill)


def call_record(
    call_id: str,
    *,
    at: datetime,
    status: str = "registered",
    category: int = intake_pb2.CALL_CATEGORY_CONSULTATION,
    officer: str = "p-officer",
    delay: float = 5.0,
    late: bool = False,
    incident_id: str = "",
    line_call_id: str = "",
    assignment_id: str = "asg-1",
    site: str = "hz-01",
    drill: bool = False,
) -> intake_pb2.Call:
    ring = at - timedelta(seconds=delay + 30)
    return intake_pb2.Call(
        id=call_id,
        site_id=site,
        channel=intake_pb2.CHANNEL_PHONE,
        category=category,
        ring_started_at=timestamp(ring),
        answered_at=timestamp(ring + timedelta(seconds=delay)) if status != "missed" else None,
        answer_delay_seconds=delay,
        answered_late=late,
        officer_id=officer,
        assignment_id=assignment_id,
        incident_id=incident_id,
        registered_at=timestamp(at),
        drill=drill,
        status=status,
        line_call_id=line_call_id,
        summary="未接来电 missed call" if status == "missed" else "",
    )


def call_changed(
    event_type: str, call: intake_pb2.Call, *, version: int, at: datetime, drill: bool = False
) -> event_pb2.Event:
    """A CallChanged event about the call itself (its own version)."""
    return event(
        event_type,
        event_pb2.CallChanged(call=call, detail=event_type),
        aggregate_id=call.id,
        version=version,
        at=at,
        site=call.site_id,
        drill=drill,
    )


def call_linked(call_id: str, incident_id: str, *, version: int, at: datetime) -> event_pb2.Event:
    payload = event_pb2.CallLinked(call_id=call_id, incident_id=incident_id, how="officer")
    return event("call.linked", payload, aggregate_id=call_id, version=version, at=at)


def callback_event(
    event_type: str,
    call: intake_pb2.Call,
    callback_id: str,
    *,
    due: datetime,
    at: datetime,
    completed: datetime | None = None,
    overdue: bool = False,
    version: int = 1,
    recipient: str = "p-officer",
) -> event_pb2.Event:
    callback = intake_pb2.Callback(
        id=callback_id,
        call_id=call.id,
        recipient_id=recipient,
        kind="callback",
        site_id=call.site_id,
        due_at=timestamp(due),
        status="completed" if completed else "open",
        completed_at=timestamp(completed) if completed else None,
        overdue=overdue,
    )
    payload = event_pb2.CallChanged(call=call, callback=callback)
    return event(event_type, payload, aggregate_id=callback_id, version=version, at=at, site=call.site_id)


def line_call(
    kind: str,
    line_call_id: str,
    *,
    version: int,
    at: datetime,
    state: str,
    officer: str = "p-officer",
    call_id: str = "",
    delay: float = 0.0,
    late: bool = False,
    line: str = "line-1",
) -> event_pb2.Event:
    ring = at - timedelta(seconds=60)
    call = telephony_pb2.LineCall(
        id=line_call_id,
        site_id="hz-01",
        line_id=line,
        switch_id="sw-1",
        state=state,
        ring_started_at=timestamp(ring),
        answered_at=timestamp(ring + timedelta(seconds=delay)) if delay else None,
        ended_at=timestamp(at) if state in ("ended", "abandoned", "not_answered") else None,
        answer_delay_seconds=delay,
        answered_late=late,
        officer_id=officer,
        shift_name="day",
        call_id=call_id,
    )
    payload = event_pb2.LineCallChanged(call=call, detail=kind)
    return event(f"line_call.{kind}", payload, aggregate_id=line_call_id, version=version, at=at)


def incident_registered(
    incident_id: str, at: datetime, *, drill: bool = False, category: str = "accident"
) -> event_pb2.Event:
    payload = event_pb2.IncidentRegistered(
        incident_id=incident_id,
        title="化工厂起火 fire at the chemical plant",
        category=category,
        severity=common_pb2.SEVERITY_UNRATED,
        call_ids=["call-1"],
        first_responder_id="p-officer",
        registered_at=timestamp(at),
    )
    return event("incident.registered", payload, aggregate_id=incident_id, version=1, at=at, drill=drill)


def incident(
    incident_id: str,
    *,
    registered: datetime,
    stage: int = incident_pb2.STAGE_TRACK,
    severity: int = common_pb2.SEVERITY_II,
    reports: tuple[incident_pb2.Report, ...] = (),
    closed: datetime | None = None,
    drill: bool = False,
) -> incident_pb2.Incident:
    return incident_pb2.Incident(
        id=incident_id,
        site_id="hz-01",
        title="化工厂起火 fire at the chemical plant",
        category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
        severity=severity,
        stage=stage,
        first_responder_id="p-officer",
        responsible_person_id="p-officer",
        registered_at=timestamp(registered),
        verified_at=timestamp(registered + timedelta(minutes=5)),
        closed_at=timestamp(closed) if closed else None,
        drill=drill,
        source_category="emergency",
        call_count=1,
        reports=list(reports),
    )


def report(report_id: str, incident_id: str, at: datetime, *, late: float = 0.0) -> incident_pb2.Report:
    return incident_pb2.Report(
        id=report_id,
        incident_id=incident_id,
        kind=incident_pb2.REPORT_KIND_INITIAL_PHONE,
        number=1,
        author_id="p-officer",
        submitted_at=timestamp(at),
        late_seconds=late,
    )


def violation(
    violation_id: str, incident_id: str, kind: str, at: datetime, *, person: str = "p-officer", drill: bool = False
) -> incident_pb2.Violation:
    return incident_pb2.Violation(
        id=violation_id,
        incident_id=incident_id,
        site_id="hz-01",
        person_id=person,
        kind=kind,
        report_kind=incident_pb2.REPORT_KIND_INITIAL_WRITTEN,
        number=1,
        recorded_at=timestamp(at),
        late_seconds=600.0 if kind == "late" else 0.0,
        drill=drill,
    )


def incident_changed(
    event_type: str,
    current: incident_pb2.Incident,
    *,
    version: int,
    at: datetime,
    report: incident_pb2.Report | None = None,
    violations: Sequence[incident_pb2.Violation] = (),
) -> event_pb2.Event:
    """As incident publishes it: every violation the change recorded, and the last alone in ``violation``."""
    payload = event_pb2.IncidentChanged(
        incident=current,
        detail=event_type,
        report=report,
        violations=violations,
        violation=violations[-1] if violations else None,
    )
    return event(event_type, payload, aggregate_id=current.id, version=version, at=at, drill=current.drill)


def absence(
    assignment_id: str, person: str, shift_start: datetime, *, site: str = "hz-01", drill: bool = False
) -> event_pb2.Event:
    payload = event_pb2.AbsenceRecorded(
        assignment_id=assignment_id, person_id=person, shift_start=timestamp(shift_start)
    )
    return event(
        "absence.recorded",
        payload,
        aggregate_id=assignment_id,
        version=3,
        at=shift_start + timedelta(minutes=30),
        site=site,
        drill=drill,
    )


def check_in(
    assignment_id: str,
    person: str,
    at: datetime,
    *,
    late_seconds: float = 0.0,
    shift_start: datetime | None = None,
    site: str = "hz-01",
) -> event_pb2.Event:
    payload = roster_pb2.CheckInRecord(
        assignment_id=assignment_id,
        person_id=person,
        checked_in_at=timestamp(at),
        status="late" if late_seconds else "on_time",
        late_seconds=late_seconds,
        shift_start=timestamp(shift_start) if shift_start else None,
    )
    return event("checkin.recorded", payload, aggregate_id=assignment_id, version=2, at=at, site=site)


def check_out(assignment_id: str, person: str, at: datetime, *, early_seconds: float = 0.0) -> event_pb2.Event:
    """checkout.recorded: before the end (``early_seconds``) without an excuse, early leave (早退)."""
    payload = roster_pb2.CheckInRecord(
        assignment_id=assignment_id,
        person_id=person,
        checked_out_at=timestamp(at),
        check_out_status="early_leave" if early_seconds else "on_time",
        early_seconds=early_seconds,
    )
    return event("checkout.recorded", payload, aggregate_id=assignment_id, version=3, at=at, site="hz-01")


def handover(
    event_type: str,
    handover_id: str,
    *,
    site: str,
    submitted: datetime,
    at: datetime,
    accepted: datetime | None = None,
    overdue: bool = False,
    drill: bool = False,
) -> event_pb2.Event:
    """A handover as roster publishes it: p-out hands over to p-in, who is charged once it is overdue."""
    payload = roster_pb2.Handover(
        id=handover_id,
        site_id=site,
        outgoing_assignment_id=f"{handover_id}-out",
        incoming_assignment_id=f"{handover_id}-in",
        outgoing_person_id="p-out",
        incoming_person_id="p-in",
        submitted_at=timestamp(submitted),
        accepted_at=timestamp(accepted) if accepted else None,
        status="accepted" if accepted else "overdue" if overdue else "submitted",
        overdue=overdue,
        charged_person_id="p-in" if overdue else "",
    )
    version = {"handover.submitted": 1, "handover.accepted": 2, "handover.overdue": 3}[event_type]
    return event(event_type, payload, aggregate_id=handover_id, version=version, at=at, site=site, drill=drill)


def case_event(
    event_type: str,
    case: case_pb2.Case,
    *,
    at: datetime,
) -> event_pb2.Event:
    """A CaseChanged event as intake publishes it: the case as it stands after the change (its version)."""
    payload = event_pb2.CaseChanged(case=case, detail=event_type)
    return event(
        event_type, payload, aggregate_id=case.id, version=case.version, at=at, site=case.site_id, drill=case.drill
    )


def handover_missed(assignment_id: str, person: str, at: datetime) -> event_pb2.Event:
    """handover.missed (未交接班): no handover by the end of the overlap, charged to the outgoing officer."""
    payload = event_pb2.HandoverMissed(
        assignment_id=assignment_id,
        person_id=person,
        incoming_assignment_id=f"{assignment_id}-next",
        incoming_person_id="p-in",
        shift_end=timestamp(at - timedelta(minutes=30)),
    )
    return event("handover.missed", payload, aggregate_id=assignment_id, version=3, at=at)


def handover_overdue(handover_id: str, at: datetime) -> event_pb2.Event:
    payload = roster_pb2.Handover(
        id=handover_id,
        site_id="hz-01",
        outgoing_person_id="p-out",
        incoming_person_id="p-in",
        charged_person_id="p-in",
        status="overdue",
        overdue=True,
        submitted_at=timestamp(at - timedelta(minutes=40)),
    )
    return event("handover.overdue", payload, aggregate_id=handover_id, version=3, at=at)


def inspection_missed(assignment_id: str, leader: str, shift_end: datetime) -> event_pb2.Event:
    payload = inspections_pb2.InspectionMissed(
        assignment_id=assignment_id,
        person_id=leader,
        shift_name="day",
        local_date=shift_end.date().isoformat(),
        shift_start=timestamp(shift_end - timedelta(hours=12)),
        shift_end=timestamp(shift_end),
    )
    return event("inspection.missed", payload, aggregate_id=assignment_id, version=1, at=shift_end)


def case_overdue(case_id: str, owner: str, at: datetime) -> event_pb2.Event:
    payload = event_pb2.CaseChanged(
        case=case_pb2.Case(id=case_id, site_id="hz-01", owner_id=owner, due_at=timestamp(at), overdue=True),
        detail="overdue",
    )
    return event("case.overdue", payload, aggregate_id=case_id, version=4, at=at)
