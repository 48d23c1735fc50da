"""insight's projections of the event stream (dutyline.projection): the read model's tables, each
built by one projection from the events only, and the event types no projection reads, with why.

Every type of ``dutyline.events_catalog`` is read by a projection here or listed in ``IGNORED``
(tests/dutyline/test_events_catalog.py holds both to it).
"""

from __future__ import annotations

from collections.abc import Mapping

from dutyline.projection import Projection
from services.insight.projections.calls import CALLS
from services.insight.projections.cases import CASES
from services.insight.projections.duties import DUTIES
from services.insight.projections.dutylog import DUTY_LOG
from services.insight.projections.incidents import INCIDENTS
from services.insight.projections.violations import VIOLATIONS

PROJECTIONS: tuple[Projection, ...] = (CALLS, INCIDENTS, VIOLATIONS, DUTIES, DUTY_LOG, CASES)

# Read by no projection yet: the figures that need them (notifications, lines down) come with the
# projections that compute them.
_NOT_YET = "not read yet: no projection computes a figure from it so far"
_CASES = (
    "no case figure needs it: the cases' figures come from the case's opening, answers, feedback, return "
    "visits and overdue marks (projections/cases.py), each event carrying the case as it stands"
)
IGNORED: Mapping[str, str] = {
    "incident.calls_changed": "the calls of an incident come from the calls' own events (calls.incident_id)",
    "incident.merge_suggested": "a proposal, not a change of any incident; its decision is incident.merged",
    "incident.merge_decided": "the merge itself arrives as incident.merged with the incident",
    "incident.instruction_recorded": "a leader's instruction is followed by its process, not scored or counted",
    "incident.instruction_completed": "a leader's instruction is followed by its process, not scored or counted",
    "incident.instruction_overdue": "an overdue instruction is escalated, not a violation (issue 18)",
    "oversight.signal_raised": "a signal for supervisors, not a fact; a confirmed 瞒报 arrives as "
    "oversight.finding_recorded with its violations",
    "incident.report_delivered": "a delivery upward changes no figure (the report counts from "
    "incident.report_submitted)",
    "incident.report_received": "a receipt (签收) changes no figure; the receiving office's incident arrives as "
    "incident.registered",
    "incident.report_unreceived": "an unreceived report is escalated at the receiving office, not a violation",
    "incident.plan_activated": "an emergency plan is followed by its process, not scored or counted",
    "incident.plan_task_changed": "an overdue plan task is escalated, not a violation (issue 18)",
    "incident.response_declared": "a response level is no figure of the duty room; the incident's next "
    "change carries it",
    "incident.response_lifted": "a response level is no figure of the duty room; the incident's next change carries it",
    "line.configured": "a line's configuration is no figure; its calls carry the line id",
    "line.down": _NOT_YET,
    "line.up": _NOT_YET,
    "leave.requested": "a request changes no duty; an approved one arrives as assignment.changed",
    "leave.decided": "an approval changes the duty through assignment.changed",
    "swap.requested": "a request changes no duty; an approved one arrives as assignment.changed",
    "swap.decided": "an approval changes the duty through assignment.changed",
    "handover.countersigned": "the leader's countersignature is a record of the register, no figure",
    "equipment.upserted": "the equipment list is a site's inventory, no figure",
    "equipment.checked": "a check's result is followed by the duty room (a fault arrives as "
    "equipment.fault_reported); no figure counts checks",
    "equipment.fault_reported": "an equipment fault is followed until repaired (critical ones alert the duty "
    "leader at once), not a violation of the person on duty",
    "equipment.fault_resolved": "the repair closes a fault followed by the duty room; no figure",
    "supply.upserted": "the supplies list is a site's inventory, no figure",
    "supply.expiring": "an expiry warning goes to the duty leader; no figure",
    "qualification.upserted": "a site's required qualifications are a rule of its roster, no figure",
    "training.recorded": "a training grants a qualification; no figure counts trainings",
    "qualification.expiring": "an expiry warning goes to the person and the duty leader; no figure",
    "drill.scheduled": "a drill on the calendar is no figure",
    "drill.recorded": "a drill's attendance and review are the duty room's record, not scored",
    "inspection.checklist_updated": "a site's checklist is a rule of its duty room, no figure",
    "inspection.recorded": "an inspection done costs nothing; only a missed one (inspection.missed) is scored",
    "presence.requested": "a presence check asked is no figure; its answer is followed by roster",
    "presence.confirmed": "a confirmed presence check costs nothing",
    "presence.unanswered": "an unanswered presence check alerts the duty leader, who verifies it: no violation "
    "(the officer may be on an emergency call), and no figure counts checks",
    "case.assigned": _CASES,
    "case.acknowledged": _CASES,
    "case.noted": "a note changes no figure",
    "case.reopened": _CASES,
    "case.closed": _CASES,
    "notification.sent": _NOT_YET,
    "notification.delivered": _NOT_YET,
    "notification.failed": _NOT_YET,
    "notification.acknowledged": _NOT_YET,
    "escalation.exhausted": _NOT_YET,
    "agency.delivery_failed": "a delivery to an agency is the platform's, not the duty room's, record",
    "outbox.dead_lettered": "an operations matter (dutyline ops dead-letters), not a duty record",
}
