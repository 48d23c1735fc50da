"""Sites, people and the directory (通讯录)."""

from __future__ import annotations

import grpc

from dutyline.db.pool import Connection
from dutyline.grpckit.auth import ALL_SITES, current_principal
from dutyline.grpckit.convert import ROLE_NAMES
from dutyline.grpckit.errors import NotFound, PermissionDenied, Violations
from dutyline.outbound import BlockedUrl, OutboundPolicy
from dutyline.roster.v1 import roster_pb2
from services.roster import access, convert, rules, store
from services.roster.base import RosterBase

PARENT_KINDS = {"region": ("headquarters",), "site": ("headquarters", "region")}
DEFAULTS = {
    "answer_limit_seconds": 15,
    "check_in_lead_minutes": 15,
    "absent_after_minutes": 30,
    "reminder_minutes": 60,
    "handover_accept_minutes": 30,
    "max_consecutive_shifts": 2,
}


def _contacts(items: list[roster_pb2.ContactMethod]) -> tuple[tuple[str, str], ...]:
    return tuple((c.channel, c.address.strip()) for c in items)


async def _check_urls(policy: OutboundPolicy, contacts: tuple[tuple[str, str], ...], field: str) -> None:
    """IM and webhook addresses are URLs notify will POST to: only where dutyline.outbound admits."""
    v = Violations()
    for i, (channel, address) in enumerate(contacts):
        if channel in ("im", "webhook"):
            try:
                await policy.check_resolved(address)
            except BlockedUrl as exc:
                v.add(f"{field}[{i}].address", f"{exc} (仅接受指向公网地址的 https 网址)")
    v.raise_if_any()


class OrganizationRpcs(RosterBase):
    """The limits of every field (ids, lengths, kinds, roles, channels, the duty-rule numbers) are the
    protos'; checked before these run. Here: what needs the database or the time zone database."""

    async def GetSite(self, request: roster_pb2.GetSiteRequest, context: grpc.aio.ServicerContext) -> roster_pb2.Site:
        # Any authenticated caller may read a site's public description (name, time zone).
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
        kind = convert.SITE_KIND_NAMES[message.kind]
        v = Violations()
        v.require(
            rules.validate_time_zone(message.time_zone), "site.time_zone", "an IANA time zone, e.g. Asia/Shanghai"
        )
        numbers = {name: getattr(message, name) or default for name, default in DEFAULTS.items()}
        async with self._pool.acquire() as conn:
            parent = await store.get_site(conn, site_id=message.parent_id) if message.parent_id else None
            existing = await store.get_site(conn, site_id=message.id)
            old_parent_id = existing.parent_id if existing else None
            old_parent = await store.get_site(conn, site_id=old_parent_id) if old_parent_id else None
        # Whether a parent is named at all is the proto's rule (site.parent); what it is, is known here.
        if kind in PARENT_KINDS:
            if parent is None:
                v.add("site.parent_id", "an existing headquarters or region")
            elif parent.kind not in PARENT_KINDS[kind]:
                v.add("site.parent_id", f"a {kind} belongs under " + " or ".join(PARENT_KINDS[kind]))
            elif message.id == parent.id or message.id in parent.ancestor_ids:
                # A loop (a site under itself, or under a site below it) would have no top.
                v.add("site.parent_id", "not the site itself nor a site below it")
        v.raise_if_any()
        # Creating or changing a site is an admin's act over its parent (or over everything).
        if parent is not None:
            access.require_admin(principal, parent)
        elif ALL_SITES not in principal.sites or not principal.has_role("admin", "system"):
            raise PermissionDenied("only an admin of every site may create a headquarters")
        # Changing an existing site (re-parenting a region, say) is an act over where it is now too.
        if old_parent is not None:
            access.require_admin(principal, old_parent)
        elif existing is not None and ALL_SITES not in principal.sites:
            raise PermissionDenied(f"only an admin of every site may change headquarters {existing.id}")
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
        roles = [ROLE_NAMES[r] for r in message.roles]
        contacts = _contacts(list(message.contacts))
        await _check_urls(self._outbound, contacts, "person.contacts")
        site = await self.site(message.site_id, field="person.site_id")
        principal = current_principal()
        access.require_admin(principal, site)
        # An existing person is moved or rewritten: the admin must act for the site they are at now.
        async with self._pool.acquire() as conn:
            existing = await store.get_person(conn, person_id=message.id)
        if existing is not None and existing.site_id != site.id:
            access.require_admin(principal, await self.site(existing.site_id))

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
        contacts = _contacts(list(message.contacts))
        await _check_urls(self._outbound, contacts, "entry.contacts")
        site = await self.site(message.site_id, field="entry.site_id")
        principal = current_principal()
        access.require_admin(principal, site)
        # Overwriting another site's entry (its contacts) needs rights over that site as well.
        async with self._pool.acquire() as conn:
            current_site = await store.directory_entry_site(conn, entry_id=message.id)
        if current_site is not None and current_site != site.id:
            access.require_admin(principal, await self.site(current_site))
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

    async def GetDirectoryEntry(
        self, request: roster_pb2.GetDirectoryEntryRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.DirectoryEntry:
        async with self._pool.acquire() as conn:
            entry = await store.get_directory_entry(conn, entry_id=request.entry_id)
            site = await store.get_site(conn, site_id=entry.site_id) if entry else None
        if entry is None or site is None:
            raise NotFound(f"directory entry {request.entry_id} does not exist")
        access.require_reader(current_principal(), site)
        return convert.directory_message(entry)

    async def SearchDirectory(
        self, request: roster_pb2.SearchDirectoryRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.SearchDirectoryResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            # A site sees its own directory, its region's and headquarters', and its sub-sites'.
            scope = list(site.ancestor_ids) + await store.descendant_site_ids(conn, site_id=site.id)
            entries = await store.search_directory(conn, site_ids=scope, query=request.query)
        return roster_pb2.SearchDirectoryResponse(entries=[convert.directory_message(e) for e in entries])
