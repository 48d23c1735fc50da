"""The workflow sandbox dutyline's workers run with (the worker and the workflow tests alike).

The default sandbox wraps zoneinfo.ZoneInfo in a proxy (a few of its class methods touch the tz
database), and a proxied ZoneInfo is not a tzinfo to datetime. Deadlines at fixed local times
(续报 at 08:00 and 17:00) need real time zones in workflow code; building one is deterministic.
"""

from __future__ import annotations

import compileall
import dataclasses
import sys
from collections.abc import Iterable

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

RESTRICTIONS = dataclasses.replace(
    SandboxRestrictions.default,
    invalid_module_members=SandboxRestrictions.invalid_module_members_default.with_child_unrestricted(
        "zoneinfo", "ZoneInfo"
    ),
)


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(restrictions=RESTRICTIONS)


def cache_bytecode(workflows: Iterable[type]) -> None:
    """Write the bytecode of each workflow's module unless it is cached already. The sandbox imports
    the module afresh for every workflow run it starts or takes back from the cache; without its
    bytecode (PYTHONDONTWRITEBYTECODE over a source tree, as the dev stack runs) each of those imports
    compiles the source again: a third of the worker's CPU per incident. An installed package has it
    from pip; a read-only tree without it only costs that CPU."""
    for defn in workflows:
        # The whole package (``workflows``): the module's own imports (types, the shared helpers) are
        # imported afresh with it. Where it cannot write: skipped, not raised.
        package = sys.modules.get(defn.__module__.partition(".")[0])
        for folder in getattr(package, "__path__", ()):
            compileall.compile_dir(folder, quiet=2)
        source = getattr(sys.modules.get(defn.__module__), "__file__", None)
        if source:
            compileall.compile_file(source, quiet=2)
