"""`dutyline notify …`, `dutyline agency …` and `dutyline events tail` — the step syntax of escalation
chains and the views without the platform; then, on the real platform: notifications listed, shown
with their delivery attempts and acknowledged with the message's one-time token without any login,
an escalation with who was notified in which loop and step, a chain set and shown (a bad step
refused clearly), agencies registered with their webhook secret shown once and their NATS
credentials written owner-only, and events followed live on NATS as lines, JSON and CAP XML."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import stat
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from google.protobuf.any_pb2 import Any as AnyPayload
from rich.console import Console
from typer.testing import CliRunner, Result

from dutyline.cli.common.i18n import Lang, set_language
from dutyline.cli.common.state import PlatformInfo
from dutyline.cli.events.client import nats_source
from dutyline.cli.events.views import Rendition, SubjectError, decode, event_line, subject
from dutyline.cli.main import app
from dutyline.cli.notify.chain import StepError, parse_step, recipient_label, step_text
from dutyline.cli.notify.views import escalation_view, notification_view, notifications, placed
from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.notify.people.rules import ack_token
from services.notify.settings import DEV_ACK_TOKEN_SECRET
from tests.support import token_for

ADMIN = token_for("p-admin", ["admin"], ["*"])
# A site of its own: its chain, agency and events touch nothing the other tests look at.
SITE = "cli-notify"
AT = datetime(2026, 3, 1, 8, 0, 5, tzinfo=UTC)
NOTIFICATION_ID = re.compile(r"ntf-[0-9A-Za-z]+")
_events = itertools.count(1)


def flat(text: str) -> str:
    """The output with the layout's line breaks, padding and error boxes folded into single spaces."""
    return " ".join(text.translate(BOX).split())


BOX = str.maketrans({c: " " for c in "│╭╮╰╯─"})


def rendered(renderable: Any, width: int = 220) -> str:
    console = Console(width=width, record=True, color_system=None)
    with console.capture() as captured:
        console.print(renderable)
    return flat(captured.get())


@pytest.fixture
def english() -> Any:
    set_language(Lang.en)
    yield
    set_language(Lang.en)


# -- without the platform: chain steps --------------------------------------------------------------


def test_steps_of_every_form_are_read_and_written_back(english: None) -> None:
    leader = parse_step("leader:300")
    assert leader.recipient.role.role == common_pb2.ROLE_LEADER and leader.recipient.role.site_id == ""
    assert leader.wait_seconds == 300 and leader.channel == ""
    other = parse_step("unit_head@nb-01:sms:600")
    assert (other.recipient.role.site_id, other.recipient.role.role) == ("nb-01", common_pb2.ROLE_UNIT_HEAD)
    assert other.channel == "sms"
    superior = parse_step("superior:900")
    assert superior.recipient.WhichOneof("target") == "superior_of_site" and superior.wait_seconds == 900
    person = parse_step("person:p-x:sms:120")
    assert (person.recipient.person_id, person.channel, person.wait_seconds) == ("p-x", "sms", 120)
    assert parse_step("person:p-x:60").channel == ""
    for text in ("leader:300", "unit_head@nb-01:sms:600", "superior:900", "superior@hq:voice:30", "person:p-x:sms:120"):
        assert step_text(parse_step(text), "hz-01") == text
    # The chain's own site is left out when written back.
    assert step_text(parse_step("leader@hz-01:300"), "hz-01") == "leader:300"
    assert recipient_label(other.recipient, "hz-01") == "Unit head @nb-01"


@pytest.mark.parametrize(
    ("step", "says"),
    [
        ("leader", "must end with the seconds to wait"),
        ("leader:", "must end with the seconds to wait"),
        ("leader:0", "whole number from 1 to 86400"),
        ("leader:5m", "whole number from 1 to 86400"),
        ("leader:100000", "whole number from 1 to 86400"),
        ("chief:300", "'chief' is not a recipient"),
        ("Leader:300", "'Leader' is not a recipient"),
        ("leader:pigeon:300", "'pigeon' is not a channel"),
        ("leader:sms:voice:300", "at most one channel"),
        ("leader@HZ 01:300", "'HZ 01' is not a site id"),
        ("person:300", "person: must be followed by a person id"),
        ("person::300", "person: must be followed by a person id"),
        ("agency:300", "'agency' is not a recipient"),
    ],
)
def test_a_bad_step_says_what_is_wrong(english: None, step: str, says: str) -> None:
    with pytest.raises(StepError) as refused:
        parse_step(step)
    assert says in str(refused.value) and "leader:300" in str(refused.value)


def test_a_bad_step_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    argv = ["notify", "--token", ADMIN, "--state-dir", str(tmp_path), "--lang", "en", "chain", "set", "hz-01"]
    result = CliRunner().invoke(app, [*argv, "--step", "leader:300", "--step", "leader:sms"], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "cannot read the step 'leader:sms'" in flat(result.output) and "whole number" in flat(result.output)
    zh = CliRunner().invoke(app, [*argv[:5], "--lang", "zh", *argv[7:], "--step", "boss:60"], env={"COLUMNS": "250"})
    assert zh.exit_code == 2 and "“boss” 不是接收对象" in flat(zh.output)


def test_ack_refuses_a_login_token_given_as_the_message_token(tmp_path: Path) -> None:
    argv = ["notify", "--state-dir", str(tmp_path), "--lang", "en", "ack", "ntf-x", "--token", ADMIN]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "250", "DUTYLINE_TOKEN": None})
    assert result.exit_code == 2 and "this is a login token" in flat(result.output)


def test_person_and_mine_go_apart(tmp_path: Path) -> None:
    argv = ["notify", "--token", ADMIN, "--state-dir", str(tmp_path), "--lang", "en", "list"]
    result = CliRunner().invoke(app, [*argv, "--person", "p-x", "--mine"], env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "either --person or --mine" in flat(result.output)


# -- without the platform: views --------------------------------------------------------------------


def attempt(channel_name: str, status: str, seconds: int, answer: str, address: str = "") -> notify_pb2.DeliveryAttempt:
    return notify_pb2.DeliveryAttempt(
        channel=channel_name,
        status=status,
        at=ts(AT + timedelta(seconds=seconds)),
        provider_answer=answer,
        address=address,
        attempt=seconds,
    )


def test_a_notification_shows_its_body_and_every_attempt(english: None) -> None:
    n = notify_pb2.Notification(
        id="ntf-1",
        site_id="hz-01",
        person_id="p-hz-leader-1",
        person_name="张伟 Zhang Wei",
        template="incident_registered",
        subject="【演练】燃气泄漏 Gas leak",
        body="文三路燃气泄漏，请立即处置。\nGas leak on Wensan Road.",
        status="acknowledged",
        attempts=[
            attempt("sms", "failed", 1, "503 gateway busy", "13800000111"),
            attempt("email", "delivered", 2, "250 OK", "leader@demo"),
        ],
        channel="email",
        drill=True,
        created_at=ts(AT),
        acknowledged_at=ts(AT + timedelta(minutes=2)),
        acknowledged_by="p-hz-leader-1",
        ref_kind="incident",
        ref_id="inc-1",
    )
    text = rendered(notification_view(n, ZoneInfo("Asia/Shanghai"), "杭州 (hz-01)", {}))
    assert "【演练 DRILL】 Notification ntf-1" in text
    assert "Gas leak on Wensan Road." in text and "incident inc-1" in text
    assert "SMS 13800000111 03-01 16:00:06 failed 503 gateway busy" in text
    assert "Email leader@demo 03-01 16:00:07 delivered 250 OK" in text
    assert "张伟 Zhang Wei (p-hz-leader-1) · 2026-03-01 16:02:05 (Asia/Shanghai)" in text
    listed = rendered(notifications([n], lambda _: ZoneInfo("UTC"), {}, "Notifications of hz-01"))
    assert "ntf-1 03-01 08:00:05 张伟 Zhang Wei (p-hz-leader-1)" in listed and "Times in UTC" in listed


def step_of(text: str) -> notify_pb2.EscalationStep:
    return parse_step(text)


def sent(
    notification_id: str, person: str, seconds: int, loop: int, step: int, status: str = "delivered"
) -> notify_pb2.Notification:
    return notify_pb2.Notification(
        id=notification_id,
        site_id="hz-01",
        person_id=person,
        status=status,
        created_at=ts(AT + timedelta(seconds=seconds)),
        escalation_loop=loop,
        escalation_step=step,
    )


def test_an_escalation_places_who_was_notified_by_loop_and_step(english: None) -> None:
    escalation = notify_pb2.Escalation(
        id="esc-1",
        site_id="hz-01",
        status="acknowledged",
        steps=[step_of("officer:60"), step_of("leader:120"), step_of("person:p-boss:voice:300")],
        repeat=2,
        first_step=1,
        acknowledged_by="p-hz-leader-2",
        acknowledged_at=ts(AT + timedelta(seconds=500)),
        notifications=[
            # Loop 1: the leader (two on duty), then the boss; loop 2: the leader step reached nobody,
            # so the next is the boss again, who acknowledged; then the others are told.
            sent("ntf-a", "p-hz-leader-1", 0, 1, 2),
            sent("ntf-b", "p-hz-leader-2", 0, 1, 2),
            sent("ntf-c", "p-boss", 120, 1, 3),
            sent("ntf-d", "p-boss", 420, 2, 3, "acknowledged"),
            sent("ntf-e", "p-hz-leader-1", 501, 0, 0),
        ],
    )
    places = [(p.loop, p.step, [n.id for n in p.items]) for p in placed(escalation)]
    assert places == [(1, 2, ["ntf-a", "ntf-b"]), (1, 3, ["ntf-c"]), (2, 3, ["ntf-d"]), (0, 0, ["ntf-e"])]
    text = rendered(escalation_view(escalation, ZoneInfo("UTC"), "hz-01", {"p-hz-leader-2": "陈静 Chen Jing"}))
    assert "Escalation esc-1" in text and "acknowledged" in text
    assert "陈静 Chen Jing (p-hz-leader-2) · 2026-03-01 08:08:25 (UTC)" in text
    assert "2 ◀ Duty leader" in text and "person:p-boss:voice:300" in text
    assert "loop 1, step 2 ntf-a" in text and "loop 2, step 3 ntf-d" in text


# -- without the platform: events -------------------------------------------------------------------


def test_the_subjects_of_events_and_renditions(english: None) -> None:
    assert subject(Rendition.protobuf) == "dutyline.*.>"
    assert subject(Rendition.protobuf, "hz-01", "incident.*") == "dutyline.hz-01.incident.>"
    assert subject(Rendition.json, "hz-01", "call.registered") == "dutyline_json.hz-01.call.registered"
    assert subject(Rendition.cap, "hz-01") == "dutyline_cap.hz-01.incident.>"
    assert subject(Rendition.cap, None, "incident.closed") == "dutyline_cap.*.incident.closed"
    for rendition, site, event_type, says in [
        (Rendition.cap, "hz-01", "call.*", "incident events (incident.*) only"),
        (Rendition.protobuf, "HZ", None, "HZ is not a site"),
        (Rendition.protobuf, None, "incident", "'incident' is not an event type"),
        (Rendition.protobuf, None, "incident.a.b", "is not an event type"),
    ]:
        with pytest.raises(SubjectError) as refused:
            subject(rendition, site, event_type)
        assert says in str(refused.value)


def test_the_rendition_subjects_are_those_notify_publishes() -> None:
    from dutyline.cli.events import views as events_views
    from services.notify.agencies import access as agency_access

    assert events_views.JSON_PREFIX == agency_access.JSON_PREFIX
    assert (events_views.CAP_PREFIX, events_views.CAP_AGGREGATE) == (
        agency_access.CAP_PREFIX,
        agency_access.CAP_AGGREGATE,
    )


def incident_event(site_id: str = SITE, *, drill: bool = True) -> event_pb2.Event:
    number = next(_events)
    now = datetime.now(UTC)
    payload = AnyPayload()
    payload.Pack(
        event_pb2.IncidentRegistered(
            incident_id=f"inc-cli-tail-{number}",
            title=f"CLI 跟踪测试 {number} tail test",
            category="accident",
            severity=common_pb2.SEVERITY_UNRATED,
            place=common_pb2.Place(text="文三路 Wensan Road"),
            registered_at=ts(now),
        )
    )
    return event_pb2.Event(
        id=str(uuid.uuid4()),
        type="incident.registered",
        occurred_at=ts(now),
        site_id=site_id,
        aggregate="incident",
        aggregate_id=f"inc-cli-tail-{number}",
        aggregate_version=1,
        payload=payload,
        drill=drill,
    )


def test_an_event_is_one_readable_line(english: None) -> None:
    event = incident_event("hz-01")
    event.occurred_at.FromDatetime(AT)
    decoded = decode(event.SerializeToString())
    assert decoded is not None
    line = event_line(decoded)
    assert line.startswith("2026-03-01T08:00:05Z  hz-01  incident.registered  inc-cli-tail-")
    assert "【演练 DRILL】" in line and "tail test · 文三路 Wensan Road" in line
    assert decode(b"\xff\xff not protobuf") is None
    assert decode(b"") is None


def test_nats_comes_from_the_option_the_environment_or_platform_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUTYLINE_NATS_URL", raising=False)
    monkeypatch.delenv("DUTYLINE_NATS_CREDS", raising=False)
    PlatformInfo({}, "nats://127.0.0.1:14222", "", "", "tok", nats_creds="/s/services.creds").write(tmp_path)
    assert nats_source(None, None, tmp_path) == nats_source("nats://127.0.0.1:14222", "/s/services.creds", tmp_path)
    # The platform's own creds never go to a server named by hand.
    assert nats_source("nats://elsewhere:4222", None, tmp_path).creds == ""
    assert nats_source(None, "agency.creds", tmp_path).creds == "agency.creds"
    monkeypatch.setenv("DUTYLINE_NATS_URL", "nats://env:4222")
    assert nats_source(None, None, tmp_path).url == "nats://env:4222"


# -- on the platform --------------------------------------------------------------------------------


def env_for(platform: Any, locale: str = "en_US.UTF-8") -> dict[str, str | None]:
    return {
        "COLUMNS": "250",
        "DUTYLINE_NOTIFY_ADDRESS": platform.address("notify"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "DUTYLINE_NATS_URL": None,
        "DUTYLINE_NATS_CREDS": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }


async def cli(platform: Any, tmp_path: Path, *argv: str, locale: str = "en_US.UTF-8") -> Result:
    """Run `dutyline <argv>` in a thread (the command runs its own event loop)."""
    result = await asyncio.to_thread(CliRunner().invoke, app, list(argv), env=env_for(platform, locale))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


async def ok(platform: Any, tmp_path: Path, *argv: str, locale: str = "en_US.UTF-8") -> str:
    result = await cli(platform, tmp_path, *argv, locale=locale)
    assert result.exit_code == 0, result.output
    return flat(result.output)


def as_user(group: str, token: str | None, tmp_path: Path) -> list[str]:
    return [group, *(["--token", token] if token else []), "--state-dir", str(tmp_path)]


@pytest.fixture
async def notify(platform: Any) -> AsyncIterator[notify_pb2_grpc.NotifyServiceStub]:
    async with channel(platform.address("notify"), ADMIN) as ch:
        yield notify_pb2_grpc.NotifyServiceStub(ch)


@pytest.fixture(scope="session")
async def own_site(platform: Any) -> str:
    """A site of the tests' own under the headquarters."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).UpsertSite(
            roster_pb2.UpsertSiteRequest(
                idempotency_key=str(uuid.uuid4()),
                site=roster_pb2.Site(
                    id=SITE,
                    name="CLI 通知测试 notify test",
                    kind=roster_pb2.SITE_KIND_SITE,
                    parent_id="hq",
                    time_zone="Asia/Shanghai",
                    jurisdiction="330000",
                ),
            )
        )
    return SITE


async def settled(notify: Any, notification_id: str, *statuses: str) -> notify_pb2.Notification:
    for _ in range(200):
        found = await notify.GetNotification(notify_pb2.GetNotificationRequest(notification_id=notification_id))
        if found.status in statuses:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{notification_id} stayed {found.status}")


async def send_to(notify: Any, person_id: str, site_id: str = "hz-01") -> notify_pb2.Notification:
    reply = await notify.Send(
        notify_pb2.SendRequest(
            idempotency_key=str(uuid.uuid4()),
            site_id=site_id,
            recipients=[notify_pb2.Recipient(person_id=person_id)],
            template="incident_registered",
            data={"incident_id": "inc-cli", "title": "CLI 通知测试 notify test", "place": "文三路"},
            channel="console",
            ref_kind="incident",
            ref_id="inc-cli",
        )
    )
    return await settled(notify, reply.notifications[0].id, "delivered", "sent")


@pytest.mark.stack
async def test_list_show_and_ack_with_the_message_token_without_login(
    platform: Any, tmp_path: Path, notify: Any
) -> None:
    n = await send_to(notify, "p-hz-officer-4")
    listed = await ok(
        platform, tmp_path, *as_user("notify", ADMIN, tmp_path), "list", "--site", "hz-01",
        "--person", "p-hz-officer-4", "--unacknowledged",
    )  # fmt: skip
    assert n.id in listed and "p-hz-officer-4" in listed and "Duty console" in listed
    assert "Times in Asia/Shanghai" in listed

    shown = await ok(platform, tmp_path, *as_user("notify", ADMIN, tmp_path), "show", n.id)
    assert f"Notification {n.id}" in shown and "CLI 通知测试 notify test" in shown
    assert "Delivery attempts (Asia/Shanghai)" in shown and "Duty console" in shown and "incident inc-cli" in shown

    # No login at all: no token option, no DUTYLINE_TOKEN, no platform.json — only the message's token.
    anonymous = tmp_path / "nobody"
    anonymous.mkdir()
    token = ack_token(DEV_ACK_TOKEN_SECRET, n.id)
    acked = await ok(platform, anonymous, *as_user("notify", None, anonymous), "ack", n.id, "--token", token)
    assert f"Notification {n.id} acknowledged by" in acked and "(p-hz-officer-4)" in acked and "(UTC)" in acked
    wrong = await cli(platform, anonymous, *as_user("notify", None, anonymous), "ack", n.id, "--token", "wrong")
    assert wrong.exit_code == 2 and "PERMISSION_DENIED" in flat(wrong.output)

    after = await ok(
        platform, tmp_path, *as_user("notify", ADMIN, tmp_path), "list", "--site", "hz-01",
        "--person", "p-hz-officer-4", "--unacknowledged",
    )  # fmt: skip
    assert n.id not in after
    zh = await ok(platform, tmp_path, *as_user("notify", ADMIN, tmp_path), "show", n.id, locale="zh_CN.UTF-8")
    assert "已确认" in zh and "发送记录" in zh


@pytest.mark.stack
async def test_mine_lists_only_my_notifications(platform: Any, tmp_path: Path, notify: Any) -> None:
    mine = await send_to(notify, "p-hz-officer-3")
    other = await send_to(notify, "p-hz-officer-1")
    me = token_for("p-hz-officer-3", ["officer"], ["hz-01"])
    listed = await ok(platform, tmp_path, *as_user("notify", me, tmp_path), "list", "--mine", "--limit", "200")
    assert mine.id in listed and other.id not in listed
    # One's own login acknowledges one's own notification.
    acked = await ok(platform, tmp_path, *as_user("notify", me, tmp_path), "ack", mine.id)
    assert f"Notification {mine.id} acknowledged by" in acked and "(Asia/Shanghai)" in acked
    refused = await cli(platform, tmp_path, *as_user("notify", me, tmp_path), "ack", other.id)
    assert refused.exit_code == 2 and "PERMISSION_DENIED" in flat(refused.output)


@pytest.mark.stack
async def test_a_chain_is_set_and_shown_and_a_bad_step_refused(platform: Any, tmp_path: Path, own_site: str) -> None:
    admin = as_user("notify", ADMIN, tmp_path)
    default = await ok(platform, tmp_path, *admin, "chain", "show", "nb-01")
    assert "Escalation chain of nb-01 (the default" in default and "officer:180" in default

    steps = ["--step", "leader:300", "--step", "unit_head:600", "--step", "superior:900"]
    steps += ["--step", "person:p-admin:sms:120", "--step", "officer@hz-01:voice:60"]
    set_ = await ok(platform, tmp_path, *admin, "chain", "set", own_site, *steps, "--repeat", "3")
    assert f"Escalation chain of {own_site} set." in set_
    shown = await ok(platform, tmp_path, *admin, "chain", "show", own_site)
    assert "(the default" not in shown and "walked up to 3 time(s)" in shown
    for text in ("leader:300", "unit_head:600", "superior:900", "person:p-admin:sms:120", "officer@hz-01:voice:60"):
        assert text in shown
    assert "1 Duty leader" in shown and "Superior duty office" in shown and "Officer @hz-01 Voice call 60 s" in shown

    bad = await cli(platform, tmp_path, *admin, "chain", "set", own_site, "--step", "leader:300", "--step", "leader")
    assert bad.exit_code == 2 and "cannot read the step 'leader'" in flat(bad.output)
    unchanged = await ok(platform, tmp_path, *admin, "chain", "show", own_site)
    assert "person:p-admin:sms:120" in unchanged
    officer = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    denied = await cli(
        platform, tmp_path, *as_user("notify", officer, tmp_path), "chain", "set", "hz-01", "--step", "leader:60"
    )
    assert denied.exit_code == 2 and "PERMISSION_DENIED" in flat(denied.output)


@pytest.mark.stack
async def test_an_escalation_shows_who_was_notified_and_who_acknowledged(
    platform: Any, tmp_path: Path, notify: Any, own_site: str
) -> None:
    admin = as_user("notify", ADMIN, tmp_path)
    await ok(
        platform, tmp_path, *admin, "chain", "set", own_site, "--step", "person:p-nb-officer-2:console:300",
        "--step", "person:p-nb-leader-1:console:300",
    )  # fmt: skip
    escalation = await notify.Escalate(
        notify_pb2.EscalateRequest(
            idempotency_key=str(uuid.uuid4()),
            site_id=own_site,
            template="incident_registered",
            data={"incident_id": "inc-cli-esc", "title": "CLI 升级测试 escalation test", "place": "文三路"},
            ref_kind="incident",
            ref_id="inc-cli-esc",
            drill=True,
        )
    )
    found = escalation
    for _ in range(200):
        found = await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=escalation.id))
        if found.notifications:
            break
        await asyncio.sleep(0.05)
    assert found.notifications, "the escalation's first step notified nobody"
    shown = await ok(platform, tmp_path, *admin, "escalation", escalation.id)
    assert f"【演练 DRILL】 Escalation {escalation.id}" in shown and "running" in shown
    assert "loop 1, step 1" in shown and "(p-nb-officer-2)" in shown and "person:p-nb-leader-1:console:300" in shown

    first = found.notifications[0]
    me = token_for("p-nb-officer-2", ["officer"], ["nb-01"])
    acked = await ok(platform, tmp_path, *as_user("notify", me, tmp_path), "ack", first.id)
    assert f"Notification {first.id} acknowledged by" in acked
    for _ in range(200):
        if (await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=escalation.id))).acknowledged_by:
            break
        await asyncio.sleep(0.05)
    done = await ok(platform, tmp_path, *admin, "escalation", escalation.id)
    assert "Status acknowledged" in done and "(p-nb-officer-2) ·" in done
    listed = await ok(platform, tmp_path, *admin, "list", "--escalation", escalation.id)
    assert first.id in listed


@pytest.mark.stack
async def test_an_agency_is_added_listed_and_given_credentials(platform: Any, tmp_path: Path, own_site: str) -> None:
    admin = as_user("agency", ADMIN, tmp_path)
    agency_id = f"cli-fire-{uuid.uuid4().hex[:6]}"
    added = await ok(
        platform, tmp_path, *admin, "add", agency_id, "--name", "消防 CLI fire", "--site", own_site,
        "--event", "incident.*", "--webhook", "http://127.0.0.1:9/hook",
    )  # fmt: skip
    assert f"Agency {agency_id} registered." in added and "shown only this once" in added
    secret = re.search(r"Webhook secret: (\S+)", added)
    assert secret is not None and len(secret.group(1)) >= 32

    listed = await ok(platform, tmp_path, *admin, "list")
    assert agency_id in listed and "消防 CLI fire" in listed and "incident.*" in listed
    assert secret.group(1) not in listed

    creds_file = tmp_path / "keys" / f"{agency_id}.creds"
    issued = await ok(platform, tmp_path, *admin, "credentials", agency_id, "--out", str(creds_file))
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600
    assert "BEGIN NATS USER JWT" in creds_file.read_text() and "BEGIN USER NKEY SEED" in creds_file.read_text()
    assert f"dutyline.{own_site}.incident.>" in issued and f"dutyline_cap.{own_site}.incident.>" in issued
    assert f"_INBOX_{agency_id}" in issued and f"agency-{agency_id}" in issued
    assert f"user_credentials={str(creds_file)!r}" in issued and f"inbox_prefix='_INBOX_{agency_id}'" in issued

    deliveries = await ok(platform, tmp_path, *admin, "deliveries", agency_id, "--status", "failed")
    assert "No deliveries match." in deliveries or agency_id in deliveries
    officer = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    denied = await cli(platform, tmp_path, *as_user("agency", officer, tmp_path), "list")
    assert denied.exit_code == 2 and "PERMISSION_DENIED" in flat(denied.output)

    # The agency's creds follow its own site's events, and nothing else.
    agency_nats = ["--nats", platform.nats.url, "--creds", str(creds_file), "--inbox-prefix", f"_INBOX_{agency_id}"]
    event = incident_event(own_site)
    lines = await tail_while_publishing(
        platform,
        tmp_path,
        [*agency_nats, "--site", own_site, "--type", "incident.*"],
        event,
        f"dutyline.{own_site}.incident.registered",
    )
    assert event.aggregate_id in lines
    refused = await cli(
        platform, tmp_path, "events", "--state-dir", str(tmp_path), "tail", "--nats", platform.nats.url,
        "--creds", str(creds_file), "--site", "hz-01", "--seconds", "5",
    )  # fmt: skip
    assert refused.exit_code == 2 and "refused the subscription to dutyline.hz-01.>" in flat(refused.output)

    # Revoked: the NATS server no longer admits the agency's creds at all.
    revoked = await ok(platform, tmp_path, *admin, "revoke", agency_id)
    assert f"Every NATS credential of agency {agency_id} is revoked" in revoked
    gone = await cli(
        platform, tmp_path, "events", "--state-dir", str(tmp_path), "tail", *agency_nats, "--site", own_site,
        "--seconds", "2",
    )  # fmt: skip
    # Refused at once, not after nats-py's 60 tries: the server's answer is the error.
    assert gone.exit_code != 0 and "authorization violation" in flat(gone.output).lower(), gone.output


# -- events tail ------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def publisher(platform: Any) -> AsyncIterator[Callable[[event_pb2.Event, str], Any]]:
    nc = await connect_url(platform.nats.url, platform.nats_creds, name="test-cli-events")

    async def publish(event: event_pb2.Event, on: str) -> None:
        await nc.publish(on, event.SerializeToString(), headers={"Nats-Msg-Id": event.id})

    try:
        yield publish
    finally:
        await nc.close()


def services_nats(platform: Any) -> list[str]:
    """The options that reach the platform's NATS as its services do."""
    return ["--nats", platform.nats.url, "--creds", str(platform.nats_creds)]


async def tail_while_publishing(
    platform: Any, state_dir: Path, options: list[str], event: event_pb2.Event, on: str
) -> str:
    """Run `events tail --count 1` and publish ``event`` on ``on`` until it has printed something (it
    sees only what is published after it subscribed); what it printed on stdout."""
    argv = ["events", "--state-dir", str(state_dir), "tail", *options, "--count", "1", "--seconds", "30"]
    tail = asyncio.create_task(cli(platform, state_dir, *argv))
    async with publisher(platform) as publish:
        while not tail.done():
            # A new id each time: JetStream drops a repeated id, and the renditions come from the stream.
            again = event_pb2.Event()
            again.CopyFrom(event)
            again.id = str(uuid.uuid4())
            await publish(again, on)
            await asyncio.sleep(0.3)
    result = await tail
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.stack
async def test_events_tail_prints_a_protobuf_event_as_a_line(platform: Any, tmp_path: Path, own_site: str) -> None:
    event = incident_event(own_site)
    out = await tail_while_publishing(
        platform,
        tmp_path,
        [*services_nats(platform), "--site", own_site, "--type", "incident.*"],
        event,
        f"dutyline.{own_site}.incident.registered",
    )
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert f"  {own_site}  incident.registered  {event.aggregate_id}  【演练 DRILL】  CLI 跟踪测试" in lines[0]


@pytest.mark.stack
async def test_events_tail_finds_nats_in_platform_json(platform: Any, tmp_path: Path, own_site: str) -> None:
    PlatformInfo(
        addresses={}, nats_url=platform.nats.url, temporal_address="", temporal_ui_url="", token=ADMIN,
        nats_creds=str(platform.nats_creds),
    ).write(tmp_path)  # fmt: skip
    event = incident_event(own_site, drill=False)
    out = await tail_while_publishing(
        platform,
        tmp_path,
        ["--site", own_site, "--type", "incident.*"],
        event,
        f"dutyline.{own_site}.incident.registered",
    )
    assert event.aggregate_id in out and "DRILL" not in out


@pytest.mark.stack
async def test_events_tail_prints_json_and_cap_renditions(
    platform: Any, tmp_path: Path, own_site: str, notify: notify_pb2_grpc.NotifyServiceStub
) -> None:
    # Renditions are made only of what some agency may read: one of its own, whichever tests ran before.
    agency = notify_pb2.Agency(
        id=f"cli-tail-{uuid.uuid4().hex[:6]}", name="CLI tail", site_ids=[own_site], event_types=["incident.*"]
    )
    await notify.RegisterAgency(notify_pb2.RegisterAgencyRequest(idempotency_key=str(uuid.uuid4()), agency=agency))
    event = incident_event(own_site)
    on = f"dutyline.{own_site}.incident.registered"
    out = await tail_while_publishing(
        platform,
        tmp_path,
        [*services_nats(platform), "--site", own_site, "--type", "incident.registered", "--json"],
        event,
        on,
    )
    document = json.loads(out.strip().splitlines()[0])
    assert document["type"] == "incident.registered" and document["site_id"] == own_site
    assert document["payload"]["@type"].endswith("dutyline.events.v1.IncidentRegistered")

    options = [*services_nats(platform), "--site", own_site, "--cap"]
    cap = await tail_while_publishing(platform, tmp_path, options, incident_event(own_site), on)
    assert cap.lstrip().startswith("<?xml") and "urn:oasis:names:tc:emergency:cap:1.2" in cap
    assert "<status>Exercise</status>" in cap.replace("cap:status", "status")


def test_json_and_cap_go_apart(tmp_path: Path) -> None:
    argv = ["events", "--state-dir", str(tmp_path), "--lang", "en", "tail", "--json", "--cap"]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "either --json or --cap" in flat(result.output)
    no_creds = CliRunner().invoke(
        app, [*argv[:-2], "--creds", str(tmp_path / "missing.creds"), "--nats", "nats://127.0.0.1:1"]
    )
    assert no_creds.exit_code == 2 and "No such creds file" in flat(no_creds.output)


@pytest.mark.stack
async def test_events_tail_ends_cleanly_on_ctrl_c(platform: Any, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTYLINE_") and k not in ("LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "en_US.UTF-8"
    argv = ["-m", "dutyline.cli.main", "events", "--state-dir", str(tmp_path), "tail", *services_nats(platform)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    await asyncio.sleep(2.5)  # started, connected, subscribed
    process.send_signal(signal.SIGINT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=10)
    text = output.decode()
    assert process.returncode == 0, text
    assert "Following dutyline.*.>" in text and "Stopped." in text and "Traceback" not in text
