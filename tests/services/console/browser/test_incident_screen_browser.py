"""The incident screen in a real browser, on the real stack: the officer verifies an incident and makes
its phone report from the page in zh-CN with the keyboard alone; the page passes axe-core in zh-CN and
English and is kept as screenshots (incident.zh-CN.png, incident.en.png); a second screen open on the
same incident follows the change without anyone reloading it by hand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2_grpc
from tests.console_browser import NewContext, axe_violations, console_context, describe, screenshot, sign_in
from tests.services.console.browser.test_console_screens import emergency_call
from tests.services.incident.test_incident_service import in_stage

pytestmark = pytest.mark.stack


async def tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element ``selector`` has the focus, as a person at the keyboard would."""
    target = page.locator(selector)
    for _ in range(limit):
        if await target.evaluate("el => el === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus by Tab")


async def test_the_officer_verifies_and_reports_from_the_incident_screen_with_the_keyboard(
    new_context: NewContext,
    console_url: str,
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: Any,
) -> None:
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    incident_id = reply.incident_id
    await in_stage(incidents, incident_id, incident_pb2.STAGE_VERIFY)

    officer = await console_context(new_context, console_url, "zh-CN")
    page = await sign_in(officer, on_duty_officer)
    # From the board's row to the incident's screen.
    await page.locator(f'#incident-{incident_id} a[href="/incidents/{incident_id}"]').click()
    await page.wait_for_url(f"**/incidents/{incident_id}")
    await expect(page.locator("#inc-stage")).to_have_text("核实")
    # A second screen on the same incident (the leader's, say), in English, left alone.
    watcher = await (await console_context(new_context, console_url, "en")).new_page()
    await watcher.goto("/signin")
    await watcher.locator(f"button[data-person='{on_duty_officer}']").click()
    await watcher.wait_for_url("**/board")
    await watcher.goto(f"/incidents/{incident_id}")
    await expect(watcher.locator("#live-status")).to_have_class(re.compile(r"\bon\b"))

    # Verify: category and severity chosen with the arrow keys, the sub-type typed, Enter on the button.
    await tab_to(page, "#form-verify input[name=confirmed][value=yes]")
    await tab_to(page, "#form-verify select[name=category]")
    await page.keyboard.press("ArrowDown")  # 自然灾害
    await page.keyboard.press("Tab")
    await page.keyboard.type("flood")
    await page.keyboard.press("Tab")
    for _ in range(2):
        await page.keyboard.press("ArrowDown")  # Ⅰ级, then Ⅱ级
    await tab_to(page, "#form-verify button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.locator("#inc-stage")).to_have_text("报告")
    await expect(page.locator("#inc-severity")).to_have_text("重大（Ⅱ级）")
    await expect(page.locator("table.deadlines time.countdown").first).to_have_text(re.compile(r"^-?\d+:\d\d:\d\d$"))

    # The phone report: the form offers the nearest deadline's kind and recipient; the content is typed.
    await tab_to(page, "#form-report textarea[name=content]")
    await page.keyboard.type("电话报告：东湖路涵洞积水，已派员处置")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator('table.timeline tr[data-kind="report_submitted"]')).to_have_count(1)

    # The other screen followed: reloaded by the console once the stage moved on, never by a person.
    await expect(watcher.locator("#inc-stage")).not_to_have_text("Verifying", timeout=5000)
    await expect(watcher.locator('table.timeline tr[data-kind="report_submitted"]')).to_have_count(1, timeout=5000)
    # Its steps are the verified incident's now (closing among them): the page itself was renewed.
    await expect(watcher.locator("#form-close")).to_be_visible()

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "incident", "zh-CN")
    await expect(watcher.locator("#form-report")).to_be_visible()
    violations = await axe_violations(watcher)
    assert violations == [], describe(violations)
    await screenshot(watcher, "incident", "en")
