"""`dutyline competence …` and `dutyline drill …` against the real platform, in English and zh-CN: the demo
site's certificate held by every officer, a requirement declared, a training recorded, a drill scheduled
and recorded, and a refusal as one line with exit code 2."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from services.roster.competence_seed import CERTIFICATE
from tests.support import staffed_site, token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])


async def cli(platform: Any, tmp_path: Path, *args: str, locale: str = "en_US.UTF-8") -> Result:
    env = {
        "COLUMNS": "200",
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    group, *rest = args
    argv = [group, "--token", ADMIN, "--state-dir", str(tmp_path), *rest]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert "Traceback" not in result.output
    return result


def flat(text: str) -> str:
    return " ".join(text.split())


async def test_qualifications_and_drills_from_the_command_line(platform: Any, tmp_path: Path) -> None:
    listed = await cli(platform, tmp_path, "competence", "list", "--site", "hz-01", "--person", "p-hz-officer-1")
    assert listed.exit_code == 0, listed.output
    assert CERTIFICATE.split()[0] in listed.output and "valid" in flat(listed.output)

    from dutyline.grpckit.client import channel
    from dutyline.roster.v1 import roster_pb2_grpc

    async with channel(platform.address("roster"), ADMIN) as ch:
        people = await staffed_site(roster_pb2_grpc.RosterServiceStub(ch), "t-cli-comp", officers=2, leaders=1)
    required = await cli(
        platform, tmp_path, "competence", "require", "急救证", "--role", "officer", "--site", "t-cli-comp",
        locale="zh_CN.UTF-8",
    )  # fmt: skip
    assert required.exit_code == 0, required.output
    assert "值班员：急救证（有效期 730 天）" in required.output
    trained = await cli(
        platform, tmp_path, "competence", "train", people[0], "急救证", "--completed", date.today().isoformat()
    )
    until = (date.today() + timedelta(days=729)).isoformat()
    assert trained.exit_code == 0 and f"valid until {until}" in trained.output, trained.output
    missing = await cli(platform, tmp_path, "competence", "list", "--site", "t-cli-comp", "--state", "missing")
    assert people[1] in missing.output and people[0] not in missing.output

    scheduled = await cli(
        platform, tmp_path, "drill", "schedule", "防汛应急演练", "--site", "t-cli-comp",
        "--at", f"{(date.today() + timedelta(days=2)).isoformat()}T09:30", "--participants", ",".join(people[:2]),
    )  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.output
    drill_id = scheduled.output.split()[1].rstrip(":")
    recorded = await cli(
        platform, tmp_path, "drill", "record", drill_id, "--attended", people[0], "--review", "演练总结：响应及时",
    )  # fmt: skip
    assert recorded.exit_code == 0 and "1 of 2 attended" in recorded.output, recorded.output
    again = await cli(platform, tmp_path, "drill", "record", drill_id, "--review", "again")
    assert again.exit_code == 2 and len(again.output.strip().splitlines()) == 1, again.output
    held = await cli(
        platform, tmp_path, "drill", "list", "--site", "t-cli-comp", "--status", "held", locale="zh_CN.UTF-8"
    )
    assert "已开展" in held.output and "演练总结：响应及时" in flat(held.output)
