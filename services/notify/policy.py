"""Who may call each NotifyService RPC (deny by default: dutyline.grpckit.policy). Notifications
carry staff addresses: agencies read none of them. Every recipient person must be of a site the
caller acts for; agencies are managed only by admins and supervisors of all their sites."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, Policy, for_service, reads, unscoped, writes
from dutyline.notify.v1 import notify_pb2

SERVICE = notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name
# Workers send and escalate (incident deadlines, shift reminders, callbacks, escalated calls); roster
# gathers a handover's open notifications.
STAFF_AND_SERVICES = STAFF | {"system"}
AGENCY_ADMINS = {"admin", "supervisor"}
# The components that send only some templates, and those templates' only senders (deny by default):
# insight sends the daily report (值班日报) to superior duty offices, and nothing else.
COMPONENT_TEMPLATES: dict[str, frozenset[str]] = {"system:insight": frozenset({"daily_report"})}

POLICIES = for_service(
    SERVICE,
    {
        "Send": writes(
            STAFF_AND_SERVICES,
            "site_id",
            "recipients → each person's site, each directory entry's site",
            "template → its senders (COMPONENT_TEMPLATES)",
        ),
        "GetNotification": reads(STAFF, "notification_id → its site (or its recipient)"),
        "ListNotifications": reads(STAFF_AND_SERVICES, "site_id (else the caller's sites, or their own)"),
        # From a phone without a session too: the message's one-time token is the credential then.
        "Acknowledge": Policy(
            frozenset(STAFF),
            "notification_id → its recipient (or an admin of its site)",
            token_optional=True,
            mutating=True,
        ),
        "UpsertEscalationChain": writes(
            {"admin", "leader", "supervisor"}, "chain.site_id", "steps' recipients → each person's site"
        ),
        "GetEscalationChain": reads(STAFF, "site_id"),
        "Escalate": writes(STAFF_AND_SERVICES, "site_id", "template → its senders (COMPONENT_TEMPLATES)"),
        "GetEscalation": reads(STAFF, "escalation_id → its site"),
        "RegisterAgency": writes(AGENCY_ADMINS, "agency.site_ids (every one)"),
        "ListAgencies": unscoped(reads(AGENCY_ADMINS, "filtered: agencies all of whose sites the caller acts for")),
        "IssueAgencyCredentials": writes(AGENCY_ADMINS, "agency_id → its sites (every one)"),
        "RevokeAgencyCredentials": writes(AGENCY_ADMINS, "agency_id → its sites (every one)"),
        "RescopeAgency": writes(AGENCY_ADMINS, "agency_id → its sites (every one)", "site_ids (every new one)"),
        "ListAgencyDeliveries": unscoped(
            reads(AGENCY_ADMINS, "agency_id → its sites (every one); else filtered to the agencies the caller manages")
        ),
    },
)
