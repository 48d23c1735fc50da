"""What the roster's RPC groups share: the pool, running a change once per idempotency key, looking
up sites (and checking that the caller may read them), and the clock."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.message import Message

from dutyline.db.pool import Connection
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, NotFound
from dutyline.grpckit.server import ServiceContext
from dutyline.outbound import OutboundPolicy
from services.roster import access, store

R = TypeVar("R", bound=Message)

SITE_CACHE_SECONDS = 30.0


class RosterBase:
    def __init__(self, ctx: ServiceContext) -> None:
        self._pool = ctx.pool
        # Where users' IM and webhook URLs may point (dutyline.outbound).
        self._outbound = OutboundPolicy.parse(ctx.settings.outbound_allow)
        self._site_cache: dict[str, tuple[float, store.SiteRow]] = {}

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    async def once(
        self, method: str, request: Message, response_type: type[R], work: Callable[[Connection], Awaitable[R]]
    ) -> R:
        """The answer of ``work``, run in one transaction once per idempotency key (a retry gets the first
        answer). RPCs that act after the commit only when it is not a replay use ``idempotency.run_once``."""
        answer, _ = await idempotency.run_once(
            self._pool, method=method, request=request, response_type=response_type, work=work
        )
        return answer

    async def site(self, site_id: str, *, conn: Connection | None = None, field: str = "site_id") -> store.SiteRow:
        """The site, or INVALID_ARGUMENT naming the field when it does not exist."""
        if conn is None:
            async with self._pool.acquire() as own:
                site = await store.get_site(own, site_id=site_id)
        else:
            site = await store.get_site(conn, site_id=site_id)
        if site is None:
            raise InvalidArgument([FieldViolation(field, f"unknown site {site_id!r}")])
        return site

    async def readable_site(self, site_id: str) -> store.SiteRow:
        """The site of a listing or search, once the caller may read it (INVALID_ARGUMENT if unknown)."""
        site = await self.site(site_id)
        access.require_reader(current_principal(), site)
        return site

    async def existing_site(self, site_id: str) -> store.SiteRow:
        """The site, or NOT_FOUND (for reads addressed to a site)."""
        async with self._pool.acquire() as conn:
            site = await store.get_site(conn, site_id=site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        return site

    async def cached_site(self, site_id: str) -> store.SiteRow:
        """The site for the hot reads (GetOnDuty): sites change rarely, so a copy may be a little old."""
        cached = self._site_cache.get(site_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        site = await self.site(site_id)
        self._site_cache[site_id] = (time.monotonic() + SITE_CACHE_SECONDS, site)
        return site
