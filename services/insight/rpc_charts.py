"""RenderChart: one of the statistics' four charts (统计图), drawn on the server. The figures are
GetStatistics's answer for the request (so who may see them, and every figure, are the read's), charted
as the statistics document charts them (services/insight/documents.py) and drawn off the event loop.

The violations per person name people: only those who read other people's cards (GetScorecards's
READ_OTHERS) get that chart; an officer is refused it, whatever the site."""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

import grpc

from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.errors import PermissionDenied
from dutyline.insight.v1 import insight_pb2
from services.insight import documents
from services.insight.base import InsightBase
from services.insight.policy import READ_OTHERS
from services.insight.render import Chart, ImageFormat, Language, render_chart

FORMATS: dict[int, tuple[ImageFormat, str]] = {
    insight_pb2.CHART_FORMAT_PNG: ("png", "image/png"),
    insight_pb2.CHART_FORMAT_SVG: ("svg", "image/svg+xml"),
}


class StatisticsRead(Protocol):
    async def GetStatistics(
        self, request: insight_pb2.GetStatisticsRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.Statistics: ...


def chart_of(charts: documents.StatisticsCharts, kind: int) -> Chart:
    """The chart of ``kind`` (a defined ChartKind but UNSPECIFIED: the boundary refused that)."""
    by_kind: dict[int, Chart] = {
        insight_pb2.CHART_KIND_ANSWER_TIMES: charts.answer_times,
        insight_pb2.CHART_KIND_CALLS_PER_HOUR: charts.calls_per_hour,
        insight_pb2.CHART_KIND_COMPLIANCE_TREND: charts.compliance,
        insight_pb2.CHART_KIND_VIOLATIONS: charts.violations,
    }
    return by_kind[kind]


class ChartRpcs(InsightBase):
    async def statistics_charts(
        self, request: insight_pb2.GetStatisticsRequest, context: grpc.aio.ServicerContext, lang: Language
    ) -> tuple[insight_pb2.Statistics, documents.StatisticsCharts]:
        """GetStatistics's answer and its four charts, against the site's three-ring limit."""
        stats = await cast(StatisticsRead, self).GetStatistics(request, context)
        site = await self._sites.site(request.site_id)
        limit = float(site.answer_limit_seconds or documents.DEFAULT_LIMIT_SECONDS)
        return stats, documents.statistics_charts(stats, lang=lang, limit_seconds=limit)

    async def RenderChart(
        self, request: insight_pb2.RenderChartRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.Chart:
        principal = current_principal()
        if request.kind == insight_pb2.CHART_KIND_VIOLATIONS and not principal.has_role(*READ_OTHERS):
            raise PermissionDenied(
                f"{principal.person_id} may not see other people's violations / 无权查看他人的违规情况"
            )
        lang: Language = "en" if request.language == "en" else "zh"
        stats, charts = await self.statistics_charts(request.statistics, context, lang)
        fmt, media_type = FORMATS[request.format]
        # matplotlib blocks (and draws one chart at a time): off the event loop.
        data = await asyncio.to_thread(render_chart, chart_of(charts, request.kind), lang=lang, fmt=fmt)
        return insight_pb2.Chart(media_type=media_type, data=data, as_of=stats.as_of)
