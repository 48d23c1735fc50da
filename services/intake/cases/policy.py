"""Who may call each CaseService RPC (deny by default: dutyline.grpckit.policy). Cases carry callers'
personal data: agencies read none of them (they get the events, masked). Site scope: the case's
site, resolved from the store; the call and the owner a case names are checked against it."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, unscoped, writes
from dutyline.intake.v1 import case_pb2

SERVICE = case_pb2.DESCRIPTOR.services_by_name["CaseService"].full_name
OWNER = "owner_id → a person of the site, or a directory entry of the site or above it"

POLICIES = for_service(
    SERVICE,
    {
        "OpenCase": writes(STAFF, "site_id", "call_id → its site (the same)", OWNER),
        "GetCase": reads(STAFF, "case_id → its site"),
        "ListCases": reads(STAFF | {"system"}, "site_id (else every site the caller acts for, regions included)"),
        "AssignCase": writes(STAFF, "case_id → its site", OWNER),
        # The receiver signs for themselves (or a leader for them): checked in the handler.
        "AcknowledgeCase": writes(STAFF, "case_id → its site"),
        "AddCaseNote": writes(STAFF, "case_id → its site"),
        "AnswerCase": writes(STAFF, "case_id → its site"),
        "RecordCaseFeedback": writes(STAFF, "case_id → its site"),
        "RecordReturnVisit": writes(STAFF, "case_id → its site"),
        "ReopenCase": writes(STAFF, "case_id → its site"),
        "CloseCase": writes(STAFF, "case_id → its site"),
        # Reading a caller in clear is audited and open to the people who call back, not supervisors.
        "RevealCaseCaller": writes({"officer", "leader", "admin"}, "case_id → its site"),
        "UpsertCasePolicy": writes({"admin"}, "every site (an admin acting for *)", "policy.site_id → exists"),
        # The handling times in force are the platform's rules, the same for every reader.
        "ListCasePolicies": unscoped(reads(STAFF, "none: any site's policies")),
        "UpsertHolidayCalendar": writes({"admin"}, "calendar.site_id"),
        # Roster counts duty on holidays (GetDutyCounts) for the person asking.
        "GetHolidayCalendar": reads(STAFF | {"system"}, "site_id"),
    },
)
