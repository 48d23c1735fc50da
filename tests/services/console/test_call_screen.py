"""The register-call screen over HTTP, on the real stack: the form (the site's greeting, a new
idempotency key per form, the category's required fields), a consultation and an emergency registered
through it (the caller masked, the incident shown and linked), the service's field violations shown at
their fields with nothing written, a retried form making one call, intake's suggestion linked with one
click, a call on a duty line timed by the switch, and CSRF refusals."""

from __future__ import annotations

import itertools
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc, telephony_pb2, telephony_pb2_grpc
from services.console import calls
from services.intake import rules
from tests.console_http import Browser
from tests.support import service_token_for, token_for

pytestmark = pytest.mark.stack

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
OPENED = re.compile(r'name="opened_at" id="opened-at" value="(\d+)"')
# Places of their own (north-east of every other test's), 5 km apart: each emergency opens an incident.
_places = itertools.count()


def test_the_form_marks_what_intake_requires_by_category() -> None:
    # The console may not import intake: its copy of the rule must stay the rule.
    assert calls.REQUIRED_FIELDS == rules.REQUIRED_FIELDS
    assert set(calls.CATEGORIES) == set(rules.CATEGORIES.values())
    assert set(calls.CHANNELS) == set(rules.CHANNELS.values())


async def open_form(browser: Browser) -> dict[str, str]:
    """The form as a browser gets it: its hidden fields, answered three seconds after it opened."""
    reply, page = await browser.get("/calls/new")
    assert reply.status == 200, page
    key, opened = KEY.search(page), OPENED.search(page)
    assert key is not None and opened is not None, page
    return {
        "csrf": browser.csrf,
        "idempotency_key": key.group(1),
        "site_id": "hz-01",
        "opened_at": opened.group(1),
        "answered_at": str(int(opened.group(1)) + 3000),
        "channel": "phone",
    }


def place() -> dict[str, str]:
    n = next(_places)
    return {
        "place.text": f"滨江路{n}号 No. {n} Binjiang Road",
        "place.latitude": f"{31.5 + n * 0.05:.5f}",
        "place.longitude": "121.3",
    }


async def calls_with(intake: intake_pb2_grpc.IntakeServiceStub, marker: str) -> list[intake_pb2.Call]:
    listed = await intake.ListCalls(intake_pb2.ListCallsRequest(site_id="hz-01"), timeout=10)
    return [c for c in listed.calls if marker in c.request or marker in c.summary]


async def test_the_form_shows_the_greeting_and_a_new_key_each_time(browsers: Any, on_duty_officer: str) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    reply, page = await browser.get("/calls/new")
    assert reply.status == 200
    # The site's greeting to read, the timer, the category first (focused), every category offered.
    assert "您好，这里是应急值班室，请讲。" in page and 'id="call-timer"' in page
    assert re.search(r'<select id="f-category" name="category" autofocus', page)
    for n, category in enumerate(calls.CATEGORIES, 1):
        assert f'<option value="{category}">{n} · ' in page
    assert 'aria-keyshortcuts="Alt+A"' in page and 'aria-keyshortcuts="Alt+S"' in page
    # The menu leads to it.
    assert '<a href="/calls/new" aria-current="page">登记来电</a>' in page
    first = KEY.search(page)
    _, again = await browser.get("/calls/new")
    second = KEY.search(again)
    assert first and second and first.group(1) != second.group(1)
    # Without sign-in: to the sign-in page.
    reply, _ = await browsers().get("/calls/new")
    assert reply.status == 303 and reply.headers["Location"] == "/signin"


async def test_a_consultation_is_registered_and_its_caller_shown_masked(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    marker = uuid.uuid4().hex
    form = await open_form(browser)
    reply, _ = await browser.post(
        "/calls",
        {
            **form,
            "category": "consultation",
            "caller.name": "张伟",
            "caller.phone": "13812345678",
            "place.text": "西湖区",
            "summary": "咨询防汛物资领取 Asking about flood supplies",
            "request": f"告知领取地点 {marker}",
            "actions_taken": "已告知 Told",
        },
    )
    assert reply.status == 303, reply.headers
    location = reply.headers["Location"]
    call_id = location.removeprefix("/calls/")
    _, page = await browser.get(location)
    assert f'id="call-{call_id}"' in page and "咨询" in page
    # The caller as the API answers it: masked, never the number typed.
    assert "13812345678" not in page and re.search(r'class="caller">138\*+5678', page), page
    # Answered 3 s after it rang: on time at hz-01 (15 s), no incident for a consultation.
    assert re.search(r'id="answer-delay">3 秒 ·\s*<span class="on-time">及时接听（限 15 秒）', page), page
    assert "/incidents/" not in page
    [saved] = await calls_with(intake, marker)
    assert saved.id == call_id and saved.category == intake_pb2.CALL_CATEGORY_CONSULTATION
    assert saved.answer_delay_seconds == pytest.approx(3.0) and not saved.answered_late
    # Only an emergency joins an incident: intake's refusal is shown on the call's page.
    reply, page = await browser.post(
        f"/calls/{call_id}/link", {"csrf": browser.csrf, "idempotency_key": str(uuid.uuid4()), "incident_id": "inc-x"}
    )
    assert reply.status == 400 and re.search(r'id="link-error">FAILED_PRECONDITION: [^<]+<', page), page
    assert not (await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id), timeout=10)).incident_id


async def test_an_emergency_shows_the_incident_it_opened(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    reply, _ = await browser.post(
        "/calls",
        {
            **await open_form(browser),
            "category": "emergency",
            "caller.phone": "13700002222",
            **place(),
            "summary": "仓库起火 A warehouse is on fire",
            "drill": "on",
        },
    )
    assert reply.status == 303
    call_id = reply.headers["Location"].removeprefix("/calls/")
    call = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id), timeout=10)
    assert call.incident_id and call.drill
    _, page = await browser.get(reply.headers["Location"])
    assert "已新建事件" in page and "【演练】" in page
    assert f'<a href="/incidents/{call.incident_id}" id="incident-link"' in page
    # In English on asking.
    await browser.post("/lang", {"csrf": browser.csrf, "lang": "en", "next": "/"})
    _, page = await browser.get(reply.headers["Location"])
    assert "Opened a new incident" in page and f"Incident {call.incident_id}" in page


async def test_bad_input_shows_each_violation_at_its_field_and_writes_nothing(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    marker = uuid.uuid4().hex
    form = await open_form(browser)
    typed = {
        **form,
        "category": "complaint",
        "caller.name": "赵六",
        "caller.phone": "call me!",
        "place.text": "上城区",
        "place.latitude": "95",
        "place.longitude": "120",
        "summary": "",
        "request": f"噪音投诉 {marker}",
    }
    reply, page = await browser.post("/calls", typed)
    assert reply.status == 400
    for field in ("caller.phone", "place.latitude", "summary"):
        assert re.search(rf'<span class="field-error" role="alert" data-field="{re.escape(field)}">[^<]+<', page), (
            field,
            page,
        )
    assert 'id="f-caller-phone" name="caller.phone" type="tel" value="call me!" aria-invalid="true"' in page
    # What was typed stays, and the same form (key and times) is sent again once corrected.
    assert 'value="赵六"' in page and f"噪音投诉 {marker}</textarea>" in page
    assert KEY.search(page).group(1) == form["idempotency_key"]  # type: ignore[union-attr]
    assert f'value="{form["answered_at"]}"' in page
    # The category's required fields are marked on the page sent back.
    assert re.search(r'<div class="field invalid required" data-requires="caller.phone">', page), page
    # A coordinate that is no number: the console says so at the field, without asking intake.
    reply, page = await browser.post("/calls", {**typed, "summary": "x", "caller.phone": "", "place.latitude": "北"})
    assert reply.status == 400
    assert re.search(r'data-field="place.latitude">须为数字<', page), page
    assert await calls_with(intake, marker) == []

    reply, _ = await browser.post(
        "/calls", {**typed, "caller.phone": "13600001111", "place.latitude": "30.2", "summary": "楼上噪音"}
    )
    assert reply.status == 303
    assert len(await calls_with(intake, marker)) == 1


async def test_a_retried_form_registers_one_call(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    marker = uuid.uuid4().hex
    form = {**await open_form(browser), "category": "other", "summary": f"询问天气 {marker}"}
    first, _ = await browser.post("/calls", form)
    again, _ = await browser.post("/calls", form)
    assert first.status == again.status == 303
    assert again.headers["Location"] == first.headers["Location"] + "?replayed=1"
    _, page = await browser.get(again.headers["Location"])
    assert "未重复登记" in page
    assert len(await calls_with(intake, marker)) == 1


async def test_without_the_csrf_token_no_call_is_registered(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    marker = uuid.uuid4().hex
    form = {**await open_form(browser), "category": "other", "summary": f"无令牌 {marker}"}
    for forged in ({}, {"csrf": "not-the-token"}):
        reply, page = await browser.post("/calls", {**{k: v for k, v in form.items() if k != "csrf"}, **forged})
        assert reply.status == 403 and "CSRF" in page
    reply, page = await browser.post("/calls/c-none/link", {"incident_id": "i-none"})
    assert reply.status == 403 and "CSRF" in page
    assert await calls_with(intake, marker) == []


async def test_a_suggested_incident_is_linked_with_one_click(
    browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    here = place()
    registered = []
    # At one spot, a gas leak, then a fight told in other words: another kind of event, so intake opens
    # an incident of its own for the fight and suggests the gas leak's as probably the same event.
    for where, summary in (("燃气站 gas station", "燃气泄漏 Gas leak"), ("公交站 bus stop", "有人打架 A fight")):
        reply, _ = await browser.post(
            "/calls",
            {
                **await open_form(browser),
                "category": "emergency",
                "caller_declined_number": "on",
                **here,
                "place.text": where,
                "summary": summary,
            },
        )
        assert reply.status == 303
        call_id = reply.headers["Location"].removeprefix("/calls/")
        registered.append(await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id), timeout=10))
    leak, fight = registered
    assert leak.incident_id and fight.incident_id and leak.incident_id != fight.incident_id
    _, page = await browser.get(f"/calls/{fight.id}")
    assert "可能是同一事件" in page
    suggestion = re.search(rf'<li id="suggestion-{leak.incident_id}">(.*?)</li>', page, re.S)
    assert suggestion is not None, page
    assert f"可能与事件 {leak.incident_id} 为同一事件" in suggestion.group(1)
    # The one click: the suggestion's own form, as the page holds it.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', suggestion.group(1)))
    assert fields["incident_id"] == leak.incident_id and fields["csrf"] == browser.csrf
    reply, _ = await browser.post(f"/calls/{fight.id}/link", fields)
    assert reply.status == 303 and reply.headers["Location"] == f"/calls/{fight.id}"
    moved = await intake.GetCall(intake_pb2.GetCallRequest(call_id=fight.id), timeout=10)
    assert moved.incident_id == leak.incident_id
    _, page = await browser.get(f"/calls/{fight.id}")
    assert f'<a href="/incidents/{leak.incident_id}" id="incident-link"' in page


async def test_a_forged_timer_is_refused_at_the_timer(browsers: Any, on_duty_officer: str) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    # A ring a month ahead (a forged timer) is the service's to refuse; shown at the timer.
    reply, page = await browser.post(
        "/calls",
        {
            **await open_form(browser),
            "category": "other",
            "summary": "x",
            "opened_at": str(int(time.time() * 1000) + 86_400_000 * 30),
        },
    )
    assert reply.status == 400 and re.search(r'data-field="timer">[^<]+<', page), page


async def test_a_call_on_a_duty_line_takes_the_switchs_times(
    platform: Any, browsers: Any, on_duty_officer: str, intake: intake_pb2_grpc.IntakeServiceStub
) -> None:
    # A duty line of hz-01 (its admin) on which the switch reports a call answered 20 s after it rang.
    async with (
        channel(platform.address("intake"), token_for("p-hz-admin", ["admin"], ["hz-01"])) as admin_ch,
        channel(platform.address("intake"), service_token_for("switch")) as switch_ch,
    ):
        admin = telephony_pb2_grpc.TelephonyServiceStub(admin_ch)
        switch = telephony_pb2_grpc.TelephonyServiceStub(switch_ch)
        line = await admin.UpsertLine(
            telephony_pb2.UpsertLineRequest(
                idempotency_key=str(uuid.uuid4()),
                line=telephony_pb2.Line(
                    id=f"line-{uuid.uuid4().hex[:10]}",
                    site_id="hz-01",
                    display_name="值班电话九 Duty line 9",
                    switch_id="switch-console-test",
                    extensions=[telephony_pb2.Extension(extension="8001", person_id=on_duty_officer)],
                ),
            )
        )
        rang = datetime.now(UTC) - timedelta(seconds=30)
        for kind, at, extra in (
            (telephony_pb2.LINE_EVENT_KIND_RINGING, rang, {"caller_number": "13311112222"}),
            (telephony_pb2.LINE_EVENT_KIND_ANSWERED, rang + timedelta(seconds=20), {"extension": "8001"}),
        ):
            answer = await switch.ReportLineEvent(
                telephony_pb2.ReportLineEventRequest(
                    switch_id="switch-console-test",
                    event=telephony_pb2.LineEvent(
                        line_id=line.id, switch_call_id="sw-1", kind=kind, at=ts(at), **extra
                    ),
                )
            )
    line_call_id = answer.call.id
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    _, page = await browser.get("/calls/new")
    # The call in progress is offered, its caller masked as the switch's record has it.
    option = re.search(rf'<option value="{line_call_id}">([^<]+)</option>', page)
    assert option is not None and "值班电话九" in option.group(1) and "133****2222" in option.group(1), page
    marker = uuid.uuid4().hex
    reply, _ = await browser.post(
        "/calls",
        {**await open_form(browser), "line_call_id": line_call_id, "category": "other", "summary": f"线路 {marker}"},
    )
    assert reply.status == 303
    _, page = await browser.get(reply.headers["Location"])
    # The switch's times, not the form's (3 s): answered 20 s after the first ring, late at hz-01.
    assert re.search(r'id="answer-delay">20 秒 ·\s*<strong class="error late">超时接听（限 15 秒）', page), page
    [saved] = await calls_with(intake, marker)
    assert saved.line_call_id == line_call_id and saved.answered_late
