"""Who may call each PlanService RPC (deny by default: dutyline.grpckit.policy). Plans are the
platform's data, changed by a central admin and read by staff; activations, tasks and response
levels belong to an incident: staff of its site (or a region above it), resolved from the store.
Agencies read none of it here: the response level reaches them as CAP Updates."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, unscoped, writes
from dutyline.incident.v1 import plans_pb2

SERVICE = plans_pb2.DESCRIPTOR.services_by_name["PlanService"].full_name

POLICIES = for_service(
    SERVICE,
    {
        "UpsertPlan": writes({"admin"}, "every site (an admin acting for *)"),
        "ListPlans": unscoped(reads(STAFF, "none: the platform's emergency plans")),
        "ActivatePlan": writes(STAFF, "incident_id → its site"),
        "ListPlanActivations": reads(STAFF, "incident_id → its site"),
        "CompleteTask": writes(STAFF, "activation_id → its incident's site"),
        # The duty room records the response level the command decided (启动/解除 响应).
        "DeclareResponse": writes(STAFF, "incident_id → its site"),
        "LiftResponse": writes(STAFF, "incident_id → its site"),
    },
)
