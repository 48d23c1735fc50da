"""GetDailyReport and ExportReport on the real stack: a day of calls and an incident at two sites of the
region "east" (and a drill), published as the services publish them and projected by the insight server;
the region's report sums its sites and agrees with GetStatistics; the exports are the reads' answers as
XLSX (read back with openpyxl) and PDF (pdftotext finds its Chinese, pdftoppm renders it), streamed in
chunks with the file's name first; another site's report and exports are refused."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.natsconn import connect_url
from tests.dutyline.projection_servers import publish
from tests.services.insight import events as ev
from tests.services.insight.test_duty_log import OFFICER_TOKEN, log_when, shift_story
from tests.services.insight.test_duty_log import publish as publish_events
from tests.support import token_for, until

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])
ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Day:
    day: date
    incident_id: str

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=ZONE)


@pytest.fixture(scope="module")
async def day(platform: Any) -> AsyncIterator[Day]:
    """A day of 2029 no other test uses: hz-01 takes three calls (one emergency answered late) and
    registers an incident, nb-01 one call; a drill call at hz-01 counts nowhere."""
    seed = random.randrange(1 << 30)
    the_day = Day(date(2029, 1, 1) + timedelta(days=seed % 365), f"inc-day-{seed}")
    at = the_day.start + timedelta(hours=9)
    events = [
        ev.call_registered(f"call-day-{seed}-1", at, category="emergency", delay=25.0, late=True),
        ev.call_registered(f"call-day-{seed}-2", at + timedelta(hours=1), channel="walk_in"),
        ev.call_registered(f"call-day-{seed}-3", at + timedelta(hours=2)),
        ev.call_registered(f"call-day-{seed}-4", at, site="nb-01"),
        ev.call_registered(f"call-day-{seed}-5", at, drill=True),
        ev.incident_registered(the_day.incident_id, at + timedelta(minutes=1)),
    ]
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        await publish(nc, events)
    finally:
        await nc.close()
    yield the_day


async def run(*command: str) -> bytes:
    """A tool's standard output; it must succeed."""
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    assert process.returncode == 0, command
    return out


async def report_of(platform: Any, token: str, site: str, day: str) -> insight_pb2.DailyReport:
    async with channel(platform.address("insight"), token) as ch:
        stub = insight_pb2_grpc.InsightServiceStub(ch)
        answer: insight_pb2.DailyReport = await stub.GetDailyReport(
            insight_pb2.GetDailyReportRequest(site_id=site, local_date=day), timeout=20
        )
        return answer


async def exported(
    platform: Any, token: str, request: insight_pb2.ExportReportRequest
) -> list[insight_pb2.ExportChunk]:
    async with channel(platform.address("insight"), token) as ch:
        stub = insight_pb2_grpc.InsightServiceStub(ch)
        return [chunk async for chunk in stub.ExportReport(request, timeout=60)]


async def projected(platform: Any, day: Day) -> insight_pb2.DailyReport:
    """The region's report once the day's events are in the read model."""

    async def calls() -> tuple[int, int]:
        report = await report_of(platform, SUPERVISOR, "east", day.day.isoformat())
        return report.figures.calls, report.figures.incidents

    # A loaded machine may keep the projections behind for a while.
    await until(calls, (4, 1), seconds=180)
    return await report_of(platform, SUPERVISOR, "east", day.day.isoformat())


async def test_the_daily_report_sums_its_sites_and_agrees_with_the_statistics(platform: Any, day: Day) -> None:
    report = await projected(platform, day)
    assert report.local_date == day.day.isoformat() and report.time_zone == "Asia/Shanghai"
    sites = {s.site_id: s for s in report.sites}
    assert {"hz-01", "nb-01"} <= set(sites)
    hz = sites["hz-01"].figures
    assert (hz.calls, hz.answered, hz.answered_late, hz.incidents) == (3, 3, 1, 1)
    assert {c.key: c.count for c in hz.calls_by_category} == {"emergency": 1, "consultation": 2}
    assert {c.key: c.count for c in hz.calls_by_channel} == {"phone": 2, "walk_in": 1}
    assert sites["nb-01"].figures.calls == 1
    assert report.figures.answered_late == 1
    assert [h.ref_id for h in sites["hz-01"].highlights if h.kind == "incident"] == [day.incident_id]

    async with channel(platform.address("insight"), SUPERVISOR) as ch:
        stats = await insight_pb2_grpc.InsightServiceStub(ch).GetStatistics(
            insight_pb2.GetStatisticsRequest(
                site_id="east",
                period=common_pb2.TimeRange(start=ts(day.start), end=ts(day.start + timedelta(days=1))),
            ),
            timeout=20,
        )
    assert sum(r.calls for r in stats.calls_by_category) == report.figures.calls
    assert sum(r.answered for r in stats.answer_times_by_site) == report.figures.answered

    own = await report_of(platform, HZ_OFFICER, "hz-01", day.day.isoformat())
    assert [s.site_id for s in own.sites] == ["hz-01"] and own.figures.calls == 3


async def test_another_sites_report_is_refused(platform: Any, day: Day) -> None:
    for site in ("nb-01", "east"):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await report_of(platform, HZ_OFFICER, site, day.day.isoformat())
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_daily_report_exports_as_a_workbook_with_its_figures(platform: Any, day: Day) -> None:
    await projected(platform, day)
    chunks = await exported(
        platform,
        SUPERVISOR,
        insight_pb2.ExportReportRequest(
            format=insight_pb2.DOCUMENT_FORMAT_XLSX,
            language="zh",
            daily_report=insight_pb2.GetDailyReportRequest(site_id="east", local_date=day.day.isoformat()),
        ),
    )
    assert chunks[0].file_name == f"值班日报-east-{day.day.isoformat()}.xlsx"
    assert chunks[0].media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(BytesIO(b"".join(c.data for c in chunks)))
    rows = [r for r in book["各站点情况"].iter_rows(values_only=True) if r and r[0] in ("hz-01", "nb-01", "合计")]
    assert {r[0]: r[1] for r in rows} == {"hz-01": 3, "nb-01": 1, "合计": 4}


async def test_statistics_export_as_a_pdf_with_chinese_text_and_charts(platform: Any, day: Day, tmp_path: Path) -> None:
    await projected(platform, day)
    chunks = await exported(
        platform,
        HZ_OFFICER,
        insight_pb2.ExportReportRequest(
            format=insight_pb2.DOCUMENT_FORMAT_PDF,
            language="zh",
            statistics=insight_pb2.GetStatisticsRequest(
                site_id="hz-01",
                period=common_pb2.TimeRange(start=ts(day.start), end=ts(day.start + timedelta(days=1))),
            ),
        ),
    )
    assert chunks[0].media_type == "application/pdf" and chunks[0].file_name.endswith(".pdf")
    assert all(len(c.data) <= 1 << 20 for c in chunks)
    path = tmp_path / "stats.pdf"
    await asyncio.to_thread(path.write_bytes, b"".join(c.data for c in chunks))
    text = (await run("pdftotext", str(path), "-")).decode()
    for words in ("值班统计", "来电（按类别）", "紧急/报警", "统计图"):
        assert words in text
    await run("pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "page"))
    assert (await asyncio.to_thread((tmp_path / "page.png").read_bytes)).startswith(b"\x89PNG")


async def test_scorecards_export_in_english(platform: Any, day: Day) -> None:
    period = f"{day.day:%Y-%m}"
    chunks = await exported(
        platform,
        ADMIN,
        insight_pb2.ExportReportRequest(
            format=insight_pb2.DOCUMENT_FORMAT_XLSX,
            language="en",
            scorecards=insight_pb2.GetScorecardsRequest(site_id="hz-01", period=period),
        ),
    )
    assert chunks[0].file_name == f"scorecards-hz-01-{period}.xlsx"
    book = load_workbook(BytesIO(b"".join(c.data for c in chunks)))
    assert book.sheetnames[0] == "Summary"


@pytest.mark.parametrize(
    "document",
    [
        {"daily_report": insight_pb2.GetDailyReportRequest(site_id="nb-01", local_date="2029-01-01")},
        {
            "statistics": insight_pb2.GetStatisticsRequest(
                site_id="nb-01",
                period=common_pb2.TimeRange(
                    start=ts(datetime(2029, 1, 1, tzinfo=ZONE)), end=ts(datetime(2029, 1, 2, tzinfo=ZONE))
                ),
            )
        },
        {"scorecards": insight_pb2.GetScorecardsRequest(site_id="east", period="2029-01")},
    ],
)
async def test_another_sites_exports_are_refused(platform: Any, document: dict[str, Any]) -> None:
    request = insight_pb2.ExportReportRequest(format=insight_pb2.DOCUMENT_FORMAT_PDF, language="en", **document)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await exported(platform, HZ_OFFICER, request)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_shifts_log_exports_as_a_pdf_and_counts_in_its_days_report(platform: Any, tmp_path: Path) -> None:
    # A past shift at a minute of 2024 no other test uses, as the duty log's test tells it.
    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=random.randrange(0, 300 * 24 * 60))
    start = start.replace(second=0, microsecond=0)
    events, expected = shift_story(start, start + timedelta(hours=8), f"exp-{random.randrange(1 << 30):x}")
    await publish_events(platform, events)
    read = insight_pb2.GetDutyLogRequest(site_id="hz-01", at=ts(start + timedelta(hours=1)))
    async with channel(platform.address("insight"), OFFICER_TOKEN) as ch:
        log = await log_when(
            insight_pb2_grpc.InsightServiceStub(ch),
            read,
            lambda lg: lg.figures.calls == expected["calls"] and lg.handover.status == "accepted",
        )
    chunks = await exported(
        platform,
        OFFICER_TOKEN,
        insight_pb2.ExportReportRequest(format=insight_pb2.DOCUMENT_FORMAT_PDF, language="zh", duty_log=read),
    )
    assert chunks[0].file_name == f"值班日志-hz-01-{log.local_date}-{log.shift_name}-v1.pdf"
    path = tmp_path / "log.pdf"
    await asyncio.to_thread(path.write_bytes, b"".join(c.data for c in chunks))
    text = (await run("pdftotext", str(path), "-")).decode()
    for words in ("值班日志", "值班记事", "交班值班员", "带班领导", "已接班", log.officer_ids[0]):
        assert words in text

    report = await report_of(platform, OFFICER_TOKEN, "hz-01", log.local_date)
    (site,) = report.sites
    assert log.id in site.log_ids and site.logs_unsigned == len(site.log_ids)


# -- the command line ---------------------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.translate(str.maketrans({c: " " for c in "│╭╮╰╯─"})).split())


async def cli(platform: Any, token: str, *argv: str, lang: str = "en") -> str:
    """`dutyline report --lang LANG <argv>` in a thread (the command runs its own event loop)."""
    env = {"COLUMNS": "250", "DUTYLINE_INSIGHT_ADDRESS": platform.address("insight"), "DUTYLINE_TOKEN": None}
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["report", "--token", token, "--lang", lang, *argv], env=env
    )
    assert result.exit_code == 0, result.output
    return flat(result.output)


def test_an_export_without_its_period_is_refused_before_anything_is_sent() -> None:
    result = CliRunner().invoke(
        app, ["report", "--token", ADMIN, "--lang", "en", "export", "--format", "pdf", "--what", "stats"]
    )
    assert result.exit_code == 2 and "--period" in flat(result.output), result.output


async def test_the_cli_shows_the_daily_report_and_writes_exports(platform: Any, day: Day, tmp_path: Path) -> None:
    await projected(platform, day)
    shown = await cli(platform, SUPERVISOR, "daily", "--site", "east", "--day", day.day.isoformat(), lang="zh")
    assert "值班日报" in shown and "各站点情况" in shown and day.incident_id in shown
    assert "hz-01 3 3" in shown  # site, calls, answered

    out = tmp_path / "stats.xlsx"
    said = await cli(
        platform,
        HZ_OFFICER,
        "export",
        "--format",
        "xlsx",
        "--what",
        "stats",
        "--period",
        day.day.isoformat(),
        "--out",
        str(out),
    )
    assert str(out) in said
    book = await asyncio.to_thread(load_workbook, out)
    rows = list(book["Calls by category"].iter_rows(values_only=True))
    assert any(r[0] == "Total" and r[-1] == 3 for r in rows), rows
