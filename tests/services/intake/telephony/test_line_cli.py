"""`dutyline line …` and `dutyline call missed` against the real platform, in English and zh-CN: a line
configured, its status as the switch reports it, and a missed call with its record and callback."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import telephony_pb2 as K
from dutyline.intake.v1 import telephony_pb2_grpc
from tests.support import service_token_for, token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-hz-admin", ["admin"], ["hz-01"])


async def cli(platform: Any, tmp_path: Path, token: str, *args: str, locale: str = "en_US.UTF-8") -> str:
    env = {
        "COLUMNS": "250",
        "DUTYLINE_INTAKE_ADDRESS": platform.address("intake"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    group, *rest = args
    argv = [group, "--token", token, "--state-dir", str(tmp_path), *rest]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


async def test_a_line_configured_its_status_and_a_missed_call(
    platform: Any, tmp_path: Path, on_duty_officer: str, officer_token: str
) -> None:
    line_id = f"line-cli-{uuid.uuid4().hex[:8]}"
    saved = await cli(
        platform,
        tmp_path,
        ADMIN,
        "line",
        "upsert",
        line_id,
        "--site",
        "hz-01",
        "--name",
        "Hotline 12345",
        "--switch",
        "switch-cli",
        "--ext",
        f"8001={on_duty_officer}",
    )
    assert f"Line {line_id} saved (1 extensions)" in saved

    async with channel(platform.address("intake"), service_token_for("switch")) as ch:
        switch = telephony_pb2_grpc.TelephonyServiceStub(ch)
        rang = datetime.now(UTC) - timedelta(seconds=30)
        for kind, at in (
            (K.LINE_EVENT_KIND_RINGING, rang),
            (K.LINE_EVENT_KIND_NOT_ANSWERED, rang + timedelta(seconds=20)),
        ):
            reply = await switch.ReportLineEvent(
                K.ReportLineEventRequest(
                    switch_id="switch-cli",
                    event=K.LineEvent(
                        line_id=line_id, switch_call_id="cli-1", kind=kind, at=ts(at), caller_number="13700002222"
                    ),
                )
            )
    missed = reply.call

    status = await cli(platform, tmp_path, officer_token, "line", "status", "--site", "hz-01")
    assert line_id in status and "Hotline 12345" in status and f"8001={on_duty_officer}" in status

    listed = await cli(platform, tmp_path, officer_token, "call", "missed", "--site", "hz-01")
    assert "Missed calls of hz-01" in listed and "137****2222" in listed and "not answered" in listed
    assert missed.call_id in listed and missed.callback_id in listed and missed.officer_id in listed

    chinese = await cli(platform, tmp_path, officer_token, "call", "missed", "--site", "hz-01", locale="zh_CN.UTF-8")
    assert "未接来电" in chinese and "无人接听" in chinese


async def test_the_officer_registers_an_answered_call_against_the_switchs_record(
    platform: Any, tmp_path: Path, on_duty_officer: str, officer_token: str
) -> None:
    """`line status` shows the call in progress with its id; `call register --line-call` completes the
    switch's record, whose ring and answer times count (20 s: late), not the officer's."""
    line_id = f"line-cli-{uuid.uuid4().hex[:8]}"
    await cli(
        platform, tmp_path, ADMIN, "line", "upsert", line_id, "--site", "hz-01", "--name", "Hotline",
        "--switch", "switch-cli", "--ext", f"8002={on_duty_officer}",
    )  # fmt: skip
    async with channel(platform.address("intake"), service_token_for("switch")) as ch:
        switch = telephony_pb2_grpc.TelephonyServiceStub(ch)
        rang = datetime.now(UTC) - timedelta(seconds=40)
        for kind, at in ((K.LINE_EVENT_KIND_RINGING, rang), (K.LINE_EVENT_KIND_ANSWERED, rang + timedelta(seconds=20))):
            reply = await switch.ReportLineEvent(
                K.ReportLineEventRequest(
                    switch_id="switch-cli",
                    event=K.LineEvent(
                        line_id=line_id,
                        switch_call_id=f"cli-{line_id}",
                        kind=kind,
                        at=ts(at),
                        caller_number="13700003333",
                        extension="8002",
                    ),
                )
            )
    line_call_id = reply.call.id
    status = await cli(platform, tmp_path, officer_token, "line", "status", "--site", "hz-01")
    assert line_call_id in status

    registered = await cli(
        platform, tmp_path, officer_token, "call", "register", "--site", "hz-01", "--line-call", line_call_id,
        "--category", "consultation", "--summary", "询问停水 asks about the water cut", "--caller-phone",
        "13700003333", "--no-input",
    )  # fmt: skip
    assert "registered." in registered and "Answered late: after 20" in registered, registered
