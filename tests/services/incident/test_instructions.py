"""Leaders' instructions (领导批示) on the real stack, through the CLI: recorded on an incident → on its
timeline and among the open items a handover carries → carried out by the assignee → gone from them;
idempotent, and only the assignee (or a leader) reports one carried out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.db.pool import create_pool
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc, instructions_pb2, instructions_pb2_grpc
from dutyline.intake.v1 import case_pb2_grpc, intake_pb2_grpc
from dutyline.notifier import NotifyClient
from dutyline.notify.v1 import notify_pb2_grpc
from services.incident.instruction_activities import InstructionActivities
from services.roster.handover_items import OpenItemsGatherer
from tests.e2e.test_emergency_call_slice import emergency_call, stream_events
from tests.support import notifications_about, service_token_for, token_for
from workflows.instruction.types import InstructionNotice

pytestmark = pytest.mark.stack

LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
ASSIGNEE = "p-hz-officer-2"
OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])


def cli(platform: Any, tmp_path: Path, token: str, *args: str, lang: str = "en_US.UTF-8") -> Result:
    env = {
        "COLUMNS": "250",
        "DUTYLINE_INCIDENT_ADDRESS": platform.address("incident"),
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": lang,
    }
    argv = ["instruction", "--token", token, "--state-dir", str(tmp_path), *args]
    result = CliRunner().invoke(app, argv, env=env)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
async def gatherer(platform: Any) -> AsyncIterator[OpenItemsGatherer]:
    """What SubmitHandover gathers the open items with, over roster's own service credential."""
    token = service_token_for("roster")
    async with (
        channel(platform.address("incident"), token) as incident,
        channel(platform.address("notify"), token) as notify,
        channel(platform.address("intake"), token) as intake,
    ):
        yield OpenItemsGatherer(
            incidents=incident_pb2_grpc.IncidentServiceStub(incident),
            notify=notify_pb2_grpc.NotifyServiceStub(notify),
            intake=intake_pb2_grpc.IntakeServiceStub(intake),
            cases=case_pb2_grpc.CaseServiceStub(intake),
            instructions=instructions_pb2_grpc.InstructionServiceStub(incident),
        )


async def carried(gatherer: OpenItemsGatherer) -> dict[str, Any]:
    items, notes = await gatherer.gather(site_id="hz-01", until=datetime.now(UTC) + timedelta(hours=12))
    assert not notes
    return {i.ref_id: i for i in items if i.kind == "instruction"}


async def test_recorded_on_the_timeline_and_in_the_handover_until_carried_out(
    platform: Any, tmp_path: Path, gatherer: OpenItemsGatherer
) -> None:
    async with channel(platform.address("intake"), OFFICER) as ch:
        incident_id = (
            await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call(), timeout=20)
        ).incident_id

    key = str(uuid.uuid4())
    recorded = await asyncio.to_thread(
        cli,
        platform,
        tmp_path,
        LEADER,
        "record",
        "立即组织疏散周边群众 evacuate the neighbourhood",
        "--incident",
        incident_id,
        "--by",
        "市应急局张局长",
        "--by-person",
        "p-hz-leader-1",
        "--to",
        ASSIGNEE,
        "--within",
        "60",
        "--idempotency-key",
        key,
    )
    assert recorded.exit_code == 0, recorded.output
    assert f"for {ASSIGNEE}, due" in recorded.output

    async with channel(platform.address("incident"), LEADER) as ch:
        instructions = instructions_pb2_grpc.InstructionServiceStub(ch)
        listed = await instructions.ListInstructions(instructions_pb2.ListInstructionsRequest(incident_id=incident_id))
        [made] = listed.instructions
        assert (made.status, made.assignee_id, made.instructed_by) == ("open", ASSIGNEE, "市应急局张局长")
        # A retry with the same key is the same instruction: nothing more recorded.
        again = instructions_pb2.RecordInstructionRequest(
            idempotency_key=key,
            site_id="hz-01",
            incident_id=incident_id,
            instructed_by="市应急局张局长",
            instructed_by_id="p-hz-leader-1",
            content="立即组织疏散周边群众 evacuate the neighbourhood",
            assignee_id=ASSIGNEE,
            due_at=made.due_at,
        )
        assert (await instructions.RecordInstruction(again)).id == made.id
        # The assignee must be a person of the site.
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await instructions.RecordInstruction(
                instructions_pb2.RecordInstructionRequest(
                    idempotency_key=str(uuid.uuid4()),
                    site_id="hz-01",
                    instructed_by="上级 superior",
                    content="x",
                    assignee_id="p-nb-officer-1",
                    due_at=ts(datetime.now(UTC) + timedelta(hours=1)),
                )
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        timeline = await incident_pb2_grpc.IncidentServiceStub(ch).GetTimeline(
            incident_pb2.GetTimelineRequest(incident_id=incident_id)
        )
        entries = [e for e in timeline.entries if e.kind == "instruction_recorded"]
        assert len(entries) == 1 and "evacuate" in entries[0].text and ASSIGNEE in entries[0].text

    open_items = await carried(gatherer)
    assert made.id in open_items and open_items[made.id].due_at is not None
    assert ASSIGNEE in open_items[made.id].text

    # Another site's leader neither completes it nor records one on this incident.
    async with channel(platform.address("incident"), token_for("p-nb-leader-1", ["leader"], ["nb-01"])) as ch:
        foreign = instructions_pb2_grpc.InstructionServiceStub(ch)
        for code, step in (
            (
                grpc.StatusCode.PERMISSION_DENIED,
                foreign.CompleteInstruction(
                    instructions_pb2.CompleteInstructionRequest(
                        idempotency_key=str(uuid.uuid4()), instruction_id=made.id, result="x"
                    )
                ),
            ),
            # The incident is of hz-01, not of the site it is recorded for.
            (
                grpc.StatusCode.INVALID_ARGUMENT,
                foreign.RecordInstruction(
                    instructions_pb2.RecordInstructionRequest(
                        idempotency_key=str(uuid.uuid4()),
                        site_id="nb-01",
                        incident_id=incident_id,
                        instructed_by="x",
                        content="x",
                        assignee_id="p-nb-officer-1",
                        due_at=ts(datetime.now(UTC) + timedelta(hours=1)),
                    )
                ),
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as denied:
                await step
            assert denied.value.code() == code, denied.value.details()
    # Another officer may not report it carried out; the assignee does, through the CLI in Chinese.
    other = await asyncio.to_thread(cli, platform, tmp_path, OFFICER, "complete", made.id, "--result", "done")
    assert other.exit_code != 0 and "PERMISSION_DENIED" in other.output
    assignee = token_for(ASSIGNEE, ["officer"], ["hz-01"])
    done = await asyncio.to_thread(
        cli,
        platform,
        tmp_path,
        assignee,
        "complete",
        made.id,
        "--result",
        "已疏散120人 120 evacuated",
        lang="zh_CN.UTF-8",
    )
    assert done.exit_code == 0, done.output
    assert f"批示 {made.id} 已落实" in done.output

    assert made.id not in await carried(gatherer)
    shown = await asyncio.to_thread(cli, platform, tmp_path, LEADER, "list", "--incident", incident_id)
    assert shown.exit_code == 0 and made.id in shown.output and "completed" in shown.output
    events = await stream_events(platform, aggregate_ids={made.id}, count=2)
    assert [e.type for _, e in events] == ["incident.instruction_recorded", "incident.instruction_completed"]


async def test_an_overdue_instruction_of_the_site_is_marked_once_and_escalated_to_the_leaders(platform: Any) -> None:
    """The process's steps against the real schema and notify: on a site's duty work (no incident), the
    assignee reminded, the instruction marked overdue once, the duty leader escalated to and the leader
    who instructed told."""
    async with channel(platform.address("incident"), LEADER) as ch:
        made = await instructions_pb2_grpc.InstructionServiceStub(ch).RecordInstruction(
            instructions_pb2.RecordInstructionRequest(
                idempotency_key=str(uuid.uuid4()),
                site_id="hz-01",
                instructed_by_id="p-hz-leader-2",
                content="暴雨预警：落实防汛备勤 storm warning: flood-readiness duty",
                assignee_id=ASSIGNEE,
                due_at=ts(datetime.now(UTC) + timedelta(hours=2)),
            )
        )
    assert not made.incident_id and made.status == "open"
    pool = await create_pool(platform.postgres.dsn, schema="incident", min_size=1, max_size=2)
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("worker")))
    try:
        steps = InstructionActivities(pool=pool, notifier=notifier)
        assert (await steps.state(made.id)).status == "open"
        await steps.remind(InstructionNotice(made.id, "hz-01", "reminder", "due soon"))
        assert await steps.record_overdue(made.id)
        assert await steps.record_overdue(made.id)  # a retry: still overdue, nothing added
        await steps.escalate(InstructionNotice(made.id, "hz-01", "overdue", "escalation 1 of 3", 1))
    finally:
        await notifier.close()
        await pool.close()
    told = await notifications_about(platform, made.id, at_least=3)
    assert {(n.person_id, n.template) for n in told} >= {
        (ASSIGNEE, "instruction_reminder"),
        ("p-hz-leader-2", "instruction_overdue"),
    }
    assert any(n.template == "instruction_overdue" and n.escalation_id for n in told)
    events = await stream_events(platform, aggregate_ids={made.id}, count=2)
    assert [e.type for _, e in events] == ["incident.instruction_recorded", "incident.instruction_overdue"]
    overdue = event_pb2.IncidentChanged()
    assert events[1][1].payload.Unpack(overdue)
    assert overdue.instruction.overdue and not overdue.HasField("incident")
