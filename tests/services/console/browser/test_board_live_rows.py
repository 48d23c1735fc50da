"""The board's live rows in a real browser, on the real stack: a change to one incident replaces that
row only (the table, the other rows and the page stay; nothing is fetched again), in zh-CN and
English; the board with its "due" panels, and its full-screen mode, pass axe-core and are kept as
screenshots."""

from __future__ import annotations

import re
import uuid
from functools import partial

import pytest
from playwright.async_api import Page, Request, expect

from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from tests.console_browser import (
    NewContext,
    axe_violations,
    board_is_live,
    console_context,
    describe,
    mark_loaded,
    screenshot,
    sign_in,
    still_loaded,
)
from tests.console_http import nearest_report
from tests.services.console.browser.test_console_screens import emergency_call
from tests.support import until

pytestmark = pytest.mark.stack

SUPERVISOR = "p-east-supervisor"
# The verified row's severity in each language (services/console/i18n.py).
SEVERITY_II = {"zh-CN": "重大（Ⅱ级）", "en": "II · Major"}
# Generous: the 1 s figure is bench/console_board.py's to measure, not a shared machine's test's.
LIVE_TIMEOUT_MS = 10_000


async def tag(page: Page, selector: str) -> None:
    """Marks the element now matching ``selector``: replaced, the new one has no mark."""
    await page.locator(selector).evaluate("el => { el.dataset.kept = 'yes'; }")


async def kept(page: Page, selector: str) -> bool:
    return await page.locator(selector).get_attribute("data-kept") == "yes"


async def stage_of(incidents: incident_pb2_grpc.IncidentServiceStub, incident_id: str) -> int:
    return int((await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id))).stage)


async def test_a_change_to_one_incident_replaces_its_row_only(
    new_context: NewContext,
    console_url: str,
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
) -> None:
    # Two open incidents, both awaiting verification: the one that changes and one beside it.
    changing = (await intake.RegisterCall(emergency_call(), timeout=20)).incident_id
    beside = (await intake.RegisterCall(emergency_call(), timeout=20)).incident_id
    for incident_id in (changing, beside):
        # The duty leader told, they await verification (at the escalation's pace: a generous wait).
        await until(partial(stage_of, incidents, incident_id), incident_pb2.STAGE_VERIFY, seconds=60)

    boards: dict[str, Page] = {}
    fetched: list[str] = []

    def watch(request: Request) -> None:
        # After the page loaded, the only request to the board may be its event stream.
        if "/board" in request.url and "/board/rows" not in request.url:
            fetched.append(request.url)

    for lang, person in (("zh-CN", on_duty_officer), ("en", SUPERVISOR)):
        page = await sign_in(await console_context(new_context, console_url, lang), person)
        await board_is_live(page)
        await expect(page.locator(f"#incident-{changing}")).to_be_visible()
        await mark_loaded(page)
        for selector in ("#board-rows", f"#incident-{changing}", f"#incident-{beside}"):
            await tag(page, selector)
        page.on("request", watch)
        boards[lang] = page

    await incidents.Verify(
        incident_pb2.VerifyRequest(
            idempotency_key=str(uuid.uuid4()),
            incident_id=changing,
            confirmed=True,
            category=incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
            sub_type="flood",
            severity=common_pb2.SEVERITY_II,
        )
    )
    nearest = await nearest_report(incidents, changing)
    deadline = {"zh-CN": nearest.zh, "en": nearest.en}
    for lang, page in boards.items():
        row = page.locator(f"#incident-{changing}")
        await expect(row).to_contain_text(SEVERITY_II[lang], timeout=LIVE_TIMEOUT_MS)
        await expect(row).to_contain_text(deadline[lang])
        # Verified, it counts down (console.js ticks it): H:MM:SS, changing while we look.
        countdown = row.locator("time.countdown")
        first = await countdown.text_content()
        assert first is not None and re.fullmatch(r"-?\d+:\d\d:\d\d", first), first
        await expect(countdown).not_to_have_text(first, timeout=5_000)
        # One row replaced: the table and the row beside it are the same elements, the page was not
        # reloaded, and the board fetched nothing but its stream.
        assert not await kept(page, f"#incident-{changing}")
        assert await kept(page, "#board-rows") and await kept(page, f"#incident-{beside}")
        assert await still_loaded(page)
        # Now with a deadline, it sorts above the incidents still awaiting verification.
        ids = await page.locator("#board-rows tr[data-incident]").evaluate_all(
            "rows => rows.map(r => r.dataset.incident)"
        )
        assert ids.index(changing) < ids.index(beside)
        violations = await axe_violations(page)
        assert violations == [], describe(violations)
        await screenshot(page, "board.rows", lang)
    assert fetched == [], fetched


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_full_screen_board_with_what_is_due_passes_axe(
    new_context: NewContext,
    console_url: str,
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
    lang: str,
) -> None:
    # Something in each panel: a consultation whose record is open, with a callback promised.
    consultation = emergency_call()
    consultation.category = intake_pb2.CALL_CATEGORY_CONSULTATION
    consultation.request = "停水何时恢复 When is the water back?"
    call = (await intake.RegisterCall(consultation, timeout=20)).call
    await intake.PromiseCallback(
        intake_pb2.PromiseCallbackRequest(
            idempotency_key=str(uuid.uuid4()), call_id=call.id, recipient_id=on_duty_officer, content="回电告知"
        )
    )
    page = await sign_in(await console_context(new_context, console_url, lang), on_duty_officer)
    await expect(page.locator("#due-calls")).to_contain_text(call.summary)
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "board.due", lang)

    await page.goto("/board?wall=1")
    await board_is_live(page)
    await expect(page.locator("body")).to_have_class(re.compile(r"\bwall\b"))
    await expect(page.locator("#due-callbacks")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "board.wall", lang)
