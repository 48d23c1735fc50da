"""What the roster's RPC groups share: the pool, looking up sites, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from dutyline.db.pool import Connection
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, NotFound
from dutyline.grpckit.server import ServiceContext
from services.roster import store


class RosterBase:
    def __init__(self, ctx: ServiceContext) -> None:
        self._pool = ctx.pool
        self._settings = ctx.settings

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    async def site(self, site_id: str, *, conn: Connection | None = None, field: str = "site_id") -> store.SiteRow:
        """The site, or INVALID_ARGUMENT naming the field when it does not exist."""
        if not site_id:
            raise InvalidArgument([FieldViolation(field, "required")])
        if conn is None:
            async with self._pool.acquire() as own:
                site = await store.get_site(own, site_id=site_id)
        else:
            site = await store.get_site(conn, site_id=site_id)
        if site is None:
            raise InvalidArgument([FieldViolation(field, f"unknown site {site_id!r}")])
        return site

    async def existing_site(self, site_id: str) -> store.SiteRow:
        """The site, or NOT_FOUND (for reads addressed to a site)."""
        async with self._pool.acquire() as conn:
            site = await store.get_site(conn, site_id=site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        return site
