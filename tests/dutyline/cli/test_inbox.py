"""`dutyline inbox …` against the real platform: hz-01's phone report listed in east's inbox, signed for
there (签收), and hz-01's incident showing "received by … at …"; zh-CN too."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import inbox_pb2_grpc
from tests.dutyline.cli.test_incident import env_for, flat
from tests.services.incident.test_report_inbox import EAST_OFFICER, item_of, verified_and_reported
from tests.support import token_for

pytestmark = pytest.mark.stack


async def run(platform: Any, tmp_path: Path, token: str, *argv: str, locale: str = "en_US.UTF-8") -> Result:
    args = [argv[0], "--token", token, "--state-dir", str(tmp_path), *argv[1:]]
    result = await asyncio.to_thread(CliRunner().invoke, app, args, env=env_for(platform, locale))
    assert result.exit_code == 0, result.output
    return result


async def test_a_report_listed_signed_for_and_shown_received(
    platform: Any, tmp_path: Path, intake: Any, incidents: Any, officer_token: str
) -> None:
    incident_id, report = await verified_and_reported(intake, incidents)
    async with channel(platform.address("incident"), EAST_OFFICER) as ch:
        item = await item_of(inbox_pb2_grpc.ReportInboxServiceStub(ch), report.id)
    listed = flat(
        (await run(platform, tmp_path, EAST_OFFICER, "inbox", "--site", "east", "--status", "delivered")).output
    )
    assert item.id in listed and "hz-01" in listed and "awaiting receipt" in listed
    signed = flat((await run(platform, tmp_path, EAST_OFFICER, "inbox", "receive", item.id)).output)
    assert signed.startswith(f"Signed for {item.id} (the report of hz-01)")
    shown = flat((await run(platform, tmp_path, officer_token, "incident", "show", incident_id)).output)
    assert "received by p-east-officer at " in shown and "(east)" in shown
    zh = flat(
        (await run(platform, tmp_path, officer_token, "incident", "show", incident_id, locale="zh_CN.UTF-8")).output
    )
    assert "east 已签收：p-east-officer，" in zh
    refused = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["inbox", "--token", token_for("p-x", ["officer"], ["nb-01"]), "--state-dir", str(tmp_path), "--site", "east"],
        env=env_for(platform),
    )
    assert refused.exit_code == 2
