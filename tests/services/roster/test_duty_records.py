"""DutyRecordsService on the real stack: the violations of a site in one place (an absence the shift
records, a late check-in) with filters and keyset paging, an officer narrowed to their own, the
region's supervisor reading its sites; duty counts with the holidays of the site's calendar (intake's);
another site's leader refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.intake.v1 import case_pb2, case_pb2_grpc
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import duty_records_pb2, duty_records_pb2_grpc, roster_pb2, roster_pb2_grpc
from services.roster import rules, schedule_store
from services.roster.shift_activities import ShiftActivities
from tests.dutyline.cli.test_roster import flat, roster
from tests.support import service_token_for, staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-records"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = token_for("p-admin", ["admin"], ["*"])
LEADER = token_for(f"{SITE}-l1", ["leader"], [SITE])
OTHER_LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])


@pytest.fixture
async def roster_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture
async def site(platform: Any) -> None:
    async with channel(platform.address("roster"), ADMIN) as ch:
        await staffed_site(roster_pb2_grpc.RosterServiceStub(ch), SITE, officers=2, leaders=1)


async def add(pool: asyncpg.Pool, person: str, start: datetime, hours: int, role: str = "officer") -> str:
    a = rules.Assignment(
        id=f"a-{SITE}-{uuid.uuid4()}",
        site_id=SITE,
        person_id=person,
        role=role,
        shift_name="extra",
        local_date=start.astimezone(SHANGHAI).date(),
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
    )
    async with pool.acquire() as conn:
        await schedule_store.add_assignment(conn, assignment=a)
    return a.id


async def listed(token: str, platform: Any, **fields: Any) -> duty_records_pb2.ListDutyViolationsResponse:
    async with channel(platform.address("roster"), token) as ch:
        reply: duty_records_pb2.ListDutyViolationsResponse = await duty_records_pb2_grpc.DutyRecordsServiceStub(
            ch
        ).ListDutyViolations(duty_records_pb2.ListDutyViolationsRequest(**{"site_id": SITE, **fields}), timeout=10)
    return reply


async def refused(token: str, platform: Any, **fields: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await listed(token, platform, **fields)
    return error.value


async def test_violations_are_listed_in_one_place_with_filters_and_paging(
    platform: Any, site: None, roster_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    o1, o2 = f"{SITE}-o1", f"{SITE}-o2"
    now = datetime.now(UTC)
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    try:
        shifts = ShiftActivities(pool=roster_pool, notifier=notifier)
        await shifts.record_absence(await add(roster_pool, o1, now - timedelta(hours=30), 4))
        await shifts.record_absence(await add(roster_pool, o2, now - timedelta(hours=6), 4))
    finally:
        await notifier.close()
    current = await add(roster_pool, o1, now - timedelta(minutes=40), 4)
    async with channel(platform.address("roster"), token_for(o1, ["officer"], [SITE])) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).CheckIn(
            roster_pb2.CheckInRequest(idempotency_key=str(uuid.uuid4()), assignment_id=current), timeout=10
        )

    everything = await listed(LEADER, platform)
    assert [(v.kind, v.person_id) for v in everything.violations] == [
        ("late_check_in", o1),
        ("absence", o2),
        ("absence", o1),
    ]
    late = everything.violations[0]
    assert late.assignment_id == current and late.display_name == o1 and "min late" in late.detail
    # Keyset pages: two, then the last one.
    first = await listed(LEADER, platform, page_size=2)
    assert [v.id for v in first.violations] == [v.id for v in everything.violations[:2]] and first.next_page_token
    rest = await listed(LEADER, platform, page_size=2, page_token=first.next_page_token)
    assert [v.id for v in rest.violations] == [everything.violations[2].id] and not rest.next_page_token
    # Filters: kind, person, period [start, end).
    assert [v.id for v in (await listed(LEADER, platform, kind="late_check_in")).violations] == [late.id]
    assert [v.kind for v in (await listed(LEADER, platform, person_id=o2)).violations] == ["absence"]
    since = common_pb2.TimeRange(start=everything.violations[1].occurred_at)
    assert len((await listed(LEADER, platform, period=since)).violations) == 2
    before = common_pb2.TimeRange(end=everything.violations[1].occurred_at)
    assert [v.id for v in (await listed(LEADER, platform, period=before)).violations] == [everything.violations[2].id]
    # The region's supervisor reads its sites' (the region named, or the site).
    supervisor = token_for("p-east-supervisor", ["supervisor"], ["east"])
    in_region = await listed(supervisor, platform, site_id="east", person_id=o2)
    assert [(v.site_id, v.kind) for v in in_region.violations] == [(SITE, "absence")]

    # An officer reads their own only; another site's leader nothing; an unknown kind is refused at its field.
    officer = token_for(o2, ["officer"], [SITE])
    assert [v.person_id for v in (await listed(officer, platform)).violations] == [o2]
    assert (await refused(officer, platform, person_id=o1)).code() == grpc.StatusCode.PERMISSION_DENIED
    assert (await refused(OTHER_LEADER, platform)).code() == grpc.StatusCode.PERMISSION_DENIED
    unknown = await refused(LEADER, platform, kind="sleeping")
    assert unknown.code() == grpc.StatusCode.INVALID_ARGUMENT and {v.field for v in field_violations(unknown)} == {
        "kind"
    }

    # The command line, in English and zh-CN: one page, then where the next begins.
    english = await roster(platform, tmp_path, LEADER, "violations", "--site", SITE, "--page-size", "2", columns=200)
    out = flat(english.output)
    assert english.exit_code == 0 and "late check-in" in out and "absence" in out, out
    assert f"--page-token {first.next_page_token}" in out
    chinese = await roster(
        platform, tmp_path, LEADER, "--lang", "zh", "violations", "--site", SITE, "--kind", "absence", columns=200
    )
    out = flat(chinese.output)
    assert chinese.exit_code == 0 and out.count("缺勤") == 2 and "迟到" not in out, out


async def test_duty_counts_use_the_sites_holiday_calendar(
    platform: Any, site: None, roster_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    o1, l1 = f"{SITE}-o1", f"{SITE}-l1"
    # 2031-10-04 is a Saturday; the site's calendar makes it a holiday.
    saturday = date(2031, 10, 4)
    async with channel(platform.address("intake"), ADMIN) as ch:
        await case_pb2_grpc.CaseServiceStub(ch).UpsertHolidayCalendar(
            case_pb2.UpsertHolidayCalendarRequest(
                idempotency_key=str(uuid.uuid4()),
                calendar=case_pb2.HolidayCalendar(site_id=SITE, holidays=[saturday.isoformat()]),
            ),
            timeout=10,
        )
    at = lambda day, hour: datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)  # noqa: E731
    await add(roster_pool, o1, at(saturday, 20), 12)  # the holiday's night
    await add(roster_pool, o1, at(saturday + timedelta(days=2), 8), 12)  # Monday
    await add(roster_pool, l1, at(saturday + timedelta(days=1), 8), 24, role="leader")  # Sunday, 24 h
    period = common_pb2.TimeRange(start=ts(at(saturday, 0)), end=ts(at(saturday + timedelta(days=7), 0)))
    request = duty_records_pb2.GetDutyCountsRequest(site_id=SITE, period=period)
    async with channel(platform.address("roster"), token_for(o1, ["officer"], [SITE])) as ch:
        reply = await duty_records_pb2_grpc.DutyRecordsServiceStub(ch).GetDutyCounts(request, timeout=10)
    assert not reply.notes
    counted = {
        c.person_id: (c.shifts, c.nights, c.weekends, c.holidays, c.leader_shifts, c.hours) for c in reply.counts
    }
    assert counted == {o1: (2, 1, 1, 1, 0, 24.0), l1: (1, 1, 1, 0, 1, 24.0)}
    shown = await roster(
        platform,
        tmp_path,
        LEADER,
        "--lang",
        "zh",
        "counts",
        "--site",
        SITE,
        "--from",
        "2031-10-04",
        "--to",
        "2031-10-10",
        columns=200,
    )
    assert shown.exit_code == 0, shown.output
    assert f"{o1} {SITE} 2 1 1 1 0 24" in flat(shown.output) and "夜班" in shown.output, shown.output
    async with channel(platform.address("roster"), OTHER_LEADER) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await duty_records_pb2_grpc.DutyRecordsServiceStub(ch).GetDutyCounts(request, timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
