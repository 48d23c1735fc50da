"""How an incident command reaches its services: the IncidentService, and the roster for the sites'
zones and people's names (best effort: a lookup that fails never fails the command). A refused step
(FAILED_PRECONDITION: an illegal step, a refused close) is one line "Refused …" with exit code 2."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import typer

from dutyline.cli.common import connect
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc

T = TypeVar("T")

TIMEOUT = 15.0
# A step is a Temporal update: the server waits up to 30 s for the incident's process to answer.
STEP_TIMEOUT = 40.0
MAX_PAGE = 500


class Incidents(RosterLookups):
    """The IncidentService for one command, with the roster for sites' zones and people's names
    (looked up once each, and never failing the command)."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = incident_pb2_grpc.IncidentServiceStub(ch)

    async def get(self, incident_id: str) -> incident_pb2.Incident:
        return await self.stub.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id), timeout=TIMEOUT)


def call(
    ctx: typer.Context,
    work: Callable[[Incidents], Awaitable[T]],
    *,
    key: str | None = None,
    target: connect.Target | None = None,
) -> T:
    """Run ``work`` against the IncidentService (``run_refusing``: a refused step is one line)."""
    return run_with_roster(ctx, Incidents, work, key=key, target=target)
