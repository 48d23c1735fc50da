"""`dutyline insight …`: bad arguments refused before anything is sent; then, on the real platform, the
scoring rules listed in zh-CN and English, a new version made from the one in force with a few points
changed, an annotation recorded, and the projections' status."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from tests.support import token_for

ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])


def flat(text: str) -> str:
    return " ".join(text.translate(str.maketrans({c: " " for c in "│╭╮╰╯─"})).split())


def offline(*argv: str) -> Result:
    return CliRunner().invoke(app, ["insight", "--token", ADMIN, "--lang", "en", *argv], env={"COLUMNS": "250"})


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["rules", "upsert", "--version", "9", "--from", "tomorrow"], "--from"),
        (["rules", "upsert", "--version", "9", "--from", "2030-01-01T00:00", "--set", "late_report"], "KIND=POINTS"),
        (["rules", "upsert", "--version", "9", "--from", "2030-01-01T00:00", "--set", "late_report=-x"], "KIND=POINTS"),
        (["annotate", "--site", "hz-01", "--record", "vio-1", "--reason", "storm"], "TYPE:ID"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(argv: list[str], says: str) -> None:
    result = offline(*argv)
    assert result.exit_code == 2 and says in flat(result.output), result.output


# -- on the platform --------------------------------------------------------------------------------


async def cli(platform: Any, token: str, *argv: str, lang: str = "en") -> str:
    """`dutyline insight --lang LANG <argv>` in a thread (the command runs its own event loop)."""
    env = {"COLUMNS": "250", "DUTYLINE_INSIGHT_ADDRESS": platform.address("insight"), "DUTYLINE_TOKEN": None}
    argv_ = ["insight", "--token", token, "--lang", lang, *argv]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv_, env=env)
    assert result.exit_code == 0, result.output
    return flat(result.output)


@pytest.mark.stack
async def test_rules_are_listed_in_both_languages_and_a_new_version_changes_a_few_points(
    platform: Any,
) -> None:
    english = await cli(platform, ADMIN, "rules", "list")
    assert "Scoring rules: versions" in english and "in force" in english
    assert "penalty · late report -2" in english and "bonus · a month without violation +2" in english
    chinese = await cli(platform, ADMIN, "rules", "list", lang="zh")
    assert "考核细则版本" in chinese and "扣分 · 迟报 -2" in chinese and "内置" in chinese

    async with channel(platform.address("insight"), ADMIN) as ch:
        versions = (
            await insight_pb2_grpc.InsightServiceStub(ch).ListScoringRules(insight_pb2.ListScoringRulesRequest())
        ).versions
    version = max(v.version for v in versions) + 1
    start = max([datetime.now(UTC), *(from_ts(v.effective_from) for v in versions)]) + timedelta(days=1)
    when = start.isoformat(timespec="minutes")
    saved = await cli(
        platform,
        ADMIN,
        "rules",
        "upsert",
        "--version",
        str(version),
        "--from",
        when,
        "--set",
        "late_report=-3",
        "--set",
        "month_without_violation=3",
    )
    assert f"Scoring rules version {version} saved" in saved
    shown = await cli(platform, ADMIN, "rules", "list", "--version", str(version))
    assert "late report -3" in shown and "a month without violation +3" in shown and "missed report -5" in shown
    assert "not yet in force" in shown


@pytest.mark.stack
async def test_a_leader_annotates_and_an_admin_reads_the_projections(platform: Any, db: Any) -> None:
    record = f"vio-{uuid.uuid4().hex[:10]}"
    said = await cli(
        platform,
        HZ_LEADER,
        "annotate",
        "--site",
        "hz-01",
        "--record",
        f"violation:{record}",
        "--reason",
        "暴雨停电",
        lang="zh",
    )
    assert "已记录特殊情况说明 ann-" in said and "1 条记录不计分" in said and "p-hz-leader-1" in said
    assert await db.fetchval("SELECT count(*) FROM insight.annotation_waivers WHERE record_id = $1", record) == 1
    # A projection without its consumer on the stream: its place, and a lag nobody can tell.
    name = f"cli-{uuid.uuid4().hex[:8]}"
    await db.execute("INSERT INTO insight.projection_state (projection, stream_sequence) VALUES ($1, 42)", name)
    try:
        status = await cli(platform, ADMIN, "status")
    finally:
        await db.execute("DELETE FROM insight.projection_state WHERE projection = $1", name)
    assert "Read model projections" in status and f"{name} 42" in status and "unknown unknown" in status
