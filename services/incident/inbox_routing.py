"""Where an incident's reports go upward (上报): the office its reporting policy names, else the parent site
in roster's hierarchy; and how long that office has to sign for one."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.incident.inbox_store import DEFAULT_WINDOW_SECONDS


@dataclass(frozen=True)
class Route:
    # "": nobody (a headquarters whose policy names no recipient).
    recipient_site_id: str
    window_seconds: int


async def route(pool: asyncpg.Pool, roster: roster_pb2_grpc.RosterServiceStub, incident_id: str) -> Route:
    """The route of ``incident_id``'s reports. The parent site is learned from roster once and kept on the
    incident; while roster is away this raises and the caller (an activity) is retried."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            """SELECT i.site_id, i.parent_site_id, p.recipient_site_id, p.receipt_window_seconds
               FROM incidents i LEFT JOIN reporting_policies p ON p.id = i.policy_id AND p.version = i.policy_version
               WHERE i.id = $1""",
            incident_id,
        )
    if row is None:
        raise ValueError(f"incident {incident_id} does not exist")
    parent = row["parent_site_id"]
    if parent is None:
        site = await roster.GetSite(roster_pb2.GetSiteRequest(site_id=row["site_id"]), timeout=5.0)
        parent = site.parent_id
        async with pool.acquire() as conn:
            await conn.execute("UPDATE incidents SET parent_site_id = $2 WHERE id = $1", incident_id, parent)
    named = row["recipient_site_id"] or ""
    # A policy naming the incident's own office would deliver to itself: the parent it is then.
    recipient = named if named and named != row["site_id"] else parent
    return Route(recipient, row["receipt_window_seconds"] or DEFAULT_WINDOW_SECONDS)
