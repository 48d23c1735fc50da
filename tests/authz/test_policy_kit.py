"""The deny-by-default layer itself: every RPC of every service has a policy, a method without one is
refused, a service missing one does not start, and the agency role can never be given a write."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from dutyline.grpckit.auth import Principal
from dutyline.grpckit.errors import PermissionDenied
from dutyline.grpckit.policy import MissingPolicy, authorize, reads, require_complete, writes
from services.incident.instruction_policy import SERVICE as INSTRUCTION_SERVICE
from services.incident.policy import POLICIES as INCIDENT
from services.incident.policy import SERVICE as INCIDENT_SERVICE
from services.insight.policy import POLICIES as INSIGHT
from services.insight.policy import SERVICE as INSIGHT_SERVICE
from services.intake.cases.policy import SERVICE as CASE_SERVICE
from services.intake.policy import POLICIES as INTAKE
from services.intake.policy import SERVICE as INTAKE_SERVICE
from services.intake.policy import TELEPHONY_SERVICE
from services.notify.policy import POLICIES as NOTIFY
from services.notify.policy import SERVICE as NOTIFY_SERVICE
from services.roster.policy import POLICIES as ROSTER
from services.roster.policy import SERVICE as ROSTER_SERVICE

ALL = [
    (ROSTER_SERVICE, ROSTER),
    (INTAKE_SERVICE, INTAKE),
    (TELEPHONY_SERVICE, INTAKE),  # hosted by the intake service, with its policies
    (CASE_SERVICE, INTAKE),
    (INCIDENT_SERVICE, INCIDENT),
    (NOTIFY_SERVICE, NOTIFY),
    (INSIGHT_SERVICE, INSIGHT),
]


@pytest.mark.parametrize(("service", "policies"), ALL)
def test_every_rpc_of_every_service_has_a_policy_and_no_write_admits_agencies(service: str, policies: Any) -> None:
    require_complete(service, policies)
    assert not [m for m, p in policies.items() if p.mutating and "agency" in p.roles]


def test_a_service_with_an_rpc_without_a_policy_is_found_out() -> None:
    missing = {m: p for m, p in ROSTER.items() if not m.endswith("/UpsertPerson")}
    with pytest.raises(MissingPolicy, match="RosterService/UpsertPerson"):
        require_complete(ROSTER_SERVICE, missing)


def test_deny_by_default() -> None:
    officer = Principal("p-1", roles=("officer",), sites=("hz-01",))
    policies = {"/x.S/Read": reads({"officer"}, "site_id"), "/x.S/Write": writes({"admin"}, "site_id")}
    authorize(policies, "/x.S/Read", officer)
    for method in ("/x.S/Write", "/x.S/Unknown"):
        with pytest.raises(PermissionDenied):
            authorize(policies, method, officer)
    with pytest.raises(PermissionDenied):
        authorize(policies, "/x.S/Read", None)  # no identity, and the method does not admit that
    with pytest.raises(ValueError, match="agency"):
        writes({"agency"}, "site_id")


START_WITHOUT_A_POLICY = """
from dutyline.grpckit.server import run
from services.roster.policy import POLICIES
from services.roster.server import build
from services.roster.settings import RosterSettings

POLICIES.pop("/dutyline.roster.v1.RosterService/UpsertPerson")
run("roster", build, RosterSettings())
"""


@pytest.mark.stack
async def test_a_service_missing_a_policy_refuses_to_start(platform: Any) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        START_WITHOUT_A_POLICY,
        env=platform.env("roster"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2, output.decode(errors="replace")
    assert b"UpsertPerson" in output


# The service-to-service calls there are (grep service_channel and the notifier): the identity
# "system" may make these and nothing else.
SYSTEM_CALLS = {
    # Every service's directory, notify's recipients (a directory department a message was left for
    # too), the incident worker's duty leader lookups.
    f"/{ROSTER_SERVICE}/{m}"
    for m in ("GetSite", "ListSites", "GetPerson", "ListPeople", "GetOnDuty", "GetDirectoryEntry")
} | {
    f"/{INTAKE_SERVICE}/GetCall",  # incident checks the calls an incident is opened with
    f"/{INTAKE_SERVICE}/ListCallbacks",  # roster gathers a handover's open items
    f"/{TELEPHONY_SERVICE}/ReportLineEvent",  # the switch adapter reports the lines' call events
    f"/{CASE_SERVICE}/ListCases",  # roster: a handover's open cases
    f"/{INCIDENT_SERVICE}/OpenIncident",  # intake opens the incident of an emergency call
    f"/{INCIDENT_SERVICE}/GetIncident",  # intake learns of an incident a call is linked to
    f"/{INCIDENT_SERVICE}/SuggestMerge",  # intake suggests merging look-alike incidents
    f"/{INCIDENT_SERVICE}/ListIncidents",  # roster: a handover's open items
    f"/{INSTRUCTION_SERVICE}/ListInstructions",  # roster: a handover's leader instructions not completed
    f"/{NOTIFY_SERVICE}/Send",  # workers: deadlines, shift reminders, callbacks
    f"/{NOTIFY_SERVICE}/Escalate",  # intake and the incident worker page the duty leader
    f"/{NOTIFY_SERVICE}/ListNotifications",  # roster: a handover's open items
}


def test_the_system_identity_may_make_only_the_service_to_service_calls_there_are() -> None:
    admitted = {m for _, policies in ALL for m, p in policies.items() if "system" in p.roles}
    assert admitted == SYSTEM_CALLS
