"""The supervisor screen in a real browser, on the real stack: in zh-CN and English it passes axe-core
and is kept as screenshots (supervisor.zh-CN.png, supervisor.en.png); an incident opened while it is
open appears on its map without a reload; its full-screen wall mode at 1920×1080, and the board's at
1366×768 and 1920×1080, fit the screen, pass axe-core and are kept as screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, Page, expect

from dutyline.intake.v1 import intake_pb2_grpc
from tests.console_browser import (
    NewContext,
    appears_within,
    axe_violations,
    board_is_live,
    console_context,
    describe,
    mark_loaded,
    screenshot,
    still_loaded,
)
from tests.services.console.browser.test_console_screens import SUPERVISOR, emergency_call

pytestmark = pytest.mark.stack

TITLE = {"zh-CN": "值班总览", "en": "Supervisor overview"}
NAV = {"zh-CN": "总值班室", "en": "Supervisor"}
WALL = {"width": 1920, "height": 1080}


async def signed_in(context: BrowserContext, person_id: str) -> Page:
    """A page of ``person_id``, signed in through the development sign-in over HTTP in this browser
    context (its cookies), not by a page: the board sign-in leads to would open an event stream, and
    the incident service allows a person five at once while a closed page's stream lingers until its
    next heartbeat (up to 15 s)."""
    reply = await context.request.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', await reply.text())
    assert token is not None
    signed = await context.request.post("/signin/dev", form={"csrf": token.group(1), "person_id": person_id})
    assert signed.ok and signed.url.endswith("/board"), signed.url
    return await context.new_page()


async def fits_the_screen(page: Page) -> None:
    """Nothing wider than the window: a wall screen has no one to scroll it sideways."""
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the window"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_supervisor_screen_with_its_map_passes_axe(
    new_context: NewContext, console_url: str, lang: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    # An open incident with coordinates at hz-01, so the map has a marker whatever ran before.
    call = emergency_call()
    emergency_title = call.summary
    incident_id = (await intake.RegisterCall(call, timeout=20)).incident_id
    context = await console_context(new_context, console_url, lang)
    page = await signed_in(context, SUPERVISOR)
    await page.goto("/supervisor")
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE[lang])
    nav = page.get_by_role("navigation").get_by_role("link", name=NAV[lang], exact=True)
    await expect(nav).to_have_attribute("aria-current", "page")
    await expect(page.locator("#site-hz-01")).to_be_visible()
    # The marker is a link to its incident, named by it, that the keyboard reaches like any other.
    marker = page.locator(f"#marker-{incident_id}")
    await expect(marker).to_be_visible()
    await expect(marker).to_have_attribute("href", f"/incidents/{incident_id}")
    await expect(marker).to_have_accessible_name(re.compile(re.escape(emergency_title)))
    await marker.focus()
    assert await page.evaluate("document.activeElement.id") == f"marker-{incident_id}"
    await fits_the_screen(page)

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "supervisor", lang)


async def test_a_new_incident_appears_on_the_supervisor_screen_without_reload(
    new_context: NewContext, console_url: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    context = await console_context(new_context, console_url, "en")
    page = await signed_in(context, SUPERVISOR)
    await page.goto("/supervisor")
    await board_is_live(page)
    await mark_loaded(page)

    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    # Generous: the screen fetches its whole body again after the event (the 1 s budget is bench/'s).
    seconds = await appears_within(page.locator(f"#marker-{reply.incident_id}"), 10.0)
    print(f"the incident on the supervisor's map {seconds * 1000:.0f} ms after intake answered")
    assert await still_loaded(page)
    await expect(page.locator("#site-hz-01 td.open-count")).not_to_have_text("0")


async def test_the_supervisor_wall_screen_at_1920x1080(
    new_context: NewContext, console_url: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    lang = "zh-CN"
    await intake.RegisterCall(emergency_call(), timeout=20)
    context = await console_context(new_context, console_url, lang)
    page = await signed_in(context, SUPERVISOR)
    await page.set_viewport_size(WALL)
    await page.goto("/supervisor?wall=1")
    await expect(page.locator("body")).to_have_class("wall")
    # The frame's header and navigation are gone; the way back is on the page.
    await expect(page.locator("header.top")).to_be_hidden()
    await expect(page.locator("#incident-map")).to_be_visible()
    await board_is_live(page)
    await fits_the_screen(page)

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "supervisor.wall-1920x1080", lang)


@pytest.mark.parametrize("size", [{"width": 1366, "height": 768}, WALL], ids=["1366x768", "1920x1080"])
async def test_the_boards_wall_screen_fits_and_passes_axe(
    new_context: NewContext,
    console_url: str,
    on_duty_officer: str,
    size: dict[str, int],
    intake: intake_pb2_grpc.IntakeServiceStub,
) -> None:
    # A drill among the rows: its row and mark must stay readable on the dark wall screen.
    await intake.RegisterCall(emergency_call(), timeout=20)
    drill = emergency_call()
    drill.drill = True
    await intake.RegisterCall(drill, timeout=20)
    context = await console_context(new_context, console_url, "zh-CN")
    page = await signed_in(context, on_duty_officer)
    await page.set_viewport_size(size)
    await page.goto("/board?wall=1")
    await expect(page.locator("body")).to_have_class("wall")
    await expect(page.locator("table.board tr.drill").first).to_be_visible()
    await fits_the_screen(page)

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, f"board.wall-{size['width']}x{size['height']}", "zh-CN")
