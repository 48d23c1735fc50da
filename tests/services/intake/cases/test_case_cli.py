"""`dutyline case …` against the real platform, in English and zh-CN: a complaint opened, assigned,
signed for, answered, the caller told and visited, closed; a close refused before the feedback; the
policies and the calendar."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dutyline.cli.main import app
from tests.support import token_for

pytestmark = pytest.mark.stack

OFFICER = token_for("p-hz-officer-2", ["officer"], ["hz-01"])
RECEIVER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
SITE_ADMIN = token_for("p-hz-admin", ["admin"], ["hz-01"])


async def cli(platform: Any, tmp_path: Path, token: str, *args: str, locale: str = "en_US.UTF-8", code: int = 0) -> str:
    env = {
        "COLUMNS": "250",
        "DUTYLINE_INTAKE_ADDRESS": platform.address("intake"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    argv = ["case", "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert result.exit_code == code, result.output
    return " ".join(result.output.split())


async def test_a_complaint_followed_from_the_command_line(platform: Any, tmp_path: Path) -> None:
    opened = await cli(
        platform,
        tmp_path,
        OFFICER,
        "open",
        "--category",
        "complaint",
        "--subject",
        "路灯不亮 the street lights are out",
        "--caller-name",
        "孙八",
        "--caller-phone",
        "13700001111",
        "--drill",
    )
    found = re.search(r"Case (case-\S+) accepted, due \d{4}-\d\d-\d\d \d\d:\d\d", opened)
    assert found, opened
    case_id = found.group(1)

    assert "assigned, awaiting acknowledgement" in await cli(
        platform, tmp_path, OFFICER, "assign", case_id, "--to", "p-hz-officer-1"
    )
    assert "办理中" in await cli(platform, tmp_path, RECEIVER, "ack", case_id, locale="zh_CN.UTF-8")
    await cli(platform, tmp_path, RECEIVER, "note", case_id, "已派人检修 a crew is on its way")
    assert "answered" in await cli(platform, tmp_path, RECEIVER, "answer", case_id, "已修复 repaired")

    refused = await cli(platform, tmp_path, OFFICER, "close", case_id, code=2)
    assert "FAILED_PRECONDITION" in refused and "feedback first" in refused

    assert "feedback given" in await cli(platform, tmp_path, OFFICER, "feedback", case_id, "电话告知 told by phone")
    await cli(platform, tmp_path, OFFICER, "visit", case_id, "--result", "satisfied")
    assert "已办结" in await cli(platform, tmp_path, OFFICER, "close", case_id, locale="zh_CN.UTF-8")

    revealed = await cli(platform, tmp_path, OFFICER, "reveal", case_id, "--reason", "回访 return visit")
    assert "13700001111" in revealed and "孙八" in revealed
    shown = await cli(platform, tmp_path, OFFICER, "show", case_id)
    assert "孙* 137****1111" in shown and "13700001111" not in shown
    assert "closed" in shown and "satisfied" in shown and "a crew is on its way" in shown
    assert case_id in await cli(platform, tmp_path, OFFICER, "list", "--site", "hz-01", "--status", "closed")


async def test_policies_and_the_calendar_from_the_command_line(platform: Any, tmp_path: Path) -> None:
    policies = await cli(platform, tmp_path, OFFICER, "policy", "list", "--site", "hz-01", locale="zh_CN.UTF-8")
    assert "咨询" in policies and "投诉" in policies
    refused = await cli(
        platform, tmp_path, SITE_ADMIN, "policy", "set", "--category", "request", "--working-days", "3", code=2
    )
    assert "central admin" in refused
    saved = await cli(
        platform,
        tmp_path,
        SITE_ADMIN,
        "calendar",
        "set",
        "--site",
        "hz-01",
        "--holiday",
        "2027-01-01",
        "--working-day",
        "2027-01-09",
    )
    assert "2027-01-01" in saved and "2027-01-09" in saved
    assert "2027-01-01" in await cli(platform, tmp_path, OFFICER, "calendar", "show", "--site", "hz-01")
