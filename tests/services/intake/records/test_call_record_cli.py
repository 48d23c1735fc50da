"""`dutyline call note` and `dutyline call complete` against the real platform, in English and zh-CN:
a call's record shows what is still required, a note is appended, the record is completed (and a
message or callback is still completed with --outcome)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2
from tests.dutyline.cli.test_call import CALL_ID, cli, found, ok

pytestmark = pytest.mark.stack


async def test_a_call_is_noted_and_completed_from_the_cli(platform: Any, tmp_path: Path, officer_token: str) -> None:
    registered = await ok(
        platform,
        tmp_path,
        officer_token,
        "register",
        "--category",
        "consultation",
        "--summary",
        "咨询停水 when is the water back",
        "--caller-phone",
        "13812345678",
        "--gender",
        "male",
        "--age",
        "61",
        "--no-input",
    )
    call_id = found(CALL_ID, registered)

    noted = await ok(platform, tmp_path, officer_token, "note", call_id, "--text", "已联系水务 asked the water company")
    assert f"Note added to call {call_id}" in noted
    assert "asked the water company" in noted and "male / 61" in noted
    # What the record still needs, with the options that give it.
    assert "--caller-name" in noted and "--request" in noted and "--handling" in noted

    refused = await cli(platform, tmp_path, officer_token, "complete", call_id, "--result", "已告知 told")
    assert refused.exit_code == 2
    assert "caller.name" in refused.output and "request" in refused.output

    done = await ok(
        platform,
        tmp_path,
        officer_token,
        "complete",
        call_id,
        "--result",
        "已告知17点恢复供水 told: back at 17:00",
        "--handling",
        "查询水务停水公告 checked the notice",
        "--caller-name",
        "吴刚",
        "--request",
        "何时恢复供水 when the water is back",
    )
    assert f"The record of call {call_id} is complete" in done and "back at 17:00" in done

    both = await cli(platform, tmp_path, officer_token, "complete", call_id, "--result", "x", "--outcome", "y")
    assert both.exit_code == 2


async def test_the_record_reads_in_chinese(platform: Any, tmp_path: Path, officer_token: str, intake: Any) -> None:
    registered = await intake.RegisterCall(
        intake_pb2.RegisterCallRequest(
            idempotency_key="cli-record-zh-" + tmp_path.name,
            site_id="hz-01",
            channel=intake_pb2.CHANNEL_PHONE,
            category=intake_pb2.CALL_CATEGORY_OTHER,
            ring_started_at=ts(datetime.now(UTC)),
            answered_at=ts(datetime.now(UTC)),
            summary="问路 asking the way",
        )
    )
    result = await cli(
        platform,
        tmp_path,
        officer_token,
        "note",
        registered.call.id,
        "--text",
        "已指路 directions given",
        locale="zh_CN.UTF-8",
    )
    assert result.exit_code == 0, result.output
    assert "已为来电" in result.output and "处理记录" in result.output and "必填项未齐" in result.output
