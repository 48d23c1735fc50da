"""ExportReport: a duty log, daily report, statistics or scorecards as an XLSX or PDF document. The answer
is the servicer's own read for the request, its RPC or the method behind it (so that who may see it, and
every figure, are the read's), turned into a document (services/insight/documents.py), rendered off the
event loop and streamed in chunks of at most 1 MiB; the first chunk names the file and its media type. A
read not implemented yet answers UNIMPLEMENTED here too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Protocol, cast

import grpc

from dutyline.insight.v1 import insight_pb2
from services.insight import documents
from services.insight.base import InsightBase
from services.insight.render import ChartImage, Document, Language, render_chart, render_pdf, render_xlsx
from services.insight.rpc_dutylog import names_of

CHUNK_BYTES = 1 << 20
MEDIA_TYPES = {
    insight_pb2.DOCUMENT_FORMAT_XLSX: ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    insight_pb2.DOCUMENT_FORMAT_PDF: ("pdf", "application/pdf"),
}
# Every card of a scorecards export, a page of the read at a time.
SCORECARD_PAGE = 500


class Reads(Protocol):
    """The read RPCs an export answers with (InsightServicer's, whichever group implements them)."""

    async def GetDutyLog(
        self, request: insight_pb2.GetDutyLogRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.DutyLog: ...

    async def GetDailyReport(
        self, request: insight_pb2.GetDailyReportRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.DailyReport: ...

    async def GetStatistics(
        self, request: insight_pb2.GetStatisticsRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.Statistics: ...

    async def scorecards(
        self, request: insight_pb2.GetScorecardsRequest, *, fit: bool = True
    ) -> insight_pb2.GetScorecardsResponse: ...

    async def statistics_charts(
        self, request: insight_pb2.GetStatisticsRequest, context: grpc.aio.ServicerContext, lang: Language
    ) -> tuple[insight_pb2.Statistics, documents.StatisticsCharts]: ...


def chunks(name: str, media_type: str, data: bytes) -> list[insight_pb2.ExportChunk]:
    """The file as chunks of at most CHUNK_BYTES, the first carrying its name and media type."""
    parts = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
    first = insight_pb2.ExportChunk(file_name=name, media_type=media_type, data=parts[0])
    return [first, *(insight_pb2.ExportChunk(data=part) for part in parts[1:])]


async def chart_images(charts: documents.StatisticsCharts, lang: Language) -> list[ChartImage]:
    """The statistics' four charts as PNG, drawn in a thread: matplotlib blocks."""
    images = []
    for chart in charts.all():
        png = await asyncio.to_thread(render_chart, chart, lang=lang, fmt="png")
        images.append(ChartImage(png))
    return images


def people_of_cards(answer: insight_pb2.GetScorecardsResponse) -> Iterator[str]:
    """Everyone scorecards name: each card's person, each line's and whoever decided its annotation."""
    for card in answer.scorecards:
        yield card.person_id
        for line in card.lines:
            yield line.person_id
            yield line.annotation.decided_by.person_id


class ExportRpcs(InsightBase):
    async def ExportReport(
        self, request: insight_pb2.ExportReportRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[insight_pb2.ExportChunk]:
        lang: Language = "en" if request.language == "en" else "zh"
        extension, media_type = MEDIA_TYPES[request.format]
        document, name = await self._document(request, context, lang, extension)
        render = render_xlsx if extension == "xlsx" else render_pdf
        data = await asyncio.to_thread(render, document)
        for chunk in chunks(name, media_type, data):
            yield chunk

    async def _document(
        self, request: insight_pb2.ExportReportRequest, context: grpc.aio.ServicerContext, lang: Language, fmt: str
    ) -> tuple[Document, str]:
        reads = cast(Reads, self)
        now = self.now()
        which = request.WhichOneof("document")
        if which == "duty_log":
            log = await reads.GetDutyLog(request.duty_log, context)
            return (
                documents.duty_log_document(
                    log, lang=lang, generated_at=now, site_name=(await self._sites.site(log.site_id)).name
                ),
                documents.duty_log_file_name(log, lang, fmt),
            )
        if which == "daily_report":
            report = await reads.GetDailyReport(request.daily_report, context)
            named = (p for s in report.sites for h in s.highlights for p in h.person_id.split(","))
            return (
                documents.daily_report_document(
                    report,
                    lang=lang,
                    generated_at=now,
                    site_name=(await self._sites.site(report.site_id)).name,
                    names=await self._names(named),
                ),
                documents.daily_report_file_name(report, lang, fmt),
            )
        if which == "statistics":
            stats, charts = await reads.statistics_charts(request.statistics, context, lang)
            images = await chart_images(charts, lang)
            return (
                documents.statistics_document(stats, lang=lang, generated_at=now, charts=images, per_site=fmt == "pdf"),
                documents.statistics_file_name(stats, lang, fmt),
            )
        asked = request.scorecards
        answer = insight_pb2.GetScorecardsResponse()
        page = insight_pb2.GetScorecardsRequest()
        page.CopyFrom(asked)
        page.page.page_size = SCORECARD_PAGE
        while True:
            # Every card of the page at once: in this process, not through a client's 4 MiB.
            part = await reads.scorecards(page, fit=False)
            answer.scorecards.extend(part.scorecards)
            answer.as_of.CopyFrom(part.as_of)
            if not part.page.next_page_token:
                break
            page.page.page_token = part.page.next_page_token
        site = await self._sites.site(asked.site_id)
        return (
            documents.scorecards_document(
                answer,
                site_id=asked.site_id,
                period=asked.period,
                lang=lang,
                generated_at=now,
                time_zone=site.time_zone,
                names=await self._names(people_of_cards(answer)),
                with_lines=fmt == "xlsx",
            ),
            documents.scorecards_file_name(asked.site_id, asked.period, lang, fmt),
        )

    async def _names(self, person_ids: Iterable[str]) -> dict[str, str]:
        async with self._pool.acquire() as conn:
            return await names_of(conn, person_ids)
