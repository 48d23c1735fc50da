"""The daily report (值班日报) sent to the superior duty office on the real stack: a round of insight's
sender (its clock a day ahead, so that today's report is the one due and the service's own rounds, on
the real clock, never send it) claims the report, a send that fails leaves it due and visible, two
replicas at once reach the recipient once, the recipient sees the headline figures in NotifyService,
and a further round sends nothing. Notify takes that notice from insight only, and only that one from
insight."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import create_pool
from dutyline.directory import RosterDirectory
from dutyline.grpckit.client import channel
from dutyline.notifier import NotifyClient
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.insight.daily_sender import DailyReportSender
from tests.support import service_token_for, token_for

pytestmark = pytest.mark.stack

INSIGHT = service_token_for("insight")
ADMIN = token_for("p-admin", ["admin"], ["*"])


def a_day_ahead() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


@pytest.fixture
async def insight_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="insight", min_size=1, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
async def make_sender(platform: Any, insight_pool: asyncpg.Pool) -> AsyncIterator[Callable[[str], DailyReportSender]]:
    """A sender as insight runs it, reaching notify at ``address``."""
    roster = channel(platform.address("roster"), INSIGHT)
    channels = [roster]

    def make(address: str) -> DailyReportSender:
        notify = channel(address, INSIGHT)
        channels.append(notify)
        return DailyReportSender(
            pool=insight_pool,
            roster=roster_pb2_grpc.RosterServiceStub(roster),
            sites=RosterDirectory(roster),
            notify=NotifyClient(notify),
            send_at=time(0, 0),
            clock=a_day_ahead,
        )

    yield make
    for ch in channels:
        await ch.close()


async def superior_office(platform: Any, site_id: str) -> set[str]:
    """Who notify reaches at the duty office above ``site_id`` now: on duty there, else its supervisors."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        parent = (await roster.GetSite(roster_pb2.GetSiteRequest(site_id=site_id))).parent_id
        on_duty = await roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=parent))
        people = {p.person_id for p in (*on_duty.leaders, *on_duty.officers)}
        if people:
            return people
        listed = await roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=parent, role=common_pb2.ROLE_SUPERVISOR))
        return {p.id for p in listed.people}


async def about(platform: Any, ref_id: str) -> list[notify_pb2.Notification]:
    async with channel(platform.address("notify"), ADMIN) as ch:
        found = await notify_pb2_grpc.NotifyServiceStub(ch).ListNotifications(
            notify_pb2.ListNotificationsRequest(ref_id=ref_id)
        )
    return list(found.notifications)


async def test_the_daily_report_reaches_the_superior_duty_office_once(
    platform: Any, make_sender: Callable[[str], DailyReportSender], db: asyncpg.Connection
) -> None:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the site's today, yesterday to the sender
    ref_id = f"hz-01:{day.isoformat()}"
    row_sql = "SELECT * FROM insight.daily_report_sends WHERE site_id = 'hz-01' AND report_date = $1"

    # Notify away: the report is claimed with its figures, stays due and says why.
    assert await make_sender("127.0.0.1:1").sweep() == []
    claimed = await db.fetchrow(row_sql, day)
    assert claimed is not None
    assert (claimed["status"], claimed["superior_id"]) == ("pending", "east")
    assert claimed["attempts"] >= 1 and "UNAVAILABLE" in claimed["last_error"]
    assert await about(platform, ref_id) == []

    # Notify back, two replicas in the same round: sent, to the superior office, once.
    first, second = await asyncio.gather(
        make_sender(platform.address("notify")).sweep(), make_sender(platform.address("notify")).sweep()
    )
    assert ("hz-01", day) in {(d.site_id, d.report_date) for d in (*first, *second)}
    sent = await db.fetchrow(row_sql, day)
    assert sent is not None and sent["status"] == "sent"
    notices = await about(platform, ref_id)
    recipients = [n.person_id for n in notices]
    assert sorted(recipients) == sorted(set(recipients)) and set(recipients) == await superior_office(platform, "hz-01")
    assert sorted(sent["notification_ids"]) == sorted(n.id for n in notices)

    # The recipient reads it: the figures as claimed, in both languages, and how to fetch the report.
    data = json.loads(sent["data"])
    assert data["calls"] == claimed_calls(claimed)
    person = recipients[0]
    async with channel(platform.address("notify"), token_for(person, ["supervisor"], ["east"])) as ch:
        mine = await notify_pb2_grpc.NotifyServiceStub(ch).ListNotifications(
            notify_pb2.ListNotificationsRequest(person_id=person, ref_id=ref_id)
        )
    [notice] = mine.notifications
    assert (notice.template, notice.ref_kind, notice.site_id) == ("daily_report", "daily_report", "hz-01")
    assert f"dutyline report daily --site hz-01 --day {day.isoformat()}" in notice.body
    for zh, en, key in (("来电", "Calls", "calls"), ("未接", "Missed", "missed"), ("违规", "Violations", "violations")):
        line = {"zh": f"{zh}：", "en": f"{en}: "}.get(notice.locale[:2], f"{zh} {en}: ")
        assert f"{line}{data[key]}\n" in notice.body

    # A further round: nothing more.
    assert [d for d in await make_sender(platform.address("notify")).sweep() if d.site_id == "hz-01"] == []
    assert len(await about(platform, ref_id)) == len(notices)


def claimed_calls(row: asyncpg.Record) -> str:
    """The calls frozen at the claim: what every retry sent."""
    return str(json.loads(row["data"])["calls"])


@pytest.mark.parametrize(
    ("caller", "template"),
    [
        (token_for("p-hz-leader-1", ["leader"], ["hz-01"]), "daily_report"),  # a person: never
        (service_token_for("intake"), "daily_report"),  # another component: never
        (INSIGHT, "generic"),  # insight: that notice only
    ],
)
async def test_notify_takes_the_daily_report_from_insight_only(platform: Any, caller: str, template: str) -> None:
    request = notify_pb2.SendRequest(
        idempotency_key=f"daily-report-authz:{template}:{len(caller)}",
        site_id="hz-01",
        recipients=[notify_pb2.Recipient(superior_of_site="hz-01")],
        template=template,
        data={"subject": "x", "body": "y"},
    )
    async with channel(platform.address("notify"), caller) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await notify_pb2_grpc.NotifyServiceStub(ch).Send(request)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_nor_as_an_escalation(platform: Any) -> None:
    request = notify_pb2.EscalateRequest(
        idempotency_key="daily-report-authz:escalate", site_id="hz-01", template="daily_report"
    )
    async with channel(platform.address("notify"), token_for("p-hz-leader-1", ["leader"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await notify_pb2_grpc.NotifyServiceStub(ch).Escalate(request)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
