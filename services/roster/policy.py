"""Who may call each RosterService RPC (deny by default: dutyline.grpckit.policy). Site scope is
checked by the handlers against the site each resource belongs to now (services.roster.access)."""

from __future__ import annotations

from dutyline.grpckit.policy import ANYONE, STAFF, for_service, reads, unscoped, writes
from dutyline.roster.v1 import roster_pb2
from services.roster.competence_policy import POLICIES as COMPETENCE_POLICIES

SERVICE = roster_pb2.DESCRIPTOR.services_by_name["RosterService"].full_name
ADMIN = {"admin"}
LEADERS = {"leader", "admin"}
# The platform's services read sites, people and who is on duty: notify resolves recipients, the
# incident worker and intake find the duty leader, every service's directory resolves sites.
STAFF_AND_SERVICES = STAFF | {"system"}

POLICIES = for_service(
    SERVICE,
    {
        # The organization's shape (site names, parents, time zones; no people) is every caller's to
        # read: an agency needs it to read its incidents, every service to resolve regions.
        "GetSite": unscoped(reads(ANYONE, "none: any site")),
        "ListSites": unscoped(reads(ANYONE, "none: any parent")),
        "UpsertSite": writes(ADMIN, "site.id (its current parent, if it exists)", "site.parent_id (new parent)"),
        "GetPerson": reads(STAFF_AND_SERVICES, "person_id → their site"),
        "ListPeople": reads(STAFF_AND_SERVICES, "site_id"),
        "UpsertPerson": writes(ADMIN, "person.site_id (new site)", "person.id → their current site"),
        "SearchDirectory": reads(STAFF, "site_id (else the sites the caller acts for)"),
        # Notify reaches a directory department (a message left for it) through its contacts.
        "GetDirectoryEntry": reads(STAFF_AND_SERVICES, "entry_id → its site"),
        "UpsertDirectoryEntry": writes(ADMIN, "entry.site_id", "entry.person_id → their site", "entry.id → its site"),
        "UpsertShiftPattern": writes(ADMIN, "pattern.site_id"),
        "ListShiftPatterns": reads(STAFF, "site_id"),
        "UpsertRotation": writes(ADMIN, "rotation.site_id", "rotation's pattern and people → their site"),
        "ListRotations": reads(STAFF, "site_id"),
        "PublishRoster": writes(LEADERS, "site_id"),
        "GetOnDuty": reads(STAFF_AND_SERVICES, "site_id"),
        "FindCoverageGaps": reads(STAFF, "site_id"),
        "ListAssignments": reads(STAFF, "site_id"),
        "GetAssignment": reads(STAFF, "assignment_id → its site"),
        "RequestLeave": writes(STAFF, "assignment_id → its site and person (the person or an admin)"),
        "DecideLeave": writes(LEADERS, "leave_id → its assignment's site"),
        "ListLeave": reads(STAFF, "site_id"),
        "RequestSwap": writes(STAFF, "assignment_id → its site and person", "other assignment → same site"),
        "DecideSwap": writes(LEADERS, "swap_id → its site"),
        "ListSwaps": reads(STAFF, "site_id"),
        "CheckIn": writes(STAFF, "assignment_id → its site and person"),
        "SubmitHandover": writes(STAFF, "assignment_id → its site and person", "incoming person → same site"),
        "AcceptHandover": writes(STAFF, "handover_id → its site and incoming person"),
        "GetHandover": reads(STAFF, "handover_id → its site"),
        # The site's people and the supervisors of its region (acting for the region above it).
        "ListHandovers": reads(STAFF, "site_id"),
        "CountersignHandover": writes(LEADERS, "handover_id → its site"),
        "ExportHandovers": reads(STAFF, "site_id"),
        # The officer checks out; a leader (or admin) of the site checking someone out releases them.
        "CheckOut": writes(STAFF, "assignment_id → its site and person (or a leader of the site)"),
        # 在岗抽查: the duty leader, or a supervisor of the site's region.
        "RequestPresenceCheck": writes(
            {"leader", "supervisor", "admin"}, "assignment_id → its site (person_id → their assignment on duty now)"
        ),
        "ConfirmPresence": writes(STAFF, "check_id → its site and person"),
    },
)

# CompetenceService, hosted by the roster process (restored by H6: see the contract notes).
POLICIES.update(COMPETENCE_POLICIES)
