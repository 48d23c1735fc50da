"""The leader's screen over HTTP, on the real stack: an emergency call's escalation reaches the duty
leader's list live (the page's event stream says so, the list fragment shows it) and is acknowledged
from the page, as the leader; leave and swap requests of the leader's site are approved or refused
with a remark (a remark too long comes back at its field); a person who is not a leader of the site
sees no action, and the services refuse a forged one (403 naming the gRPC code); violations of the
leader's sites are listed a page at a time."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import pytest

from dutyline.grpckit.client import channel
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.console_http import Browser
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.services.roster import test_roster_service
from tests.services.roster.test_roster_service import LEADER, OFFICER, Stub, published_site
from tests.support import notifications_about, token_for

pytestmark = pytest.mark.stack

roster = test_roster_service.roster
ADMIN = token_for("p-admin", ["admin"], ["*"])
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


async def leader_on_duty(platform: Any, site_id: str = "hz-01") -> str:
    async with channel(platform.address("roster"), ADMIN) as ch:
        on_duty = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site_id))
    return str(on_duty.leaders[0].person_id)


def block(page: str, element_id: str, tag: str = "div") -> str:
    """The HTML of the element ``element_id`` with what it holds ("" when absent)."""
    start = page.find(f'id="{element_id}"')
    if start < 0:
        return ""
    start = page.rindex(f"<{tag}", 0, start)
    depth, at = 0, start
    for found in re.finditer(rf"<{tag}[\s>]|</{tag}>", page[start:]):
        depth += -1 if found.group(0).startswith("</") else 1
        if depth == 0:
            at = start + found.end()
            break
    return page[start:at]


async def escalation_of(platform: Any, escalation_id: str) -> notify_pb2.Escalation:
    async with channel(platform.address("notify"), ADMIN) as ch:
        return await notify_pb2_grpc.NotifyServiceStub(ch).GetEscalation(
            notify_pb2.GetEscalationRequest(escalation_id=escalation_id)
        )


async def next_event(stream: aiohttp.ClientResponse) -> str:
    """The event name of the next server-sent event (comments skipped)."""
    while True:
        line = (await stream.content.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            return line.removeprefix("event: ")


async def test_an_escalation_reaches_the_leader_live_and_is_acknowledged_from_the_page(
    platform: Any, browsers: Any, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    leader_id = await leader_on_duty(platform)
    leader = browsers()
    await leader.sign_in(leader_id)
    reply, page = await leader.get("/leader")
    assert reply.status == 200 and "待我确认的升级通知" in page
    seen = re.search(r'sse-connect="/leader/events\?seen=([0-9a-f]+)"', page)
    assert seen is not None, page
    assert 'hx-trigger="sse:escalations"' in page

    async with leader.http.get(
        platform.console_url + f"/leader/events?seen={seen.group(1)}", timeout=aiohttp.ClientTimeout(total=60)
    ) as stream:
        assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
        assert await stream.content.readline() == b": connected\n"
        incident_id = (await intake.RegisterCall(emergency_call(drill=True), timeout=15)).incident_id
        assert incident_id
        # The stream tells the page once the escalation notified the leader: no reload, no poll by the page.
        async with asyncio.timeout(30):
            while True:
                assert await next_event(stream) == "escalations"
                _, fragment = await leader.get("/leader/escalations")
                if f'data-ref="{incident_id}"' in fragment:
                    break
    assert "<html" not in fragment
    row = re.search(
        rf'<tr id="esc-(esc-[^"]+)" class="escalation drill" data-ref="{incident_id}".*?</tr>', fragment, re.S
    )
    assert row is not None, fragment
    escalation_id = row.group(1)
    assert "【演练】" in row.group(0) and f'href="/incidents/{incident_id}"' in row.group(0)
    assert 'action="/leader/ack"' in row.group(0) and "确认收到" in row.group(0)
    notification_id = re.search(r'name="notification_id" value="([^"]+)"', row.group(0))
    key = KEY.search(row.group(0))
    assert notification_id is not None and key is not None

    reply, _ = await leader.post(
        "/leader/ack",
        {"csrf": leader.csrf, "idempotency_key": key.group(1), "notification_id": notification_id.group(1)},
    )
    assert reply.status == 303 and reply.headers["Location"] == "/leader"
    escalation = await escalation_of(platform, escalation_id)
    assert (escalation.status, escalation.acknowledged_by) in (("acknowledged", leader_id), ("running", ""))
    for _ in range(100):
        escalation = await escalation_of(platform, escalation_id)
        if escalation.status == "acknowledged":
            break
        await asyncio.sleep(0.1)
    assert (escalation.status, escalation.acknowledged_by) == ("acknowledged", leader_id)
    _, page = await leader.get("/leader")
    assert f'data-ref="{incident_id}"' not in page
    # The incident's screen says who acknowledged.
    _, page = await leader.get(f"/incidents/{incident_id}")
    assert 'data-status="acknowledged"' in page


async def test_only_the_person_notified_acknowledges_and_a_forged_request_is_refused_with_the_code(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    incident_id = (await intake.RegisterCall(emergency_call(drill=True), timeout=15)).incident_id
    sent = [n for n in await notifications_about(platform, incident_id) if n.escalation_id]
    assert sent
    officer = browsers()
    await officer.sign_in(on_duty_officer)
    # The officer was not notified: the escalation is not on their list, nothing to acknowledge.
    reply, page = await officer.get("/leader")
    assert reply.status == 200 and f'data-ref="{incident_id}"' not in page
    reply, page = await officer.post(
        "/leader/ack", {"csrf": officer.csrf, "idempotency_key": str(uuid.uuid4()), "notification_id": sent[0].id}
    )
    assert reply.status == 403 and "PERMISSION_DENIED" in page
    async with channel(platform.address("notify"), ADMIN) as ch:
        still = await notify_pb2_grpc.NotifyServiceStub(ch).GetNotification(
            notify_pb2.GetNotificationRequest(notification_id=sent[0].id)
        )
    assert still.status != "acknowledged" and not still.acknowledged_by
    # Without the CSRF token nothing reaches notify.
    reply, page = await officer.post("/leader/ack", {"notification_id": sent[0].id})
    assert reply.status == 403 and "CSRF" in page


async def decide(browser: Browser, kind: str, request_id: str, decision: str, remark: str) -> tuple[Any, str]:
    """Fill the decision form of a request as rendered on /leader and send it."""
    _, page = await browser.get("/leader")
    form = block(page, f"form-{kind}-{request_id}", "form")
    assert form, f"no decision form for {kind} {request_id}"
    key = KEY.search(form)
    assert key is not None
    return await browser.post(
        f"/leader/{kind}/{request_id}",
        {"csrf": browser.csrf, "idempotency_key": key.group(1), "decision": decision, "remark": remark},
    )


async def test_the_leader_approves_and_refuses_leave_and_others_see_no_action(browsers: Any, roster: Stub) -> None:
    site = "cl-leave"
    assignments = await published_site(roster, site)
    officers = sorted((a for a in assignments if a.role == OFFICER), key=lambda a: a.start.seconds)
    first, later = officers[0], officers[-1]
    assert first.person_id != later.person_id

    def substitute_for(a: roster_pb2.Assignment) -> str:
        busy = {b.person_id for b in assignments if b.start == a.start}
        return next(p for p in (f"{site}-o1", f"{site}-o2", f"{site}-o3") if p not in busy)

    asked = []
    for a in (first, later):
        me = roster(token_for(a.person_id, ["officer"], [site]))
        asked.append(
            await me.RequestLeave(
                roster_pb2.RequestLeaveRequest(
                    idempotency_key=str(uuid.uuid4()),
                    assignment_id=a.id,
                    substitute_id=substitute_for(a),
                    reason="家中有事 family matter",
                )
            )
        )
    approve, refuse = asked

    leader = browsers()
    await leader.sign_in(f"{site}-l1")
    _, page = await leader.get("/leader")
    for request in asked:
        shown = block(page, f"leave-{request.id}")
        assert 'data-status="requested"' in shown and "家中有事" in shown
        # The shift on the site's clock (Asia/Shanghai).
        assert re.search(r"\d\d-\d\d (08:00–20:00 day|20:00–08:00 night)", shown), shown
        assert block(shown, f"form-leave-{request.id}", "form")

    # A remark beyond the API's limit: at its field, with what was typed.
    reply, page = await decide(leader, "leave", approve.id, "approve", "很" * 1001)
    assert reply.status == 400
    form = block(page, f"form-leave-{approve.id}", "form")
    assert re.search(r'class="field-error" role="alert" id="err-leave-[^"]+-remark" data-field="remark">[^<]+<', form)
    assert 'aria-invalid="true"' in form and "很" * 1001 in form

    reply, _ = await decide(leader, "leave", approve.id, "approve", "同意 approved")
    assert reply.status == 303 and reply.headers["Location"] == "/leader"
    reply, _ = await decide(leader, "leave", refuse.id, "refuse", "人手不足 short of staff")
    assert reply.status == 303
    admin = roster(test_roster_service.ADMIN)
    decided = {r.id: r for r in (await admin.ListLeave(roster_pb2.ListLeaveRequest(site_id=site))).requests}
    assert (decided[approve.id].status, decided[approve.id].decided_by) == ("approved", f"{site}-l1")
    assert (decided[refuse.id].status, decided[refuse.id].remark) == ("rejected", "人手不足 short of staff")
    changed = await admin.GetAssignment(roster_pb2.GetAssignmentRequest(assignment_id=first.id))
    assert changed.person_id == substitute_for(first)
    # Decided: no longer waiting on the leader's screen.
    _, page = await leader.get("/leader")
    assert f'id="leave-{approve.id}"' not in page and f'id="leave-{refuse.id}"' not in page

    # An officer of the site sees the waiting request's facts but no decision; forging one is refused.
    again = await roster(token_for(later.person_id, ["officer"], [site])).RequestLeave(
        roster_pb2.RequestLeaveRequest(
            idempotency_key=str(uuid.uuid4()), assignment_id=later.id, substitute_id=substitute_for(later)
        )
    )
    officer = browsers()
    await officer.sign_in(first.person_id)
    _, page = await officer.get("/leader")
    assert 'action="/leader/leave/' not in page and 'name="decision"' not in page
    reply, page = await officer.post(
        f"/leader/leave/{again.id}",
        {"csrf": officer.csrf, "idempotency_key": str(uuid.uuid4()), "decision": "approve", "remark": ""},
    )
    assert reply.status == 403 and "PERMISSION_DENIED" in page
    # The requester, were they a leader, could not decide their own either: the leader of another
    # site sees nothing of this one.
    stranger = browsers()
    await stranger.sign_in("p-nb-leader-1")
    _, page = await stranger.get("/leader")
    assert again.id not in page
    reply, page = await stranger.post(
        f"/leader/leave/{again.id}",
        {"csrf": stranger.csrf, "idempotency_key": str(uuid.uuid4()), "decision": "approve", "remark": ""},
    )
    assert reply.status == 403 and "PERMISSION_DENIED" in page


async def test_a_swap_is_decided_from_the_leader_screen(browsers: Any, roster: Stub) -> None:
    site = "cl-swap"
    assignments = await published_site(roster, site)
    officers = sorted((a for a in assignments if a.role == OFFICER), key=lambda a: a.start.seconds)
    first, second = officers[0], officers[3]
    assert first.person_id != second.person_id
    swap = await roster(token_for(first.person_id, ["officer"], [site])).RequestSwap(
        roster_pb2.RequestSwapRequest(
            idempotency_key=str(uuid.uuid4()), assignment_id=first.id, other_assignment_id=second.id
        )
    )
    leader = browsers()
    await leader.sign_in(f"{site}-l1")
    _, page = await leader.get("/leader")
    shown = block(page, f"swap-{swap.id}")
    assert "⇄" in shown and first.display_name in shown and second.display_name in shown
    form = block(page, f"form-swap-{swap.id}", "form")
    key = KEY.search(form)
    assert key is not None
    reply, _ = await leader.post(
        f"/leader/swap/{swap.id}",
        {"csrf": leader.csrf, "idempotency_key": key.group(1), "decision": "approve", "remark": ""},
    )
    assert reply.status == 303
    admin = roster(test_roster_service.ADMIN)
    after = await admin.GetAssignment(roster_pb2.GetAssignmentRequest(assignment_id=first.id))
    assert after.person_id == second.person_id


async def test_violations_of_the_leaders_sites_are_listed_a_page_at_a_time(
    platform: Any, browsers: Any, roster: Stub, db: asyncpg.Connection
) -> None:
    site = "cl-viol"
    await published_site(roster, site)
    async with channel(platform.address("intake"), token_for(f"{site}-o1", ["officer"], [site])) as ch:
        call = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(
            emergency_call(site_id=site, drill=True), timeout=15
        )
    assert call.incident_id
    now = datetime.now(UTC)
    # 21 violations of its follow-up reports: one page of 20 and the oldest-first rest on the next (rows
    # as the incident's deadline timers record them; waiting for 21 real deadlines would take hours).
    for n in range(21):
        await db.execute(
            "INSERT INTO incident.violations (id, incident_id, site_id, person_id, kind, report_kind, number, "
            "due_at, recorded_at, late_seconds, drill) VALUES ($1, $2, $3, $4, $5, 'follow_up', $6, $7, $7, $8, true)",
            f"v-{site}-{n:02d}",
            call.incident_id,
            site,
            f"{site}-o1",
            "late" if n % 2 else "missed",
            n + 1,
            now - timedelta(hours=21 - n),
            600.0 if n % 2 else 0.0,
        )
    leader = browsers()
    await leader.sign_in(f"{site}-l1")
    _, page = await leader.get(f"/leader?site={site}")
    rows = re.findall(rf'<tr id="violation-(v-{site}-\d+)"', page)
    assert rows == [f"v-{site}-{n:02d}" for n in range(20)]
    first_row = block(page, f"violation-v-{site}-01", "tr")
    assert "迟报" in first_row and "10 分钟" in first_row and f"{site}-o1" in first_row and "续报2" in first_row
    assert "漏报" in block(page, f"violation-v-{site}-00", "tr") and "【演练】" in first_row
    more = re.search(r'id="violations-next" href="([^"]+)"', page)
    assert more is not None
    _, page = await leader.get(more.group(1).replace("&amp;", "&"))
    assert re.findall(rf'<tr id="violation-(v-{site}-\d+)"', page) == [f"v-{site}-20"]
    # Another site's leader sees none of them.
    other = browsers()
    await other.sign_in("p-nb-leader-1")
    _, page = await other.get("/leader")
    assert f"v-{site}-" not in page


async def test_a_leader_does_not_decide_their_own_leave(browsers: Any, roster: Stub) -> None:
    site = "cl-own"
    assignments = await published_site(roster, site)
    mine = next(a for a in assignments if a.role == LEADER)
    other = f"{site}-l2" if mine.person_id == f"{site}-l1" else f"{site}-l1"
    leave = await roster(token_for(mine.person_id, ["leader"], [site])).RequestLeave(
        roster_pb2.RequestLeaveRequest(idempotency_key=str(uuid.uuid4()), assignment_id=mine.id, substitute_id=other)
    )
    asker = browsers()
    await asker.sign_in(mine.person_id)
    _, page = await asker.get("/leader")
    assert block(page, f"leave-{leave.id}") and not block(page, f"form-leave-{leave.id}", "form")
    colleague = browsers()
    await colleague.sign_in(other)
    _, page = await colleague.get("/leader")
    assert block(page, f"form-leave-{leave.id}", "form")
