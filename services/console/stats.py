"""Statistics (统计): a site's or region's month on one screen — the headline figures (calls, three-ring
compliance, missed calls, incidents, late reports, violations) from insight's GetStatistics, its four
charts drawn by insight (RenderChart, proxied here as images), the month's scorecards (GetScorecards: an
officer gets only their own) and the month's documents (ExportReport, streamed through the console).

Every read is made with the signed-in person's own token, so insight decides what they see; the page
offers only the sites they act for, and the violations chart only to those who read other people's
cards (insight refuses it to anyone else)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import grpc
from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import Principal
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console.clock import local_time
from services.console.sessions import Session
from services.console.web import Console, console_of, lang_of, render, require_signed_in

# Insight cuts a site without a zone of its own on this clock (services/insight/rpc_statistics.py).
DEFAULT_ZONE = "Asia/Shanghai"
MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
# The charts, in the order shown, by the name in their URL.
CHARTS = {
    "answer-times": insight_pb2.CHART_KIND_ANSWER_TIMES,
    "calls-per-hour": insight_pb2.CHART_KIND_CALLS_PER_HOUR,
    "compliance": insight_pb2.CHART_KIND_COMPLIANCE_TREND,
    "violations": insight_pb2.CHART_KIND_VIOLATIONS,
}
# Who reads other people's cards, and so their violations (insight's rule for GetScorecards and the
# violations chart): the page shows that chart only to them.
READ_OTHERS = ("leader", "unit_head", "supervisor", "admin")
# A person's browser keeps a chart this long, for them only (the session cookie is part of the key).
CHART_CACHE = "private, max-age=300"
DOCUMENTS = {"statistics", "scorecards"}
FORMATS = {"pdf": insight_pb2.DOCUMENT_FORMAT_PDF, "xlsx": insight_pb2.DOCUMENT_FORMAT_XLSX}
CARD_PAGE = 500


class ExportBroken(RuntimeError):
    """The document's stream failed after its first bytes went out: the download must end unfinished,
    never look complete."""


@dataclass(frozen=True)
class Scope:
    """What the screen shows: one of the sites (or regions) the person acts for, and a month on its clock."""

    sites: list[roster_pb2.Site]
    site: roster_pb2.Site
    month: str
    start: datetime
    end: datetime

    @property
    def zone(self) -> str:
        return self.site.time_zone or DEFAULT_ZONE

    def statistics(self) -> insight_pb2.GetStatisticsRequest:
        return insight_pb2.GetStatisticsRequest(
            site_id=self.site.id,
            period=common_pb2.TimeRange(start=ts(self.start), end=ts(self.end)),
            granularity=insight_pb2.GRANULARITY_DAY,
        )

    def query(self, **more: str) -> str:
        return urlencode({"site": self.site.id, "month": self.month, **more})


@dataclass(frozen=True)
class Figures:
    """The month's headline figures, summed over its days and sites."""

    calls: int
    answered: int
    within_limit: int
    missed: int
    abandoned: int
    incidents: int
    reports_late: int
    reports_missed: int
    violations: int

    @classmethod
    def of(cls, stats: insight_pb2.Statistics) -> Figures:
        return cls(
            calls=sum(r.calls for r in stats.calls_by_category),
            answered=sum(r.answered for r in stats.answer_times_by_site),
            within_limit=sum(r.within_limit for r in stats.answer_times_by_site),
            missed=sum(r.missed for r in stats.missed_calls),
            abandoned=sum(r.abandoned for r in stats.missed_calls),
            incidents=sum(r.incidents for r in stats.incidents),
            reports_late=sum(r.late for r in stats.reports),
            reports_missed=sum(r.missed for r in stats.reports),
            violations=sum(r.violations for r in stats.violations),
        )

    @property
    def compliance(self) -> str:
        """三环接听率: the share answered within the limit, or a dash when nothing was answered."""
        return f"{self.within_limit / self.answered:.1%}" if self.answered else "—"


def month_bounds(month: str, zone: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, on the site's clock."""
    found = MONTH.match(month)
    assert found is not None
    year, number = int(found.group(1)), int(found.group(2))
    tz = ZoneInfo(zone)
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start, end


def readable_sites(sites: list[roster_pb2.Site], principal: Principal) -> list[roster_pb2.Site]:
    """The sites and regions the person acts for, the widest first (a region before its sites)."""
    mine = [s for s in sites if principal.covers(s.id, list(s.ancestor_ids))]
    return sorted(mine, key=lambda s: (len(s.ancestor_ids), s.kind, s.id))


async def scope_of(console: Console, session: Session, query: Any) -> Scope:
    """The site asked for (or the widest the person acts for) and the month asked for (or the current
    one on that site's clock); a site that is not theirs is refused, a malformed month is bad input."""
    assert session.principal is not None
    async with console.channel("roster", session) as ch:
        listed = await roster_pb2_grpc.RosterServiceStub(ch).ListSites(roster_pb2.ListSitesRequest(), timeout=10)
    sites = readable_sites(list(listed.sites), session.principal)
    if not sites:
        raise web.HTTPForbidden(reason="no site")
    wanted = query.get("site", "")
    site = next((s for s in sites if s.id == wanted), None) if wanted else sites[0]
    if site is None:
        raise web.HTTPForbidden(reason=f"site {wanted}")
    zone = site.time_zone or DEFAULT_ZONE
    month = query.get("month", "") or datetime.now(UTC).astimezone(ZoneInfo(zone)).strftime("%Y-%m")
    if not MONTH.match(month):
        raise web.HTTPBadRequest(reason=f"month {month}")
    start, end = month_bounds(month, zone)
    return Scope(sites=sites, site=site, month=month, start=start, end=end)


def sees_others(principal: Principal | None) -> bool:
    return principal is not None and principal.has_role(*READ_OTHERS)


async def _names(console: Console, session: Session, site_ids: set[str]) -> dict[str, str]:
    """People's names at the sites of the cards, for the scorecards table."""
    async with console.channel("roster", session) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        replies = await asyncio.gather(
            *(roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=s), timeout=10) for s in sorted(site_ids))
        )
    return {p.id: p.display_name for reply in replies for p in reply.people}


async def stats(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    console = console_of(request)
    scope = await scope_of(console, session, request.query)
    async with console.channel("insight", session) as ch:
        insight = insight_pb2_grpc.InsightServiceStub(ch)
        figures, cards = await asyncio.gather(
            insight.GetStatistics(scope.statistics(), timeout=30),
            insight.GetScorecards(
                insight_pb2.GetScorecardsRequest(
                    site_id=scope.site.id,
                    period=scope.month,
                    without_lines=True,
                    page=common_pb2.PageRequest(page_size=CARD_PAGE),
                ),
                timeout=30,
            ),
        )
    names = await _names(console, session, {c.site_id for c in cards.scorecards if c.person_id})
    site_names = {s.id: s.name for s in scope.sites}
    charts = [c for c in CHARTS if c != "violations" or sees_others(session.principal)]
    return render(
        request,
        "stats.html",
        context={
            "scope": scope,
            "figures": Figures.of(figures),
            "as_of": local_time(figures.as_of, scope.zone),
            "charts": charts,
            "chart_query": scope.query(lang=lang_of(request)),
            "cards": cards.scorecards,
            "names": names,
            "site_names": site_names,
            "person_kind": insight_pb2.SCORE_SUBJECT_PERSON,
        },
    )


async def chart(request: web.Request) -> web.StreamResponse:
    """One chart as an image: SVG unless PNG is asked for, in the language of the URL (so that a cached
    chart never shows in the other language), kept by this person's browser only."""
    session = require_signed_in(request)
    console = console_of(request)
    kind = CHARTS.get(request.match_info["kind"])
    if kind is None:
        raise web.HTTPNotFound()
    scope = await scope_of(console, session, request.query)
    lang = request.query.get("lang") or lang_of(request)
    png = request.query.get("format") == "png"
    async with console.channel("insight", session) as ch:
        answer = await insight_pb2_grpc.InsightServiceStub(ch).RenderChart(
            insight_pb2.RenderChartRequest(
                statistics=scope.statistics(),
                kind=kind,
                format=insight_pb2.CHART_FORMAT_PNG if png else insight_pb2.CHART_FORMAT_SVG,
                language="en" if lang == "en" else "zh",
            ),
            timeout=60,
        )
    response = web.Response(body=answer.data, content_type=answer.media_type)
    response.headers["Cache-Control"] = CHART_CACHE
    response.headers["Vary"] = "Cookie"
    return response


def attachment(file_name: str) -> str:
    """Content-Disposition for a download named in Chinese: an ASCII fallback and the UTF-8 name."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", file_name).strip("_") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


async def export(request: web.Request) -> web.StreamResponse:
    """The month's statistics or scorecards as PDF or XLSX, streamed from insight as it sends them."""
    session = require_signed_in(request)
    console = console_of(request)
    document, fmt = request.match_info["document"], request.match_info["format"]
    if document not in DOCUMENTS or fmt not in FORMATS:
        raise web.HTTPNotFound()
    scope = await scope_of(console, session, request.query)
    wanted = insight_pb2.ExportReportRequest(format=FORMATS[fmt], language="en" if lang_of(request) == "en" else "zh")
    if document == "statistics":
        wanted.statistics.CopyFrom(scope.statistics())
    else:
        wanted.scorecards.CopyFrom(insight_pb2.GetScorecardsRequest(site_id=scope.site.id, period=scope.month))
    async with console.channel("insight", session) as ch:
        chunks: AsyncIterator[insight_pb2.ExportChunk] = aiter(
            insight_pb2_grpc.InsightServiceStub(ch).ExportReport(wanted, timeout=120)
        )
        # A refusal or bad input arrives before the first chunk: an error page, not a broken file.
        first = await anext(chunks)
        response = web.StreamResponse(
            headers={
                "Content-Type": first.media_type,
                "Content-Disposition": attachment(first.file_name),
                "Cache-Control": "private, no-store",
            }
        )
        await response.prepare(request)
        await response.write(first.data)
        try:
            async for chunk in chunks:
                await response.write(chunk.data)
        except grpc.aio.AioRpcError as exc:
            raise ExportBroken(f"{first.file_name}: {exc.code().name}") from exc
    await response.write_eof()
    return response
