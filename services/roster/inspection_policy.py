"""Who may call each InspectionService RPC (deny by default: dutyline.grpckit.policy). Site scope is
checked by the handlers against the site each resource belongs to now (the caller's site or a region
above it)."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, writes
from dutyline.roster.v1 import inspections_pb2

SERVICE = inspections_pb2.DESCRIPTOR.services_by_name["InspectionService"].full_name
# The checklist is the unit's rule for its duty room: its head or an admin sets it.
CHECKLIST_EDITORS = {"admin", "unit_head"}
# 查岗 is a duty leader's act, recorded in their name: neither an admin nor a service records one.
INSPECTORS = {"leader"}

POLICIES = for_service(
    SERVICE,
    {
        "UpsertInspectionChecklist": writes(CHECKLIST_EDITORS, "site_id"),
        "GetInspectionChecklist": reads(STAFF, "site_id"),
        "RecordInspection": writes(INSPECTORS, "assignment_id → its site"),
        "ListInspections": reads(STAFF, "site_id", "assignment_id → the same site"),
    },
)
