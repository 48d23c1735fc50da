"""How an incident command reaches its services: the IncidentService, and the roster for the sites'
zones and people's names (best effort: a lookup that fails never fails the command). A refused step
(FAILED_PRECONDITION: an illegal step, a refused close) is one line "Refused …" with exit code 2."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

import grpc
import typer

from dutyline.cli.common import connect
from dutyline.cli.common.session import run_refusing, session
from dutyline.cli.common.times import zone_named
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

T = TypeVar("T")

TIMEOUT = 15.0
# A step is a Temporal update: the server waits up to 30 s for the incident's process to answer.
STEP_TIMEOUT = 40.0
# Sites and names only make the output readable: never wait long for them.
LOOKUP_TIMEOUT = 5.0
DEFAULT_ZONE = "Asia/Shanghai"
MAX_PAGE = 500


class Incidents:
    """The IncidentService for one command, with the roster for sites' zones and people's names
    (looked up once each, and never failing the command)."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        self.stub = incident_pb2_grpc.IncidentServiceStub(ch)
        self._roster = roster_pb2_grpc.RosterServiceStub(roster)
        self._sites: dict[str, roster_pb2.Site | None] = {}

    async def get(self, incident_id: str) -> incident_pb2.Incident:
        return await self.stub.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id), timeout=TIMEOUT)

    async def site(self, site_id: str) -> roster_pb2.Site | None:
        if site_id not in self._sites:
            try:
                request = roster_pb2.GetSiteRequest(site_id=site_id)
                self._sites[site_id] = await self._roster.GetSite(request, timeout=LOOKUP_TIMEOUT)
            except grpc.aio.AioRpcError:
                self._sites[site_id] = None
        return self._sites[site_id]

    async def zone(self, site_id: str) -> ZoneInfo:
        await self.site(site_id)
        return self.known_zone(site_id)

    def known_zone(self, site_id: str) -> ZoneInfo:
        """The zone of a site looked up before (Asia/Shanghai if it was not, or is unknown)."""
        site = self._sites.get(site_id)
        return zone_named(site.time_zone if site else "", DEFAULT_ZONE)

    async def site_label(self, site_id: str) -> str:
        site = await self.site(site_id)
        return f"{site.name} ({site_id})" if site and site.name else site_id

    async def names(self, person_ids: list[str]) -> dict[str, str]:
        async def name(person_id: str) -> str:
            try:
                request = roster_pb2.GetPersonRequest(person_id=person_id)
                return str((await self._roster.GetPerson(request, timeout=LOOKUP_TIMEOUT)).display_name)
            except grpc.aio.AioRpcError:
                return ""

        wanted = sorted({p for p in person_ids if p})
        return dict(zip(wanted, await asyncio.gather(*(name(p) for p in wanted)), strict=True))


def call(
    ctx: typer.Context,
    work: Callable[[Incidents], Awaitable[T]],
    *,
    key: str | None = None,
    target: connect.Target | None = None,
) -> T:
    """Run ``work`` against the IncidentService (``run_refusing``: a refused step is one line)."""
    s = session(ctx)
    roster = s.target("roster")

    async def on(ch: grpc.aio.Channel) -> T:
        async with channel(roster.address, roster.token) as roster_ch:
            return await work(Incidents(ch, roster_ch))

    return run_refusing(target or s.target(), on, idempotency_key=key)
