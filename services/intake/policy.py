"""Who may call each IntakeService RPC (deny by default: dutyline.grpckit.policy). Calls carry
callers' personal data: agencies read none of them. Site scope: the call's site, resolved from the
store; every other call or incident referenced is checked against the same site."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, writes
from dutyline.intake.v1 import intake_pb2, telephony_pb2
from services.intake.cases.policy import POLICIES as CASE_POLICIES

SERVICE = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name
TELEPHONY_SERVICE = telephony_pb2.DESCRIPTOR.services_by_name["TelephonyService"].full_name

POLICIES = for_service(
    SERVICE,
    {
        "RegisterCall": writes(STAFF, "site_id"),
        # Incident checks that the calls it links are of the incident's site.
        "GetCall": reads(STAFF | {"system"}, "call_id → its site"),
        "ListCalls": reads(STAFF, "site_id (else every site the caller acts for, regions included)"),
        "ReclassifyCall": writes(STAFF, "call_id → its site"),
        "TransferCall": writes(STAFF, "call_id → its site", "to_site_id"),
        "TakeMessage": writes(STAFF, "call_id → its site"),
        "PromiseCallback": writes(STAFF, "call_id → its site"),
        "CompleteCallback": writes(STAFF, "callback_id → its call's site"),
        "SuggestIncidents": reads(STAFF, "call_id → its site"),
        "LinkCall": writes(STAFF, "call_id → its site", "incident_id → its site (the same)"),
        "UnlinkCall": writes(STAFF, "call_id → its site"),
        "EscalateCall": writes(STAFF, "call_id → its site"),
        # Reading a caller in clear is audited and open to the people who call back, not supervisors.
        "RevealCaller": writes({"officer", "leader", "admin"}, "call_id → its site"),
        "CompleteNotice": writes(STAFF, "call_id → its site"),
        # Roster gathers a handover's open callbacks.
        "ListCallbacks": reads(STAFF | {"system"}, "site_id (else every site the caller acts for, regions included)"),
        "AddCallNote": writes(STAFF, "call_id → its site"),
        "CompleteCall": writes(STAFF, "call_id → its site"),
    },
) | for_service(
    TELEPHONY_SERVICE,
    {
        # The switch adapter reports with its service credential; an admin may replay events by hand.
        "ReportLineEvent": writes({"system", "admin"}, "event.line_id → its site", "switch_id (the line's own switch)"),
        "UpsertLine": writes(
            {"admin"},
            "line.site_id",
            "line.id → its site (unchanged)",
            "line.extensions[].person_id (people of the site)",
        ),
        "ListLines": reads(STAFF, "site_id (else every site the caller acts for, regions included)"),
        "GetLineStatus": reads(STAFF, "line_id → its site"),
        "ListMissedCalls": reads(STAFF, "site_id (else every site the caller acts for, regions included)"),
        "GetLineFigures": reads(STAFF, "site_id (else every site the caller acts for, regions included)"),
    },
)

# Hotline cases (工单), served by the intake process: services/intake/cases/policy.py.
POLICIES.update(CASE_POLICIES)
