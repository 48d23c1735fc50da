"""ListHandovers, the register of handovers (交接班登记) on the real stack: a site's handovers newest first,
by status and period, keyset-paged (a handover submitted between two pages neither repeats nor shifts
the next page); readable by the site's people and its region's supervisors, refused to other sites;
bad input refused at the field."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.support import staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-register"
ADMIN = token_for("p-admin", ["admin"], ["*"])


def key() -> str:
    return str(uuid.uuid4())


async def listed(stub: Any, **fields: Any) -> roster_pb2.ListHandoversResponse:
    reply: roster_pb2.ListHandoversResponse = await stub.ListHandovers(
        roster_pb2.ListHandoversRequest(site_id=SITE, **fields), timeout=10
    )
    return reply


async def test_the_register_pages_a_sites_handovers_newest_first_by_status_and_period(platform: Any) -> None:
    async with channel(platform.address("roster"), ADMIN) as ch:
        admin = roster_pb2_grpc.RosterServiceStub(ch)
        await staffed_site(admin, SITE, officers=2, leaders=0, leader_needed=False)
        start = datetime.combine(date.today() + timedelta(days=40), time(8), tzinfo=ZoneInfo("Asia/Shanghai"))
        period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=3)))
        published = await admin.PublishRoster(
            roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id=SITE, period=period), timeout=30
        )
        assert published.published, published.gaps
        shifts = sorted(
            (await admin.ListAssignments(roster_pb2.ListAssignmentsRequest(site_id=SITE, period=period))).assignments,
            key=lambda a: a.start.ToDatetime(),
        )
        assert len(shifts) == 6

        async def hand_over(outgoing: roster_pb2.Assignment) -> roster_pb2.Handover:
            # An admin acting for the outgoing officer; the incoming one is the next shift's.
            handover: roster_pb2.Handover = await admin.SubmitHandover(
                roster_pb2.SubmitHandoverRequest(
                    idempotency_key=key(), outgoing_assignment_id=outgoing.id, shift_log=f"log {outgoing.id}"
                ),
                timeout=60,
            )
            return handover

        submitted = [await hand_over(a) for a in shifts[:4]]
        newest_first = [h.id for h in reversed(submitted)]
        first = submitted[0]
        async with channel(
            platform.address("roster"), token_for(first.incoming_person_id, ["officer"], [SITE])
        ) as incoming_ch:
            await roster_pb2_grpc.RosterServiceStub(incoming_ch).AcceptHandover(
                roster_pb2.AcceptHandoverRequest(idempotency_key=key(), handover_id=first.id), timeout=10
            )

        page = await listed(admin, page_size=3)
        assert [h.id for h in page.handovers] == newest_first[:3] and page.next_page_token
        # Submitted between the pages: the next page goes on where the first ended, with nothing repeated.
        latest = await hand_over(shifts[4])
        rest = await listed(admin, page_size=3, page_token=page.next_page_token)
        assert [h.id for h in rest.handovers] == newest_first[3:] and not rest.next_page_token
        assert [h.id for h in (await listed(admin)).handovers] == [latest.id, *newest_first]

        pending = await listed(admin, status="pending")
        assert [h.id for h in pending.handovers] == [latest.id, *newest_first[:3]]
        accepted = await listed(admin, status="accepted")
        assert [h.id for h in accepted.handovers] == [first.id]
        assert accepted.handovers[0].status == "accepted" and accepted.handovers[0].shift_log == f"log {shifts[0].id}"
        # [start, end): the one submitted at the start is in, the one at the end is out.
        since = common_pb2.TimeRange(start=submitted[2].submitted_at)
        assert [h.id for h in (await listed(admin, period=since)).handovers] == [latest.id, *newest_first[:2]]
        before = common_pb2.TimeRange(end=submitted[1].submitted_at)
        assert [h.id for h in (await listed(admin, period=before)).handovers] == [first.id]

    # The site's own officer and the region's supervisor read it; another site's officer is refused.
    readers = {
        "officer": token_for(f"{SITE}-o1", ["officer"], [SITE]),
        "supervisor": token_for("p-east-supervisor", ["supervisor"], ["east"]),
    }
    for token in readers.values():
        async with channel(platform.address("roster"), token) as ch:
            assert len((await listed(roster_pb2_grpc.RosterServiceStub(ch))).handovers) == 5
    async with channel(platform.address("roster"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await listed(roster_pb2_grpc.RosterServiceStub(ch))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"site_id": ""}, "site_id"),
        ({"site_id": "HZ 01"}, "site_id"),
        ({"site_id": "hz-01", "status": "lost"}, "status"),
        ({"site_id": "hz-01", "page_size": 201}, "page_size"),
        ({"site_id": "hz-01", "page_size": -1}, "page_size"),
        ({"site_id": "hz-01", "page_token": "2"}, "page_token"),
        ({"site_id": "hz-01", "page_token": "x~ho-1"}, "page_token"),
        ({"site_id": "hz-01", "page_token": "12345678901234567~ho-1"}, "page_token"),
    ],
)
async def test_bad_input_is_refused_at_its_field(platform: Any, fields: dict[str, Any], field: str) -> None:
    async with channel(platform.address("roster"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await roster_pb2_grpc.RosterServiceStub(ch).ListHandovers(
                roster_pb2.ListHandoversRequest(**fields), timeout=10
            )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in {v.field for v in field_violations(refused.value)}


async def test_a_backwards_period_is_refused(platform: Any) -> None:
    now = datetime.now().astimezone()
    backwards = common_pb2.TimeRange(start=ts(now), end=ts(now - timedelta(days=1)))
    async with channel(platform.address("roster"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await roster_pb2_grpc.RosterServiceStub(ch).ListHandovers(
                roster_pb2.ListHandoversRequest(site_id="hz-01", period=backwards), timeout=10
            )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert any(v.field.startswith("period") for v in field_violations(refused.value))
