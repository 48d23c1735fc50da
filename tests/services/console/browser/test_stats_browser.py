"""The statistics screen in a real browser, on the real stack: the supervisor follows their screen's link
to their region's month, sees the four charts loaded (drawn by insight, through the console), the
headline figures GetStatistics gives, and downloads the month's statistics as a PDF; in zh-CN and English
it passes axe-core and is kept as screenshots (stats.zh-CN.png, stats.en.png). An emergency call registered
first gives the month a call and an incident, whatever ran before."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from services.console.stats import month_bounds
from tests.console_browser import NewContext, axe_violations, console_context, describe, screenshot
from tests.services.console.browser.test_console_screens import SUPERVISOR, emergency_call
from tests.services.console.browser.test_supervisor_browser import signed_in
from tests.support import token_for

pytestmark = pytest.mark.stack

TITLE = {"zh-CN": "值班统计", "en": "Duty statistics"}
CHARTS = ("answer-times", "calls-per-hour", "compliance", "violations")


async def calls_this_month(platform: Any) -> int:
    """The region's calls this month, as GetStatistics counts them."""
    month = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    start, end = month_bounds(month, "Asia/Shanghai")
    request = insight_pb2.GetStatisticsRequest(
        site_id="east", period=common_pb2.TimeRange(start=ts(start), end=ts(end))
    )
    async with channel(platform.address("insight"), token_for(SUPERVISOR, ["supervisor"], ["east"])) as ch:
        stats = await insight_pb2_grpc.InsightServiceStub(ch).GetStatistics(request, timeout=30)
    return sum(r.calls for r in stats.calls_by_category)


async def counted_beyond(platform: Any, calls: int) -> int:
    """The region's calls this month once insight counts more than ``calls`` (its projections lag)."""
    deadline = asyncio.get_running_loop().time() + 120
    while (now := await calls_this_month(platform)) <= calls:
        assert asyncio.get_running_loop().time() < deadline, f"still {now} calls"
        await asyncio.sleep(0.2)
    return now


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_supervisor_sees_the_regions_charts_and_figures_and_downloads_the_pdf(
    platform: Any, new_context: NewContext, console_url: str, lang: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    # A call at hz-01 this month, so the region's month has figures whatever ran before.
    earlier = await calls_this_month(platform)
    await intake.RegisterCall(emergency_call(), timeout=20)
    before = await counted_beyond(platform, earlier)
    context = await console_context(new_context, console_url, lang)
    page = await signed_in(context, SUPERVISOR)
    await page.goto("/supervisor")
    await page.locator("#region-stats").click()
    await page.wait_for_url("**/stats?site=east")
    after = await calls_this_month(platform)
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE[lang])
    await expect(page.locator("select[name=site]")).to_have_value("east")

    # The figures are GetStatistics's (read before and after the page, as events may still arrive).
    shown = int(await page.locator("#fig-calls").inner_text())
    assert before <= shown <= after
    await expect(page.locator("#fig-compliance")).to_contain_text("%")
    assert int(await page.locator("#fig-incidents").inner_text()) >= 1

    # The four charts, each an image the browser decoded (insight drew it; the console passed it on).
    for chart in CHARTS:
        image = page.locator(f"#chart-{chart} img")
        await image.scroll_into_view_if_needed()
        # insight draws one chart at a time: on a loaded machine four may take a while.
        await expect(image).to_have_js_property("complete", True, timeout=30_000)
        if await image.evaluate("img => img.naturalWidth") == 0:
            reply = await page.request.get(str(await image.get_attribute("src")))
            pytest.fail(f"the {chart} chart did not load: {reply.status} {(await reply.text())[:500]}")

    async with page.expect_download() as started:
        await page.locator("#export-statistics-pdf").click()
    download = await started.value
    assert download.suggested_filename.endswith(".pdf")
    path = await download.path()
    assert path.read_bytes().startswith(b"%PDF-")

    violations = await axe_violations(page)
    assert violations == [], describe(violations)
    await screenshot(page, "stats", lang)
