"""What insight's RPC groups share: the pool of its schema, the sites (from roster, to tell whose they
are and which sites a region covers), the event stream, and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from nats.js import JetStreamContext

from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.errors import Unavailable


@dataclass(frozen=True)
class Stream:
    """The event stream the read model is built from: JetStream and the stream's name."""

    js: JetStreamContext
    name: str


class InsightBase:
    def __init__(self, *, pool: asyncpg.Pool, sites: RosterDirectory, stream: Stream) -> None:
        self._pool = pool
        self._sites = sites
        self._stream = stream

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    async def site_of_caller(self, site_id: str) -> SiteInfo:
        """The site, once the caller acts for it or a region above it (INVALID_ARGUMENT naming site_id
        when roster knows no such site, PERMISSION_DENIED when it is not the caller's, UNAVAILABLE while
        roster cannot tell)."""
        site = await self._sites.site(site_id)
        if not site.confirmed:
            raise Unavailable(f"roster cannot tell whose site {site_id} is now; try again / 暂时无法核实站点，请重试")
        current_principal().require_site(site.id, site.ancestor_ids)
        return site
