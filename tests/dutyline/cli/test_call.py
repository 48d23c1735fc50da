"""`dutyline call …` against the real platform: registering with the site's greeting (the caller masked,
what is missing asked for or named), an emergency opening an incident and a second call nearby linked
to it, reclassifying with its history, a transfer to someone unreachable leaving a message until it is
completed, a notice from a superior completed, an audited reveal — in English and zh-CN."""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.call import commands as call_cli
from dutyline.cli.common.enums import enum_name, enum_value
from dutyline.cli.main import app
from dutyline.intake.v1 import intake_pb2

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALL_ID = re.compile(r"call-[0-9A-Z]{26}")
INCIDENT_ID = re.compile(r"inc-[0-9A-Z]{26}")
CALLBACK_ID = re.compile(r"cb-[0-9A-Z]{26}")
PHONE = "13912345678"
GREETING = "Say the standard greeting: 您好，这里是应急值班室，请讲。 Duty room, go ahead please."

# Each emergency at its own place, 2 km from every other: intake links a call within 1 km of an open
# incident to it. Other test modules use latitudes 30.0–30.8 and 29.x.
_places = itertools.count()


def new_place() -> tuple[float, float]:
    return 31.0 + next(_places) * 0.02, 121.0


def flat(text: str) -> str:
    """The output with the table layout's line breaks and padding folded into single spaces."""
    return " ".join(text.split())


async def cli(
    platform: Any, tmp_path: Path, token: str, *args: str, stdin: str | None = None, locale: str = "en_US.UTF-8"
) -> Result:
    """Run `dutyline call --token … <args>` in a thread (the command runs its own event loop)."""
    env = {
        "COLUMNS": "250",
        "DUTYLINE_INTAKE_ADDRESS": platform.address("intake"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_INCIDENT_ADDRESS": platform.address("incident"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    argv = ["call", "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, input=stdin, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


async def ok(platform: Any, tmp_path: Path, token: str, *args: str, stdin: str | None = None) -> str:
    result = await cli(platform, tmp_path, token, *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return flat(result.output)


def found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    assert match, text
    return match.group(0)


# -- without the platform ---------------------------------------------------------------------------


def test_enum_names_both_ways() -> None:
    assert enum_name(intake_pb2.Channel, intake_pb2.CHANNEL_WALK_IN) == "walk_in"
    assert enum_name(intake_pb2.CallCategory, intake_pb2.CALL_CATEGORY_UNSPECIFIED) == ""
    assert enum_value(intake_pb2.CallCategory, "emergency") == "CALL_CATEGORY_EMERGENCY"
    with pytest.raises(ValueError):
        enum_value(intake_pb2.Channel, "pigeon")


def test_latitude_and_longitude_go_together(tmp_path: Path) -> None:
    argv = ["call", "--token", "x", "--state-dir", str(tmp_path), "--lang", "en", "register", "--lat", "31.0"]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2 and "--lat and --lon go together" in flat(result.output)


# -- on the platform --------------------------------------------------------------------------------


@pytest.mark.stack
async def test_a_consultation_greets_masks_the_caller_is_reclassified_and_revealed(
    platform: Any, tmp_path: Path, officer_token: str, on_duty_officer: str
) -> None:
    out = await ok(
        platform,
        tmp_path,
        officer_token,
        *("register", "--no-input", "--category", "consultation", "--ring-seconds", "4"),
        *("--caller-name", "张三", "--caller-phone", PHONE, "--summary", "咨询防汛物资 asking about flood supplies"),
    )
    assert out.startswith(GREETING), out
    call_id = found(CALL_ID, out)
    assert f"Call {call_id} registered." in out
    assert "张* · 139****5678" in out and PHONE not in out and "张三" not in out
    assert "Answer delay 4 s (limit 15 s)" in out and "Answered after 4 s (limit 15 s)." in out
    assert re.search(rf"Duty assignment \S+ Status .* Duty assignment \S+: .+ \({on_duty_officer}\)\.$", out), out
    assert "Category Consultation" in out and "Status registered" in out

    missing = await cli(platform, tmp_path, officer_token, "register", "--no-input", "--category", "complaint")
    assert missing.exit_code == 2
    assert flat(missing.output).startswith(GREETING)
    assert "Missing --summary: give them as options (--no-input asks nothing)" in flat(missing.output)

    reason = "来电人实为投诉 the caller complains"
    changed = await ok(
        platform, tmp_path, officer_token, "reclassify", call_id, "--category", "complaint", "--reason", reason
    )
    assert f"Call {call_id} reclassified as Complaint." in changed
    assert re.search(rf"1 [\d-]+ [\d:]+ Complaint {reason} p-hz-officer-\d", changed), changed

    shown = await ok(platform, tmp_path, officer_token, "show", call_id)
    assert "Category Complaint" in shown and "Classification history (Asia/Shanghai)" in shown
    assert reason in shown and "139****5678" in shown and PHONE not in shown

    again = await cli(
        platform, tmp_path, officer_token, *("reclassify", call_id, "--category", "complaint"), "--reason", "x"
    )
    assert again.exit_code == 2
    assert flat(again.output) == f"Refused FAILED_PRECONDITION: call {call_id} is already classified as complaint"

    chinese = await cli(platform, tmp_path, officer_token, "--lang", "zh", "show", call_id)
    assert chinese.exit_code == 0, chinese.output
    out = flat(chinese.output)
    assert (
        f"来电 {call_id}" in out
        and "类别 投诉" in out
        and "来电方式 电话" in out
        and "分类记录（Asia/Shanghai）" in out
    )
    assert "接听用时 4 秒（时限 15 秒）" in out and "Classification" not in out

    revealed = await ok(platform, tmp_path, officer_token, "reveal", call_id, "--reason", "回拨核实 call back")
    audit = found(re.compile(r"rev-[0-9A-Z]{26}"), revealed)
    assert f"Name 张三 Phone {PHONE} Audit {audit}" in revealed, revealed
    assert f"Warning: this reveal was recorded in the audit trail ({audit}): who, when and why." in revealed


@pytest.mark.stack
async def test_what_is_missing_is_asked_for_on_a_terminal(
    platform: Any, tmp_path: Path, officer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(call_cli, "_interactive", lambda: True)
    answers = "13800001111\n咨询值班电话 asking for the duty number\nbogus\nconsultation\n"
    out = await ok(platform, tmp_path, officer_token, "register", "--ring-seconds", "20", stdin=answers)
    assert out.startswith(GREETING)
    assert "Caller's phone (empty if unknown):" in out and "What happened (summary):" in out
    assert "Category of the call (consultation, complaint, emergency, notice, message, other):" in out
    assert "138****1111" in out and "13800001111 " not in out.split("registered.", 1)[1]
    assert "Answered late: after 20 s (limit 15 s)." in out and "20 s · late (limit 15 s)" in out


@pytest.mark.stack
async def test_an_emergency_opens_an_incident_and_a_call_100_m_away_is_linked(
    platform: Any, tmp_path: Path, officer_token: str
) -> None:
    lat, lon = new_place()
    first = await ok(
        platform,
        tmp_path,
        officer_token,
        *("register", "--no-input", "--category", "emergency", "--caller-phone", PHONE, "--ring-seconds", "3"),
        *("--place", "沿江路化工仓库 riverside warehouse", "--lat", str(lat), "--lon", str(lon)),
        *("--summary", "化工仓库起火 chemical warehouse fire"),
    )
    incident_id = found(INCIDENT_ID, first)
    assert f"Incident {incident_id} opened for this call: 化工仓库起火 chemical warehouse fire" in first, first
    first_call = found(CALL_ID, first)

    # 0.0009° of latitude ≈ 100 m north, a few seconds later, about the same fire.
    second = await ok(
        platform,
        tmp_path,
        officer_token,
        *("register", "--no-input", "--category", "emergency", "--caller-phone", "13700002222"),
        *("--place", "沿江路 riverside road", "--lat", f"{lat + 0.0009:.6f}", "--lon", str(lon)),
        *("--summary", "仓库起火，浓烟很大 warehouse fire, thick smoke"),
    )
    second_call = found(CALL_ID, second)
    assert f"Linked to the open incident {incident_id} of the same event" in second, second
    assert "Open incidents that may be the same event" in second and incident_id in second.split("same event", 2)[2]
    assert "Status linked" in second

    suggested = await ok(platform, tmp_path, officer_token, "suggest", second_call)
    # Suggestions are other incidents the call may be about; its own is not among them.
    assert "No open incident seems to be the same event" in suggested, suggested

    listed = await ok(platform, tmp_path, officer_token, "list", "--incident", incident_id)
    assert first_call in listed and second_call in listed and "Calls of" in listed


@pytest.mark.stack
async def test_a_transfer_to_someone_unreachable_leaves_a_message_until_it_is_completed(
    platform: Any, tmp_path: Path, officer_token: str
) -> None:
    registered = await ok(
        platform,
        tmp_path,
        officer_token,
        *("register", "--no-input", "--category", "consultation", "--caller-phone", ""),
        *("--summary", "咨询停水 asking about the water cut"),
    )
    call_id = found(CALL_ID, registered)
    transfer = (
        "transfer",
        call_id,
        "--to",
        "dept-water",
        "--briefing",
        "停水咨询 water cut",
        "--outcome",
        "unreachable",
    )

    refused = await cli(platform, tmp_path, officer_token, *transfer, "--no-caller-agreed")
    assert refused.exit_code == 2
    assert "caller_agreed: a call is transferred only with the caller's agreement" in flat(refused.output)

    moved = await ok(platform, tmp_path, officer_token, *transfer, "--caller-agreed")
    assert f"Call {call_id} transferred to dept-water: unreachable." in moved
    callback_id = found(CALLBACK_ID, moved)
    assert f"dept-water was unreachable: message {callback_id} taken, due" in moved
    assert "Transfers (Asia/Shanghai)" in moved and "dept-water unreachable yes 停水咨询 water cut" in moved

    listed = await ok(platform, tmp_path, officer_token, "callbacks", "--open")
    # Due in 2 hours (a message for someone unreachable); the call below its kind.
    row = rf"{callback_id} Message dept-water 停水咨询 water cut [\d-]+ [\d:]+ open {call_id} [12] h \d\d min left"
    assert re.search(row, listed), listed

    due = (datetime.now(SHANGHAI) + timedelta(hours=3)).replace(second=0, microsecond=0)
    promised = await ok(
        platform,
        tmp_path,
        officer_token,
        *("callback", call_id, "--to", "p-hz-leader-1", "--content", "来电人请求回电 call back"),
        *("--due", due.strftime("%Y-%m-%dT%H:%M")),
    )
    assert re.search(rf"Callback cb-\S+ recorded, due {due:%m-%d %H:%M}\.", promised), promised

    done = await ok(platform, tmp_path, officer_token, "complete", callback_id, "--outcome", "已转告 passed on")
    assert re.search(rf"Message {callback_id} completed at [\d:]+ \(Asia/Shanghai\): 已转告 passed on", done), done
    assert callback_id not in await ok(platform, tmp_path, officer_token, "callbacks", "--open")

    twice = await cli(platform, tmp_path, officer_token, "complete", callback_id, "--outcome", "again")
    assert flat(twice.output) == f"Refused FAILED_PRECONDITION: callback {callback_id} is already completed"


@pytest.mark.stack
async def test_a_notice_missing_two_elements_is_listed_until_completed(
    platform: Any, tmp_path: Path, officer_token: str
) -> None:
    meeting = (datetime.now(SHANGHAI) + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    out = await ok(
        platform,
        tmp_path,
        officer_token,
        *("register", "--no-input", "--channel", "superior_notice", "--category", "notice"),
        *("--summary", "市应急局通知：防汛会商 flood meeting", "--meeting-time", meeting.strftime("%Y-%m-%dT%H:%M")),
        *("--notice-place", "市应急局三楼 3rd floor", "--notice-content", "防汛会商 flood consultation"),
        "--issuing-unit",
        "市应急局 city emergency bureau",
    )
    call_id = found(CALL_ID, out)
    assert f"Meeting time {meeting:%Y-%m-%d %H:%M:%S}" in out
    assert "lacks: Participants --participants, Issuing person --issuing-person" in out, out

    incomplete = await ok(platform, tmp_path, officer_token, "list", "--notices-incomplete", "--limit", "400")
    assert re.search(rf"{call_id} .* Participants --participants, Issuing person --issuing-person", incomplete)

    completed = await ok(
        platform,
        tmp_path,
        officer_token,
        *("notice", call_id, "--participants", "各区值班领导 district leaders", "--issuing-person", "王科长"),
    )
    assert "The notice from a superior has all six elements." in completed
    assert "Participants 各区值班领导 district leaders Issuing unit 市应急局 city emergency bureau" in completed
    assert "Issuing person 王科长" in completed
    assert "Missing" not in completed
    assert call_id not in await ok(platform, tmp_path, officer_token, "list", "--notices-incomplete", "--limit", "400")
