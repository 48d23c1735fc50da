"""GetStatistics on the real stack: a generated month of two sites of the region "east" (calls, line calls,
callbacks, incidents, reports and violations, with drills), published to JetStream as the services
publish them, and projected by the insight server's own projections. Each figure group is checked
against a count made here from the generated records alone; the same events delivered again change
nothing; the region is the sum of its sites; `dutyline insight rebuild` (as insight's own role) gives
the same tables and figures back; another site's figures are refused; bad periods are field errors."""

from __future__ import annotations

import asyncio
import bisect
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.envelope import timestamp
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.intake.v1 import telephony_pb2
from dutyline.natsconn import connect_url
from dutyline.projection import pending_of
from services.insight.projections import PROJECTIONS
from services.insight.projections.calls import CALLS
from services.insight.projections.incidents import INCIDENTS
from services.insight.projections.violations import VIOLATIONS
from services.insight.rpc_statistics import ANSWER_TIME_BOUNDS
from tests.dutyline.projection_servers import publish
from tests.services.insight import events as ev
from tests.support import token_for, until

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])
ZONE = ZoneInfo("Asia/Shanghai")
SITES = ("hz-01", "nb-01")
OFFICERS = ("p-a", "p-b", "p-c")
CATEGORIES = ("consultation", "complaint", "emergency", "notice")
CHANNELS = ("phone", "sms", "walk_in")
INCIDENT_CATEGORIES = {
    incident_pb2.INCIDENT_CATEGORY_ACCIDENT: "accident",
    incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER: "natural_disaster",
    incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH: "public_health",
}
SEVERITIES = (common_pb2.SEVERITY_I, common_pb2.SEVERITY_II, common_pb2.SEVERITY_III)
# The projections whose tables the figures read, waited for by their lag.
FIGURED = (CALLS, INCIDENTS, VIOLATIONS)


@dataclass
class Month:
    """A month of two sites, and every figure counted from the generated records (site-keyed)."""

    start: datetime
    end: datetime
    tag: str = ""
    events: list[event_pb2.Event] = field(default_factory=list)
    by_category: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_channel: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_hour: Counter[tuple[str, int]] = field(default_factory=Counter)
    by_day: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    answers: dict[tuple[str, str, str], list[tuple[float, bool]]] = field(default_factory=lambda: defaultdict(list))
    missed: Counter[tuple[str, str]] = field(default_factory=Counter)
    incidents: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    reports: Counter[tuple[str, str]] = field(default_factory=Counter)
    violations: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def line_call(
    site: str, line_call_id: str, *, line: str, state: str, at: datetime, version: int, delay: float = 0.0
) -> event_pb2.Event:
    ring = at - timedelta(seconds=60)
    call = telephony_pb2.LineCall(
        id=line_call_id,
        site_id=site,
        line_id=line,
        switch_id="sw-1",
        state=state,
        ring_started_at=timestamp(ring),
        answered_at=timestamp(ring + timedelta(seconds=delay)) if delay else None,
        ended_at=timestamp(at) if state != "ringing" else None,
        answer_delay_seconds=delay,
        answered_late=delay > 15,
        officer_id="p-a",
        shift_name="day",
    )
    kind = "ringing" if state == "ringing" else state
    payload = event_pb2.LineCallChanged(call=call, detail=kind)
    return ev.event(f"line_call.{kind}", payload, aggregate_id=line_call_id, version=version, at=at, site=site)


def incident_changed(
    event_type: str,
    current: incident_pb2.Incident,
    *,
    version: int,
    at: datetime,
    report: incident_pb2.Report | None = None,
    violation: incident_pb2.Violation | None = None,
) -> event_pb2.Event:
    payload = event_pb2.IncidentChanged(
        incident=current,
        detail=event_type,
        report=report,
        violation=violation,
        violations=[violation] if violation else [],
    )
    return ev.event(
        event_type, payload, aggregate_id=current.id, version=version, at=at, site=current.site_id, drill=current.drill
    )


def a_month(seed: int) -> Month:
    """Random records of a past month (no other test's events fall in it), counted as they are made."""
    rng = random.Random(seed)
    year, month_no = rng.randrange(2001, 2020), rng.randrange(1, 13)
    start = datetime(year, month_no, 1, tzinfo=ZONE)
    end = datetime(year + month_no // 12, month_no % 12 + 1, 1, tzinfo=ZONE)
    tag = f"{seed:x}"
    month = Month(start=start, end=end, tag=tag)
    add = month.events.append

    def moment() -> datetime:
        # Days 2-27, away from the month's edges, so that every record falls in the month.
        return start + timedelta(days=rng.randrange(1, 27), seconds=rng.randrange(86_400))

    for site in SITES:
        for n in range(60):
            at, call_id = moment(), f"st-{tag}-{site}-call-{n}"
            drill = n % 12 == 11
            delay = rng.randrange(2, 80) / 2  # halves: exact in PostgreSQL's real, some on the bounds
            officer, category, channel_ = rng.choice(OFFICERS), rng.choice(CATEGORIES), rng.choice(CHANNELS)
            late = delay > 15
            add(
                ev.call_registered(
                    call_id,
                    at,
                    delay=delay,
                    late=late,
                    officer=officer,
                    category=category,
                    channel=channel_,
                    site=site,
                    drill=drill,
                )
            )
            if drill:
                continue
            month.by_category[(site, category)] += 1
            month.by_channel[(site, channel_)] += 1
            month.by_hour[(site, at.astimezone(ZONE).hour)] += 1
            month.by_day[(site, at.astimezone(ZONE).strftime("%Y-%m-%d"), category)] += 1
            month.answers[(site, "", "")].append((delay, late))
            month.answers[(site, "", officer)].append((delay, late))
            if late:
                month.violations[(site, officer, "late_answer")] += 1
        for n in range(20):
            at, line_call_id = moment(), f"st-{tag}-{site}-lc-{n}"
            state = ("ended", "ended", "not_answered", "abandoned")[n % 4]
            line = ("line-1", "line-2")[n % 2]
            delay = rng.randrange(2, 60) / 2 if state == "ended" else 0.0
            add(line_call(site, line_call_id, line=line, state="ringing", at=at - timedelta(seconds=50), version=1))
            add(line_call(site, line_call_id, line=line, state=state, at=at, version=2, delay=delay))
            if state == "ended":
                month.answers[(site, line, "-")].append((delay, delay > 15))
            else:
                month.missed[(site, state)] += 1
        for n in range(12):
            at, callback_id = moment(), f"st-{tag}-{site}-cb-{n}"
            call = ev.call_record(f"st-{tag}-{site}-cbcall-{n}", at=at, status="missed", site=site)
            due = at + timedelta(minutes=10)
            add(ev.callback_event("callback.promised", call, callback_id, due=due, at=at, recipient="p-b"))
            outcome = ("on_time", "late", "open")[n % 3]
            if outcome == "on_time":
                done = at + timedelta(minutes=5)
                add(
                    ev.callback_event(
                        "callback.completed", call, callback_id, due=due, at=done, completed=done, version=2
                    )
                )
            else:
                overdue_at = due + timedelta(seconds=1)
                add(
                    ev.callback_event(
                        "callback.overdue",
                        call,
                        callback_id,
                        due=due,
                        at=overdue_at,
                        overdue=True,
                        version=2,
                        recipient="p-b",
                    )
                )
                month.violations[(site, "p-b", "callback_overdue")] += 1
                if outcome == "late":
                    done = due + timedelta(minutes=30)
                    add(
                        ev.callback_event(
                            "callback.completed",
                            call,
                            callback_id,
                            due=due,
                            at=done,
                            completed=done,
                            version=3,
                            recipient="p-b",
                        )
                    )
            # The month is past: an open callback is late too.
            month.missed[(site, "callbacks_due")] += 1
            month.missed[(site, "callbacks_on_time" if outcome == "on_time" else "callbacks_late")] += 1
        for n in range(10):
            at, incident_id = moment(), f"st-{tag}-{site}-inc-{n}"
            drill = n == 9
            category = rng.choice(list(INCIDENT_CATEGORIES))
            severity = rng.choice(SEVERITIES)
            late = rng.choice([0.0, 0.0, 300.0])
            report = incident_pb2.Report(
                id=f"{incident_id}-rep-1",
                incident_id=incident_id,
                kind=incident_pb2.REPORT_KIND_INITIAL_PHONE,
                number=1,
                author_id="p-c",
                submitted_at=timestamp(at + timedelta(minutes=20)),
                late_seconds=late,
            )
            current = ev.incident(incident_id, registered=at, severity=severity, reports=(report,), drill=drill)
            current.site_id, current.category = site, category
            add(_registered(current, at))
            add(incident_changed("incident.report_submitted", current, version=2, at=at, report=report))
            if drill:
                continue
            month.incidents[(site, INCIDENT_CATEGORIES[category], severity)] += 1
            month.reports[(site, "late" if late else "on_time")] += 1
            if n % 4 == 1:
                written = incident_pb2.Violation(
                    id=f"{incident_id}-vio",
                    incident_id=incident_id,
                    site_id=site,
                    person_id="p-c",
                    kind="missed",
                    report_kind=incident_pb2.REPORT_KIND_INITIAL_WRITTEN,
                    number=1,
                    recorded_at=timestamp(at + timedelta(hours=2)),
                )
                closed = incident_pb2.Incident()
                closed.CopyFrom(current)
                closed.stage = incident_pb2.STAGE_CLOSED
                add(
                    incident_changed(
                        "incident.closed", closed, version=3, at=at + timedelta(hours=2), violation=written
                    )
                )
                month.reports[(site, "missed")] += 1
                month.violations[(site, "p-c", "missed_report")] += 1
    return month


def _registered(current: incident_pb2.Incident, at: datetime) -> event_pb2.Event:
    payload = event_pb2.IncidentRegistered(
        incident_id=current.id,
        title=current.title,
        severity=common_pb2.SEVERITY_UNRATED,
        first_responder_id="p-c",
        registered_at=timestamp(at),
    )
    return ev.event(
        "incident.registered",
        payload,
        aggregate_id=current.id,
        version=1,
        at=at,
        site=current.site_id,
        drill=current.drill,
    )


# -- what the answer says, keyed as the counts above ----------------------------------------------------


def answer_times(rows: Any, level: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    found = {}
    for r in rows:
        key = (r.site_id, r.line_id, r.officer_id) if level != "line" else (r.site_id, r.line_id, "-")
        found[key] = (
            r.answered,
            r.within_limit,
            round(r.seconds_mean, 3),
            round(r.seconds_p50, 3),
            round(r.seconds_p90, 3),
            r.seconds_max,
            tuple(r.histogram),
        )
    return found


def expected_answers(month: Month, level: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    found = {}
    for (site, line, officer), times in month.answers.items():
        if (level == "site") != (line == "" and officer == "") or (level == "line") != (officer == "-"):
            continue
        seconds = sorted(s for s, _ in times)
        histogram = [0] * (len(ANSWER_TIME_BOUNDS) + 1)
        for s in seconds:
            histogram[bisect.bisect_right(ANSWER_TIME_BOUNDS, s)] += 1
        found[(site, line, officer)] = (
            len(seconds),
            sum(not late for _, late in times),
            round(statistics.fmean(seconds), 3),
            round(statistics.median(seconds), 3),
            round(statistics.quantiles(seconds, n=10, method="inclusive")[8], 3) if len(seconds) > 1 else seconds[0],
            max(seconds),
            tuple(histogram),
        )
    return found


def figures(answer: insight_pb2.Statistics) -> dict[str, Any]:
    """Every group of a monthly answer (one bucket: the month) keyed as the counts."""
    missed: Counter[tuple[str, str]] = Counter()
    for m in answer.missed_calls:
        for name in ("missed", "abandoned"):
            missed[(m.site_id, {"missed": "not_answered", "abandoned": "abandoned"}[name])] += getattr(m, name)
        for name in ("callbacks_due", "callbacks_on_time", "callbacks_late", "callbacks_open"):
            missed[(m.site_id, name)] += getattr(m, name)
    reports: Counter[tuple[str, str]] = Counter()
    for r in answer.reports:
        for name in ("on_time", "late", "missed"):
            reports[(r.site_id, name)] += getattr(r, name)
        assert r.due == r.on_time + r.late + r.missed and r.wrong == 0
    return {
        "buckets": {r.bucket_start.ToDatetime(tzinfo=UTC) for r in answer.calls_by_category},
        "by_category": Counter({(r.site_id, r.key): r.calls for r in answer.calls_by_category}),
        "by_channel": Counter({(r.site_id, r.key): r.calls for r in answer.calls_by_channel}),
        "by_hour": Counter({(r.site_id, r.hour): r.calls for r in answer.calls_by_hour}),
        "answers_by_site": answer_times(answer.answer_times_by_site, "site"),
        "answers_by_line": answer_times(answer.answer_times_by_line, "line"),
        "answers_by_officer": answer_times(answer.answer_times_by_officer, "officer"),
        "missed": +missed,
        "incidents": Counter({(r.site_id, r.category, r.severity): r.incidents for r in answer.incidents}),
        "reports": +reports,
        "violations": Counter({(r.site_id, r.person_id, r.kind): r.violations for r in answer.violations}),
        "empty": [
            len(answer.cases),
            len(answer.check_ins),
            len(answer.handovers),
            len(answer.coverage_gaps),
        ],
    }


def expected(month: Month, sites: tuple[str, ...]) -> dict[str, Any]:
    def of(counts: Counter[Any]) -> Counter[Any]:
        return Counter({k: v for k, v in counts.items() if k[0] in sites})

    answers = {k: v for k, v in month.answers.items() if k[0] in sites}
    return {
        "buckets": {month.start.astimezone(UTC)},
        "by_category": of(month.by_category),
        "by_channel": of(month.by_channel),
        "by_hour": of(month.by_hour),
        "answers_by_site": expected_answers(Month(month.start, month.end, answers=defaultdict(list, answers)), "site"),
        "answers_by_line": expected_answers(Month(month.start, month.end, answers=defaultdict(list, answers)), "line"),
        "answers_by_officer": expected_answers(
            Month(month.start, month.end, answers=defaultdict(list, answers)), "officer"
        ),
        "missed": of(month.missed),
        "incidents": of(month.incidents),
        "reports": of(month.reports),
        "violations": of(month.violations),
        "empty": [0, 0, 0, 0],
    }


def request(
    site: str, start: datetime, end: datetime, by: int = insight_pb2.GRANULARITY_MONTH
) -> insight_pb2.GetStatisticsRequest:
    return insight_pb2.GetStatisticsRequest(
        site_id=site, period=common_pb2.TimeRange(start=ts(start), end=ts(end)), granularity=by
    )


@pytest.fixture(scope="module")
async def month(platform: Any) -> AsyncIterator[Month]:
    generated = a_month(random.randrange(1 << 30))
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        await publish(nc, generated.events)
    finally:
        await nc.close()
    yield generated


async def statistics_of(platform: Any, token: str, req: insight_pb2.GetStatisticsRequest) -> insight_pb2.Statistics:
    """The answer; UNAVAILABLE (roster slow to say whose a site is, on a busy machine) is asked again."""
    async with channel(platform.address("insight"), token) as ch:
        stub = insight_pb2_grpc.InsightServiceStub(ch)
        for _ in range(30):
            try:
                answer: insight_pb2.Statistics = await stub.GetStatistics(req, timeout=20)
                return answer
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                await asyncio.sleep(1)
        return await stub.GetStatistics(req, timeout=20)  # type: ignore[no-any-return]


async def caught_up(platform: Any) -> None:
    """Until the projections the figures read have applied every event of their types on the stream."""
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:

        async def pending() -> list[int]:
            return [(await pending_of(nc.jetstream(), "DUTYLINE", p.name)).events for p in FIGURED]

        await until(pending, [0] * len(FIGURED), seconds=90)
    finally:
        await nc.close()


async def test_the_figures_are_the_records_counted_apart_once_each_and_the_region_sums_its_sites(
    platform: Any, month: Month
) -> None:
    async def of(site: str) -> dict[str, Any]:
        return figures(await statistics_of(platform, SUPERVISOR, request(site, month.start, month.end)))

    for site in SITES:
        await until(lambda s=site: of(s), expected(month, (site,)), seconds=90)  # type: ignore[misc]

    # Every event delivered again (the stream stores them twice): nothing changes.
    shuffled = month.events[:]
    random.Random(5).shuffle(shuffled)
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        await publish(nc, shuffled, again=True)
    finally:
        await nc.close()
    await caught_up(platform)
    for site in SITES:
        assert await of(site) == expected(month, (site,))

    # The region: its sites' rows, each once.
    region = await statistics_of(platform, SUPERVISOR, request("east", month.start, month.end))
    assert set(SITES) <= set(region.site_ids) and region.time_zone == "Asia/Shanghai"
    assert figures(region) == expected(month, SITES)
    parts = [await statistics_of(platform, SUPERVISOR, request(s, month.start, month.end)) for s in SITES]
    for group in ("calls_by_category", "answer_times_by_officer", "missed_calls", "reports", "violations"):
        rows = sorted(r.SerializeToString(deterministic=True) for p in parts for r in getattr(p, group))
        assert sorted(r.SerializeToString(deterministic=True) for r in getattr(region, group)) == rows, group

    # By day: each call in its local date; by week: weeks from Monday, the same calls in all.
    daily = await statistics_of(
        platform, SUPERVISOR, request("hz-01", month.start, month.end, insight_pb2.GRANULARITY_DAY)
    )
    by_day = Counter(
        {
            (r.site_id, r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE).strftime("%Y-%m-%d"), r.key): r.calls
            for r in daily.calls_by_category
        }
    )
    assert by_day == Counter({k: v for k, v in month.by_day.items() if k[0] == "hz-01"})
    assert all(r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE).hour == 0 for r in daily.calls_by_hour)
    weekly = await statistics_of(
        platform, SUPERVISOR, request("hz-01", month.start, month.end, insight_pb2.GRANULARITY_WEEK)
    )
    weeks = {r.bucket_start.ToDatetime(tzinfo=UTC).astimezone(ZONE) for r in weekly.calls_by_category}
    assert all(w.weekday() == 0 and w.hour == 0 for w in weeks)
    assert sum(r.calls for r in weekly.calls_by_category) == sum(
        v for k, v in month.by_category.items() if k[0] == "hz-01"
    )


async def test_a_rebuild_as_insights_own_role_gives_the_same_tables_and_figures(
    platform: Any, month: Month, db: Any
) -> None:
    await until(lambda: _figures_of(platform, month), expected(month, SITES), seconds=90)
    await caught_up(platform)
    before = await _tables(db, month.tag)
    env = {
        "DUTYLINE_PG_DSN": platform.postgres.dsn,
        "DUTYLINE_INSIGHT_PG_PASSWORD": platform.pg_passwords["insight"],
        "DUTYLINE_NATS_URL": platform.nats.url,
        "DUTYLINE_NATS_CREDS": str(platform.nats_creds),
        "COLUMNS": "250",
    }
    result = await asyncio.to_thread(CliRunner().invoke, app, ["insight", "--lang", "en", "rebuild"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.count("rebuilt") == len(PROJECTIONS)
    await caught_up(platform)
    assert await _tables(db, month.tag) == before
    assert await _figures_of(platform, month) == expected(month, SITES)


async def test_the_cli_prints_the_figures_in_both_languages(platform: Any, month: Month) -> None:
    await until(lambda: _figures_of(platform, month), expected(month, SITES), seconds=90)
    period = month.start.strftime("%Y-%m")
    env = {"COLUMNS": "250", "DUTYLINE_INSIGHT_ADDRESS": platform.address("insight"), "DUTYLINE_TOKEN": None}
    said = {}
    for lang in ("zh", "en"):
        argv = ["stats", "--token", SUPERVISOR, "--lang", lang, "--region", "east", "--period", period, "--by", "month"]
        result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
        assert result.exit_code == 0, result.output
        said[lang] = " ".join(result.output.translate(str.maketrans({c: " " for c in "│╭╮╰╯─"})).split())
    assert "来电（按类别）" in said["zh"] and "三声内接听率" in said["zh"] and "超三声接听" in said["zh"]
    assert "Calls by category" in said["en"] and "Within three rings" in said["en"]
    assert "answered after three rings" in said["en"]
    # The site's row of answer times: the month, the site, answered and the share within the limit.
    times = month.answers[("hz-01", "", "")]
    within = sum(not late for _, late in times)
    row = f"{period} hz-01 {len(times)} {100 * within / len(times):.1f}%"
    assert row in said["en"] and row in said["zh"]


async def _figures_of(platform: Any, month: Month) -> dict[str, Any]:
    return figures(await statistics_of(platform, ADMIN, request("east", month.start, month.end)))


async def _tables(db: Any, tag: str) -> dict[str, list[Any]]:
    """The rows of the generated records (the platform's own events may add others meanwhile)."""
    keys = {
        "calls": "call_id",
        "line_calls": "line_call_id",
        "callbacks": "callback_id",
        "incidents": "incident_id",
        "reports": "report_id",
        "violations": "record_id, kind",
    }
    found = {}
    for table, key in keys.items():
        first = key.split(",")[0]
        rows = await db.fetch(f"SELECT * FROM insight.{table} WHERE {first} LIKE $1 ORDER BY {key}", f"st-{tag}-%")
        found[table] = [tuple(r) for r in rows]
    assert all(found.values())
    return found


async def test_another_sites_figures_are_refused(platform: Any) -> None:
    start = datetime(2026, 3, 1, tzinfo=ZONE)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await statistics_of(platform, HZ_OFFICER, request("nb-01", start, start + timedelta(days=31)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await statistics_of(platform, HZ_OFFICER, request("east", start, start + timedelta(days=31)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 3, 31, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), None),
    ],
)
async def test_a_bad_period_is_a_field_violation(platform: Any, start: datetime, end: datetime | None) -> None:
    """Backwards, empty, longer than 366 days, or open-ended."""
    req = insight_pb2.GetStatisticsRequest(site_id="hz-01", period=common_pb2.TimeRange(start=ts(start), end=ts(end)))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await statistics_of(platform, SUPERVISOR, req)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(refused.value)] == ["period"]
