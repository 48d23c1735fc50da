"""The duty console over HTTP, on the real stack (the platform fixture starts it with the services):
development sign-in, the board and its live event stream, the on-duty screen's check-in and handover,
CSRF refusals, the services' refusals shown as 403 with the gRPC code, cookie flags and the
Content-Security-Policy."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.console_http import Browser, nearest_report
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.services.incident.test_incident_service import in_stage
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])


async def check_in_status(platform: Any, assignment_id: str) -> str:
    async with channel(platform.address("roster"), ADMIN) as ch:
        assignment = await roster_pb2_grpc.RosterServiceStub(ch).GetAssignment(
            roster_pb2.GetAssignmentRequest(assignment_id=assignment_id)
        )
    return str(assignment.check_in_status)


async def assignment_of(platform: Any, person_id: str) -> str:
    async with channel(platform.address("roster"), ADMIN) as ch:
        on_duty = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))
    return next(p.assignment_id for p in on_duty.officers if p.person_id == person_id)


async def test_a_demo_officer_signs_in_and_the_session_cookie_is_httponly_lax(
    browsers: Any, on_duty_officer: str
) -> None:
    browser = browsers()
    reply, page = await browser.get("/signin")
    assert reply.status == 200
    # zh-CN by default; every demo person of the seed can be picked.
    assert '<html lang="zh-CN">' in page and 'data-person="p-east-supervisor"' in page
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # loopback

    reply, _ = await browser.post("/signin/dev", {"csrf": browser.csrf, "person_id": on_duty_officer})
    assert reply.status == 303 and reply.headers["Location"] == "/board"
    # Signing in replaces the session: the id from before is worth nothing now.
    signed_in = reply.headers["Set-Cookie"]
    assert signed_in.split(";")[0] != cookie.split(";")[0]
    assert "HttpOnly" in signed_in and "SameSite=Lax" in signed_in

    reply, page = await browser.get("/board")
    assert reply.status == 200 and "事件看板" in page and on_duty_officer not in reply.headers.get("Set-Cookie", "")


async def test_the_session_cookie_is_secure_outside_loopback(browsers: Any) -> None:
    browser = browsers()
    # Health probes get no session (they would fill the store).
    reply, health = await browser.get("/healthz")
    assert reply.status == 200 and json.loads(health) == {"status": "SERVING"} and "Set-Cookie" not in reply.headers
    reply, _ = await browser.get("/signin", headers={"Host": "duty.example.org"})
    assert reply.status == 200
    assert "Secure" in reply.headers["Set-Cookie"] and "HttpOnly" in reply.headers["Set-Cookie"]


async def test_pages_ask_for_nothing_outside_the_console(browsers: Any) -> None:
    browser = browsers()
    reply, page = await browser.get("/signin")
    csp = reply.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("/", "#", "data:")) and not url.startswith("//"), url
        if url.startswith("/static/"):
            asset, _ = await browser.get(url)
            assert asset.status == 200, url


async def test_the_board_lists_an_incident_opened_through_intake(
    browsers: Any,
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
) -> None:
    reply = await intake.RegisterCall(emergency_call(drill=True), timeout=15)
    incident_id = reply.incident_id
    assert incident_id
    browser = browsers()
    await browser.sign_in(on_duty_officer)

    _, page = await browser.get("/board")
    row = re.search(rf'<tr id="incident-{incident_id}".*?</tr>', page, re.S)
    assert row is not None, page
    assert "【演练】" in row.group(0) and "未定级" in row.group(0)
    # Verified with a severity, it has deadlines: the row counts down to the nearest.
    await in_stage(incidents, incident_id, incident_pb2.STAGE_VERIFY)
    await incidents.Verify(
        incident_pb2.VerifyRequest(
            idempotency_key=str(uuid.uuid4()),
            incident_id=incident_id,
            confirmed=True,
            category=incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
            sub_type="flood",
            severity=common_pb2.SEVERITY_II,
        )
    )
    _, table = await browser.get("/board")
    row = re.search(rf'<tr id="incident-{incident_id}".*?</tr>', table, re.S)
    nearest = await nearest_report(incidents, incident_id)
    assert row is not None and "重大（Ⅱ级）" in row.group(0) and nearest.zh in row.group(0)
    assert re.search(r'<time class="countdown[^"]*" datetime="[^"]+"[^>]*>-?\d+:\d\d:\d\d</time>', row.group(0))
    # The supervisor of the region sees it too, in English when chosen.
    supervisor = browsers()
    await supervisor.sign_in("p-east-supervisor")
    reply, _ = await supervisor.post("/lang", {"csrf": supervisor.csrf, "lang": "en", "next": "/board"})
    assert reply.status == 303 and reply.headers["Location"] == "/board"
    _, page = await supervisor.get("/board?site=hz-01")
    assert f'id="incident-{incident_id}"' in page and "[DRILL]" in page and "Incident board" in page
    # Filters: a severity it does not have hides it, its own shows it.
    _, page = await browser.get("/board?severity=SEVERITY_I")
    assert f'id="incident-{incident_id}"' not in page
    _, page = await browser.get("/board?severity=SEVERITY_II&stage=STAGE_ESCALATE")
    assert f'id="incident-{incident_id}"' in page
    _, page = await browser.get("/board?site=hz-01")
    assert f'id="incident-{incident_id}"' in page


async def test_the_event_stream_delivers_a_change(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    async with browser.http.get(
        platform.console_url + "/board/events", timeout=aiohttp.ClientTimeout(total=60)
    ) as stream:
        assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
        assert await stream.content.readline() == b": connected\n"
        incident_id = (await intake.RegisterCall(emergency_call(), timeout=15)).incident_id
        event: dict[str, str] = {}
        async with asyncio.timeout(20):
            while True:
                line = (await stream.content.readline()).decode().rstrip("\n")
                if line.startswith(("id:", "event:", "data:")):
                    key, value = line.split(":", 1)
                    event[key] = value.strip()
                elif not line and event:
                    if event.get("event") == "incident" and json.loads(event["data"])["id"] == incident_id:
                        break
                    event = {}
        assert int(event["id"]) > 0 and json.loads(event["data"])["site_id"] == "hz-01"


async def test_the_event_stream_needs_a_signed_in_person(browsers: Any) -> None:
    reply, _ = await browsers().get("/board/events")
    assert reply.status == 401


async def test_without_the_csrf_token_nothing_is_written(platform: Any, browsers: Any, on_duty_officer: str) -> None:
    assignment_id = await assignment_of(platform, on_duty_officer)
    before = await check_in_status(platform, assignment_id)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    _, page = await browser.get("/duty")
    assert f'value="{assignment_id}"' in page

    for forged in ({}, {"csrf": "not-the-token"}):
        reply, page = await browser.post("/duty/check-in", {"assignment_id": assignment_id, **forged})
        assert reply.status == 403 and "CSRF" in page
    assert await check_in_status(platform, assignment_id) == before


async def test_the_on_duty_officer_checks_in_from_the_duty_screen(
    platform: Any, browsers: Any, on_duty_officer: str
) -> None:
    assignment_id = await assignment_of(platform, on_duty_officer)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    reply, page = await browser.get("/duty")
    assert reply.status == 200 and "当前值班" in page
    reply, _ = await browser.post("/duty/check-in", {"csrf": browser.csrf, "assignment_id": assignment_id})
    assert reply.status == 303 and reply.headers["Location"] == "/duty"
    assert await check_in_status(platform, assignment_id) in ("on_time", "late", "absent")
    _, page = await browser.get("/duty")
    assert 'action="/duty/check-in"' not in page and "已签到" in page


async def test_a_forged_check_in_for_someone_else_is_refused_with_the_grpc_code(
    platform: Any, browsers: Any, on_duty_officer: str
) -> None:
    assignment_id = await assignment_of(platform, on_duty_officer)
    before = await check_in_status(platform, assignment_id)
    # The reserve officer of the same site may read the roster, not check in for a colleague.
    browser = browsers()
    await browser.sign_in("p-hz-reserve")
    _, page = await browser.get("/duty")
    assert 'action="/duty/check-in"' not in page  # no button for a shift not theirs
    reply, page = await browser.post("/duty/check-in", {"csrf": browser.csrf, "assignment_id": assignment_id})
    assert reply.status == 403 and "PERMISSION_DENIED" in page
    assert await check_in_status(platform, assignment_id) == before


async def test_a_handover_with_bad_input_shows_the_violation_at_the_field(
    platform: Any, browsers: Any, on_duty_officer: str
) -> None:
    assignment_id = await assignment_of(platform, on_duty_officer)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    await browser.get("/duty")
    reply, page = await browser.post(
        "/duty/handover/submit",
        {"csrf": browser.csrf, "outgoing_assignment_id": assignment_id, "shift_log": "日志" * 50000, "notes": "x"},
    )
    assert reply.status == 400
    assert re.search(r'class="field-error" role="alert" data-field="shift_log">[^<]+<', page), page
    # What was typed stays in the form.
    assert ">x</textarea>" in page


async def test_a_stopped_console_ends_its_event_streams_and_exits_cleanly(
    platform: Any, on_duty_officer: str, tmp_path: Any
) -> None:
    import sys
    import time

    from dutyline.stack.platform import ROOT
    from dutyline.stack.process import ManagedProcess, free_port

    # A console of its own, beside the platform's, so stopping it disturbs no other test.
    port = free_port()
    env = {**platform.console_env(), "DUTYLINE_CONSOLE_ADDRESS": f"127.0.0.1:{port}"}
    process = ManagedProcess(
        [sys.executable, "-m", "services.console"], tmp_path / "console.log", name="console-2", env=env, cwd=ROOT
    )
    process.start()
    try:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with asyncio.timeout(30):
                while True:
                    try:
                        async with http.get(f"{base}/healthz") as reply:
                            if reply.status == 200 and (await reply.json())["status"] == "SERVING":
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
            browser = Browser(base, http)
            await browser.sign_in(on_duty_officer)
            async with http.get(f"{base}/board/events") as stream:
                assert await stream.content.readline() == b": connected\n"
                began = time.monotonic()
                await asyncio.get_running_loop().run_in_executor(None, process.stop, 15.0)
                assert process.returncode == 0, process.tail()
                # The stream was ended by the console, well within the shutdown grace (5 s).
                assert time.monotonic() - began < 4.0
                rest = await stream.content.read()
                assert b"event: incident" not in rest
    finally:
        process.stop(5.0)


async def test_the_outgoing_officer_hands_over_and_the_incoming_one_accepts(platform: Any, browsers: Any) -> None:
    # At nb-01: a shift is handed over once, and roster's own tests hand over at hz-01.
    async with channel(platform.address("roster"), ADMIN) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        now = await roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="nb-01"))
        upcoming = await roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="nb-01", at=now.valid_until))
        site = await roster.GetSite(roster_pb2.GetSiteRequest(site_id="nb-01"))
    # The next shift starts at the site's local time (the duty room's clock, not the server's).
    change = now.valid_until.ToDatetime(UTC).astimezone(ZoneInfo(site.time_zone)).strftime("%m-%d %H:%M")
    mine = now.officers[-1]
    incoming = upcoming.officers[0]
    outgoing = browsers()
    await outgoing.sign_in(mine.person_id)
    _, page = await outgoing.get("/duty")
    # Now and next, with the next shift's officer offered as the one to hand over to.
    assert incoming.display_name in page and f'<option value="{incoming.assignment_id}">' in page
    assert f"下一班（{change} 起）" in page
    reply, _ = await outgoing.post(
        "/duty/handover/submit",
        {
            "csrf": outgoing.csrf,
            "outgoing_assignment_id": mine.assignment_id,
            "incoming_assignment_id": incoming.assignment_id,
            "shift_log": "夜间平稳 A quiet night",
            "notes": "",
        },
    )
    assert reply.status == 303 and reply.headers["Location"].startswith("/duty?handover=")
    handover_id = reply.headers["Location"].split("=", 1)[1]
    _, page = await outgoing.get(reply.headers["Location"])
    assert f'id="handover-{handover_id}"' in page and "待接班" in page

    taker = browsers()
    await taker.sign_in(incoming.person_id)
    await taker.get("/duty")
    reply, _ = await taker.post("/duty/handover/accept", {"csrf": taker.csrf, "handover_id": handover_id})
    assert reply.status == 303
    _, page = await taker.get(reply.headers["Location"])
    assert "已接班" in page
    async with channel(platform.address("roster"), ADMIN) as ch:
        handover = await roster_pb2_grpc.RosterServiceStub(ch).GetHandover(
            roster_pb2.GetHandoverRequest(handover_id=handover_id)
        )
    assert handover.status == "accepted" and handover.incoming_person_id == incoming.person_id
