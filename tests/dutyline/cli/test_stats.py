"""`dutyline stats`: the period read as a local day, month, quarter or year; bad arguments refused before
anything is sent (the figures themselves: tests/services/insight/test_statistics.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from dutyline.cli.insight.stats import period_bounds
from dutyline.cli.main import app
from tests.support import token_for

ZONE = ZoneInfo("Asia/Shanghai")
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-12-31", datetime(2026, 12, 31), datetime(2027, 1, 1)),
        ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1)),
        ("2026-02", datetime(2026, 2, 1), datetime(2026, 3, 1)),
        ("2026-Q4", datetime(2026, 10, 1), datetime(2027, 1, 1)),
        ("2026-Q1", datetime(2026, 1, 1), datetime(2026, 4, 1)),
        ("2026", datetime(2026, 1, 1), datetime(2027, 1, 1)),
    ],
)
def test_a_period_is_its_local_start_and_the_start_of_the_next(text: str, start: datetime, end: datetime) -> None:
    assert period_bounds(text, ZONE) == (start.replace(tzinfo=ZONE), end.replace(tzinfo=ZONE))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--site", "hz-01", "--period", "2026-13"], "--period"),
        (["--site", "hz-01", "--period", "2026-02-30"], "--period"),
        (["--site", "hz-01", "--period", "26-12"], "--period"),
        (["--site", "hz-01", "--period", "2026-Q5"], "--period"),
        (["--site", "hz-01", "--period", "2026-12", "--by", "hour"], "--by"),
        (["--site", "hz-01", "--region", "east", "--period", "2026-12"], "--region"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(argv: list[str], says: str) -> None:
    env = {"COLUMNS": "250", "DUTYLINE_INSIGHT_ADDRESS": "127.0.0.1:1"}
    result = CliRunner().invoke(app, ["stats", "--token", SUPERVISOR, "--lang", "en", *argv], env=env)
    assert result.exit_code == 2 and says in result.output, result.output
