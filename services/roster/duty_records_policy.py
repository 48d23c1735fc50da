"""Who may call each DutyRecordsService RPC (deny by default: dutyline.grpckit.policy). Site scope: the
site or region named, checked by the handlers against the caller's sites (a region covers its sites)."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads
from dutyline.roster.v1 import duty_records_pb2

SERVICE = duty_records_pb2.DESCRIPTOR.services_by_name["DutyRecordsService"].full_name

POLICIES = for_service(
    SERVICE,
    {
        # Duty counts are everyone's to see at their sites, for fairness (值班公平).
        "GetDutyCounts": reads(STAFF, "site_id (a site or a region)"),
        # An officer's list is narrowed to their own violations in the handler (考核 is personal).
        "ListDutyViolations": reads(STAFF, "site_id (a site or a region); an officer: their own"),
    },
)
