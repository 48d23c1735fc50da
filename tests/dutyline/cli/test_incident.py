"""`dutyline incident …` against the real platform: verifying and the Zhejiang deadlines shown with the
time left (English and zh-CN), reports, an illegal step and a refused close as one "Refused" line with
exit code 2, the whole path to closing and its timeline, violations, merging, and the live feed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.common.i18n import Lang, set_language
from dutyline.cli.incident.views import span, time_left
from dutyline.cli.main import app
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = token_for("p-admin", ["admin"], ["*"])
K = incident_pb2


def flat(text: str) -> str:
    """The output with the table layout's line breaks and padding folded into single spaces."""
    return " ".join(text.split())


def env_for(platform: Any, locale: str = "en_US.UTF-8", columns: int = 200) -> dict[str, str | None]:
    return {
        "COLUMNS": str(columns),
        "DUTYLINE_INCIDENT_ADDRESS": platform.address("incident"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }


async def cli(platform: Any, tmp_path: Path, token: str, *args: str, stdin: str | None = None) -> Result:
    """Run `dutyline incident --token … <args>` in a thread (the command runs its own event loop)."""
    argv = ["incident", "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, input=stdin, env=env_for(platform))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


async def open_incident(intake: Any, incidents: Any) -> tuple[str, str]:
    """An incident opened by an emergency call, once its process waits for verification."""
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    for _ in range(200):
        found = await incidents.GetIncident(K.GetIncidentRequest(incident_id=reply.incident_id))
        if found.stage == K.STAGE_VERIFY:
            return reply.incident_id, reply.call.id
        await asyncio.sleep(0.05)
    raise AssertionError(f"incident {reply.incident_id} never reached stage verify")


async def verify(platform: Any, tmp_path: Path, token: str, incident_id: str, *args: str) -> Result:
    result = await cli(platform, tmp_path, token, "verify", incident_id, *args)
    assert result.exit_code == 0, result.output
    return result


# -- without the platform ---------------------------------------------------------------------------


def test_time_left_counts_down_in_both_languages() -> None:
    now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    due = K.Deadline(kind=K.REPORT_KIND_INITIAL_PHONE, due_at=ts(now + timedelta(minutes=14, seconds=5)))
    try:
        set_language(Lang.en)
        assert time_left(due, now).plain == "14 min 05 s left"
        assert span(2 * 3600 + 5 * 60) == "2 h 05 min" and span(3 * 86400 + 4 * 3600) == "3 d 4 h"
        assert time_left(due, now + timedelta(minutes=20)).plain == "overdue by 5 min 55 s"
        set_language(Lang.zh)
        assert time_left(due, now).plain == "剩余 14分05秒"
        assert time_left(K.Deadline(kind=K.REPORT_KIND_FINAL), now).plain == "结案前报送"
    finally:
        set_language(Lang.en)


def test_verify_needs_class_and_severity_or_unfounded_with_a_reason(tmp_path: Path) -> None:
    base = ["incident", "--token", ADMIN, "--state-dir", str(tmp_path), "--lang", "en", "verify", "inc-x"]
    missing = CliRunner().invoke(app, [*base, "--category", "accident"])
    assert missing.exit_code == 2 and "--severity" in missing.output
    both = CliRunner().invoke(app, [*base, "--unfounded", "--reason", "x", "--severity", "II"])
    assert both.exit_code == 2 and "--unfounded" in both.output


# -- on the platform --------------------------------------------------------------------------------


@pytest.mark.stack
async def test_verify_then_show_the_zhejiang_deadlines_and_report(
    platform: Any, tmp_path: Path, intake: Any, incidents: Any, officer_token: str
) -> None:
    incident_id, call_id = await open_incident(intake, incidents)
    verified = await verify(
        platform,
        tmp_path,
        officer_token,
        *(incident_id, "--category", "natural_disaster", "--sub-type", "flood", "--severity", "II"),
    )
    assert "Verified; now in stage Escalate; reporting policy zj-II v" in flat(verified.output)
    # The clocks run from the call's answer (issue 14, finding 14).
    call = await intake.GetCall(intake_pb2.GetCallRequest(call_id=call_id))

    found = await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))
    phone = next(d for d in found.pending_deadlines if d.kind == K.REPORT_KIND_INITIAL_PHONE)
    due_at = phone.due_at.ToDatetime(tzinfo=UTC)
    assert due_at - call.answered_at.ToDatetime(tzinfo=UTC) == timedelta(minutes=15)
    due = due_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")

    shown = await cli(platform, tmp_path, officer_token, "show", incident_id)
    assert shown.exit_code == 0, shown.output
    out = flat(shown.output)
    assert "Stage Escalate" in out and "Natural disaster / flood" in out and "II (serious)" in out, out
    assert "Pending deadlines (Asia/Shanghai)" in out
    # Within 15 minutes of registration (浙江 重大: phone 15 min, written 35 min).
    assert re.search(rf"Initial report \(phone\) 上级值班室 superior duty office {due} 1[34] min \d\d s left", out), out
    assert "Initial report (written)" in out and "Final report" in out and "before closing" in out
    assert "Reports" not in out and "No reports yet." in out

    chinese = await cli(platform, tmp_path, officer_token, "--lang", "zh", "show", incident_id)
    out = flat(chinese.output)
    assert "阶段 上报" in out and "等级 重大（II级）" in out and "自然灾害 / flood" in out, out
    assert re.search(rf"初报（电话） 上级值班室 superior duty office {due} 剩余 1[34]分\d\d秒", out), out
    assert "终报" in out and "Initial report" not in out

    reported = await cli(
        platform,
        tmp_path,
        officer_token,
        *("report", incident_id, "--kind", "initial_phone", "--to", "市应急局值班室", "--content", "初报：内涝"),
    )
    assert reported.exit_code == 0, reported.output
    out = flat(reported.output)
    assert re.search(
        r"Submitted Initial report \(phone\) to 市应急局值班室 at [\d:]{8} \(Asia/Shanghai\): on time", out
    )
    assert "Initial report (phone)" not in out.split("Pending deadlines", 1)[1]

    listed = await cli(platform, tmp_path, officer_token, "list", "--open", "--severity", "II")
    assert listed.exit_code == 0, listed.output
    assert incident_id in listed.output and "Incidents of" in listed.output


@pytest.mark.stack
async def test_an_illegal_step_is_one_refused_line_and_a_duplicate_merges(
    platform: Any, tmp_path: Path, intake: Any, incidents: Any, officer_token: str
) -> None:
    primary, _ = await open_incident(intake, incidents)
    duplicate, duplicate_call = await open_incident(intake, incidents)

    args = ("reclassify", primary, "--severity", "I", "--reason", "worse")
    refused = await cli(platform, tmp_path, officer_token, *args)
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        "Refused FAILED_PRECONDITION: cannot reclassify an incident in stage verify (核实); verify it first"
    )
    chinese = await cli(platform, tmp_path, officer_token, "--lang", "zh", *args)
    assert chinese.exit_code == 2
    assert chinese.output.strip().startswith("拒绝 FAILED_PRECONDITION：cannot reclassify")

    # Merging is the duty leader's decision (issue 14, finding 10), not any officer's.
    leader = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
    merged = await cli(platform, tmp_path, leader, "merge", duplicate, "--into", primary, "--reason", "同一事件")
    assert merged.exit_code == 0, merged.output
    assert f"Merged {duplicate} into {primary}." in flat(merged.output) and duplicate_call in merged.output


@pytest.mark.stack
async def test_close_is_refused_until_feedback_and_the_final_report_then_the_timeline(
    platform: Any, tmp_path: Path, intake: Any, incidents: Any, officer_token: str, on_duty_officer: str
) -> None:
    incident_id, call_id = await open_incident(intake, incidents)
    await verify(platform, tmp_path, officer_token, incident_id, "--category", "social_safety", "--severity", "IV")

    refused = await cli(platform, tmp_path, officer_token, "close", incident_id, "--summary", "处置完毕")
    assert refused.exit_code == 2
    line = refused.output.strip()
    assert len(line.splitlines()) == 1, line
    assert line.startswith("Refused FAILED_PRECONDITION: cannot close in stage escalate: still missing ")
    # 一般 (IV), national default: the written initial report and the final report are owed.
    assert "initial_written" in line and "final" in line and "feedback" in line

    steps = [
        ("progress", incident_id, "已关阀 valve closed"),
        ("report", incident_id, "--kind", "initial_written", "--to", "市应急局值班室", "--content", "初报：已处置"),
        ("feedback", incident_id, "--method", "phone", "--message", "已处置完毕 handled", "--call", call_id),
    ]
    for step in steps:
        result = await cli(platform, tmp_path, officer_token, *step)
        assert result.exit_code == 0, result.output
    assert "Feedback recorded at" in result.output and "now in stage Feedback" in flat(result.output)
    final = await cli(
        platform,
        tmp_path,
        officer_token,
        *("report", incident_id, "--kind", "final", "--to", "市应急局值班室", "--content", "-"),
        stdin="终报：处置完毕，无人员伤亡\n",
    )
    assert final.exit_code == 0, final.output
    closed = await cli(platform, tmp_path, officer_token, "close", incident_id, "--summary", "处置完毕")
    assert closed.exit_code == 0, closed.output
    assert f"Incident {incident_id} closed at" in closed.output

    shown = await cli(platform, tmp_path, officer_token, "show", incident_id)
    out = flat(shown.output)
    assert "Stage Closed" in out and "Closing summary 处置完毕" in out and "无人员伤亡" in out, out

    timeline = await cli(platform, tmp_path, officer_token, "timeline", incident_id)
    assert timeline.exit_code == 0, timeline.output
    out = flat(timeline.output)
    # Each step: its name (English), who (the officer, or the process itself) and the detail.
    steps_in_order = [
        # The officer registered the emergency call; intake opened its incident on their behalf.
        "registered p-hz-officer-1 事件登记 Incident registered",
        "leader notified IncidentWorkflow",
        "verified p-hz-officer-1 核实属实 Verified: social_safety/-",
        "progress p-hz-officer-1 进展 Progress: 已关阀",
        "report p-hz-officer-1 报告 Report initial_written",
        "feedback p-hz-officer-1 反馈 Feedback to caller",
        "report p-hz-officer-1 报告 Report final",
        "closed p-hz-officer-1 结案 Closed: 处置完毕",
    ]
    positions = [out.find(step.replace("p-hz-officer-1", on_duty_officer)) for step in steps_in_order]
    assert -1 not in positions and positions == sorted(positions), (positions, out)


@pytest.mark.stack
async def test_an_admin_override_is_a_missed_report_among_the_violations(
    platform: Any, tmp_path: Path, intake: Any, incidents: Any, officer_token: str
) -> None:
    incident_id, _ = await open_incident(intake, incidents)
    await verify(platform, tmp_path, officer_token, incident_id, "--category", "public_health", "--severity", "IV")
    closed = await cli(
        platform, tmp_path, ADMIN, *("close", incident_id, "--summary", "移交卫健委", "--override", "移交 handed over")
    )
    assert closed.exit_code == 0, closed.output
    assert "Closed by admin override, because: 移交 handed over" in flat(closed.output)

    listed = await cli(platform, tmp_path, ADMIN, "violations", "--site", "hz-01")
    assert listed.exit_code == 0, listed.output
    rows = [line for line in listed.output.splitlines() if incident_id in line]
    assert rows and all("missed (漏报)" in row and "hz-01" in row for row in rows), listed.output
    assert any("Final report" in row for row in rows), listed.output
    chinese = await cli(platform, tmp_path, ADMIN, "--lang", "zh", "violations")
    rows = [line for line in chinese.output.splitlines() if incident_id in line]
    assert rows and all("漏报" in row for row in rows) and any("终报" in row for row in rows), chinese.output


@pytest.mark.stack
async def test_watch_once_prints_the_changes_of_an_incident_registered_meanwhile(
    platform: Any, tmp_path: Path, intake: Any, officer_token: str
) -> None:
    watching = asyncio.create_task(cli(platform, tmp_path, officer_token, "watch", "--once", "--seconds", "3"))
    await asyncio.sleep(1.0)  # connected and subscribed
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    result = await watching
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if reply.incident_id in line]
    assert lines and "registered" in lines[0], result.output


@pytest.mark.stack
async def test_watch_ends_cleanly_on_ctrl_c(platform: Any, tmp_path: Path, officer_token: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DUTYLINE_TOKEN", "LC_ALL", "LC_MESSAGES")}
    env.update({k: v for k, v in env_for(platform).items() if v is not None})
    argv = ["-m", "dutyline.cli.main", "incident", "--token", officer_token, "--state-dir", str(tmp_path), "watch"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    # Rich draws the board to a pipe only when it stops: allow for a slow start (imports on a loaded
    # machine) before interrupting it, which a shorter wait turned into a KeyboardInterrupt mid-import.
    try:
        await asyncio.sleep(8.0)
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:  # a failed test leaves no watcher behind
            process.kill()
            await process.wait()
    text = output.decode()
    assert process.returncode == 0, text
    assert "Duty board" in text and "Stopped watching." in text and "Traceback" not in text
