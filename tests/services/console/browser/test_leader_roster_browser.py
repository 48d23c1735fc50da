"""The leader's screen and the roster in a real browser, on the real stack: the duty leader on duty
watches /leader while an officer's emergency call escalates to them; the escalation appears without a
reload, and the leader acknowledges it with its button. Both screens pass axe-core in zh-CN and
English and are kept as screenshots (leader.zh-CN.png, leader.en.png, roster.zh-CN.png, roster.en.png)."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.async_api import expect

from dutyline.grpckit.client import channel
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2
from tests.console_browser import (
    NewContext,
    axe_violations,
    console_context,
    describe,
    mark_loaded,
    screenshot,
    sign_in,
    still_loaded,
)
from tests.services.console.browser.test_console_screens import emergency_call
from tests.services.console.test_leader_screen import leader_on_duty
from tests.services.roster import test_roster_service
from tests.services.roster.test_roster_service import OFFICER, Stub, published_site
from tests.support import token_for

pytestmark = pytest.mark.stack

roster = test_roster_service.roster
ADMIN = token_for("p-admin", ["admin"], ["*"])


async def test_the_leader_acknowledges_a_new_escalation_from_the_leader_screen(
    platform: Any, new_context: NewContext, console_url: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    leader_id = await leader_on_duty(platform)
    page = await sign_in(await console_context(new_context, console_url, "zh-CN"), leader_id)
    await page.get_by_role("link", name="带班领导").click()
    await page.wait_for_url("**/leader")
    await expect(page.get_by_role("heading", level=1)).to_have_text("带班领导")
    await expect(page.locator("#live-status")).to_have_class(re.compile(r"\bon\b"))
    await mark_loaded(page)

    incident_id = (await intake.RegisterCall(emergency_call(), timeout=20)).incident_id
    row = page.locator(f"#escalations tr[data-ref='{incident_id}']")
    # Pushed by the page's event stream: generous, the figure that counts is bench/'s.
    await expect(row).to_be_visible(timeout=30_000)
    assert await still_loaded(page), "the escalation came by reloading the page"
    await expect(row.locator("a", has_text=incident_id)).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "leader", "zh-CN")

    escalation_id = (await row.get_attribute("id") or "").removeprefix("esc-")
    await row.get_by_role("button", name="确认收到").click()
    await page.wait_for_url("**/leader")
    await expect(page.locator(f"#escalations tr[data-ref='{incident_id}']")).to_have_count(0)
    # The escalation's workflow records the acknowledgement a moment after notify took it.
    async with channel(platform.address("notify"), ADMIN) as ch:
        notify = notify_pb2_grpc.NotifyServiceStub(ch)
        for _ in range(100):
            escalation = await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=escalation_id))
            if escalation.status == "acknowledged":
                break
            await asyncio.sleep(0.1)
    assert (escalation.status, escalation.acknowledged_by) == ("acknowledged", leader_id)

    english = await sign_in(await console_context(new_context, console_url, "en"), leader_id)
    await english.goto("/leader")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Duty leader")
    await expect(english.get_by_role("heading", name="Escalations waiting for my acknowledgement")).to_be_visible()
    violations = await axe_violations(english)
    assert violations == [], describe(violations)
    await screenshot(english, "leader", "en")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_roster_week_with_gaps_and_a_request_to_decide(
    new_context: NewContext, console_url: str, roster: Stub, lang: str
) -> None:
    site = f"cb-roster-{lang.lower()}"
    assignments = await published_site(roster, site)
    mine = sorted((a for a in assignments if a.role == OFFICER), key=lambda a: a.start.seconds)[0]
    substitute = next(
        p
        for p in (f"{site}-o1", f"{site}-o2", f"{site}-o3")
        if not any(b.person_id == p and b.start == mine.start for b in assignments)
    )
    await roster(token_for(mine.person_id, ["officer"], [site])).RequestLeave(
        roster_pb2.RequestLeaveRequest(
            idempotency_key=str(uuid.uuid4()), assignment_id=mine.id, substitute_id=substitute, reason="体检 check-up"
        )
    )
    page = await sign_in(await console_context(new_context, console_url, lang), f"{site}-l1")
    await page.goto("/roster?" + urlencode({"site": site, "week": (date.today() + timedelta(days=10)).isoformat()}))
    await expect(page.locator("tr.shift.gap").first).to_be_visible()
    await expect(page.locator("span.gap-mark").first).to_be_visible()
    await expect(page.locator("form.decide")).to_have_count(1)
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "roster", lang)

    # The week before and back, by keyboard-reachable links.
    await page.locator("#week-prev").click()
    await page.locator("#week-next").click()
    await expect(page.locator("form.decide")).to_have_count(1)
