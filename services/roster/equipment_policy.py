"""Who may call each EquipmentService RPC (deny by default: dutyline.grpckit.policy). The officers of a
site record checks and faults; its duty leaders and admins keep the lists of equipment and supplies.
Site scope is checked by the handlers against the site each resource belongs to now."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, writes
from dutyline.roster.v1 import equipment_pb2

SERVICE = equipment_pb2.DESCRIPTOR.services_by_name["EquipmentService"].full_name
LEADERS = {"leader", "admin"}

POLICIES = for_service(
    SERVICE,
    {
        "UpsertEquipment": writes(LEADERS, "site_id", "id → its site (the same)"),
        "ListEquipment": reads(STAFF, "site_id"),
        "RecordCheck": writes(STAFF, "equipment_id → its site"),
        "ReportFault": writes(STAFF, "equipment_id → its site"),
        "ResolveFault": writes(STAFF, "fault_id → its site"),
        "ListFaults": reads(STAFF, "site_id"),
        "UpsertSupply": writes(LEADERS, "site_id", "id → its site (the same)"),
        "ListSupplies": reads(STAFF, "site_id"),
    },
)
