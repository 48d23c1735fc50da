"""Sites, people and the directory (通讯录)."""

from __future__ import annotations

import grpc

from dutyline.db.pool import Connection
from dutyline.envelope import SITE_ID_PATTERN
from dutyline.grpckit.auth import ALL_SITES, current_principal
from dutyline.grpckit.convert import ROLE_NAMES
from dutyline.grpckit.errors import NotFound, PermissionDenied, Violations
from dutyline.roster.v1 import roster_pb2
from services.roster import access, convert, rules, store
from services.roster.base import RosterBase

CONTACT_CHANNELS = ("phone", "sms", "email", "im", "webhook")
PERSON_ROLES = ("officer", "leader", "unit_head", "admin", "supervisor")
PARENT_KINDS = {"region": ("headquarters",), "site": ("headquarters", "region")}
DEFAULTS = {
    "answer_limit_seconds": 15,
    "check_in_lead_minutes": 15,
    "absent_after_minutes": 30,
    "reminder_minutes": 60,
    "handover_accept_minutes": 30,
    "max_consecutive_shifts": 2,
}


def _contacts(v: Violations, field: str, items: list[roster_pb2.ContactMethod]) -> tuple[tuple[str, str], ...]:
    for index, contact in enumerate(items):
        v.require(
            contact.channel in CONTACT_CHANNELS, f"{field}[{index}].channel", "one of " + ", ".join(CONTACT_CHANNELS)
        )
        v.require(bool(contact.address.strip()), f"{field}[{index}].address", "required")
    return tuple((c.channel, c.address.strip()) for c in items)


class OrganizationRpcs(RosterBase):
    async def GetSite(self, request: roster_pb2.GetSiteRequest, context: grpc.aio.ServicerContext) -> roster_pb2.Site:
        # Any authenticated caller may read a site's public description (name, time zone).
        v = Violations()
        v.require(bool(request.site_id), "site_id", "required")
        v.raise_if_any()
        return convert.site_message(await self.existing_site(request.site_id))

    async def ListSites(
        self, request: roster_pb2.ListSitesRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListSitesResponse:
        async with self._pool.acquire() as conn:
            sites = await store.list_sites(conn, parent_id=request.parent_id or None)
        return roster_pb2.ListSitesResponse(sites=[convert.site_message(s) for s in sites])

    async def UpsertSite(
        self, request: roster_pb2.UpsertSiteRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Site:
        message = request.site
        principal = current_principal()
        v = Violations()
        v.require(bool(SITE_ID_PATTERN.match(message.id)), "site.id", "required: lower-case letters, digits and '-'")
        v.require(bool(message.name.strip()), "site.name", "required")
        kind = convert.SITE_KIND_NAMES.get(message.kind, "")
        v.require(bool(kind), "site.kind", "required: headquarters, region or site")
        v.require(
            rules.validate_time_zone(message.time_zone), "site.time_zone", "an IANA time zone, e.g. Asia/Shanghai"
        )
        numbers = {name: getattr(message, name) or default for name, default in DEFAULTS.items()}
        for name, value in numbers.items():
            v.require(0 < value <= 24 * 60, f"site.{name}", "between 1 and 1440")
        async with self._pool.acquire() as conn:
            parent = await store.get_site(conn, site_id=message.parent_id) if message.parent_id else None
        if kind in PARENT_KINDS:
            if parent is None:
                v.add("site.parent_id", "an existing headquarters or region")
            elif parent.kind not in PARENT_KINDS[kind]:
                v.add("site.parent_id", f"a {kind} belongs under " + " or ".join(PARENT_KINDS[kind]))
        elif message.parent_id:
            v.add("site.parent_id", "a headquarters has no parent")
        v.raise_if_any()
        # Creating or changing a site is an admin's act over its parent (or over everything).
        if parent is not None:
            access.require_admin(principal, parent)
        elif ALL_SITES not in principal.sites or not principal.has_role("admin", "system"):
            raise PermissionDenied("only an admin of every site may create a headquarters")
        row = store.SiteRow(
            id=message.id,
            name=message.name.strip(),
            kind=kind,
            parent_id=message.parent_id or None,
            time_zone=message.time_zone,
            jurisdiction=message.jurisdiction.strip(),
            greeting=message.greeting.strip(),
            ancestor_ids=(),
            **numbers,
        )

        async def work(conn: Connection) -> roster_pb2.Site:
            await store.upsert_site(conn, site=row)
            saved = await store.get_site(conn, site_id=row.id)
            assert saved is not None
            return convert.site_message(saved)

        return await self.once("UpsertSite", request, roster_pb2.Site, work)

    async def GetPerson(
        self, request: roster_pb2.GetPersonRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Person:
        async with self._pool.acquire() as conn:
            person = await store.get_person(conn, person_id=request.person_id)
            site = await store.get_site(conn, site_id=person.site_id) if person else None
        if person is None or site is None:
            raise NotFound(f"person {request.person_id} does not exist")
        access.require_reader(current_principal(), site)
        return convert.person_message(person)

    async def ListPeople(
        self, request: roster_pb2.ListPeopleRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListPeopleResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            people = await store.list_people(conn, site_id=site.id, role=ROLE_NAMES.get(request.role))
        return roster_pb2.ListPeopleResponse(people=[convert.person_message(p) for p in people])

    async def UpsertPerson(
        self, request: roster_pb2.UpsertPersonRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Person:
        message = request.person
        v = Violations()
        v.require(bool(SITE_ID_PATTERN.match(message.id)), "person.id", "required: lower-case letters, digits and '-'")
        v.require(bool(message.display_name.strip()), "person.display_name", "required")
        roles = [ROLE_NAMES.get(r, "") for r in message.roles]
        v.require(bool(roles), "person.roles", "at least one role")
        for index, role in enumerate(roles):
            v.require(role in PERSON_ROLES, f"person.roles[{index}]", "one of " + ", ".join(PERSON_ROLES))
        contacts = _contacts(v, "person.contacts", list(message.contacts))
        v.raise_if_any()
        site = await self.site(message.site_id, field="person.site_id")
        access.require_admin(current_principal(), site)

        async def work(conn: Connection) -> roster_pb2.Person:
            await store.upsert_person(
                conn,
                person_id=message.id,
                display_name=message.display_name.strip(),
                site_id=site.id,
                roles=roles,
                contacts=contacts,
                department=message.department.strip(),
                qualifications=[q.strip() for q in message.qualifications if q.strip()],
            )
            saved = await store.get_person(conn, person_id=message.id)
            assert saved is not None
            return convert.person_message(saved)

        return await self.once("UpsertPerson", request, roster_pb2.Person, work)

    async def UpsertDirectoryEntry(
        self, request: roster_pb2.UpsertDirectoryEntryRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.DirectoryEntry:
        message = request.entry
        v = Violations()
        v.require(bool(SITE_ID_PATTERN.match(message.id)), "entry.id", "required: lower-case letters, digits and '-'")
        v.require(bool(message.department.strip()), "entry.department", "required")
        contacts = _contacts(v, "entry.contacts", list(message.contacts))
        v.require(bool(contacts), "entry.contacts", "at least one contact")
        v.raise_if_any()
        site = await self.site(message.site_id, field="entry.site_id")
        access.require_admin(current_principal(), site)
        row = store.DirectoryRow(
            id=message.id,
            site_id=site.id,
            department=message.department.strip(),
            name=message.name.strip(),
            title=message.title.strip(),
            contacts=contacts,
        )

        async def work(conn: Connection) -> roster_pb2.DirectoryEntry:
            await store.upsert_directory_entry(conn, entry=row)
            return convert.directory_message(row)

        return await self.once("UpsertDirectoryEntry", request, roster_pb2.DirectoryEntry, work)

    async def SearchDirectory(
        self, request: roster_pb2.SearchDirectoryRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.SearchDirectoryResponse:
        site = await self.readable_site(request.site_id)
        v = Violations()
        v.require(len(request.query) <= 100, "query", "at most 100 characters")
        v.raise_if_any()
        async with self._pool.acquire() as conn:
            # A site sees its own directory, its region's and headquarters', and its sub-sites'.
            scope = list(site.ancestor_ids) + await store.descendant_site_ids(conn, site_id=site.id)
            entries = await store.search_directory(conn, site_ids=scope, query=request.query)
        return roster_pb2.SearchDirectoryResponse(entries=[convert.directory_message(e) for e in entries])
