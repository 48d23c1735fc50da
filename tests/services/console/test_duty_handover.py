"""The On duty screen's handover over HTTP, on the real stack: the incoming officer is offered the
handover waiting for them (from roster's ListHandovers, no id to type) and accepts it with one click;
the outgoing officer sees theirs waiting, then accepted; someone else is offered nothing and is
refused when forging the acceptance; bad input is shown at the field of that handover's form."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.support import staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-console-ho"
ADMIN = token_for("p-admin", ["admin"], ["*"])


async def handover(platform: Any, handover_id: str) -> roster_pb2.Handover:
    async with channel(platform.address("roster"), ADMIN) as ch:
        found: roster_pb2.Handover = await roster_pb2_grpc.RosterServiceStub(ch).GetHandover(
            roster_pb2.GetHandoverRequest(handover_id=handover_id), timeout=10
        )
    return found


async def two_officers_on_duty(platform: Any, site_id: str) -> tuple[roster_pb2.DutyPerson, roster_pb2.Assignment]:
    """A site of its own with two officers taking a day each, on duty from yesterday on: the officer on
    duty now, and the other officer's next shift (which takes the handover)."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        await staffed_site(roster, site_id, officers=2, leaders=0, leader_needed=False)
        start = datetime.combine(date.today() - timedelta(days=1), time(8), tzinfo=ZoneInfo("Asia/Shanghai"))
        period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=4)))
        published = await roster.PublishRoster(
            roster_pb2.PublishRosterRequest(idempotency_key=str(uuid.uuid4()), site_id=site_id, period=period),
            timeout=30,
        )
        assert published.published, published.gaps
        mine = (await roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site_id))).officers[0]
        assignments = await roster.ListAssignments(roster_pb2.ListAssignmentsRequest(site_id=site_id, period=period))
    now = datetime.now(UTC)
    later = [a for a in assignments.assignments if a.person_id != mine.person_id and a.start.ToDatetime(UTC) > now]
    theirs = min(later, key=lambda a: a.start.ToDatetime(UTC))
    return mine, theirs


async def test_the_incoming_officer_accepts_the_waiting_handover_with_one_click(platform: Any, browsers: Any) -> None:
    mine, theirs = await two_officers_on_duty(platform, SITE)

    outgoing = browsers()
    await outgoing.sign_in(mine.person_id)
    _, page = await outgoing.get("/duty")
    assert 'action="/duty/handover/submit"' in page and 'action="/duty/handover/accept"' not in page
    reply, _ = await outgoing.post(
        "/duty/handover/submit",
        {
            "csrf": outgoing.csrf,
            "outgoing_assignment_id": mine.assignment_id,
            "incoming_assignment_id": theirs.id,
            "shift_log": "来电两起，均已办结 Two calls, both done",
            "notes": "",
        },
    )
    assert reply.status == 303
    handover_id = reply.headers["Location"].split("=", 1)[1]
    # The outgoing officer sees theirs waiting, and no longer a form to hand the same shift over again.
    _, page = await outgoing.get("/duty")
    assert re.search(rf'id="mine-{handover_id}" data-status="submitted">[^<]*待接班', page), page
    assert 'action="/duty/handover/submit"' not in page

    # Someone else at the site (the supervisor of its region) is offered nothing to accept, and a
    # forged acceptance is refused by roster, with the gRPC code shown.
    supervisor = browsers()
    await supervisor.sign_in("p-east-supervisor")
    _, page = await supervisor.get("/duty")
    assert f'id="accept-{handover_id}"' not in page
    reply, page = await supervisor.post("/duty/handover/accept", {"csrf": supervisor.csrf, "handover_id": handover_id})
    assert reply.status == 403 and "PERMISSION_DENIED" in page

    incoming = browsers()
    await incoming.sign_in(theirs.person_id)
    _, page = await incoming.get("/duty")
    accept_form = rf'<form method="post" action="/duty/handover/accept"[^>]*id="accept-{handover_id}">(.*?)</form>'
    form = re.search(accept_form, page, re.S)
    assert form, page
    # Offered with what was handed over, the id carried by the form: nothing to type but remarks.
    assert "来电两起，均已办结" in form.group(1) and mine.display_name in form.group(1)
    assert f'type="hidden" name="handover_id" value="{handover_id}"' in form.group(1)
    assert not re.search(r'<input(?![^>]*type="hidden")[^>]*name="handover_id"', form.group(1))

    # Bad input: shown at that handover's remarks, what was typed kept; nothing accepted.
    reply, page = await incoming.post(
        "/duty/handover/accept", {"csrf": incoming.csrf, "handover_id": handover_id, "remarks": "阅" * 4001}
    )
    assert reply.status == 400
    form = re.search(rf'id="accept-{handover_id}">(.*?)</form>', page, re.S)
    assert form and re.search(r'class="field-error" role="alert" data-field="remarks">[^<]+<', form.group(1))
    assert (await handover(platform, handover_id)).status == "submitted"
    # Without the CSRF token: refused before anything reaches roster.
    reply, _ = await incoming.post("/duty/handover/accept", {"handover_id": handover_id})
    assert reply.status == 403
    assert (await handover(platform, handover_id)).status == "submitted"

    reply, _ = await incoming.post(
        "/duty/handover/accept", {"csrf": incoming.csrf, "handover_id": handover_id, "remarks": "已阅 received"}
    )
    assert reply.status == 303 and reply.headers["Location"] == f"/duty?handover={handover_id}"
    accepted = await handover(platform, handover_id)
    assert accepted.status == "accepted" and accepted.remarks == "已阅 received"
    assert accepted.incoming_person_id == theirs.person_id
    _, page = await incoming.get("/duty")
    assert f'id="accept-{handover_id}"' not in page

    # The outgoing officer sees it accepted, in English too.
    _, page = await outgoing.get("/duty")
    assert re.search(rf'id="mine-{handover_id}" data-status="accepted">[^<]*已接班', page), page
    await outgoing.post("/lang", {"csrf": outgoing.csrf, "lang": "en"})
    _, page = await outgoing.get("/duty")
    assert re.search(rf'id="mine-{handover_id}" data-status="accepted">[^<]*accepted', page), page
