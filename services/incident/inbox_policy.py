"""Who may call each ReportInboxService RPC (deny by default). The receiving office's staff (or an office
above it) act on its inbox; the sender's staff see their report's status on their own incident
(IncidentService), not here."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, writes
from dutyline.incident.v1 import inbox_pb2

SERVICE = inbox_pb2.DESCRIPTOR.services_by_name["ReportInboxService"].full_name

POLICIES = for_service(
    SERVICE,
    {
        "ListInbox": reads(STAFF, "site_id (the receiving office)"),
        "ReceiveReport": writes(STAFF, "item_id → its receiving office"),
        "ReturnReport": writes(STAFF, "item_id → its receiving office"),
    },
)
