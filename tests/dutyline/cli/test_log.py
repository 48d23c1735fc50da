"""`dutyline log show|sign`: contradictory options refused before anything is sent; on the platform, a
finished shift's log shown in English and Chinese with its figures, a signature by someone not on the
shift refused, and the outgoing officer's signature recorded."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from tests.services.insight.test_duty_log import (
    NAMES,
    OFFICER,
    OFFICER_TOKEN,
    OTHER_TOKEN,
    log_when,
    publish,
    shift_story,
)


def flat(text: str) -> str:
    return " ".join(text.translate(str.maketrans("│╭╮╰╯─", " " * 6)).split())


def test_shift_and_at_together_are_refused_before_anything_is_sent() -> None:
    argv = ["log", "--token", OFFICER_TOKEN, "--lang", "en", "show", "--shift", "dlog-x", "--at", "2026-01-01T08:00"]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "250"})
    assert result.exit_code == 2 and "--shift or --at" in flat(result.output), result.output


async def cli(platform: Any, token: str, *argv: str, lang: str = "en") -> Result:
    env: dict[str, str | None] = {
        "COLUMNS": "250",
        "DUTYLINE_INSIGHT_ADDRESS": platform.address("insight"),
        "DUTYLINE_TOKEN": None,
    }
    return await asyncio.to_thread(CliRunner().invoke, app, ["log", "--token", token, "--lang", lang, *argv], env=env)


@pytest.mark.stack
async def test_a_finished_shifts_log_is_shown_in_both_languages_and_signed(platform: Any) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=random.randrange(0, 300 * 24 * 60))
    start = start.replace(second=0, microsecond=0)
    name = f"day-{uuid.uuid4().hex[:6]}"
    events, _ = shift_story(start, start + timedelta(hours=8), name)
    await publish(platform, events)
    async with channel(platform.address("insight"), OFFICER_TOKEN) as ch:
        log = await log_when(
            insight_pb2_grpc.InsightServiceStub(ch),
            insight_pb2.GetDutyLogRequest(site_id="hz-01", at=ts(start)),
            lambda lg: lg.figures.calls == 4 and lg.handover.status == "accepted" and lg.figures.cases_answered == 1,
        )
    at = start.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    english = await cli(platform, OFFICER_TOKEN, "show", "--site", "hz-01", "--at", at)
    assert english.exit_code == 0, english.output
    shown = flat(english.output)
    assert f"Duty log hz-01 {name}" in shown and "awaiting signatures" in shown
    assert "Calls 4" in shown and "Consultation 2" in shown and "Missed / abandoned 1 / 0" in shown
    assert "accepted" in shown and "Not signed yet" in shown
    # The lines worded in the reader's language from their facts, people by name.
    assert "Consultation (Phone), answered after three rings (25 s): 来电 1" in shown
    assert f"{NAMES[OFFICER]} ({OFFICER})" in shown
    chinese = flat((await cli(platform, OFFICER_TOKEN, "show", "--shift", log.id, lang="zh")).output)
    assert "值班日志" in chinese and "待签字" in chinese and "咨询 2" in chinese
    assert "电话咨询，超三声接听（25 秒）：来电 1" in chinese and "answered after" not in chinese
    assert "受理工单：噪音投诉 noise" in chinese and f"{NAMES[OFFICER]} ({OFFICER})" in chinese

    wrong = await cli(platform, OTHER_TOKEN, "sign", "--shift", log.id, "--as", "officer")
    assert wrong.exit_code == 2 and "not the shift's officer" in flat(wrong.output), wrong.output
    signed = await cli(platform, OFFICER_TOKEN, "sign", "--shift", log.id, "--as", "officer", "--comment", "无异常")
    assert signed.exit_code == 0 and "Signed version 1 as outgoing officer" in flat(signed.output), signed.output
    again = flat((await cli(platform, OFFICER_TOKEN, "show", "--shift", log.id)).output)
    assert f"{NAMES[OFFICER]} ({OFFICER})" in again and "无异常" in again
