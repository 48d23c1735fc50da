"""The duty console in a real browser, on the real stack: the sign-in page and the board in zh-CN and
English pass axe-core and are kept as screenshots, and an incident opened by the officer reaches the
supervisor's open board in another browser within a second, without a reload."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from tests.console_browser import (
    NewContext,
    appears_within,
    axe_violations,
    board_is_live,
    console_context,
    describe,
    mark_loaded,
    screenshot,
    sign_in,
    still_loaded,
)

pytestmark = pytest.mark.stack

SUPERVISOR = "p-east-supervisor"
# What the console shows in each language (services/console/i18n.py): the page tells them apart.
WORDS = {
    "zh-CN": {"signin": "登录", "board": "事件看板", "switch": "English"},
    "en": {"signin": "Sign in", "board": "Incident board", "switch": "中文"},
}

_places = itertools.count()


def emergency_call() -> intake_pb2.RegisterCallRequest:
    """An emergency call about an event of its own: south of every other test's places, 5 km apart, so
    intake opens a new incident rather than linking it to an open one."""
    now = datetime.now(UTC)
    n = next(_places)
    return intake_pb2.RegisterCallRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(now - timedelta(seconds=9)),
        answered_at=ts(now - timedelta(seconds=2)),
        caller=intake_pb2.Caller(name="王芳", phone="13700001111"),
        place=common_pb2.Place(text=f"东湖路{n}号 No. {n} Donghu Road", latitude=29.0 - n * 0.05, longitude=120.0),
        summary="东湖路涵洞积水，车辆被困 Underpass flooded, cars trapped",
    )


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_sign_in_page_renders_and_passes_axe(new_context: NewContext, console_url: str, lang: str) -> None:
    context = await console_context(new_context, console_url, lang)
    page = await context.new_page()
    await page.goto("/signin")
    assert await page.locator("html").get_attribute("lang") == lang
    await expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[lang]["signin"])
    await expect(page.locator(f"button[data-person='{SUPERVISOR}']")).to_be_visible()

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "signin", lang)


async def test_the_language_switch_turns_the_page_into_english(new_context: NewContext, console_url: str) -> None:
    page = await (await new_context("zh-CN", base_url=console_url)).new_page()
    await page.goto("/signin")
    await expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["zh-CN"]["signin"])

    await page.get_by_role("button", name=WORDS["zh-CN"]["switch"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["en"]["signin"])
    assert await page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_signed_in_officer_sees_the_board(
    new_context: NewContext, console_url: str, on_duty_officer: str, lang: str
) -> None:
    context = await console_context(new_context, console_url, lang)
    page = await sign_in(context, on_duty_officer)
    await expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[lang]["board"])

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "board.officer", lang)


async def test_an_incident_the_officer_opens_appears_on_the_supervisors_board_without_reload(
    new_context: NewContext,
    console_url: str,
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
) -> None:
    # Officer A reads the board in Chinese, supervisor B in English: two people, two browsers.
    officer = await console_context(new_context, console_url, "zh-CN")
    supervisor = await console_context(new_context, console_url, "en")
    officer_board = await sign_in(officer, on_duty_officer)
    supervisor_board = await sign_in(supervisor, SUPERVISOR)
    for page in (officer_board, supervisor_board):
        await board_is_live(page)
        await mark_loaded(page)

    # Intake over gRPC, as the officer: the call opens an incident.
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    assert reply.escalation == "opened", reply.escalation
    row = f"#incident-{reply.incident_id}"

    seconds = await appears_within(supervisor_board.locator(row), 1.0)
    print(f"the incident on the supervisor's board {seconds * 1000:.0f} ms after intake answered")
    await appears_within(officer_board.locator(row), 1.0)
    assert await still_loaded(supervisor_board) and await still_loaded(officer_board)

    for page, lang, who in ((supervisor_board, "en", "supervisor"), (officer_board, "zh-CN", "officer")):
        violations = await axe_violations(page)
        assert violations == [], describe(violations)
        await screenshot(page, f"board.live.{who}", lang)
