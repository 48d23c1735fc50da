"""The workflow runners: the sandbox the workflow tests and replays run with, and the runner of the
workers (and of bench's same-shape skeleton, which must cost Temporal and its worker what they do).

The default sandbox wraps zoneinfo.ZoneInfo in a proxy (a few of its class methods touch the tz
database), and a proxied ZoneInfo is not a tzinfo to datetime. Deadlines at fixed local times
(续报 at 08:00 and 17:00) need real time zones in workflow code; building one is deterministic.
"""

from __future__ import annotations

import dataclasses

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

RESTRICTIONS = dataclasses.replace(
    SandboxRestrictions.default,
    invalid_module_members=SandboxRestrictions.invalid_module_members_default.with_child_unrestricted(
        "zoneinfo", "ZoneInfo"
    ),
)


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox: every workflow test and history replay runs under it, so a non-deterministic call
    (the clock, random, I/O) or a restricted import in workflow code fails the suite."""
    return SandboxedWorkflowRunner(restrictions=RESTRICTIONS)


def worker_runner() -> WorkflowRunner:
    """The workers run the same workflow code, checked by the sandboxed tests and replays, without the
    sandbox: building one for each workflow run (re-importing its module) and entering it on every
    activation cost about half of the worker's CPU for an incident's workflow (11 of 23 ms replaying
    its recorded first steps)."""
    return UnsandboxedWorkflowRunner()
