"""The incident screen over HTTP, on the real stack: an incident opened through intake shows with its
calls (caller masked), deadlines, timeline and escalation; the officer verifies, reports, records the
feedback and closes from the page (closing refused while reports are missing); bad input comes back at
the field with what was typed; a person of another site, or an agency, sees no step and a forged one
is refused with the gRPC code; without the CSRF token nothing is written."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import verify_token
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.stack.process import free_port
from services.console.app import build_app
from services.console.sessions import COOKIE
from services.console.settings import ConsoleSettings
from services.console.web import CONSOLE
from tests.console_http import Browser
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.services.incident.test_incident_service import in_stage
from tests.support import notifications_about, token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def form_of(page: str, action: str) -> str:
    """The HTML of the step form ``action`` ("" when the page does not offer it)."""
    found = re.search(rf'<form method="post" action="/incidents/[^/"]+/{action}".*?</form>', page, re.S)
    return found.group(0) if found else ""


async def step(browser: Browser, incident_id: str, action: str, fields: dict[str, str]) -> tuple[Any, str]:
    """Fill the step form ``action`` as rendered (its CSRF token and idempotency key) and send it."""
    _, page = await browser.get(f"/incidents/{incident_id}")
    form = form_of(page, action)
    assert form, f"no {action} form on the page"
    key = KEY.search(form)
    assert key is not None
    return await browser.post(
        f"/incidents/{incident_id}/{action}", {"csrf": browser.csrf, "idempotency_key": key.group(1), **fields}
    )


async def opened(intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any, **overrides: Any) -> tuple[str, str]:
    """An incident opened by an emergency call, in its verify stage: (incident id, call id)."""
    reply = await intake.RegisterCall(emergency_call(**overrides), timeout=15)
    assert reply.incident_id
    await in_stage(incidents, reply.incident_id, incident_pb2.STAGE_VERIFY)
    return reply.incident_id, reply.call.id


async def stage_of(platform: Any, incident_id: str) -> int:
    async with channel(platform.address("incident"), ADMIN) as ch:
        found = await incident_pb2_grpc.IncidentServiceStub(ch).GetIncident(
            incident_pb2.GetIncidentRequest(incident_id=incident_id)
        )
    return int(found.stage)


async def test_the_page_shows_the_incident_and_the_officer_verifies_it_from_there(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, call_id = await opened(intake, incidents, drill=True)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    # The board's row leads here.
    _, board = await browser.get("/board")
    assert f'href="/incidents/{incident_id}"' in board

    reply, page = await browser.get(f"/incidents/{incident_id}")
    assert reply.status == 200
    assert "【演练】" in page and "居民楼燃气泄漏" in page and "未定级" in page and 'data-stage="verify"' in page
    # Its call, the caller masked as intake returns it.
    call = re.search(rf'<tr id="call-{call_id}".*?</tr>', page, re.S)
    assert call is not None, page
    assert "13912345678" not in page and "*" in call.group(0)
    # The timeline begins with the registration; the live parts follow this incident's events.
    assert 'data-kind="registered"' in page
    assert f'sse-connect="/board/events?site=hz-01&amp;incident={incident_id}"' in page
    # Before verification: verify, report, progress; an officer does not merge, nothing closes yet.
    assert form_of(page, "verify") and form_of(page, "report") and form_of(page, "progress")
    assert not form_of(page, "merge") and not form_of(page, "close") and not form_of(page, "reclassify")

    reply, _ = await step(
        browser,
        incident_id,
        "verify",
        {"confirmed": "yes", "category": "natural_disaster", "sub_type": "flood", "severity": "ii", "reason": ""},
    )
    assert reply.status == 303 and reply.headers["Location"] == f"/incidents/{incident_id}"
    assert await stage_of(platform, incident_id) == incident_pb2.STAGE_ESCALATE

    _, page = await browser.get(f"/incidents/{incident_id}")
    assert 'data-stage="escalate"' in page and "重大（Ⅱ级）" in page and 'data-kind="verified"' in page
    # Its deadlines count down (console.js keeps them ticking), the phone report among them.
    assert re.search(r'<time class="countdown" datetime="[^"]+"[^>]*>-?\d+:\d\d:\d\d</time>', page)
    assert "初报（电话）" in page
    assert form_of(page, "reclassify") and form_of(page, "close") and form_of(page, "feedback")
    assert not form_of(page, "verify")
    # The override of missing reports is an admin's: an officer is not offered it.
    assert 'name="override_reason"' not in page

    # htmx's refresh of the live parts: the fragment while the stage is the same, a reload once it moved on.
    reply, fragment = await browser.get(f"/incidents/{incident_id}/live?stage=escalate")
    assert reply.status == 200 and "<html" not in fragment and 'data-kind="verified"' in fragment
    reply, _ = await browser.get(f"/incidents/{incident_id}/live?stage=verify")
    assert reply.status == 200 and reply.headers["HX-Refresh"] == "true"


async def test_the_steps_offered_follow_the_persons_roles(
    browsers: Any, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    await incidents.Verify(
        incident_pb2.VerifyRequest(
            idempotency_key=f"roles-{incident_id}",
            incident_id=incident_id,
            confirmed=True,
            category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
            severity=common_pb2.SEVERITY_IV,
        )
    )
    # The site's duty leader decides merges; closing despite missing reports stays an admin's.
    leader = browsers()
    await leader.sign_in("p-hz-leader-1")
    _, page = await leader.get(f"/incidents/{incident_id}")
    assert form_of(page, "merge") and form_of(page, "close") and 'name="override_reason"' not in page
    # The admin (headquarters, above every site) is offered the override.
    admin = browsers()
    await admin.sign_in("p-admin")
    _, page = await admin.get(f"/incidents/{incident_id}")
    assert form_of(page, "merge") and 'name="override_reason"' in form_of(page, "close")


async def test_the_escalation_shows_who_acknowledged_it(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    # Intake escalated the call to the duty leader: waiting for an acknowledgement.
    sent = [n for n in await notifications_about(platform, incident_id) if n.escalation_id]
    assert sent, "no escalation notified anyone"
    leader = sent[0]
    _, page = await browser.get(f"/incidents/{incident_id}")
    assert f'id="escalation-{leader.escalation_id}" data-status="running"' in page and "通知中，等待确认" in page
    assert leader.person_name in page

    async with channel(platform.address("notify"), token_for(leader.person_id, ["leader"], ["hz-01"])) as ch:
        await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
            notify_pb2.AcknowledgeRequest(idempotency_key=f"ack-{leader.id}", notification_id=leader.id)
        )
    for _ in range(100):
        _, page = await browser.get(f"/incidents/{incident_id}")
        if 'data-status="acknowledged"' in page:
            break
        await asyncio.sleep(0.1)
    acked = re.search(r'<span class="acked-by">([^<]+)</span>', page)
    assert acked is not None and acked.group(1).startswith(f"{leader.person_name} 于 "), page


async def test_bad_input_comes_back_at_the_field_with_what_was_typed(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    # Confirmed, but neither category nor severity: the API's violations, each at its field.
    reply, page = await step(
        browser, incident_id, "verify", {"confirmed": "yes", "sub_type": "typed-sub-type", "reason": "typed reason"}
    )
    assert reply.status == 400
    verify = form_of(page, "verify")
    for name in ("category", "severity"):
        assert re.search(rf'class="field-error" role="alert" id="err-verify-{name}" data-field="{name}">[^<]+<', verify)
    assert 'aria-invalid="true" aria-describedby="err-verify-category"' in verify
    assert 'value="typed-sub-type"' in verify and ">typed reason</textarea>" in verify
    # A report to nobody: at the recipient field.
    reply, page = await step(
        browser, incident_id, "report", {"kind": "leader_notice", "recipient": " ", "content": "x"}
    )
    assert reply.status == 400
    assert 'data-field="recipient"' in form_of(page, "report") and ">x</textarea>" in form_of(page, "report")
    assert 'data-field="recipient"' not in form_of(page, "verify")
    # Unfounded needs the reason; given it, the incident closes.
    reply, page = await step(browser, incident_id, "verify", {"confirmed": "no", "reason": " "})
    assert reply.status == 400 and 'data-field="reason"' in form_of(page, "verify")
    assert 'value="no" checked' in form_of(page, "verify")
    reply, _ = await step(browser, incident_id, "verify", {"confirmed": "no", "reason": "误报 false alarm"})
    assert reply.status == 303
    _, page = await browser.get(f"/incidents/{incident_id}")
    assert 'data-stage="closed"' in page and 'id="no-actions"' in page


async def test_a_report_the_feedback_and_closing_refused_until_the_reports_are_in(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, call_id = await opened(intake, incidents)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    reply, _ = await step(
        browser, incident_id, "verify", {"confirmed": "yes", "category": "social_safety", "severity": "iv"}
    )
    assert reply.status == 303

    # The report form offers the nearest deadline's report and recipient.
    _, page = await browser.get(f"/incidents/{incident_id}")
    report = form_of(page, "report")
    kind = re.search(r'<option value="([a-z_]+)" selected>', report)
    recipient = re.search(r'name="recipient" value="([^"]*)"', report)
    assert kind is not None and recipient is not None and recipient.group(1)
    reply, _ = await step(
        browser,
        incident_id,
        "report",
        {"kind": kind.group(1), "recipient": recipient.group(1), "content": "现场已处置 handled on site"},
    )
    assert reply.status == 303
    _, page = await browser.get(f"/incidents/{incident_id}")
    assert 'data-kind="report_submitted"' in page

    reply, _ = await step(
        browser, incident_id, "feedback", {"method": "电话 phone", "message": "已告知处置结果", "call_id": call_id}
    )
    assert reply.status == 303
    _, page = await browser.get(f"/incidents/{incident_id}")
    assert 'data-kind="feedback_recorded"' in page or "已告知处置结果" in page

    # The final report is still owed: closing is refused, the reason above the form, the summary kept.
    reply, page = await step(browser, incident_id, "close", {"summary": "处置完毕 done"})
    assert reply.status == 409
    close = form_of(page, "close")
    assert re.search(r'<p class="error refusal" role="alert">[^<]+</p>', close) and ">处置完毕 done</textarea>" in close
    assert await stage_of(platform, incident_id) != incident_pb2.STAGE_CLOSED

    # Every report still owed, from the page; then it closes.
    async with channel(platform.address("incident"), ADMIN) as ch:
        stub = incident_pb2_grpc.IncidentServiceStub(ch)
        for _ in range(6):
            found = await stub.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id))
            owed = [d for d in found.pending_deadlines if not d.met]
            if not owed:
                break
            kind_name = incident_pb2.ReportKind.Name(owed[0].kind).removeprefix("REPORT_KIND_").lower()
            reply, page = await step(
                browser, incident_id, "report", {"kind": kind_name, "recipient": owed[0].recipient, "content": "报告"}
            )
            assert reply.status == 303, page
    reply, page = await step(browser, incident_id, "close", {"summary": "处置完毕 done"})
    assert reply.status == 303, page
    assert await stage_of(platform, incident_id) == incident_pb2.STAGE_CLOSED
    _, page = await browser.get(f"/incidents/{incident_id}")
    assert 'data-stage="closed"' in page and 'id="no-actions"' in page and "事件已结案" in page
    assert 'method="post" action="/incidents/' not in page


async def test_a_person_of_another_site_sees_nothing_and_a_forged_step_is_refused(
    platform: Any, browsers: Any, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    stranger = browsers()
    await stranger.sign_in("p-nb-officer-1")
    reply, page = await stranger.get(f"/incidents/{incident_id}")
    assert reply.status == 403 and "PERMISSION_DENIED" in page and "form-verify" not in page
    reply, page = await stranger.post(
        f"/incidents/{incident_id}/verify",
        {"csrf": stranger.csrf, "idempotency_key": "forged-1", "confirmed": "no", "reason": "forged"},
    )
    assert reply.status == 403 and "PERMISSION_DENIED" in page
    assert await stage_of(platform, incident_id) == incident_pb2.STAGE_VERIFY


async def test_without_the_csrf_token_no_step_is_taken(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    for forged in ({}, {"csrf": "not-the-token"}):
        reply, page = await browser.post(
            f"/incidents/{incident_id}/verify", {"confirmed": "no", "reason": "forged", **forged}
        )
        assert reply.status == 403 and "CSRF" in page
    assert await stage_of(platform, incident_id) == incident_pb2.STAGE_VERIFY


@pytest.fixture
async def agency_console(platform: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[str, str]]:
    """A console of this process on the platform, with an agency signed in (agencies are not people of
    the roster, so the development sign-in cannot pick one; in production the identity provider names
    the role). Its session holds an agency's own token: (console URL, session cookie)."""
    for key, value in platform.console_env().items():
        monkeypatch.setenv(key, value)
    port = free_port()
    settings = ConsoleSettings(console_address=f"127.0.0.1:{port}")
    app = build_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    token = token_for("agency-water", ["agency"], ["hz-01"])
    principal = verify_token(settings.token_secrets(), token)
    session = app[CONSOLE].sessions.new(token=token, principal=principal, expires_at=time.time() + 600)
    yield f"http://127.0.0.1:{port}", session.id
    await runner.cleanup()


async def test_an_agency_reads_the_incident_but_is_offered_no_step_and_a_forged_one_is_refused(
    platform: Any, agency_console: tuple[str, str], intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    base, session_id = agency_console
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        http.cookie_jar.update_cookies({COOKIE: session_id}, response_url=aiohttp.client.URL(base))
        agency = Browser(base, http)
        reply, page = await agency.get(f"/incidents/{incident_id}")
        assert reply.status == 200 and "居民楼燃气泄漏" in page and 'data-kind="registered"' in page
        assert 'id="no-actions"' in page and 'method="post" action="/incidents/' not in page
        # The calls and the notifications are not an agency's to read: those parts say so.
        assert "您无权查看此部分" in page and '<table class="calls">' not in page
        reply, page = await agency.post(
            f"/incidents/{incident_id}/verify",
            {"csrf": agency.csrf, "idempotency_key": "forged-2", "confirmed": "no", "reason": "forged"},
        )
        assert reply.status == 403 and "PERMISSION_DENIED" in page
    assert await stage_of(platform, incident_id) == incident_pb2.STAGE_VERIFY


async def test_an_accidents_written_report_takes_its_six_items_and_the_casualties(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub, incidents: Any
) -> None:
    incident_id, _ = await opened(intake, incidents)
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    reply, _ = await step(
        browser, incident_id, "verify", {"confirmed": "yes", "category": "accident", "severity": "iv"}
    )
    assert reply.status == 303
    _, page = await browser.get(f"/incidents/{incident_id}")
    report = form_of(page, "report")
    assert 'name="accident.unit"' in report and 'name="casualties.missing"' in report
    # As the browser sends the form: with its hidden mark of an accident report.
    written = {
        "kind": "initial_written",
        "recipient": "应急管理局 emergency bureau",
        "content": "书面报告",
        "accident_form": "1",
    }

    # Without the items: the service's violations, each at its item, and at the casualties.
    reply, page = await step(browser, incident_id, "report", {**written, "accident.unit": "仓库"})
    assert reply.status == 400
    report = form_of(page, "report")
    for name in ("accident.time_place_scene", "accident.what_happened", "accident.measures", "casualties"):
        assert f'data-field="{name}"' in report, name
    assert 'data-field="accident.unit"' not in report and ">仓库</textarea>" in report
    # A count that is not a number is refused at its field before anything is sent.
    reply, page = await step(browser, incident_id, "report", {**written, "casualties.deaths": "two"})
    assert reply.status == 400 and 'data-field="casualties.deaths"' in form_of(page, "report")

    items = {
        "accident.unit": "西溪路物流仓库",
        "accident.time_place_scene": "今晨 8 时，仓库二层",
        "accident.what_happened": "电线短路起火",
        "accident.measures": "消防扑救，人员疏散",
    }
    casualties = {"casualties.injuries": "2", "casualties.loss_yuan": "300000"}
    reply, page = await step(browser, incident_id, "report", {**written, **items, **casualties})
    assert reply.status == 303, page
    async with channel(platform.address("incident"), ADMIN) as ch:
        found = await incident_pb2_grpc.IncidentServiceStub(ch).GetIncident(
            incident_pb2.GetIncidentRequest(incident_id=incident_id)
        )
    assert (found.casualties.injuries, found.casualties.loss_yuan, found.casualties.deaths) == (2, 300000, 0)
