"""The roster beside a command's own service: sites' zones and labels, people's names. They only make
the output readable, so each is looked up once, briefly, and a lookup that fails never fails the
command (a site's zone then is Asia/Shanghai)."""

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
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

T = TypeVar("T")
W = TypeVar("W")

LOOKUP_TIMEOUT = 5.0
DEFAULT_ZONE = "Asia/Shanghai"


class RosterLookups:
    def __init__(self, roster: grpc.aio.Channel) -> None:
        self._roster = roster_pb2_grpc.RosterServiceStub(roster)
        self._sites: dict[str, roster_pb2.Site | None] = {}

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


def run_with_roster(
    ctx: typer.Context,
    make: Callable[[grpc.aio.Channel, grpc.aio.Channel], W],
    work: Callable[[W], Awaitable[T]],
    *,
    key: str | None = None,
    target: connect.Target | None = None,
) -> T:
    """Run ``work`` against the command's service (``make`` wraps its channel and the roster's;
    ``run_refusing``: a refused step is one line "Refused …" with exit code 2)."""
    s = session(ctx)
    roster = s.target("roster")

    async def on(ch: grpc.aio.Channel) -> T:
        async with channel(roster.address, roster.token) as roster_ch:
            return await work(make(ch, roster_ch))

    return run_refusing(target or s.target(), on, idempotency_key=key)
