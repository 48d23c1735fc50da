"""Every event type the services publish, with its payload message (事件目录).

A reader of the stream (insight's projections, agencies, the console) decodes an event's payload by
its type; this is the one list of them. ``tests/dutyline/test_events_catalog.py`` fails when a
service emits a type missing here, and when a type here is neither consumed by an insight
projection nor listed there as ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import struct_pb2
from google.protobuf.message import Message

from dutyline.events.v1 import event_pb2
from dutyline.roster.v1 import competence_pb2, equipment_pb2, inspections_pb2, presence_pb2, roster_pb2

_CALL_CHANGED = (
    "call.reclassified",
    "call.transferred",
    "call.note_added",
    "call.completed",
    "call.switch_times",
    "call.missed",
    "notice.incomplete",
    "notice.completed",
    "notice.follow_up",
    "message.taken",
    "callback.promised",
    "callback.completed",
    "callback.overdue",
)
# One per switch event taken (not heartbeats), and an answered call not registered in time.
LINE_CALL_CHANGED = tuple(
    f"line_call.{kind}"
    for kind in (
        "ringing",
        "answered",
        "transferred",
        "ended",
        "abandoned",
        "not_answered",
        "recording",
        "unregistered",
    )
)
_CASE_CHANGED = tuple(
    f"case.{change}"
    for change in (
        "opened",
        "assigned",
        "acknowledged",
        "noted",
        "answered",
        "feedback_given",
        "return_visited",
        "reopened",
        "closed",
        "overdue",
    )
)
_INCIDENT_CHANGED = tuple(
    f"incident.{change}"
    for change in (
        "verified",
        "unfounded",
        "reclassified",
        "report_submitted",
        "progress",
        "feedback_recorded",
        "deadline_missed",
        "closed",
        "merged",
        "escalated",
        "step_failed",
        # 未及时核实 (with its "unverified" violation) and 现场联系中断
        "verification_overdue",
        "scene_silent",
        # 更正: a report's next version (with its 错报 violation when a material figure came too late)
        "report_corrected",
        # 上报: a report delivered to the superior office's inbox, signed for (签收), returned (退回, as
        # wrong with its 错报 violation) or not signed for in time; IncidentChanged.inbox_item says which
        "report_delivered",
        "report_received",
        "report_returned",
        "report_unreceived",
    )
)

EVENT_TYPES: Mapping[str, type[Message]] = {
    # intake: calls, callbacks, notices, messages
    "call.registered": event_pb2.CallRegistered,
    "call.escalated": event_pb2.CallEscalated,
    "call.linked": event_pb2.CallLinked,
    **dict.fromkeys(_CALL_CHANGED, event_pb2.CallChanged),
    # intake: telephony
    **dict.fromkeys(LINE_CALL_CHANGED, event_pb2.LineCallChanged),
    "line.configured": event_pb2.LineChanged,
    "line.down": event_pb2.LineChanged,
    "line.up": event_pb2.LineChanged,
    # intake: hotline cases (工单)
    **dict.fromkeys(_CASE_CHANGED, event_pb2.CaseChanged),
    # incident
    "incident.registered": event_pb2.IncidentRegistered,
    **dict.fromkeys(_INCIDENT_CHANGED, event_pb2.IncidentChanged),
    "incident.calls_changed": event_pb2.IncidentCallsChanged,
    "incident.merge_suggested": event_pb2.MergeSuggestionChanged,
    "incident.merge_decided": event_pb2.MergeSuggestionChanged,
    # incident: leaders' instructions (领导批示/指令); the aggregate is the instruction, the incident rides along
    "incident.instruction_recorded": event_pb2.IncidentChanged,
    "incident.instruction_completed": event_pb2.IncidentChanged,
    "incident.instruction_overdue": event_pb2.IncidentChanged,
    # incident: 瞒报 signals and a supervisor's finding (OversightService); the aggregate is the signal
    "oversight.signal_raised": event_pb2.IncidentChanged,
    "oversight.finding_recorded": event_pb2.IncidentChanged,
    # incident: emergency plans (应急预案: IncidentChanged.plan_activation / plan_task) and response levels
    # (启动/解除 响应级别, the incident's response_level)
    "incident.plan_activated": event_pb2.IncidentChanged,
    "incident.plan_task_changed": event_pb2.IncidentChanged,
    "incident.response_declared": event_pb2.IncidentChanged,
    "incident.response_lifted": event_pb2.IncidentChanged,
    # roster
    "roster.published": event_pb2.RosterPublished,
    "assignment.changed": event_pb2.AssignmentChanged,
    "absence.recorded": event_pb2.AbsenceRecorded,
    "checkin.recorded": roster_pb2.CheckInRecord,
    # 签退: the check-in record with its check-out (an early leave, 早退, is the violation "early_leave")
    "checkout.recorded": roster_pb2.CheckInRecord,
    # 在岗抽查: a presence check asked, confirmed, or not confirmed in time
    "presence.requested": presence_pb2.PresenceCheck,
    "presence.confirmed": presence_pb2.PresenceCheck,
    "presence.unanswered": presence_pb2.PresenceCheck,
    "leave.requested": roster_pb2.LeaveRequest,
    "leave.decided": roster_pb2.LeaveRequest,
    "swap.requested": roster_pb2.SwapRequest,
    "swap.decided": roster_pb2.SwapRequest,
    "handover.submitted": roster_pb2.Handover,
    "handover.accepted": roster_pb2.Handover,
    "handover.overdue": roster_pb2.Handover,
    "handover.missed": event_pb2.HandoverMissed,
    "handover.countersigned": roster_pb2.Handover,
    "inspection.checklist_updated": inspections_pb2.InspectionChecklist,
    "inspection.recorded": inspections_pb2.Inspection,
    "inspection.missed": inspections_pb2.InspectionMissed,
    # roster: the duty room's equipment and supplies (值班设备与应急物资)
    "equipment.upserted": equipment_pb2.Equipment,
    "equipment.checked": equipment_pb2.CheckResult,
    "equipment.fault_reported": equipment_pb2.Fault,
    "equipment.fault_resolved": equipment_pb2.Fault,
    "supply.upserted": equipment_pb2.Supply,
    "supply.expiring": equipment_pb2.Supply,
    # roster: qualifications, training and drills (资格、培训、演练)
    "qualification.upserted": competence_pb2.RequiredQualifications,
    "training.recorded": competence_pb2.Training,
    "qualification.expiring": competence_pb2.Qualification,
    "drill.scheduled": competence_pb2.Drill,
    "drill.recorded": competence_pb2.Drill,
    # notify
    "notification.sent": event_pb2.NotificationChanged,
    "notification.delivered": event_pb2.NotificationChanged,
    "notification.failed": event_pb2.NotificationChanged,
    "notification.acknowledged": event_pb2.NotificationChanged,
    "escalation.step": event_pb2.EscalationChanged,
    "escalation.acknowledged": event_pb2.EscalationChanged,
    "escalation.exhausted": event_pb2.EscalationChanged,
    "agency.delivery_failed": event_pb2.AgencyDeliveryFailed,
    # the kit: an outbox message set aside (dutyline.outbox.DEAD_LETTERED)
    "outbox.dead_lettered": struct_pb2.Struct,
}


class UnknownEventType(ValueError):
    """An event whose type the catalog does not list."""


def payload_of(event: event_pb2.Event) -> Message:
    """The event's payload, decoded as the message its type carries (``UnknownEventType`` for a type
    not in the catalog; ``DecodeError`` or ``ValueError`` for a payload of another message)."""
    message_type = EVENT_TYPES.get(event.type)
    if message_type is None:
        raise UnknownEventType(f"event type {event.type!r} is not in the catalog")
    payload = message_type()
    if not event.payload.Unpack(payload):
        raise ValueError(f"{event.type} carries {event.payload.type_url}, not {payload.DESCRIPTOR.full_name}")
    return payload
