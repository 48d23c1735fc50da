"""RosterService over gRPC. The sites and who-is-on-duty part that the first slice needs; the
roster proper (patterns, rotations, leave, swaps, check-in, handover) answers UNIMPLEMENTED until
its issue lands."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import ROLE_VALUES, from_ts, ts
from dutyline.grpckit.errors import NotFound, Violations
from dutyline.grpckit.server import ServiceContext
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.roster import store

SITE_KINDS = {
    "headquarters": roster_pb2.SITE_KIND_HEADQUARTERS,
    "region": roster_pb2.SITE_KIND_REGION,
    "site": roster_pb2.SITE_KIND_SITE,
}


def site_message(site: store.SiteRow) -> roster_pb2.Site:
    return roster_pb2.Site(
        id=site.id,
        name=site.name,
        kind=SITE_KINDS[site.kind],
        parent_id=site.parent_id or "",
        time_zone=site.time_zone,
        jurisdiction=site.jurisdiction,
        answer_limit_seconds=site.answer_limit_seconds,
        greeting=site.greeting,
        ancestor_ids=list(site.ancestor_ids),
    )


def person_message(person: store.PersonRow) -> roster_pb2.Person:
    return roster_pb2.Person(
        id=person.id,
        display_name=person.display_name,
        site_id=person.site_id,
        roles=[ROLE_VALUES[r] for r in person.roles if r in ROLE_VALUES],
        qualifications=list(person.qualifications),
        contacts=[roster_pb2.ContactMethod(channel=c, address=a) for c, a in person.contacts],
        department=person.department,
    )


class RosterServicer(roster_pb2_grpc.RosterServiceServicer):
    def __init__(self, ctx: ServiceContext) -> None:
        self._pool = ctx.pool

    async def _site(self, site_id: str) -> store.SiteRow:
        violations = Violations()
        violations.require(bool(site_id), "site_id", "required")
        violations.raise_if_any()
        async with self._pool.acquire() as conn:
            site = await store.get_site(conn, site_id=site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        return site

    async def GetSite(
        self, request: roster_pb2.GetSiteRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Site:
        # Any authenticated caller may read a site's public description (name, time zone).
        return site_message(await self._site(request.site_id))

    async def ListSites(
        self, request: roster_pb2.ListSitesRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListSitesResponse:
        async with self._pool.acquire() as conn:
            sites = await store.list_sites(conn, parent_id=request.parent_id or None)
        return roster_pb2.ListSitesResponse(sites=[site_message(s) for s in sites])

    async def GetPerson(
        self, request: roster_pb2.GetPersonRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Person:
        async with self._pool.acquire() as conn:
            person = await store.get_person(conn, person_id=request.person_id)
            site = await store.get_site(conn, site_id=person.site_id) if person else None
        if person is None or site is None:
            raise NotFound(f"person {request.person_id} does not exist")
        current_principal().require_site(site.id, site.ancestor_ids)
        return person_message(person)

    async def ListPeople(
        self, request: roster_pb2.ListPeopleRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListPeopleResponse:
        site = await self._site(request.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        role = next((n for n, v in ROLE_VALUES.items() if v == request.role), None)
        async with self._pool.acquire() as conn:
            people = await store.list_people(conn, site_id=site.id, role=role)
        return roster_pb2.ListPeopleResponse(people=[person_message(p) for p in people])

    async def GetOnDuty(
        self, request: roster_pb2.GetOnDutyRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.OnDuty:
        site = await self._site(request.site_id)
        current_principal().require_site(site.id, site.ancestor_ids)
        at = from_ts(request.at) if request.HasField("at") else datetime.now(UTC)
        async with self._pool.acquire() as conn:
            rows = await store.on_duty(conn, site_id=site.id, at=at)
            valid_until = await store.next_change(conn, site_id=site.id, at=at)
        people = [
            roster_pb2.DutyPerson(
                person_id=r.person_id,
                display_name=r.display_name,
                role=ROLE_VALUES[r.role],
                assignment_id=r.assignment_id,
                shift_name=r.shift_name,
            )
            for r in rows
        ]
        return roster_pb2.OnDuty(
            site_id=site.id,
            at=ts(at),
            officers=[p for p in people if p.role == ROLE_VALUES["officer"]],
            leaders=[p for p in people if p.role == ROLE_VALUES["leader"]],
            valid_until=ts(valid_until),
        )


async def build(ctx: ServiceContext, server: grpc.aio.Server) -> str:
    roster_pb2_grpc.add_RosterServiceServicer_to_server(RosterServicer(ctx), server)
    return str(roster_pb2.DESCRIPTOR.services_by_name["RosterService"].full_name)
