"""How `dutyline call …` reaches its services: the IntakeService, with the incident service and the
roster for lookups (sites' zones, greetings and answer limits, people's names, incidents' titles), which
never fail a command. A refused step (FAILED_PRECONDITION) is one line "Refused …" with exit code 2."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import grpc
import typer

from dutyline.cli.call import views
from dutyline.cli.common import connect
from dutyline.cli.common.lookups import LOOKUP_TIMEOUT
from dutyline.cli.common.session import run_refusing, session
from dutyline.cli.incident.client import TIMEOUT, Incidents
from dutyline.directory import DEFAULT_ANSWER_LIMIT_SECONDS
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc

T = TypeVar("T")


class Calls:
    """The IntakeService for one command; ``look`` finds sites (zone, greeting, answer limit), people's
    names and incidents through the roster and the incident service."""

    def __init__(self, ch: grpc.aio.Channel, look: Incidents) -> None:
        self.stub = intake_pb2_grpc.IntakeServiceStub(ch)
        self.look = look

    async def get(self, call_id: str) -> intake_pb2.Call:
        return await self.stub.GetCall(intake_pb2.GetCallRequest(call_id=call_id), timeout=TIMEOUT)

    async def seen(self, site_id: str, people: Iterable[str] = ()) -> views.Seen:
        """The site's zone, name and answer limit, and people's names (best effort)."""
        site, names = await asyncio.gather(self.look.site(site_id), self.look.names(list(people)))
        limit = (site.answer_limit_seconds or DEFAULT_ANSWER_LIMIT_SECONDS) if site else None
        return views.Seen(self.look.known_zone(site_id), await self.look.site_label(site_id), limit, names)

    async def titles(self, incident_ids: Iterable[str]) -> dict[str, str]:
        """The incidents' titles (the suggestions carry none); "" for one that cannot be read."""

        async def title(incident_id: str) -> str:
            try:
                request = incident_pb2.GetIncidentRequest(incident_id=incident_id)
                return str((await self.look.stub.GetIncident(request, timeout=LOOKUP_TIMEOUT)).title)
            except grpc.aio.AioRpcError:
                return ""

        wanted = sorted({i for i in incident_ids if i})
        return dict(zip(wanted, await asyncio.gather(*(title(i) for i in wanted)), strict=True))


def run(
    ctx: typer.Context,
    work: Callable[[Calls], Awaitable[T]],
    *,
    key: str | None = None,
    target: connect.Target | None = None,
) -> T:
    """Run ``work`` against the IntakeService (with the incident service and the roster for lookups)."""
    s = session(ctx)
    incident, roster = s.target("incident"), s.target("roster")

    async def on(ch: grpc.aio.Channel) -> T:
        async with channel(incident.address, incident.token) as ich, channel(roster.address, roster.token) as rch:
            return await work(Calls(ch, Incidents(ich, rch)))

    return run_refusing(target or s.target(), on, idempotency_key=key)
