"""CaseService's policies are part of the intake service's (so the authorization matrix covers them),
complete (intake does not start otherwise), never open to agencies nor to services."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from dutyline.grpckit.policy import MissingPolicy, require_complete
from services.intake.cases.policy import SERVICE
from services.intake.policy import POLICIES


def test_every_case_rpc_has_a_policy_in_the_intake_service() -> None:
    require_complete(SERVICE, POLICIES)
    case_policies = {m: p for m, p in POLICIES.items() if m.startswith(f"/{SERVICE}/")}
    assert not [m for m, p in case_policies.items() if "agency" in p.roles]
    # The platform's services only read the open cases a handover carries and the holidays duty counts need.
    assert sorted(m for m, p in case_policies.items() if "system" in p.roles) == [
        f"/{SERVICE}/GetHolidayCalendar",
        f"/{SERVICE}/ListCases",
    ]
    with pytest.raises(MissingPolicy, match="CaseService/CloseCase"):
        require_complete(SERVICE, {m: p for m, p in POLICIES.items() if not m.endswith("/CloseCase")})


START_WITHOUT_A_CASE_POLICY = """
from dutyline.grpckit.server import run
from services.intake.policy import POLICIES
from services.intake.server import build
from services.intake.settings import IntakeSettings

POLICIES.pop("/dutyline.intake.v1.CaseService/RecordReturnVisit")
run("intake", build, IntakeSettings())
"""


@pytest.mark.stack
async def test_intake_refuses_to_start_without_a_policy_for_a_case_rpc(platform: Any) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        START_WITHOUT_A_CASE_POLICY,
        env=platform.env("intake"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2, output.decode(errors="replace")
    assert b"CaseService/RecordReturnVisit" in output
