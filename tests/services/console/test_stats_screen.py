"""The statistics screen over HTTP, on the real stack: an officer sees their own site only, the charts
but the violations per person (which insight refuses them, and the console with it), only their own
scorecard, and downloads the month's scorecards as a workbook; the charts come as SVG or PNG with
cache headers for that person only; another site and a malformed month are refused; the supervisor's
screen links to their region's statistics."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.stack

OFFICER = "p-hz-officer-1"
SUPERVISOR = "p-east-supervisor"


def this_month() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


async def test_an_officer_sees_their_site_without_the_violations_chart_and_only_their_own_card(
    browsers: Any,
) -> None:
    officer = browsers()
    await officer.sign_in(OFFICER)
    reply, page = await officer.get("/stats")
    assert reply.status == 200 and "值班统计" in page
    assert re.search(r'<a href="/stats" aria-current="page">统计</a>', page)
    # The month on the site's clock by default, and only the officer's own site to choose.
    assert f'name="month" value="{this_month()}"' in page
    assert re.findall(r'<option value="([^"]+)"', page) == ["hz-01"]
    charts = re.findall(r'<figure class="chart" id="chart-([a-z-]+)">', page)
    assert charts == ["answer-times", "calls-per-hour", "compliance"]
    assert {p for p in re.findall(r'data-person="([^"]*)"', page)} <= {OFFICER}
    for figure in ("calls", "compliance", "missed", "incidents", "late-reports", "violations"):
        assert f'id="fig-{figure}"' in page
    # Insight refuses the violations chart to an officer: a 403 naming the code, nothing drawn.
    reply, body = await officer.get(f"/stats/charts/violations?site=hz-01&month={this_month()}")
    assert reply.status == 403 and "PERMISSION_DENIED" in body
    # Another site, and a month that is not one.
    reply, _ = await officer.get("/stats?site=nb-01")
    assert reply.status == 403
    reply, _ = await officer.get("/stats?site=hz-01&month=2026-13")
    assert reply.status == 400


async def test_a_chart_is_an_image_cached_for_its_person_only(browsers: Any) -> None:
    officer = browsers()
    await officer.sign_in(OFFICER)
    query = f"site=hz-01&month={this_month()}&lang=en"
    async with officer.http.get(f"{officer.base}/stats/charts/answer-times?{query}") as reply:
        assert reply.status == 200 and reply.content_type == "image/svg+xml"
        assert reply.headers["Cache-Control"].startswith("private") and reply.headers["Vary"] == "Cookie"
        assert (await reply.read()).lstrip().startswith(b"<?xml")
    async with officer.http.get(f"{officer.base}/stats/charts/compliance?{query}&format=png") as reply:
        assert reply.status == 200 and reply.content_type == "image/png"
        assert (await reply.read()).startswith(b"\x89PNG\r\n\x1a\n")
    # Someone not signed in is sent to sign in, not shown a chart.
    stranger = browsers()
    reply, _ = await stranger.get(f"/stats/charts/answer-times?{query}")
    assert reply.status == 303 and reply.headers["Location"] == "/signin"


async def test_the_months_scorecards_download_as_a_workbook(browsers: Any) -> None:
    officer = browsers()
    await officer.sign_in(OFFICER)
    async with officer.http.get(
        f"{officer.base}/stats/export/scorecards/xlsx?site=hz-01&month={this_month()}"
    ) as reply:
        assert reply.status == 200
        assert reply.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        disposition = reply.headers["Content-Disposition"]
        data = await reply.read()
    assert disposition.startswith("attachment;")
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    # insight's file name, in Chinese (the officer's language) with an ASCII fallback beside it.
    assert name.endswith(f"-hz-01-{this_month()}.xlsx") and re.match(r"[\u4e00-\u9fff]+-", name)
    assert 'filename="' in disposition
    assert load_workbook(BytesIO(data)).sheetnames
    reply, _ = await officer.get(f"/stats/export/scorecards/docx?site=hz-01&month={this_month()}")
    assert reply.status == 404


async def test_the_supervisor_screen_links_to_the_regions_statistics(browsers: Any) -> None:
    supervisor = browsers()
    await supervisor.sign_in(SUPERVISOR)
    reply, page = await supervisor.get("/supervisor")
    assert reply.status == 200 and '<a id="region-stats" href="/stats?site=east">' in page
    reply, page = await supervisor.get("/stats?site=east")
    assert reply.status == 200
    assert re.findall(r'<option value="([^"]+)" selected', page) == ["east"]
    assert 'id="chart-violations"' in page
