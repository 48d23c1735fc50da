"""`dutyline plan …` against the real platform, in English and zh-CN: the demo's plans listed and
shown, a plan file saved as a new version (and a broken one refused in one line), a plan activated on
an incident with its tasks and one marked done, the response level declared and lifted (declared
twice: "Refused" with exit code 2)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

ADMIN = token_for("p-admin", ["admin"], ["*"])
K = incident_pb2


def flat(text: str) -> str:
    return " ".join(text.split())


async def cli(platform: Any, tmp_path: Path, token: str, *args: str, lang: str = "en") -> Result:
    argv = ["plan", "--token", token, "--state-dir", str(tmp_path), "--lang", lang, *args]
    env = {
        "COLUMNS": "200",
        "DUTYLINE_INCIDENT_ADDRESS": platform.address("incident"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
    }
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_broken_plan_file_is_one_line_naming_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "plan.yaml"
    broken.write_text("id: x\nname: x\ntasks:\n  - {key: 'Bad Key', title: t, owner_role: ROLE_OFFICER}\n")
    argv = ["plan", "--token", ADMIN, "--state-dir", str(tmp_path), "--lang", "en", "upsert", str(broken)]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert "plans[0]: tasks[0].key" in flat(result.output), result.output


@pytest.mark.stack
async def test_plans_from_listing_to_lifting_a_response(
    platform: Any, tmp_path: Path, intake: Any, incidents: Any, officer_token: str
) -> None:
    listed = await cli(platform, tmp_path, officer_token, "list")
    assert listed.exit_code == 0, listed.output
    assert "gas-leak" in listed.output and "Level III response" in flat(listed.output)
    shown = await cli(platform, tmp_path, officer_token, "show", "gas-leak", lang="zh")
    assert shown.exit_code == 0, shown.output
    assert (
        "城镇燃气泄漏事故应急预案" in shown.output
        and "上级值班室" in shown.output
        and "启动后 15分00秒" in flat(shown.output)
    )

    plan_id = f"cli-plan-{uuid.uuid4().hex[:6]}"
    file = tmp_path / "plan.yaml"
    file.write_text(
        f"id: {plan_id}\nname: 测试 Test\ncategory: INCIDENT_CATEGORY_SOCIAL_SAFETY\nsub_types: [cli]\n"
        "tasks:\n  - {key: a, title: 任务 Task, owner_role: ROLE_OFFICER, due_after_seconds: 600}\n"
    )
    saved = await cli(platform, tmp_path, ADMIN, "upsert", str(file))
    assert saved.exit_code == 0 and f"Plan {plan_id} saved as version 1" in flat(saved.output), saved.output

    reply = await intake.RegisterCall(emergency_call(drill=True), timeout=20)
    for _ in range(100):
        if (await incidents.GetIncident(K.GetIncidentRequest(incident_id=reply.incident_id))).stage == K.STAGE_VERIFY:
            break
        await asyncio.sleep(0.05)
    await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=str(uuid.uuid4()),
            incident_id=reply.incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_ACCIDENT,
            sub_type="road_traffic",
            severity=common_pb2.SEVERITY_IV,
        )
    )
    activated = await cli(platform, tmp_path, officer_token, "activate", reply.incident_id)
    assert activated.exit_code == 0, activated.output
    assert "道路交通事故应急预案" in activated.output and "traffic-control" in activated.output
    activation_id = flat(activated.output).split(" activated as ")[1].split(";")[0]

    done = await cli(platform, tmp_path, officer_token, "task", "done", activation_id, "rescue", "--result", "120 到场")
    assert done.exit_code == 0 and "done" in done.output, done.output
    tasks = await cli(platform, tmp_path, officer_token, "tasks", reply.incident_id, lang="zh")
    assert "已完成" in tasks.output and "120 到场" in tasks.output and "待办" in tasks.output

    declared = await cli(
        platform, tmp_path, officer_token, "respond", reply.incident_id, "--level", "IV", "--reason", "x"
    )
    assert declared.exit_code == 0 and "Level IV response declared" in declared.output, declared.output
    again = await cli(platform, tmp_path, officer_token, "respond", reply.incident_id, "--level", "iv", "--reason", "y")
    assert again.exit_code == 2 and "Refused" in again.output and "declared already" in again.output
    lifted = await cli(platform, tmp_path, officer_token, "lift", reply.incident_id, "--reason", "解除", lang="zh")
    assert lifted.exit_code == 0 and "已解除应急响应" in lifted.output, lifted.output
