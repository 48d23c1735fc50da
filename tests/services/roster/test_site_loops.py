"""A loop in the site hierarchy on the real stack: UpsertSite refuses a site under itself or under a
site below it (found by tests/properties: such a site hung every read of it — the recursive walk up
its parents never ended, holding a database connection), and a loop already in the table no longer
hangs the reads."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
# A loop made every read of the site wait forever: anything slower than this is that bug.
QUICK = 10.0


@pytest.fixture
async def roster(platform: Any) -> AsyncIterator[roster_pb2_grpc.RosterServiceStub]:
    async with channel(platform.address("roster"), ADMIN) as ch:
        yield roster_pb2_grpc.RosterServiceStub(ch)


def site(site_id: str, kind: int, parent_id: str = "") -> roster_pb2.UpsertSiteRequest:
    return roster_pb2.UpsertSiteRequest(
        idempotency_key=str(uuid.uuid4()),
        site=roster_pb2.Site(id=site_id, name=f"loop {site_id}", kind=kind, parent_id=parent_id, time_zone="UTC"),
    )


async def refused_parent(roster: roster_pb2_grpc.RosterServiceStub, request: roster_pb2.UpsertSiteRequest) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await roster.UpsertSite(request, timeout=QUICK)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
    assert [v.field for v in field_violations(refused.value)] == ["site.parent_id"]


async def test_a_site_is_not_put_under_itself_or_a_site_below_it(roster: roster_pb2_grpc.RosterServiceStub) -> None:
    top, middle = f"loop-{uuid.uuid4().hex[:6]}", f"loop-{uuid.uuid4().hex[:6]}"
    await roster.UpsertSite(site(top, roster_pb2.SITE_KIND_HEADQUARTERS), timeout=QUICK)
    # A region under itself: its parent (itself) is a headquarters, so only the loop is wrong.
    await refused_parent(roster, site(top, roster_pb2.SITE_KIND_REGION, parent_id=top))
    await roster.UpsertSite(site(middle, roster_pb2.SITE_KIND_REGION, parent_id=top), timeout=QUICK)
    # The headquarters as a site under its own region: a loop of two.
    await refused_parent(roster, site(top, roster_pb2.SITE_KIND_SITE, parent_id=middle))
    # Nothing changed: the headquarters is still the top.
    read = await roster.GetSite(roster_pb2.GetSiteRequest(site_id=middle), timeout=QUICK)
    assert list(read.ancestor_ids) == [top] and read.parent_id == top
    read = await roster.GetSite(roster_pb2.GetSiteRequest(site_id=top), timeout=QUICK)
    assert read.kind == roster_pb2.SITE_KIND_HEADQUARTERS and not read.parent_id


async def test_a_loop_already_in_the_table_does_not_hang_the_reads(
    roster: roster_pb2_grpc.RosterServiceStub, db: asyncpg.Connection
) -> None:
    first, second = f"loop-{uuid.uuid4().hex[:6]}", f"loop-{uuid.uuid4().hex[:6]}"
    await roster.UpsertSite(site(first, roster_pb2.SITE_KIND_HEADQUARTERS), timeout=QUICK)
    await roster.UpsertSite(site(second, roster_pb2.SITE_KIND_REGION, parent_id=first), timeout=QUICK)
    # Made as two concurrent upserts (each checked against the other's old parent) could make it.
    await db.execute("UPDATE roster.sites SET parent_id = $2 WHERE id = $1", first, second)
    try:
        read = await roster.GetSite(roster_pb2.GetSiteRequest(site_id=second), timeout=QUICK)
        assert list(read.ancestor_ids) == [first]
        found = await roster.SearchDirectory(
            roster_pb2.SearchDirectoryRequest(site_id=first, query="nothing like this"), timeout=QUICK
        )
        assert list(found.entries) == []
    finally:
        await db.execute("UPDATE roster.sites SET parent_id = NULL WHERE id = $1", first)
