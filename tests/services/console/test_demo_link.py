"""`dutyline demo` prints the console's link to the incident it opened, and the link leads to it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from dutyline.cli.common.state import PlatformInfo
from dutyline.config import SERVICES
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from tests.console_http import Browser
from tests.services.incident.test_incident_service import in_stage
from tests.support import token_for

pytestmark = pytest.mark.stack


async def test_the_demo_prints_the_incidents_console_link(
    platform: Any, tmp_path: Path, on_duty_officer: str, capsys: Any
) -> None:
    from dutyline.stack.demo import run_demo

    PlatformInfo(
        addresses={s: platform.address(s) for s in SERVICES},
        nats_url=platform.nats.url,
        nats_creds=str(platform.nats_creds),
        temporal_address=platform.temporal.address,
        temporal_ui_url="",
        token=token_for(on_duty_officer, ["officer"], ["hz-01"]),
        console_url=platform.console_url,
    ).write(tmp_path)
    await run_demo(tmp_path)
    out = capsys.readouterr().out
    link = re.search(rf"{re.escape(platform.console_url)}(/incidents/(inc-[0-9A-Z]+))", out)
    assert link is not None, out

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        browser = Browser(platform.console_url, http)
        await browser.sign_in(on_duty_officer)
        reply, page = await browser.get(link.group(1))
        assert reply.status == 200, page
        assert f'sse-connect="/board/events?site=hz-01&amp;incident={link.group(2)}"' in page

    # Closed as unfounded, so the next demo (tests/stack/test_demo.py) opens an incident of its own
    # rather than joining this one at the same place.
    async with channel(platform.address("incident"), token_for(on_duty_officer, ["officer"], ["hz-01"])) as ch:
        incidents = incident_pb2_grpc.IncidentServiceStub(ch)
        await in_stage(incidents, link.group(2), incident_pb2.STAGE_VERIFY)
        closed = await incidents.Verify(
            incident_pb2.VerifyRequest(
                idempotency_key=str(uuid.uuid4()), incident_id=link.group(2), confirmed=False, reason="演示 demo"
            )
        )
    assert closed.stage == incident_pb2.STAGE_CLOSED
