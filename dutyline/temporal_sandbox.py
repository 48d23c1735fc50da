"""The workflow sandbox dutyline's workers run with (the worker and the workflow tests alike).

The default sandbox wraps zoneinfo.ZoneInfo in a proxy (a few of its class methods touch the tz
database), and a proxied ZoneInfo is not a tzinfo to datetime. Deadlines at fixed local times
(续报 at 08:00 and 17:00) need real time zones in workflow code; building one is deterministic.
"""

from __future__ import annotations

import dataclasses

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

RESTRICTIONS = dataclasses.replace(
    SandboxRestrictions.default,
    invalid_module_members=SandboxRestrictions.invalid_module_members_default.with_child_unrestricted(
        "zoneinfo", "ZoneInfo"
    ),
)


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(restrictions=RESTRICTIONS)
