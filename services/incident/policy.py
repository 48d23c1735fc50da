"""Who may call each IncidentService RPC (deny by default: dutyline.grpckit.policy). Agencies read
the incidents of their sites and nothing else; the site scope is the incident's site, resolved from
the store, and every call or incident referenced must be of the same site."""

from __future__ import annotations

from dutyline.grpckit.policy import ANYONE, STAFF, for_service, reads, unscoped, writes
from dutyline.incident.v1 import incident_pb2
from services.incident.inbox_policy import POLICIES as INBOX_POLICIES
from services.incident.instruction_policy import POLICIES as INSTRUCTION_POLICIES
from services.incident.oversight_policy import POLICIES as OVERSIGHT_POLICIES
from services.incident.plan_policy import POLICIES as PLAN_POLICIES

SERVICE = incident_pb2.DESCRIPTOR.services_by_name["IncidentService"].full_name
# Merging closes an incident into another: the site's duty leader or an admin decides (not any officer).
LEADERS = {"leader", "admin"}

POLICIES = for_service(
    SERVICE,
    {
        # Intake opens the incident of an escalated call.
        "OpenIncident": writes(STAFF | {"system"}, "site_id", "call_ids → each call's site (the same)"),
        "GetIncident": reads(ANYONE, "incident_id → its site"),
        # Roster gathers a handover's open incidents; intake reads an incident it links a call to.
        "ListIncidents": reads(ANYONE, "site_id (else every site the caller acts for)"),
        "Verify": writes(STAFF, "incident_id → its site"),
        "Reclassify": writes(STAFF, "incident_id → its site"),
        "SubmitReport": writes(STAFF, "incident_id → its site"),
        "AddProgress": writes(STAFF, "incident_id → its site"),
        "RecordFeedback": writes(STAFF, "incident_id → its site"),
        "Close": writes(STAFF, "incident_id → its site"),
        "Merge": writes(LEADERS, "primary_id → its site", "duplicate_id → same site, both drills or both real"),
        "GetTimeline": reads(STAFF | {"agency"}, "incident_id → its site"),
        "WatchIncidents": reads(STAFF | {"agency"}, "site_id (else every site the caller acts for)"),
        "UpsertReportingPolicy": writes({"admin"}, "every site (an admin acting for *)"),
        "ListReportingPolicies": unscoped(reads(STAFF, "none: the platform's reporting rules")),
        "ListViolations": reads(STAFF, "site_id (else every site the caller acts for)"),
        # Intake suggests merging two incidents that look like the same event.
        "SuggestMerge": writes(STAFF | {"system"}, "primary_id → its site", "duplicate_id → same site"),
        "ListMergeSuggestions": reads(STAFF, "site_id"),
        "DecideMergeSuggestion": writes(LEADERS, "suggestion_id → its incidents' site"),
        "CorrectReport": writes(STAFF, "report_id → its incident's site"),
        "ListReportVersions": reads(STAFF, "report_id → its incident's site"),
    },
)
# Leaders' instructions (领导批示), served by the incident process: services/incident/instruction_policy.py.
POLICIES.update(INSTRUCTION_POLICIES)
# 瞒报 signals and findings (OversightService): services/incident/oversight_policy.py.
POLICIES.update(OVERSIGHT_POLICIES)
# The report inbox (ReportInboxService): services/incident/inbox_policy.py.
POLICIES.update(INBOX_POLICIES)
# Emergency plans and response levels (PlanService): services/incident/plan_policy.py.
POLICIES.update(PLAN_POLICIES)
