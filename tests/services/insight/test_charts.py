"""RenderChart on the real stack: a day of calls and an absence at hz-01, published as the services publish
them and projected by the insight server, come back as each of the four charts, a valid PNG (or SVG) drawn
from exactly GetStatistics's figures, and a period without any figure charts too; another site's charts
are refused, and so is the violations per person to an officer (who reads only their own card), while
bad input is a field violation."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import grpc
import pytest
from PIL import Image

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.natsconn import connect_url
from services.insight import documents
from services.insight.render import render_chart
from tests.dutyline.projection_servers import publish
from tests.services.insight import events as ev
from tests.support import token_for, until

pytestmark = pytest.mark.stack

SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])
HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
NB_OFFICER = token_for("p-nb-officer-1", ["officer"], ["nb-01"])
ZONE = ZoneInfo("Asia/Shanghai")
# Each kind and the chart of the statistics document it is (services.insight.documents.StatisticsCharts).
KINDS = {
    insight_pb2.CHART_KIND_ANSWER_TIMES: "answer_times",
    insight_pb2.CHART_KIND_CALLS_PER_HOUR: "calls_per_hour",
    insight_pb2.CHART_KIND_COMPLIANCE_TREND: "compliance",
    insight_pb2.CHART_KIND_VIOLATIONS: "violations",
}


@pytest.fixture(scope="module")
async def day(platform: Any) -> AsyncIterator[insight_pb2.GetStatisticsRequest]:
    """GetStatistics's request for a day of 2031 no other test uses, once its events are projected: three
    calls at hz-01 (one answered late) and an officer's absence: two violations (the late answer too)."""
    seed = random.randrange(1 << 30)
    start = datetime.combine(date(2031, 1, 1) + timedelta(days=seed % 365), datetime.min.time(), ZONE)
    at = start + timedelta(hours=9)
    events = [
        ev.call_registered(f"call-chart-{seed}-1", at, delay=4.0),
        ev.call_registered(f"call-chart-{seed}-2", at + timedelta(hours=3), delay=9.0),
        ev.call_registered(f"call-chart-{seed}-3", at + timedelta(hours=5), delay=31.0, late=True),
        ev.absence(f"asg-chart-{seed}", "p-hz-officer-2", at),
    ]
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        await publish(nc, events)
    finally:
        await nc.close()
    request = insight_pb2.GetStatisticsRequest(
        site_id="hz-01", period=common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=1)))
    )

    async def counted() -> tuple[int, int]:
        stats = await statistics(platform, request)
        return sum(r.calls for r in stats.calls_by_category), sum(r.violations for r in stats.violations)

    # A loaded machine may keep the projections behind for a while.
    await until(counted, (3, 2), seconds=180)
    yield request


async def statistics(platform: Any, request: insight_pb2.GetStatisticsRequest) -> insight_pb2.Statistics:
    async with channel(platform.address("insight"), SUPERVISOR) as ch:
        answer: insight_pb2.Statistics = await insight_pb2_grpc.InsightServiceStub(ch).GetStatistics(
            request, timeout=20
        )
        return answer


async def chart(platform: Any, token: str, request: insight_pb2.RenderChartRequest) -> insight_pb2.Chart:
    async with channel(platform.address("insight"), token) as ch:
        answer: insight_pb2.Chart = await insight_pb2_grpc.InsightServiceStub(ch).RenderChart(request, timeout=60)
        return answer


def render_request(
    stats: insight_pb2.GetStatisticsRequest, kind: int, fmt: int = insight_pb2.CHART_FORMAT_PNG, language: str = "zh"
) -> insight_pb2.RenderChartRequest:
    return insight_pb2.RenderChartRequest(statistics=stats, kind=kind, format=fmt, language=language)


async def test_each_chart_is_a_png_drawn_from_the_statistics(
    platform: Any, day: insight_pb2.GetStatisticsRequest
) -> None:
    stats = await statistics(platform, day)
    # The charts GetStatistics's figures make, drawn here: RenderChart must give the very same bytes.
    expected = documents.statistics_charts(stats, lang="zh")
    for kind, name in KINDS.items():
        answer = await chart(platform, SUPERVISOR, render_request(day, kind))
        assert answer.media_type == "image/png"
        image = Image.open(BytesIO(answer.data))
        image.verify()
        assert image.format == "PNG" and image.size[0] == 960
        drawn = await asyncio.to_thread(render_chart, getattr(expected, name), lang="zh", fmt="png")
        assert answer.data == drawn, insight_pb2.ChartKind.Name(kind)


async def test_a_chart_as_svg_in_english(platform: Any, day: insight_pb2.GetStatisticsRequest) -> None:
    answer = await chart(
        platform,
        HZ_OFFICER,
        render_request(day, insight_pb2.CHART_KIND_ANSWER_TIMES, insight_pb2.CHART_FORMAT_SVG, "en"),
    )
    assert answer.media_type == "image/svg+xml"
    root = ElementTree.fromstring(answer.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    stats = await statistics(platform, day)
    expected = documents.statistics_charts(stats, lang="en").answer_times
    assert answer.data == await asyncio.to_thread(render_chart, expected, lang="en", fmt="svg")


async def test_a_period_without_any_figure_still_charts(platform: Any) -> None:
    start = datetime(2032, 2, 29, tzinfo=ZONE)
    empty = insight_pb2.GetStatisticsRequest(
        site_id="east", period=common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=1)))
    )
    for kind in KINDS:
        answer = await chart(platform, SUPERVISOR, render_request(empty, kind, insight_pb2.CHART_FORMAT_SVG))
        assert ElementTree.fromstring(answer.data).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        (NB_OFFICER, insight_pb2.CHART_KIND_ANSWER_TIMES),
        (NB_OFFICER, insight_pb2.CHART_KIND_CALLS_PER_HOUR),
        # The violations name people: not an officer's to see, even at their own site.
        (HZ_OFFICER, insight_pb2.CHART_KIND_VIOLATIONS),
    ],
)
async def test_another_sites_charts_and_an_officers_violations_chart_are_refused(
    platform: Any, day: insight_pb2.GetStatisticsRequest, token: str, kind: int
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await chart(platform, token, render_request(day, kind))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_bad_input_is_a_field_violation(platform: Any, day: insight_pb2.GetStatisticsRequest) -> None:
    too_long = insight_pb2.GetStatisticsRequest()
    too_long.CopyFrom(day)
    too_long.period.end.FromDatetime(day.period.start.ToDatetime() + timedelta(days=400))
    bad = {
        "kind": render_request(day, insight_pb2.CHART_KIND_UNSPECIFIED),
        "format": render_request(day, insight_pb2.CHART_KIND_ANSWER_TIMES, insight_pb2.CHART_FORMAT_UNSPECIFIED),
        "language": render_request(day, insight_pb2.CHART_KIND_ANSWER_TIMES, language="fr"),
        "statistics.period": render_request(too_long, insight_pb2.CHART_KIND_ANSWER_TIMES),
    }
    for field, request in bad.items():
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await chart(platform, SUPERVISOR, request)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in [v.field for v in field_violations(refused.value)], field
