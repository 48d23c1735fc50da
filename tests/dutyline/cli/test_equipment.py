"""`dutyline equipment …` and `dutyline supplies …` against the real platform, in zh-CN and English: the
demo site's equipment with its checks, a check that finds a fault on the duty phone, and the supplies
with their warnings."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from tests.support import token_for

pytestmark = pytest.mark.stack

HZ_LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])


def flat(text: str) -> str:
    return " ".join(text.split())


async def run(platform: Any, tmp_path: Path, group: str, token: str, *args: str, locale: str = "en_US.UTF-8") -> Result:
    env = {
        "COLUMNS": "200",
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    argv = [group, "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


async def test_equipment_and_supplies_of_the_demo_site_in_both_languages(platform: Any, tmp_path: Path) -> None:
    listed = await run(platform, tmp_path, "equipment", HZ_LEADER, "list", locale="zh_CN.UTF-8")
    assert listed.exit_code == 0, listed.output
    out = flat(listed.output)
    assert "值班设备" in out and "值班电话 (关键)" in out and "eq-hz-01-gen" in out and "每周" in out

    supplies = await run(platform, tmp_path, "supplies", HZ_LEADER, "list")
    assert supplies.exit_code == 0, supplies.output
    rows = {line.split()[0]: line for line in supplies.output.splitlines() if line.strip().startswith("sup-")}
    assert "expiring" in rows["sup-hz-01-firstaid"] and "below minimum" in rows["sup-hz-01-batteries"]
    assert "expiring" not in rows["sup-hz-01-flashlight"] and "below" not in rows["sup-hz-01-flashlight"]

    # A check of the computer that finds a fault, then its repair.
    checked = await run(
        platform,
        tmp_path,
        "equipment",
        HZ_OFFICER,
        "check",
        "eq-hz-01-pc",
        "系统登录 system login",
        "--fault",
        "--note",
        "无法登录",
    )
    assert checked.exit_code == 0, checked.output
    fault = re.search(r"flt-[0-9A-Z]{26}", checked.output)
    assert fault and "FAULT" in checked.output
    open_faults = await run(platform, tmp_path, "equipment", HZ_OFFICER, "faults", "--status", "open")
    assert fault.group() in open_faults.output
    resolved = await run(
        platform,
        tmp_path,
        "equipment",
        HZ_OFFICER,
        "resolve",
        fault.group(),
        "--resolution",
        "重启",
        locale="zh_CN.UTF-8",
    )
    assert f"故障 {fault.group()} 已修复" in resolved.output
    # An officer does not keep the list: one line, exit code 2.
    refused = await run(platform, tmp_path, "equipment", HZ_OFFICER, "upsert", "x", "--kind", "fax")
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
