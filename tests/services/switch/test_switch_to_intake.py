"""From a real SIP exchange to intake's records, on the real stack: Kamailio and baresip phones place,
answer late and on time, abandon and transfer calls; the adapter process (services.switch.adapter)
delivers Kamailio's reports to TelephonyService with its own credential; the line calls, their times,
the missed call's record and callback come out of the switch's events alone.

The adapter first runs while intake cannot be reached (the reports wait in its queue), and is then
replaced by a new process on the same queue file — as after a crash — which delivers them; a report
intake refuses (a line dutyline does not know) is dead-lettered without holding up the others."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts
from dutyline.intake.v1 import intake_pb2, telephony_pb2, telephony_pb2_grpc
from services.switch.adapter import serve
from services.switch.queue import ReportQueue
from services.switch.settings import SwitchSettings
from tests.services.switch.sip import (
    abandoned,
    answered_after,
    free_port,
    require_sip_tools,
    sip_world,
    transferred,
)
from tests.support import officer_on_duty, token_for

pytestmark = pytest.mark.stack

K = telephony_pb2
SWITCH_ID = "kamailio-e2e"
# Switch number → extension; 209 is a line the switch has and dutyline does not.
LINES = {"201": ["2001"], "202": ["2002"], "203": ["2003"], "204": ["2004"], "209": ["2009"]}


@asynccontextmanager
async def adapter(settings: SwitchSettings) -> AsyncIterator[None]:
    """The adapter's process (its ``serve``), once it answers on its port."""
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with http.get(f"http://{settings.switch_listen}/healthz") as answer:
                    if answer.status == 200:
                        break
            await asyncio.sleep(0.05)
    try:
        yield
    finally:
        stop.set()
        await running


def queue_depth(path: Path) -> int:
    queue = ReportQueue(path)
    try:
        return queue.depth()
    finally:
        queue.close()


async def until_queued(path: Path, depth: int) -> None:
    for _ in range(200):
        if queue_depth(path) == depth:
            return
        await asyncio.sleep(0.05)
    assert queue_depth(path) == depth


async def test_a_sip_exchange_becomes_intakes_records(
    platform: Any, on_duty_officer: str, officer_token: str, intake: Any, db: asyncpg.Connection, tmp_path: Path
) -> None:
    require_sip_tools()
    run = uuid.uuid4().hex[:8]
    line_ids = {n: f"line-{n}-{run}" for n in LINES}
    persons = {"2001": on_duty_officer, "2002": "p-hz-officer-4", "2003": on_duty_officer, "2004": on_duty_officer}
    async with channel(platform.address("intake"), token_for("p-hz-admin", ["admin"], ["hz-01"])) as ch:
        admin = telephony_pb2_grpc.TelephonyServiceStub(ch)
        for number, extensions in LINES.items():
            if number == "209":
                continue
            await admin.UpsertLine(
                K.UpsertLineRequest(
                    idempotency_key=str(uuid.uuid4()),
                    line=K.Line(
                        id=line_ids[number],
                        site_id="hz-01",
                        display_name=f"值班电话 {number} duty line",
                        switch_id=SWITCH_ID,
                        extensions=[K.Extension(extension=e, person_id=persons[e]) for e in extensions],
                    ),
                )
            )

    port = free_port()
    queue_file = tmp_path / "queue.sqlite3"
    settings = SwitchSettings(
        env="development",
        switch_id=SWITCH_ID,
        switch_listen=f"127.0.0.1:{port}",
        switch_lines=line_ids,
        switch_queue_file=str(queue_file),
        switch_retry_max_seconds=1.0,
        # Intake away: nothing listens there.
        intake_address=f"127.0.0.1:{free_port()}",
    )
    callers = ["13900000001", "13900000002", "13900000003", "13900000004", "13900000009"]
    officers = ["2001", "2002", "2003", "2004", "2005", "2009"]
    async with sip_world(
        tmp_path, adapter_url=f"http://127.0.0.1:{port}/events", lines=LINES, callers=callers, officers=officers
    ) as (_, phone):
        c1, c2, c3, c4, c9 = (phone[c] for c in callers)
        async with adapter(settings):
            await asyncio.wait_for(
                asyncio.gather(
                    answered_after(c1, phone["2001"], "201", 7.5, hang_up=c1),
                    answered_after(c2, phone["2002"], "202", 20, hang_up=phone["2002"]),
                    abandoned(c3, phone["2003"], "203"),
                    transferred(c4, phone["2004"], phone["2005"], "204"),
                    answered_after(c9, phone["2009"], "209", 1, hang_up=c9),
                ),
                timeout=90,
            )
            # 5 calls' reports taken and kept: 3 + 3 + 2 + 4 + 3.
            await until_queued(queue_file, 15)

        # The adapter's next process, with intake reachable, on the same queue.
        async with adapter(settings.model_copy(update={"intake_address": platform.address("intake")})):
            await until_queued(queue_file, 0)

            async with channel(platform.address("intake"), officer_token) as ch:
                reader = telephony_pb2_grpc.TelephonyServiceStub(ch)
                for _ in range(50):  # the switch's heartbeats (every second) keep the lines up
                    status = await reader.GetLineStatus(K.GetLineStatusRequest(line_id=line_ids["201"]))
                    if status.state == K.LINE_STATE_UP:
                        break
                    await asyncio.sleep(0.1)
                assert status.state == K.LINE_STATE_UP
                missed = await reader.ListMissedCalls(K.ListMissedCallsRequest(site_id="hz-01"))

    calls = {
        r["line_id"]: r
        for r in await db.fetch("SELECT * FROM intake.line_calls WHERE line_id = ANY($1)", list(line_ids.values()))
    }
    on_time, late, gone, moved = (calls[line_ids[n]] for n in ("201", "202", "203", "204"))
    assert (on_time["state"], on_time["answered_late"], on_time["officer_id"]) == ("ended", False, on_duty_officer)
    assert 5 < on_time["answer_delay_seconds"] < 13
    assert (late["state"], late["answered_late"], late["officer_id"]) == ("ended", True, "p-hz-officer-4")
    assert 20 <= late["answer_delay_seconds"] < 30
    assert (moved["transfer_target"], moved["extension"]) == ("2005", "2004")
    assert on_time["switch_id"] == SWITCH_ID and on_time["caller_number_masked"] == "139****0001"

    # The abandoned call: a missed call, with its record and a callback for the officer on duty.
    assert gone["state"] == "abandoned" and gone["callback_id"]
    assert gone["id"] in {c.id for c in missed.calls}
    missed_call = next(c for c in missed.calls if c.id == gone["id"])
    record = await intake.GetCall(intake_pb2.GetCallRequest(call_id=missed_call.call_id))
    assert (record.status, record.line_call_id) == ("missed", gone["id"])
    assert from_ts(record.ring_started_at) == gone["ring_started_at"]
    callback = await db.fetchrow("SELECT * FROM intake.callbacks WHERE id = $1", gone["callback_id"])
    # The officer on duty when the caller gave up, who need not be the one of the test's start.
    recipient = await officer_on_duty(platform, gone["ended_at"])
    assert (callback["recipient_id"], callback["status"]) == (recipient, "open")

    # The unknown line's reports were refused and set aside; nothing of them was written.
    queue = ReportQueue(queue_file)
    try:
        dead = queue.dead_letters()
    finally:
        queue.close()
    assert len(dead) == 3 and all(reason.startswith("INVALID_ARGUMENT") for _, reason in dead)
    assert all('"line": "209"' in body for body, _ in dead)
    assert line_ids["209"] not in calls
