"""How `dutyline notify …` and `dutyline agency …` reach the NotifyService: with the caller's token and
the roster for sites' zones and people's names (best effort: a lookup that fails never fails the
command), or, to acknowledge with the one-time token from a message, without any login at all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import grpc
import typer

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import t
from dutyline.cli.common.session import run_refusing, session
from dutyline.cli.common.times import zone_named
from dutyline.grpckit.client import balanced_target, channel
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

T = TypeVar("T")

TIMEOUT = 15.0
LOOKUP_TIMEOUT = 5.0
MAX_PAGE = 500
# A site whose zone cannot be read is shown in UTC (and says so).
FALLBACK_ZONE = "UTC"


class Notify:
    """The NotifyService for one command, with the roster for sites' zones and people's names (each
    looked up once, never failing the command)."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        self.stub = notify_pb2_grpc.NotifyServiceStub(ch)
        self._roster = roster_pb2_grpc.RosterServiceStub(roster)
        self._sites: dict[str, roster_pb2.Site | None] = {}
        self._names: dict[str, str] = {}

    async def site(self, site_id: str) -> roster_pb2.Site | None:
        if site_id and site_id not in self._sites:
            try:
                request = roster_pb2.GetSiteRequest(site_id=site_id)
                self._sites[site_id] = await self._roster.GetSite(request, timeout=LOOKUP_TIMEOUT)
            except grpc.aio.AioRpcError:
                self._sites[site_id] = None
        return self._sites.get(site_id)

    async def zones(self, site_ids: Iterable[str]) -> None:
        """Look the sites up (at once), so that ``known_zone`` knows them."""
        await asyncio.gather(*(self.site(s) for s in set(site_ids)))

    async def zone(self, site_id: str) -> ZoneInfo:
        await self.site(site_id)
        return self.known_zone(site_id)

    def known_zone(self, site_id: str) -> ZoneInfo:
        """The zone of a site looked up before; UTC when it was not, or could not be read."""
        site = self._sites.get(site_id)
        return zone_named(site.time_zone if site else "", FALLBACK_ZONE)

    async def site_label(self, site_id: str) -> str:
        site = await self.site(site_id)
        return f"{site.name} ({site_id})" if site and site.name else site_id

    async def names(self, person_ids: Iterable[str]) -> dict[str, str]:
        """Display names of people (those that cannot be read are left out)."""

        async def name(person_id: str) -> None:
            try:
                request = roster_pb2.GetPersonRequest(person_id=person_id)
                found = await self._roster.GetPerson(request, timeout=LOOKUP_TIMEOUT)
                self._names[person_id] = str(found.display_name)
            except grpc.aio.AioRpcError:
                self._names[person_id] = ""

        wanted = {p for p in person_ids if p and p not in self._names}
        await asyncio.gather(*(name(p) for p in wanted))
        return {p: n for p, n in self._names.items() if n}


def call(
    ctx: typer.Context,
    work: Callable[[Notify], Awaitable[T]],
    *,
    key: str | None = None,
    target: connect.Target | None = None,
) -> T:
    """Run ``work`` against the NotifyService with the caller's token; a refused step
    (FAILED_PRECONDITION) is one line "Refused …", any other gRPC error the usual one line."""
    s = session(ctx)
    roster = s.target("roster")

    async def on(ch: grpc.aio.Channel) -> T:
        async with channel(roster.address, roster.token) as roster_ch:
            return await work(Notify(ch, roster_ch))

    return run_refusing(target or s.target("notify"), on, idempotency_key=key)


# Only to find the address: a request with the message's token carries no authorization at all.
_NO_LOGIN = "-"


def acknowledge_with_token(state_dir: Path, request: notify_pb2.AcknowledgeRequest) -> notify_pb2.Notification:
    """Acknowledge with the one-time token from the message: no login, no authorization metadata
    (the server admits Acknowledge without a bearer token when ``ack_token`` is given)."""
    target = connect.resolve("notify", token=_NO_LOGIN, state_dir=state_dir)

    async def main() -> notify_pb2.Notification:
        address, options = balanced_target(target.address)
        async with grpc.aio.insecure_channel(address, options=options) as ch:
            answer: notify_pb2.Notification = await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
                request, timeout=TIMEOUT
            )
            return answer

    try:
        return asyncio.run(main())
    except grpc.aio.AioRpcError as error:
        lines = [connect.describe(error, target)]
        if error.code() in connect.RETRYABLE:
            lines.append(t("error.retry", key=request.idempotency_key))
        connect.fail("\n".join(lines))
