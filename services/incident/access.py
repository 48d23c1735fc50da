"""The incident a request names, if the caller acts for its site (or a region above it): the one
check every incident RPC makes first, whichever servicer hosts it."""

from __future__ import annotations

import asyncpg

from dutyline.directory import RosterDirectory
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.errors import NotFound
from services.incident import store


async def readable_incident(pool: asyncpg.Pool, roster: RosterDirectory, incident_id: str) -> store.IncidentRow:
    async with pool.acquire() as conn:
        incident = await store.get_incident(conn, incident_id=incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    site = await roster.site(incident.site_id)
    current_principal().require_site(incident.site_id, site.ancestor_ids)
    return incident
