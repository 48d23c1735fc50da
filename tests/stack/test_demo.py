"""`dutyline demo` (the embedded dev stack): one emergency call through a running platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dutyline.cli.common.state import PlatformInfo
from dutyline.cli.main import app
from dutyline.config import SERVICES
from tests.support import token_for


def test_demo_without_a_platform_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--state-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "dutyline up" in " ".join(result.output.split())


@pytest.mark.stack
async def test_demo_shows_the_slice(platform: Any, tmp_path: Path, on_duty_officer: str, capsys: Any) -> None:
    from dutyline.stack.demo import run_demo

    PlatformInfo(
        addresses={s: platform.address(s) for s in SERVICES},
        nats_url=platform.nats.url,
        nats_creds=str(platform.nats_creds),
        temporal_address=platform.temporal.address,
        temporal_ui_url="http://127.0.0.1:8233",
        token=token_for(on_duty_officer, ["officer"], ["hz-01"]),
    ).write(tmp_path)
    await run_demo(tmp_path)
    out = " ".join(capsys.readouterr().out.split())
    for expected in (
        "dutyline.hz-01.call.registered",
        "dutyline.hz-01.incident.registered",
        "dutyline.hz-01.call.escalated",
        "dutyline.hz-01.incident.escalated",
        "verify",
        "leader_notified",
        "/namespaces/default/workflows/inc-",
    ):
        assert expected in out
