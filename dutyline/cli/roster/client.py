"""How `dutyline roster …` reaches the RosterService, remembering the sites it looked up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

import grpc
import typer

from dutyline.cli.common import connect
from dutyline.cli.common.session import session
from dutyline.cli.common.times import zone_named
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

T = TypeVar("T")

TIMEOUT = 15.0
# Submitting a handover gathers open items from other services first.
HANDOVER_TIMEOUT = 30.0


class Roster:
    """The RosterService for one command, remembering the sites it looked up."""

    def __init__(self, ch: grpc.aio.Channel) -> None:
        self.stub = roster_pb2_grpc.RosterServiceStub(ch)
        self._sites: dict[str, roster_pb2.Site] = {}

    async def site(self, site_id: str) -> roster_pb2.Site:
        if site_id not in self._sites:
            request = roster_pb2.GetSiteRequest(site_id=site_id)
            self._sites[site_id] = await self.stub.GetSite(request, timeout=TIMEOUT)
        return self._sites[site_id]

    async def zone(self, site_id: str) -> ZoneInfo:
        return zone_named((await self.site(site_id)).time_zone)


def call(
    ctx: typer.Context,
    work: Callable[[Roster], Awaitable[T]],
    *,
    key: str | None = None,
    target: connect.Target | None = None,
) -> T:
    async def on(ch: grpc.aio.Channel) -> T:
        return await work(Roster(ch))

    return connect.run(target or session(ctx).target(), on, idempotency_key=key)
