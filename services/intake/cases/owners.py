"""Who may own a case (承办): a person of the site (roster) or a department of the directory (通讯录)
of the site or of a region or headquarters above it; checked with roster, as intake itself."""

from __future__ import annotations

import grpc

from dutyline.directory import RosterDirectory, SiteInfo
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, Unavailable
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc

TIMEOUT = 2.0
PERSON, DEPARTMENT = "person", "department"


class Owners:
    def __init__(self, roster: RosterDirectory, stub: roster_pb2_grpc.RosterServiceStub) -> None:
        self._roster = roster
        self._stub = stub

    async def kind_of(self, owner_id: str, site: SiteInfo, *, field: str) -> str:
        """ "person" or "department"; INVALID_ARGUMENT on ``field`` if it is neither at the site."""
        try:
            await self._roster.require_person_at(owner_id, site, field=field)
            return PERSON
        except InvalidArgument as not_a_person:
            try:
                entry = await self._stub.GetDirectoryEntry(
                    roster_pb2.GetDirectoryEntryRequest(entry_id=owner_id), timeout=TIMEOUT
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    raise not_a_person from exc
                raise Unavailable(f"roster cannot say who {owner_id} is now; try again") from exc
        if entry.site_id != site.id and entry.site_id not in site.ancestor_ids:
            raise InvalidArgument([FieldViolation(field, f"{owner_id} is not in the directory of site {site.id}")])
        return DEPARTMENT
