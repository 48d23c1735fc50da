"""What services ask roster: a site (cached, sites rarely change) and who is on duty."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import grpc
import structlog

from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

log = structlog.get_logger(__name__)

DEFAULT_ANSWER_LIMIT_SECONDS = 15
SITE_TTL_SECONDS = 60.0
ROSTER_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class SiteInfo:
    id: str
    ancestor_ids: tuple[str, ...]
    answer_limit_seconds: int
    # False when roster could not answer: the call is still registered, the gap is noted.
    confirmed: bool


class RosterDirectory:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = roster_pb2_grpc.RosterServiceStub(channel)
        self._sites: dict[str, tuple[float, SiteInfo]] = {}

    async def site(self, site_id: str) -> SiteInfo:
        cached = self._sites.get(site_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            site = await self._stub.GetSite(
                roster_pb2.GetSiteRequest(site_id=site_id), timeout=ROSTER_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                raise InvalidArgument([FieldViolation("site_id", f"unknown site {site_id!r}")]) from exc
            log.warning("roster unavailable for site lookup", site_id=site_id, code=exc.code().name)
            return SiteInfo(site_id, (), DEFAULT_ANSWER_LIMIT_SECONDS, confirmed=False)
        info = SiteInfo(
            site.id, tuple(site.ancestor_ids), site.answer_limit_seconds or DEFAULT_ANSWER_LIMIT_SECONDS, True
        )
        self._sites[site_id] = (time.monotonic() + SITE_TTL_SECONDS, info)
        return info

    async def assignment_of(self, *, site_id: str, officer_id: str, at: datetime) -> str:
        """The officer's duty assignment in force at ``at``; empty if none or roster cannot tell."""
        try:
            on_duty = await self._stub.GetOnDuty(
                roster_pb2.GetOnDutyRequest(site_id=site_id, at=ts(at)), timeout=ROSTER_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("roster unavailable for on-duty lookup", site_id=site_id, code=exc.code().name)
            return ""
        for person in (*on_duty.officers, *on_duty.leaders):
            if person.person_id == officer_id:
                return str(person.assignment_id)
        return ""
