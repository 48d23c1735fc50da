"""Who may call each OversightService RPC (deny by default: dutyline.grpckit.policy). Signals of
concealment (瞒报) are for those who oversee the duty rooms — supervisors (总值班室), duty leaders and
admins — never for the officers they may be about, nor agencies. Site scope: the request's site (a
region covers its sites), or the signal's, resolved from the store."""

from __future__ import annotations

from dutyline.grpckit.policy import for_service, reads, writes
from dutyline.incident.v1 import oversight_pb2

SERVICE = oversight_pb2.DESCRIPTOR.services_by_name["OversightService"].full_name
OVERSEERS = {"supervisor", "leader", "admin"}

POLICIES = for_service(
    SERVICE,
    {
        "ListConcealmentSignals": reads(
            OVERSEERS, "site_id (else every site the caller acts for, with regions' sites)"
        ),
        # The finding is the supervisor's (an admin's where there is none); nobody decides a signal
        # that names themselves (checked in the handler).
        "RecordFinding": writes({"supervisor", "admin"}, "signal_id → its site"),
    },
)
