"""`dutyline roster …` against the real platform: who is on duty, the week, gaps, a refused publication,
bad input as one line with exit code 2, and leave from request to the leader's decision — in English and
zh-CN."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import Lang, from_locale
from dutyline.cli.common.times import local_period
from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.roster.v1 import competence_pb2, competence_pb2_grpc, roster_pb2, roster_pb2_grpc
from services.roster.competence_seed import CERTIFICATE
from tests.support import token_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
LEAVE_ID = re.compile(r"leave-[0-9A-Z]{26}")


def today() -> date:
    return datetime.now(SHANGHAI).date()


def flat(text: str) -> str:
    """The output with the table layout's line breaks and padding folded into single spaces."""
    return " ".join(text.split())


async def roster(
    platform: Any, tmp_path: Path, token: str, *args: str, locale: str = "en_US.UTF-8", columns: int = 80
) -> Result:
    """Run `dutyline roster --token … <args>` in a thread (the command runs its own event loop)."""
    env = {
        "COLUMNS": str(columns),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    argv = ["roster", "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# -- without the platform ---------------------------------------------------------------------------


def test_the_locale_chooses_the_language() -> None:
    assert from_locale({"LANG": "zh_CN.UTF-8"}) is Lang.zh
    assert from_locale({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) is Lang.en
    assert from_locale({"LC_ALL": "zh_TW", "LANG": "C"}) is Lang.zh
    assert from_locale({}) is Lang.en


def test_the_default_site_is_the_tokens_plain_site() -> None:
    assert connect.default_site(token_for("p", ["officer"], ["hz-01", "nb-01"])) == "hz-01"
    assert connect.default_site(ADMIN) is None
    assert connect.default_site("not-a-token") is None


def test_without_a_token_the_command_says_where_one_comes_from(tmp_path: Path) -> None:
    env = {"DUTYLINE_TOKEN": None, "LANG": "en_US.UTF-8", "LC_ALL": None}
    result = CliRunner().invoke(app, ["roster", "--state-dir", str(tmp_path), "now"], env=env)
    assert result.exit_code == 2
    assert "--token" in result.output and "DUTYLINE_TOKEN" in result.output


def test_leave_decide_needs_exactly_one_of_approve_and_reject(tmp_path: Path) -> None:
    args = ["roster", "--token", HZ_LEADER, "--state-dir", str(tmp_path), "leave", "decide", "--leave", "x"]
    assert CliRunner().invoke(app, args).exit_code == 2
    assert CliRunner().invoke(app, [*args, "--approve", "--reject"]).exit_code == 2


# -- on the platform --------------------------------------------------------------------------------


@pytest.mark.stack
async def test_now_shows_two_officers_and_the_duty_leader(platform: Any, tmp_path: Path) -> None:
    officer = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    async with channel(platform.address("roster"), ADMIN) as ch:
        expected = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))

    english = await roster(platform, tmp_path, officer, "now", "--site", "hz-01")
    assert english.exit_code == 0, english.output
    out = flat(english.output)
    assert out.count("Officer ") == 2 and out.count("Duty leader ") == 1, out
    for person in [*expected.officers, *expected.leaders]:
        assert person.person_id in out and person.assignment_id in out

    # --lang wins over the locale; without --site, the token's site.
    chinese = await roster(platform, tmp_path, officer, "--lang", "zh", "now")
    assert chinese.exit_code == 0, chinese.output
    out = flat(chinese.output)
    assert "带班领导" in out and out.count("值班员 ") == 2, out
    assert "Duty leader" not in out

    by_locale = await roster(platform, tmp_path, officer, "now", locale="zh_CN.UTF-8")
    assert "带班领导" in by_locale.output


@pytest.mark.stack
async def test_show_the_week_by_date_and_shift(platform: Any, tmp_path: Path) -> None:
    result = await roster(platform, tmp_path, HZ_LEADER, "show", "--site", "hz-01", "--week")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    first, last = today(), today() + timedelta(days=6)
    assert f"{first.isoformat()} to {last.isoformat()} (Asia/Shanghai)" in out
    for n in range(7):
        assert (first + timedelta(days=n)).isoformat() in out
    assert "08:00–20:00" in out and "20:00–08:00" in out
    assert "王芳 Wang Fang" in out and "张伟 Zhang Wei" in out


@pytest.mark.stack
async def test_the_next_three_days_have_no_gaps(platform: Any, tmp_path: Path) -> None:
    first, last = today(), today() + timedelta(days=2)
    result = await roster(
        platform, tmp_path, HZ_LEADER, "gaps", "--site", "hz-01", "--from", first.isoformat(), "--to", last.isoformat()
    )
    assert result.exit_code == 0, result.output
    assert "No coverage gaps" in flat(result.output)


@pytest.mark.stack
async def test_publishing_a_period_whose_previous_night_is_unrostered_is_refused(platform: Any, tmp_path: Path) -> None:
    # The demo roster ends after 14 days: a day a month ahead starts with the uncovered end of the
    # night before (00:00-08:00), so publishing it alone leaves a gap.
    day = (today() + timedelta(days=30)).isoformat()
    leader = token_for("p-nb-leader-1", ["leader"], ["nb-01"])
    key = str(uuid.uuid4())
    args = ("publish", "--site", "nb-01", "--from", day, "--to", day, "--idempotency-key", key)
    result = await roster(platform, tmp_path, leader, *args)
    assert result.exit_code == 1, result.output
    out = flat(result.output)
    assert "Not published" in out
    assert f"Officer {day} 00:00 {day} 08:00 0/2" in out and f"Duty leader {day} 00:00 {day} 08:00 0/1" in out
    # The same key replays the same answer.
    again = await roster(platform, tmp_path, leader, *args)
    assert again.exit_code == 1 and flat(again.output) == out


@pytest.mark.stack
async def test_bad_input_is_one_line_naming_the_field(platform: Any, tmp_path: Path) -> None:
    result = await roster(
        platform, tmp_path, HZ_LEADER, "publish", "--site", "hz-01", "--from", "2026-12-10", "--to", "2026-12-01"
    )
    assert result.exit_code == 2
    assert result.output.strip() == "Error INVALID_ARGUMENT: period: end must be after start"
    unknown = await roster(platform, tmp_path, HZ_LEADER, "--lang", "zh", "checkin", "--assignment", "a-nope")
    assert unknown.exit_code == 2
    assert unknown.output.strip() == "错误 INVALID_ARGUMENT：assignment_id: unknown assignment 'a-nope'"


@pytest.mark.stack
async def test_leave_is_requested_by_the_officer_and_approved_by_the_duty_leader(platform: Any, tmp_path: Path) -> None:
    # A reserve officer (备勤) with no shifts of their own can stand in without breaking a duty rule.
    day = today() + timedelta(days=3)
    async with channel(platform.address("roster"), ADMIN) as ch:
        stub = roster_pb2_grpc.RosterServiceStub(ch)
        await stub.UpsertPerson(
            roster_pb2.UpsertPersonRequest(
                idempotency_key=str(uuid.uuid4()),
                person=roster_pb2.Person(
                    id="p-hz-cli-reserve",
                    display_name="备勤 Reserve",
                    site_id="hz-01",
                    roles=[common_pb2.ROLE_OFFICER],
                ),
            )
        )
        # The demo sites require the duty-officer certificate of whoever stands in (值班资格).
        await competence_pb2_grpc.CompetenceServiceStub(ch).RecordTraining(
            competence_pb2.RecordTrainingRequest(
                idempotency_key=str(uuid.uuid4()),
                person_id="p-hz-cli-reserve",
                qualification=CERTIFICATE,
                completed_on=today().isoformat(),
            )
        )
        listed = await stub.ListAssignments(
            roster_pb2.ListAssignmentsRequest(site_id="hz-01", period=local_period(SHANGHAI, day, day))
        )
    mine = next(a for a in listed.assignments if a.role == common_pb2.ROLE_OFFICER and a.local_date == day.isoformat())
    officer = token_for(mine.person_id, ["officer"], ["hz-01"])

    requested = await roster(
        platform,
        tmp_path,
        officer,
        *("leave", "request", "--assignment", mine.id, "--substitute", "p-hz-cli-reserve", "--reason", "家中有事"),
    )
    assert requested.exit_code == 0, requested.output
    found = LEAVE_ID.search(requested.output)
    assert found is not None, requested.output
    leave_id = found.group()
    assert "requested" in flat(requested.output)

    pending = await roster(platform, tmp_path, HZ_LEADER, "leave", "list", "--site", "hz-01", "--status", "requested")
    assert leave_id in pending.output and mine.id in pending.output

    decided = await roster(
        platform,
        tmp_path,
        HZ_LEADER,
        "--lang",
        "zh",
        "leave",
        "decide",
        "--leave",
        leave_id,
        "--approve",
        "--remark",
        "同意",
    )
    assert decided.exit_code == 0, decided.output
    out = flat(decided.output)
    assert "已批准" in out and "p-hz-leader-1" in out and "同意" in out

    async with channel(platform.address("roster"), ADMIN) as ch:
        changed = await roster_pb2_grpc.RosterServiceStub(ch).GetAssignment(
            roster_pb2.GetAssignmentRequest(assignment_id=mine.id)
        )
    assert (changed.person_id, changed.rostered_person_id) == ("p-hz-cli-reserve", mine.person_id)
    span = ("--from", day.isoformat(), "--to", day.isoformat())
    shown = await roster(platform, tmp_path, HZ_LEADER, "show", "--site", "hz-01", *span, columns=200)
    assert f"备勤 Reserve · for {mine.person_id}" in shown.output

    twice = await roster(platform, tmp_path, HZ_LEADER, "leave", "decide", "--leave", leave_id, "--reject")
    assert twice.exit_code == 2
    assert "FAILED_PRECONDITION" in twice.output and "already approved" in twice.output
