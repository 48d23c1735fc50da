"""Who may call each CompetenceService RPC (deny by default: dutyline.grpckit.policy). Site scope is
checked by the handlers against the site each resource belongs to (services.roster.access)."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, writes
from dutyline.roster.v1 import competence_pb2

SERVICE = competence_pb2.DESCRIPTOR.services_by_name["CompetenceService"].full_name
# The unit head (单位负责人) or an admin keeps qualifications and trainings; duty leaders keep drills too.
KEEPERS = {"unit_head", "admin"}
DRILL_KEEPERS = KEEPERS | {"leader"}

POLICIES = for_service(
    SERVICE,
    {
        "SetRequiredQualifications": writes(KEEPERS, "site_id"),
        "RecordTraining": writes(KEEPERS, "person_id → their site"),
        "ListQualifications": reads(STAFF, "site_id", "person_id → a person of the site"),
        "ScheduleDrill": writes(DRILL_KEEPERS, "site_id", "participant_ids → people of the site or a region above"),
        "RecordDrill": writes(DRILL_KEEPERS, "drill_id → its site", "attended_ids → the drill's participants"),
        "ListDrills": reads(STAFF, "site_id"),
    },
)
