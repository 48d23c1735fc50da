"""The On duty screen's handover in a real browser, on the real stack: the incoming officer finds the
handover waiting for them and accepts it with one click (the page passes axe-core in zh-CN, and is
kept as a screenshot); the outgoing officer, in another browser, sees it accepted (in English)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import expect

from dutyline.grpckit.client import channel
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.console_browser import NewContext, axe_violations, console_context, describe, screenshot, sign_in
from tests.services.console.test_duty_handover import ADMIN, two_officers_on_duty

pytestmark = pytest.mark.stack

SITE = "t-browser-ho"


async def test_the_incoming_officer_accepts_with_one_click_and_the_outgoing_one_sees_it(
    platform: Any, new_context: NewContext, console_url: str
) -> None:
    mine, theirs = await two_officers_on_duty(platform, SITE)
    async with channel(platform.address("roster"), ADMIN) as ch:
        # An admin submits for the outgoing officer (roster admits it); the console's own submit form
        # has its HTTP test.
        handover = await roster_pb2_grpc.RosterServiceStub(ch).SubmitHandover(
            roster_pb2.SubmitHandoverRequest(
                idempotency_key=str(uuid.uuid4()),
                outgoing_assignment_id=mine.assignment_id,
                incoming_assignment_id=theirs.id,
                shift_log="夜间平稳，无遗留 A quiet night, nothing left open",
            ),
            timeout=60,
        )

    incoming = await sign_in(await console_context(new_context, console_url, "zh-CN"), theirs.person_id)
    await incoming.goto("/duty")
    waiting = incoming.locator(f"#accept-{handover.id}")
    await expect(waiting).to_contain_text("夜间平稳")
    await expect(waiting).to_contain_text(mine.display_name)
    violations = await axe_violations(incoming)
    assert violations == [], describe(violations)
    await screenshot(incoming, "duty.handover-waiting", "zh-CN")

    await waiting.get_by_role("button", name="接班").click()
    await incoming.wait_for_url(f"**/duty?handover={handover.id}")
    await expect(incoming.locator(f"#handover-{handover.id}")).to_contain_text("已接班")
    await expect(incoming.locator(f"#accept-{handover.id}")).to_have_count(0)

    outgoing = await sign_in(await console_context(new_context, console_url, "en"), mine.person_id)
    await outgoing.goto("/duty")
    mine_item = outgoing.locator(f"#mine-{handover.id}")
    await expect(mine_item).to_have_attribute("data-status", "accepted")
    await expect(mine_item).to_contain_text("accepted")
    violations = await axe_violations(outgoing)
    assert violations == [], describe(violations)
    await screenshot(outgoing, "duty.handover-accepted", "en")
