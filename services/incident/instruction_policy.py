"""Who may call each InstructionService RPC (deny by default: dutyline.grpckit.policy). Instructions are
the duty room's internal command: staff only, agencies read none. Site scope: the request's site, or
the instruction's, resolved from the store; the incident, the person who instructed and the assignee
an instruction names are checked against it."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, writes
from dutyline.incident.v1 import instructions_pb2

SERVICE = instructions_pb2.DESCRIPTOR.services_by_name["InstructionService"].full_name

POLICIES = for_service(
    SERVICE,
    {
        "RecordInstruction": writes(
            STAFF,
            "site_id",
            "incident_id → its site (the same)",
            "instructed_by_id → a person of the site or a region above",
            "assignee_id → a person of the site or a region above",
        ),
        # The assignee reports it done, or a duty leader / admin for them: checked in the handler.
        "CompleteInstruction": writes(STAFF, "instruction_id → its site"),
        # Roster gathers a handover's open instructions on behalf of the person handing over.
        "ListInstructions": reads(
            STAFF | {"system"}, "site_id (else every site the caller acts for, with regions' sites)"
        ),
    },
)
