"""The roster screen over HTTP, on the real stack: a site's week with its shifts on the site's clock,
the people on them, and the coverage gaps FindCoverageGaps finds highlighted; week navigation; an
officer asks for leave from the page (bad input at its field), sees no decision, and a forged one is
refused with the gRPC code; the site's leader approves it from the week, and the week shows the
substitute."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.roster.v1 import roster_pb2
from tests.services.console.test_leader_screen import KEY, block
from tests.services.roster import test_roster_service
from tests.services.roster.test_roster_service import OFFICER, SHANGHAI, Stub, published_site

pytestmark = pytest.mark.stack

roster = test_roster_service.roster


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def gaps_of(roster: Stub, site: str, monday: date) -> list[roster_pb2.CoverageGap]:
    start = datetime.combine(monday, datetime.min.time(), tzinfo=SHANGHAI)
    period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=7)))
    reply = await roster(test_roster_service.ADMIN).FindCoverageGaps(
        roster_pb2.FindCoverageGapsRequest(site_id=site, period=period)
    )
    return list(reply.gaps)


async def test_the_week_shows_shifts_people_and_gaps(browsers: Any, roster: Stub) -> None:
    site = "cr-week"
    assignments = await published_site(roster, site)
    first_day = date.today() + timedelta(days=10)
    monday = monday_of(first_day)
    leader = browsers()
    await leader.sign_in(f"{site}-l1")
    reply, page = await leader.get("/roster?" + urlencode({"site": site, "week": first_day.isoformat()}))
    assert reply.status == 200 and 'aria-current="page"' in page and "排班" in page
    # The week from its Monday, whatever day was asked for; its neighbours a click away.
    assert f"{monday:%Y-%m-%d} 至 {monday + timedelta(days=6):%m-%d}" in page
    assert f'id="week-prev" href="/roster?site={site}&amp;week={monday - timedelta(days=7)}"' in page
    assert f'id="week-next" href="/roster?site={site}&amp;week={monday + timedelta(days=7)}"' in page
    # The published days: each shift on the site's clock with its leader and officer.
    published = re.findall(rf'<tr class="shift(?: gap)?" data-day="{first_day.isoformat()}">.*?</tr>', page, re.S)
    assert published and "08:00–20:00 day" in published[0]
    day_shift = [a for a in assignments if a.local_date == first_day.isoformat() and a.shift_name == "day"]
    for a in day_shift:
        assert a.display_name in published[0]
    # Only two days are published: the rest of the week is gaps, each marked where it falls.
    gaps = await gaps_of(roster, site, monday)
    assert gaps
    assert f"本周有 {len(gaps)} 处排班缺口" in page
    assert page.count('class="gap-mark"') >= len(gaps)
    unpublished = monday if monday != first_day else monday + timedelta(days=6)
    row = re.search(rf'<tr class="shift gap" data-day="{unpublished.isoformat()}">.*?</tr>', page, re.S)
    assert row is not None and "缺带班领导（0/1）" in row.group(0) and "未排班" in row.group(0)

    # In English, from the previous week's link and back with the next one.
    reply, _ = await leader.post("/lang", {"csrf": leader.csrf, "lang": "en", "next": "/roster"})
    assert reply.status == 303
    _, page = await leader.get(f"/roster?site={site}&week={monday - timedelta(days=7)}")
    assert "Previous week" in page and f"{monday - timedelta(days=7):%Y-%m-%d} to" in page
    _, page = await leader.get(f"/roster?site={site}&week={monday}")
    assert f"{len(gaps)} coverage gaps this week" in page and "Duty leader missing (0/1)" in page
    # A week that is not a date is this week's, on the site's clock (from 16:00 UTC on a Sunday, Monday's).
    reply, page = await leader.get(f"/roster?site={site}&week=not-a-date")
    assert reply.status == 200 and f"{monday_of(datetime.now(SHANGHAI).date()):%Y-%m-%d} to" in page


async def test_leave_is_asked_from_the_week_and_decided_there_by_the_leader(browsers: Any, roster: Stub) -> None:
    site = "cr-leave"
    assignments = await published_site(roster, site)
    first_day = date.today() + timedelta(days=10)
    week = {"site": site, "week": first_day.isoformat()}
    mine = sorted((a for a in assignments if a.role == OFFICER), key=lambda a: a.start.seconds)[0]
    substitute = next(
        p
        for p in (f"{site}-o1", f"{site}-o2", f"{site}-o3")
        if not any(b.person_id == p and b.start == mine.start for b in assignments)
    )
    officer = browsers()
    await officer.sign_in(mine.person_id)
    _, page = await officer.get("/roster?" + urlencode(week))
    form = block(page, "form-request-leave", "form")
    assert form and f'<option value="{mine.id}"' in form

    async def ask(substitute_id: str, reason: str) -> tuple[Any, str]:
        _, page = await officer.get("/roster?" + urlencode(week))
        key = KEY.search(block(page, "form-request-leave", "form"))
        assert key is not None
        fields = {"assignment_id": mine.id, "substitute_id": substitute_id, "reason": reason}
        return await officer.post(
            "/roster/leave", {"csrf": officer.csrf, "idempotency_key": key.group(1), **week, **fields}
        )

    # A leader cannot stand in for an officer: the service says so at the substitute, what was typed kept.
    reply, page = await ask(f"{site}-l1", "typed reason")
    assert reply.status == 400
    form = block(page, "form-request-leave", "form")
    assert re.search(r'id="err-leave-substitute_id" data-field="substitute_id">[^<]+<', form), form
    assert (
        'aria-invalid="true" aria-describedby="err-leave-substitute_id"' in form and ">typed reason</textarea>" in form
    )

    reply, _ = await ask(substitute, "体检 medical check")
    assert reply.status == 303 and reply.headers["Location"] == "/roster?" + urlencode(week)
    _, page = await officer.get("/roster?" + urlencode(week))
    requests = re.findall(r'<div class="request" id="leave-([^"]+)" data-kind="leave" data-status="requested">', page)
    assert len(requests) == 1
    leave_id = requests[0]
    # The requester sees it waiting, without a decision; forging one is refused by roster.
    assert "体检 medical check" in page and 'name="decision"' not in page
    reply, page = await officer.post(
        f"/roster/leave/{leave_id}",
        {"csrf": officer.csrf, "idempotency_key": str(uuid.uuid4()), "decision": "approve", **week},
    )
    assert reply.status == 403 and "PERMISSION_DENIED" in page

    leader = browsers()
    await leader.sign_in(f"{site}-l1")
    _, page = await leader.get("/roster?" + urlencode(week))
    form = block(page, f"form-leave-{leave_id}", "form")
    key = KEY.search(form)
    assert key is not None and 'name="week"' in form
    reply, _ = await leader.post(
        f"/roster/leave/{leave_id}",
        {"csrf": leader.csrf, "idempotency_key": key.group(1), "decision": "approve", "remark": "同意", **week},
    )
    assert reply.status == 303 and reply.headers["Location"] == "/roster?" + urlencode(week)
    _, page = await leader.get("/roster?" + urlencode(week))
    decided = block(page, f"leave-{leave_id}")
    assert 'data-status="approved"' in decided and "同意" in decided and 'name="decision"' not in decided
    # The week shows the substitute on the shift, in place of the officer who asked.
    assert f"（替 {mine.display_name}）" in page
    # Deciding it again: the roster refuses the transition, said above the form's place.
    reply, page = await leader.post(
        f"/roster/leave/{leave_id}",
        {"csrf": leader.csrf, "idempotency_key": str(uuid.uuid4()), "decision": "refuse", "remark": "", **week},
    )
    assert reply.status == 409
    refusal = re.search(r'<p class="error refusal" role="alert">([^<]+)</p>', block(page, f"leave-{leave_id}"))
    assert refusal is not None and "already approved" in refusal.group(1)
