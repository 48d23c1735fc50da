"""A real SIP exchange through the dev switch: Kamailio (deploy/switch/kamailio.cfg) as the duty
lines' proxy and registrar, baresip phones placing, answering, cancelling, refusing and transferring
calls; the adapter's HTTP endpoint and queue take Kamailio's reports, and what the adapter sends as
ReportLineEvent (its boundary) is asserted — kinds, order, the switch's times, extensions, targets.

The calls run side by side on their own lines, so the whole exchange takes about half a minute."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from dutyline.grpckit.validation import violations
from dutyline.intake.v1 import telephony_pb2
from services.switch.delivery import Deliverer
from services.switch.endpoint import application
from services.switch.queue import ReportQueue
from tests.services.switch.sip import (
    abandoned,
    answered_after,
    free_port,
    refused,
    require_sip_tools,
    sip_world,
    transferred,
    unreachable,
)

SWITCH_ID = "kamailio-test"
# Line number at the switch → its extensions (the first line rings two desks) and dutyline line id.
LINES = {
    "110": ["1007", "1001"],
    "111": ["1002"],
    "112": ["1003"],
    "113": ["1004"],
    "114": ["1006"],
    "115": ["1099"],  # nobody's phone is registered
}
LINE_IDS = {number: f"line-{number}" for number in LINES}
RING_CYCLE = 5.0  # 1 s on, 4 s off: three rings ≈ the 15 s answer limit

K = telephony_pb2


class Adapter:
    """The adapter's endpoint, queue and delivery, delivering into ``sent`` (its boundary)."""

    def __init__(self, directory: Path) -> None:
        self.sent: list[telephony_pb2.ReportLineEventRequest] = []
        self.queue = ReportQueue(directory / "queue.sqlite3")

        async def send(request: telephony_pb2.ReportLineEventRequest) -> None:
            self.sent.append(request)

        self.deliverer = Deliverer(self.queue, send, switch_id=SWITCH_ID, lines=LINE_IDS)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/events"

    def of_call(self, line: str) -> list[telephony_pb2.LineEvent]:
        return [
            r.event
            for r in self.sent
            if r.event.line_id == LINE_IDS[line] and r.event.kind != K.LINE_EVENT_KIND_HEARTBEAT
        ]


@pytest.fixture
async def adapter(tmp_path: Path) -> AsyncIterator[Adapter]:
    require_sip_tools()
    adapter = Adapter(tmp_path)
    runner = web.AppRunner(application(adapter.queue, adapter.deliverer))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", adapter.port).start()
    stop = asyncio.Event()
    delivering = asyncio.create_task(adapter.deliverer.run(stop))
    try:
        yield adapter
    finally:
        stop.set()
        await delivering
        await runner.cleanup()
        adapter.queue.close()


def kinds(events: list[telephony_pb2.LineEvent]) -> list[str]:
    return [K.LineEventKind.Name(e.kind).removeprefix("LINE_EVENT_KIND_") for e in events]


def seconds_between(first: telephony_pb2.LineEvent, then: telephony_pb2.LineEvent) -> float:
    return (then.at.ToDatetime() - first.at.ToDatetime()).total_seconds()


async def test_the_switchs_calls_come_out_as_line_events(adapter: Adapter, tmp_path: Path) -> None:
    # One caller dials from an international number: "+" must reach the adapter as itself.
    callers = ["13800000001", "13800000002", "+8613800000003", "13800000004", "13800000005", "13800000006"]
    officers = ["1001", "1002", "1003", "1004", "1005", "1006", "1007"]
    async with sip_world(tmp_path, adapter_url=adapter.url, lines=LINES, callers=callers, officers=officers) as (
        _,
        phone,
    ):
        c1, c2, c3, c4, c5, c6 = (phone[c] for c in callers)
        await asyncio.wait_for(
            asyncio.gather(
                answered_after(c1, phone["1001"], "110", 1.5 * RING_CYCLE, hang_up=c1),  # in the 2nd ring
                answered_after(c2, phone["1002"], "111", 20, hang_up=phone["1002"]),  # late
                abandoned(c3, phone["1003"], "112"),
                transferred(c4, phone["1004"], phone["1005"], "113"),
                refused(c5, phone["1006"], "114"),
                unreachable(c6, "115"),
            ),
            timeout=90,
        )
        # Kamailio reports a call's end as it relays the BYE, a moment after the phone hung up.
        for _ in range(200):
            if sum(len(adapter.of_call(n)) for n in LINES) >= 3 + 3 + 2 + 4 + 2 + 2:
                break
            await asyncio.sleep(0.05)

    for request in adapter.sent:
        assert request.switch_id == SWITCH_ID
        assert violations(request) == [], request  # intake would take every one of them

    two_rings = adapter.of_call("110")
    assert kinds(two_rings) == ["RINGING", "ANSWERED", "ENDED"]
    assert two_rings[1].extension == "1001"  # the desk that answered, not the other one that rang
    assert RING_CYCLE < seconds_between(two_rings[0], two_rings[1]) < 2 * RING_CYCLE + 3
    assert {e.switch_call_id for e in two_rings} == {two_rings[0].switch_call_id}
    assert {e.caller_number for e in two_rings} == {"13800000001"}

    late = adapter.of_call("111")
    assert kinds(late) == ["RINGING", "ANSWERED", "ENDED"]
    assert late[1].extension == "1002"
    assert 20 <= seconds_between(late[0], late[1]) < 30

    gone = adapter.of_call("112")
    assert kinds(gone) == ["RINGING", "ABANDONED"]
    assert {e.caller_number for e in gone} == {"+8613800000003"}

    moved = adapter.of_call("113")
    assert kinds(moved) == ["RINGING", "ANSWERED", "TRANSFERRED", "ENDED"]
    assert moved[1].extension == "1004"
    assert moved[2].transfer_target == "1005"

    assert kinds(adapter.of_call("114")) == ["RINGING", "NOT_ANSWERED"]
    assert kinds(adapter.of_call("115")) == ["RINGING", "NOT_ANSWERED"]

    # Six distinct calls; the switch's heartbeats reached every line.
    assert len({r.event.switch_call_id for r in adapter.sent if r.event.switch_call_id}) == 6
    beats = {r.event.line_id for r in adapter.sent if r.event.kind == K.LINE_EVENT_KIND_HEARTBEAT}
    assert beats == set(LINE_IDS.values())
    assert adapter.queue.dead_letters() == []
