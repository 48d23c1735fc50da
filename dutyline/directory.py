"""What services ask roster: a site (cached, sites rarely change) and who is on duty."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import grpc
import structlog

from dutyline.grpckit.auth import ALL_SITES, Principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

log = structlog.get_logger(__name__)

DEFAULT_ANSWER_LIMIT_SECONDS = 15
SITE_TTL_SECONDS = 60.0
ON_DUTY_TTL_SECONDS = 30.0
ROSTER_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class SiteInfo:
    id: str
    ancestor_ids: tuple[str, ...]
    answer_limit_seconds: int
    # False when roster could not answer: the call is still registered, the gap is noted.
    confirmed: bool
    time_zone: str = "Asia/Shanghai"
    jurisdiction: str = ""
    # The name people know the site by (e.g. 杭州市应急管理局总值班室), for documents.
    name: str = ""


class RosterDirectory:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = roster_pb2_grpc.RosterServiceStub(channel)
        self._sites: dict[str, tuple[float, SiteInfo]] = {}
        self._people: dict[str, tuple[float, str | None]] = {}
        self._on_duty: dict[str, tuple[datetime, datetime, float, roster_pb2.OnDuty]] = {}

    async def site(self, site_id: str) -> SiteInfo:
        cached = self._sites.get(site_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            site = await self._stub.GetSite(roster_pb2.GetSiteRequest(site_id=site_id), timeout=ROSTER_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise InvalidArgument([FieldViolation("site_id", f"unknown site {site_id!r}")]) from exc
            log.warning("roster unavailable for site lookup", site_id=site_id, code=exc.code().name)
            return SiteInfo(site_id, (), DEFAULT_ANSWER_LIMIT_SECONDS, confirmed=False)
        info = SiteInfo(
            site.id,
            tuple(site.ancestor_ids),
            site.answer_limit_seconds or DEFAULT_ANSWER_LIMIT_SECONDS,
            True,
            time_zone=site.time_zone,
            jurisdiction=site.jurisdiction,
            name=site.name,
        )
        self._sites[site_id] = (time.monotonic() + SITE_TTL_SECONDS, info)
        return info

    async def sites_under(self, site_ids: Iterable[str]) -> list[str]:
        """The sites and regions named, with everything below them (a region's sites, an HQ's regions…)."""
        found: list[str] = []
        pending = list(site_ids)
        while pending:
            site_id = pending.pop()
            if site_id in found:
                continue
            found.append(site_id)
            children = await self._stub.ListSites(roster_pb2.ListSitesRequest(parent_id=site_id), timeout=5.0)
            pending.extend(s.id for s in children.sites)
        return found

    async def require_person_at(self, person_id: str, site: SiteInfo, *, field: str) -> None:
        """INVALID_ARGUMENT on ``field`` unless ``person_id`` is a person of the site, or of a region
        or headquarters above it. Roster being away is not the caller's fault: then nothing is said."""
        cached = self._people.get(person_id)
        if cached is not None and cached[0] > time.monotonic():
            home = cached[1]
        else:
            try:
                person = await self._stub.GetPerson(
                    roster_pb2.GetPersonRequest(person_id=person_id), timeout=ROSTER_TIMEOUT_SECONDS
                )
                home = person.site_id
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    log.warning("roster unavailable for a person lookup", person_id=person_id, code=exc.code().name)
                    return
                home = None
            self._people[person_id] = (time.monotonic() + SITE_TTL_SECONDS, home)
        if home is None:
            raise InvalidArgument([FieldViolation(field, f"unknown person {person_id!r}")])
        if home != site.id and home not in site.ancestor_ids:
            raise InvalidArgument([FieldViolation(field, f"{person_id} does not act at site {site.id}")])

    async def directory_entry_site(self, entry_id: str) -> str | None:
        """The site of an entry of the directory (通讯录); None when roster knows no such entry or cannot say."""
        try:
            entry = await self._stub.GetDirectoryEntry(
                roster_pb2.GetDirectoryEntryRequest(entry_id=entry_id), timeout=ROSTER_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                log.warning("roster unavailable for a directory lookup", entry_id=entry_id, code=exc.code().name)
            return None
        return str(entry.site_id)

    async def readable_sites(self, principal: Principal, site_id: str = "") -> list[str] | None:
        """The sites a read covers: ``site_id`` if given (PERMISSION_DENIED unless the reader acts
        for it) with the sites below it when it is a region, else every site the reader acts for with
        the sites below its regions; None: all."""
        if site_id:
            site = await self.site(site_id)
            principal.require_site(site.id, site.ancestor_ids)
            return await self.sites_under([site.id])
        if ALL_SITES in principal.sites:
            return None
        return await self.sites_under(principal.sites)

    async def on_duty(self, *, site_id: str, at: datetime) -> roster_pb2.OnDuty | None:
        """Who is on duty at ``at``; None if roster cannot tell.

        Every call asks this, so an answer is reused while it holds: from its instant until the next
        shift change, and at most ON_DUTY_TTL_SECONDS so that approved leave and swaps show soon.
        """
        cached = self._on_duty.get(site_id)
        if cached is not None:
            valid_from, valid_until, expires, answer = cached
            if valid_from <= at < valid_until and time.monotonic() < expires:
                return answer
        try:
            answer = await self._stub.GetOnDuty(
                roster_pb2.GetOnDutyRequest(site_id=site_id, at=ts(at)), timeout=ROSTER_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("roster unavailable for on-duty lookup", site_id=site_id, code=exc.code().name)
            return None
        if answer.HasField("valid_until"):
            until = from_ts(answer.valid_until)
            self._on_duty[site_id] = (at, until, time.monotonic() + ON_DUTY_TTL_SECONDS, answer)
        return answer

    async def assignment_of(self, *, site_id: str, officer_id: str, at: datetime) -> tuple[str, bool]:
        """The officer's duty assignment in force at ``at`` ("" if none), and whether roster answered."""
        on_duty = await self.on_duty(site_id=site_id, at=at)
        if on_duty is None:
            return "", False
        for person in (*on_duty.officers, *on_duty.leaders):
            if person.person_id == officer_id:
                return str(person.assignment_id), True
        return "", True
