"""Issue 14, finding 23: GetTimeline, ListViolations and ListCallbacks answer a page at a time
(page_size up to 500, 100 by default, a token for the next page), not every row there is."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

pytestmark = pytest.mark.stack

Page = Callable[[common_pb2.PageRequest], Awaitable[tuple[list[str], str]]]


async def every_page(read: Page, size: int) -> list[list[str]]:
    pages, token = [], ""
    while True:
        ids, token = await read(common_pb2.PageRequest(page_size=size, page_token=token))
        pages.append(ids)
        if not token:
            return pages


async def pages_cover_the_whole_list(read: Page) -> list[str]:
    """Pages of two are at most two long and, end to end, the list read at once."""
    whole, last = await read(common_pb2.PageRequest(page_size=500))
    assert last == "" and len(whole) < 500
    pages = await every_page(read, 2)
    assert all(len(p) <= 2 for p in pages) and [i for p in pages for i in p] == whole
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await read(common_pb2.PageRequest(page_size=501))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page.page_size" in [v.field for v in field_violations(err.value)]
    return whole


async def test_a_timeline_is_read_a_page_at_a_time(intake: Any, incidents: Any) -> None:
    reply = await intake.RegisterCall(emergency_call())
    for n in range(3):
        await incidents.AddProgress(
            incident_pb2.AddProgressRequest(
                idempotency_key=str(uuid.uuid4()), incident_id=reply.incident_id, text=f"进展 progress {n}"
            )
        )

    async def read(page: common_pb2.PageRequest) -> tuple[list[str], str]:
        got = await incidents.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=reply.incident_id, page=page))
        return [str(e.seq) for e in got.entries], got.page.next_page_token

    whole = await pages_cover_the_whole_list(read)
    assert len(whole) >= 4


async def test_violations_are_listed_a_page_at_a_time(platform: Any, intake: Any, db: asyncpg.Connection) -> None:
    reply = await intake.RegisterCall(emergency_call(drill=True))
    person = f"p-paging-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    for n in range(5):
        await db.execute(
            "INSERT INTO incident.violations (id, incident_id, site_id, person_id, kind, report_kind, number, "
            "recorded_at, drill) VALUES ($1, $2, 'hz-01', $3, 'late', 'follow_up', $4, $5, true)",
            f"v-{person}-{n}",
            reply.incident_id,
            person,
            n,
            now - timedelta(minutes=n),
        )
    async with channel(platform.address("incident"), token_for("p-admin", ["admin"], ["*"])) as ch:
        stub = incident_pb2_grpc.IncidentServiceStub(ch)

        async def read(page: common_pb2.PageRequest) -> tuple[list[str], str]:
            got = await stub.ListViolations(
                incident_pb2.ListViolationsRequest(site_id="hz-01", person_id=person, include_drills=True, page=page)
            )
            return [v.id for v in got.violations], got.page.next_page_token

        whole = await pages_cover_the_whole_list(read)
    assert whole == [f"v-{person}-{n}" for n in reversed(range(5))]  # oldest first


async def test_callbacks_are_listed_a_page_at_a_time(intake: Any) -> None:
    reply = await intake.RegisterCall(emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION))
    made = [
        (
            await intake.PromiseCallback(
                intake_pb2.PromiseCallbackRequest(
                    idempotency_key=str(uuid.uuid4()),
                    call_id=reply.call.id,
                    recipient_id=reply.call.officer_id,
                    content=f"回电 {n}",
                )
            )
        ).id
        for n in range(3)
    ]

    async def read(page: common_pb2.PageRequest) -> tuple[list[str], str]:
        got = await intake.ListCallbacks(intake_pb2.ListCallbacksRequest(site_id="hz-01", page=page))
        return [c.id for c in got.callbacks], got.page.next_page_token

    whole = await pages_cover_the_whole_list(read)
    assert set(made) <= set(whole)
