"""The register-call screen in a real browser, on the real stack: an officer registers an emergency
with the keyboard alone in Chinese (Alt+A as the phone is answered, a digit for the category, Tab from
field to field, Ctrl+Enter to save) and sees the incident it opened; the form and the saved call pass
axe-core in zh-CN and English and are kept as screenshots."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.async_api import Page, expect

from tests.console_browser import NewContext, axe_violations, console_context, describe, screenshot, sign_in

pytestmark = pytest.mark.stack

WORDS = {
    "zh-CN": {"title": "登记来电", "opened": "已新建事件", "talking": "通话"},
    "en": {"title": "Register a call", "opened": "Opened a new incident", "talking": "On the call"},
}
# Places of their own (south-east of every other test's), 5 km apart: each call opens an incident.
_places = itertools.count()


async def type_in(page: Page, text: str) -> None:
    await page.keyboard.type(text)
    await page.keyboard.press("Tab")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_an_emergency_registered_with_the_keyboard_alone_shows_its_incident(
    new_context: NewContext, console_url: str, on_duty_officer: str, lang: str
) -> None:
    context = await console_context(new_context, console_url, lang)
    page = await sign_in(context, on_duty_officer)
    await page.goto("/calls/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[lang]["title"])
    await expect(page.locator("#greeting")).to_contain_text("您好，这里是应急值班室，请讲。")
    # The category has the focus; the timer rings until the call is answered.
    assert await page.evaluate("document.activeElement.id") == "f-category"
    await expect(page.locator("#call-timer")).not_to_contain_text(WORDS[lang]["talking"])
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "call_new", lang)

    await page.keyboard.press("Alt+A")
    await expect(page.locator("#call-timer")).to_contain_text(WORDS[lang]["talking"])
    assert await page.locator("#answered-at").input_value() != ""
    assert await page.evaluate("document.activeElement.id") == "f-category"
    await page.keyboard.press("1")  # 1 · emergency
    assert await page.locator("#f-category").input_value() == "emergency"
    # Its required fields are marked: the caller's number and the place.
    await expect(page.locator("[data-requires='caller.phone']")).to_have_class(re.compile(r"\brequired\b"))
    await expect(page.locator("[data-requires='caller.name']")).not_to_have_class(re.compile(r"\brequired\b"))
    n = next(_places)
    await page.keyboard.press("Tab")  # channel: phone
    await page.keyboard.press("Tab")
    await type_in(page, "13500003333")  # caller.phone
    await type_in(page, "刘洋")  # caller.name
    await page.keyboard.press("Tab")  # caller.unit
    await page.keyboard.press("Tab")  # caller.address
    await page.keyboard.press("Tab")  # declined number
    await type_in(page, f"钱塘江堤{n}号 No. {n} Qiantang embankment")
    await type_in(page, f"{28.0 - n * 0.05:.4f}")
    await type_in(page, "121.9")
    await page.keyboard.type("江堤渗水，有人被困 The embankment leaks, people trapped")
    await page.keyboard.press("Control+Enter")

    await page.wait_for_url(re.compile(r"/calls/c"))
    await expect(page.locator(".call-incident h2")).to_have_text(WORDS[lang]["opened"])
    link = page.locator("#incident-link")
    incident_id = await link.get_attribute("data-incident")
    assert incident_id and await link.get_attribute("href") == f"/incidents/{incident_id}"
    # The caller as intake answers it: masked.
    await expect(page.locator("td.caller")).to_contain_text("135****3333")
    await expect(page.locator("td.caller")).not_to_contain_text("13500003333")
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "call_saved", lang)


async def test_bad_input_comes_back_with_each_violation_at_its_field(
    new_context: NewContext, console_url: str, on_duty_officer: str
) -> None:
    context = await console_context(new_context, console_url, "zh-CN")
    page = await sign_in(context, on_duty_officer)
    await page.goto("/calls/new")
    # Chromium applies autofocus after the load event: a key pressed before goes nowhere.
    await expect(page.locator("#f-category")).to_be_focused()
    await page.keyboard.press("3")  # 3 · complaint
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.type("call me!")  # caller.phone: no number
    await page.keyboard.press("Enter")  # the summary is left empty

    await expect(page.locator("#form-errors")).to_have_text(re.compile("请修改标出的字段"))
    for field in ("caller.phone", "summary"):
        await expect(page.locator(f".field-error[data-field='{field}']")).to_be_visible()
    # What was typed stays, the first field to correct has the focus, the category's fields are marked.
    assert await page.locator("#f-caller-phone").input_value() == "call me!"
    assert await page.locator("#f-category").input_value() == "complaint"
    assert await page.evaluate("document.activeElement.id") == "f-caller-phone"
    await expect(page.locator("[data-requires='request']")).to_have_class(re.compile(r"\brequired\b"))
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "call_invalid", "zh-CN")
