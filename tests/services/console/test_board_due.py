"""The board over HTTP, on the real stack: what is due besides incidents (callbacks and messages,
cases, call records to complete) read with the person's own token, and the live rows: each change
of an incident arrives as one rendered row (or its id when it leaves the filtered board), so the
browser never fetches the table again."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc
from services.console.board import DUE_ITEMS
from services.incident.watch import PER_PERSON
from tests.console_http import Browser, nearest_report
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.services.incident.test_incident_service import in_stage

pytestmark = pytest.mark.stack


def key() -> str:
    return str(uuid.uuid4())


def panel(page: str, name: str) -> str:
    found = re.search(rf'<section class="due-panel"[^>]*id="due-{name}">.*?</section>', page, re.S)
    assert found is not None, page
    return found.group(0)


def listed(section: str, prefix: str) -> list[str]:
    return re.findall(rf'<li id="{prefix}-([^"]+)"', section)


def soonest(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: from_ts(i.due_at).timestamp() if i.HasField("due_at") else float("inf"))


@pytest.fixture
async def cases(platform: Any, officer_token: str) -> AsyncIterator[case_pb2_grpc.CaseServiceStub]:
    async with channel(platform.address("intake"), officer_token) as ch:
        yield case_pb2_grpc.CaseServiceStub(ch)


async def test_callbacks_cases_and_open_call_records_of_my_site_are_on_the_board(
    browsers: Callable[[], Browser],
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
    cases: case_pb2_grpc.CaseServiceStub,
) -> None:
    call = (
        await intake.RegisterCall(
            emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION, request="停水何时恢复 When is water back?"),
            timeout=15,
        )
    ).call
    promised = await intake.PromiseCallback(
        intake_pb2.PromiseCallbackRequest(
            idempotency_key=key(),
            call_id=call.id,
            recipient_id=on_duty_officer,
            content="回电告知恢复供水时间",
            urgent=True,
        )
    )
    opened = await cases.OpenCase(
        case_pb2.OpenCaseRequest(
            idempotency_key=key(),
            site_id="hz-01",
            category=case_pb2.CASE_CATEGORY_COMPLAINT,
            subject="小区夜间施工噪音扰民 night-time construction noise",
            call_id=call.id,
            drill=True,
        )
    )
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    _, page = await browser.get("/board?site=hz-01")

    # What the services list for this person, in the board's order, is what the panels show.
    callbacks = soonest(
        list((await intake.ListCallbacks(intake_pb2.ListCallbacksRequest(site_id="hz-01", open_only=True))).callbacks)
    )
    open_cases = soonest(
        list(
            (
                await cases.ListCases(
                    case_pb2.ListCasesRequest(
                        site_id="hz-01", open_only=True, page=common_pb2.PageRequest(page_size=500)
                    )
                )
            ).cases
        )
    )
    calls = await intake.ListCalls(
        intake_pb2.ListCallsRequest(
            site_id="hz-01",
            period=common_pb2.TimeRange(start=ts(datetime.now(UTC) - timedelta(hours=24))),
            page=common_pb2.PageRequest(page_size=500),
        )
    )
    incomplete = [c for c in calls.calls if not c.record.HasField("completed_at")]
    assert promised.id in [c.id for c in callbacks] and opened.id in [c.id for c in open_cases]

    shown = panel(page, "callbacks")
    assert listed(shown, "callback") == [c.id for c in callbacks[:DUE_ITEMS]]
    assert f'<span class="count">{len(callbacks)}</span>' in shown
    if promised.id in listed(shown, "callback"):
        item = re.search(rf'<li id="callback-{promised.id}".*?</li>', shown, re.S)
        assert item is not None and f'href="/calls/{call.id}"' in item.group(0) and "承诺回电" in item.group(0)
        assert "紧急" in item.group(0) and 'class="countdown"' in item.group(0)
    shown = panel(page, "cases")
    assert listed(shown, "case") == [c.id for c in open_cases[:DUE_ITEMS]]
    assert f'<span class="count">{len(open_cases)}</span>' in shown
    shown = panel(page, "calls")
    # The newest first: the consultation just registered, its record still to complete.
    assert listed(shown, "open-call") == [c.id for c in incomplete[:DUE_ITEMS]]
    assert listed(shown, "open-call")[0] == call.id and f'href="/calls/{call.id}"' in shown

    # The panels alone, as the board fetches them every minute; in English when chosen.
    reply, _ = await browser.post("/lang", {"csrf": browser.csrf, "lang": "en", "next": "/board"})
    assert reply.status == 303
    reply, fragment = await browser.get("/board/due?site=hz-01")
    assert reply.status == 200 and "<html" not in fragment and 'id="board-due"' in fragment
    assert "Callbacks and messages due" in fragment and "Cases due" in fragment
    assert listed(panel(fragment, "calls"), "open-call")[0] == call.id


async def read_events(stream: aiohttp.ClientResponse, until_seen: Any, seconds: float = 30) -> list[dict[str, str]]:
    """The stream's events up to the one ``until_seen`` accepts (which is the last)."""
    events: list[dict[str, str]] = []
    event: dict[str, str] = {}
    async with asyncio.timeout(seconds):
        while True:
            line = (await stream.content.readline()).decode().rstrip("\n")
            if line.startswith(("id:", "event:", "data:")):
                name, value = line.split(":", 1)
                value = value.removeprefix(" ")
                event[name] = event[name] + "\n" + value if name == "data" and name in event else value
            elif not line and event:
                events.append(event)
                if until_seen(event):
                    return events
                event = {}


async def test_a_change_arrives_as_its_rendered_row_and_leaves_a_filtered_board(
    platform: Any,
    browsers: Callable[[], Browser],
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
    incidents: incident_pb2_grpc.IncidentServiceStub,
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    timeout = aiohttp.ClientTimeout(total=90)
    async with (
        browser.http.get(platform.console_url + "/board/rows", timeout=timeout) as everything,
        browser.http.get(platform.console_url + "/board/rows?stage=STAGE_VERIFY", timeout=timeout) as verifying,
    ):
        for stream in (everything, verifying):
            assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
            assert await stream.content.readline() == b": connected\n"
        incident_id = (await intake.RegisterCall(emergency_call(drill=True), timeout=15)).incident_id
        await in_stage(incidents, incident_id, incident_pb2.STAGE_VERIFY)
        # Not verified yet, it has no deadline: the row says why instead of a bare dash.
        assert not (
            await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id))
        ).pending_deadlines

        def in_verify(event: dict[str, str]) -> bool:
            return (
                event.get("event") == "row"
                and f'id="incident-{incident_id}"' in event["data"]
                and ('class="stage-verify' in event["data"])
            )

        seen = await read_events(everything, in_verify)
        row = seen[-1]
        assert int(row["id"]) > 0
        # One event, one row: never the table.
        assert row["data"].count("<tr") == 1 and "<table" not in row["data"] and "<html" not in row["data"]
        assert (
            "【演练】" in row["data"] and "待核实" in row["data"] and f'href="/incidents/{incident_id}"' in row["data"]
        )
        # Without a deadline it sorts after every row with one.
        order = re.search(r'data-order="([^"]+)"', row["data"])
        assert order is not None and float(order.group(1)) > 1e10
        await read_events(verifying, in_verify)

        await incidents.Verify(
            incident_pb2.VerifyRequest(
                idempotency_key=key(),
                incident_id=incident_id,
                confirmed=True,
                category=incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
                sub_type="flood",
                severity=common_pb2.SEVERITY_II,
            )
        )
        # Verified, it counts down to its nearest report on the whole board …
        seen = await read_events(
            everything,
            lambda e: (
                e.get("event") == "row" and f'id="incident-{incident_id}"' in e["data"] and "countdown" in e["data"]
            ),
        )
        nearest = await nearest_report(incidents, incident_id)
        assert nearest.zh in seen[-1]["data"] and seen[-1]["data"].count("<tr") == 1
        # … and leaves the board filtered to the verify stage.
        seen = await read_events(verifying, lambda e: e.get("event") == "gone" and e["data"] == incident_id)
        assert int(seen[-1]["id"]) > 0


async def test_the_row_stream_needs_a_signed_in_person(browsers: Callable[[], Browser]) -> None:
    reply, _ = await browsers().get("/board/rows")
    assert reply.status == 401


async def test_the_due_panels_need_a_signed_in_person(browsers: Callable[[], Browser]) -> None:
    reply, _ = await browsers().get("/board/due")
    assert reply.status == 303 and reply.headers["Location"] == "/signin"


async def test_a_board_left_frees_its_live_feed_at_once(
    platform: Any,
    browsers: Callable[[], Browser],
    on_duty_officer: str,
    intake: intake_pb2_grpc.IntakeServiceStub,
) -> None:
    """The incident service gives a person five live feeds; a board reloaded five times must not
    leave the sixth without one until a heartbeat would find the old ones gone (the console ends a
    left page's handler at once: handler_cancellation in services/console/app.py)."""
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    timeout = aiohttp.ClientTimeout(total=90)
    for _ in range(PER_PERSON):
        async with browser.http.get(platform.console_url + "/board/rows", timeout=timeout) as left:
            assert await left.content.readline() == b": connected\n"
    # Well under the 15 s heartbeat.
    await asyncio.sleep(3)
    async with contextlib.AsyncExitStack() as boards:
        streams = [
            await boards.enter_async_context(browser.http.get(platform.console_url + "/board/rows", timeout=timeout))
            for _ in range(PER_PERSON)
        ]
        for stream in streams:
            assert await stream.content.readline() == b": connected\n"
        incident_id = (await intake.RegisterCall(emergency_call(), timeout=15)).incident_id
        for stream in streams:
            seen = await read_events(
                stream, lambda e: e.get("event") == "end" or f'id="incident-{incident_id}"' in e.get("data", "")
            )
            assert seen[-1].get("event") == "row", seen[-1]
