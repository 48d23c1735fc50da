"""Corrections of reports (更正) on the real stack: a report returned by the receiving office is answered by
its correction — the next version, kept beside the first, delivered to the office's inbox again; a
material figure corrected later than the policy allows is 错报, charged to the author of the version
corrected; the history lists the versions with their differences."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import inbox_pb2, inbox_pb2_grpc, incident_pb2, incident_pb2_grpc
from tests.dutyline.cli.test_incident import env_for
from tests.services.incident.test_incident_service import expect
from tests.services.incident.test_report_inbox import EAST_OFFICER, item_of, texts, verified_and_reported
from tests.support import events_about, token_for

pytestmark = pytest.mark.stack

K = incident_pb2
SUB_TYPE = "correction_window_test"


def key() -> str:
    return str(uuid.uuid4())


async def cli(platform: Any, tmp_path: Path, token: str, *args: str, locale: str = "en_US.UTF-8") -> Result:
    """`dutyline incident --token … <args>` in a thread (the command runs its own event loop)."""
    argv = ["incident", "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env_for(platform, locale))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
async def east_inbox(platform: Any) -> AsyncIterator[Any]:
    """The region's (east's) report inbox, as its officer."""
    async with channel(platform.address("incident"), EAST_OFFICER) as ch:
        yield inbox_pb2_grpc.ReportInboxServiceStub(ch)


async def test_a_returned_report_corrected_too_late_is_a_wrong_report_and_goes_up_again(
    platform: Any, intake: Any, incidents: Any, east_inbox: Any, on_duty_officer: str, db: asyncpg.Connection
) -> None:
    # A policy of its own sub-type (no other test's incidents match it): material figures may be corrected
    # for one second.
    async with channel(platform.address("incident"), token_for("p-admin", ["admin"], ["*"])) as ch:
        saved = await incident_pb2_grpc.IncidentServiceStub(ch).UpsertReportingPolicy(
            K.UpsertReportingPolicyRequest(
                idempotency_key=key(),
                policy=K.ReportingPolicy(
                    id="correction-test-window",
                    name="更正时限测试 correction window test",
                    jurisdiction="33",
                    sub_types=[SUB_TYPE],
                    requirements=[
                        K.ReportRequirement(
                            kind=K.REPORT_KIND_INITIAL_PHONE, recipient="华东片区", due_after_seconds=900
                        )
                    ],
                    correction_within_seconds=1,
                ),
            )
        )
    assert saved.correction_within_seconds == 1
    incident_id, report = await verified_and_reported(intake, incidents, sub_type=SUB_TYPE)
    assert (report.version, report.casualties.deaths) == (1, 0)
    inbox = east_inbox
    item = await item_of(inbox, report.id)
    await inbox.ReturnReport(
        inbox_pb2.ReturnReportRequest(idempotency_key=key(), item_id=item.id, reason="伤亡数字请核实")
    )
    registered = (await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id))).registered_at
    allowed_until = registered.ToDatetime(UTC) + timedelta(seconds=1)
    await asyncio.sleep(max(0.0, (allowed_until - datetime.now(UTC)).total_seconds() + 0.5))

    # Refused: no reason; nothing that differs.
    await expect(
        grpc.StatusCode.INVALID_ARGUMENT,
        incidents.CorrectReport(K.CorrectReportRequest(idempotency_key=key(), report_id=report.id, content="x")),
    )
    await expect(
        grpc.StatusCode.FAILED_PRECONDITION,
        incidents.CorrectReport(
            K.CorrectReportRequest(idempotency_key=key(), report_id=report.id, reason="同上", content=report.content)
        ),
    )
    request = K.CorrectReportRequest(
        idempotency_key=key(),
        report_id=report.id,
        reason="核实后一人死亡 one person died",
        casualties=K.Casualties(deaths=1, injuries=2),
    )
    corrected = await incidents.CorrectReport(request)
    assert (await incidents.CorrectReport(request)).version == corrected.version == 2  # a retry adds nothing
    assert (corrected.casualties.deaths, corrected.correction_reason, corrected.content) == (
        1,
        "核实后一人死亡 one person died",
        report.content,
    )

    history = await incidents.ListReportVersions(K.ListReportVersionsRequest(report_id=report.id))
    assert [v.version for v in history.versions] == [1, 2] and history.report.version == 2
    first, second = history.versions
    assert (first.casualties.deaths, first.changes, first.late) == (0, [], False)
    assert [(c.figure, c.before, c.after, c.material) for c in second.changes] == [
        ("deaths", "0", "1", True),
        ("injuries", "0", "2", True),
    ]
    assert second.late and second.author_id == on_duty_officer
    charged = await db.fetch(
        "SELECT person_id, report_id, report_kind FROM incident.violations WHERE incident_id = $1 AND kind = $2",
        incident_id,
        "wrong_report",
    )
    assert [tuple(v) for v in charged] == [(on_duty_officer, report.id, "initial_phone")]
    assert any(
        t.startswith("更正 Report initial_phone corrected v1→v2") and "错报" in t
        for t in await texts(incidents, incident_id)
    )
    # The correction answers the return: version 2 is in east's inbox, waiting to be signed for.
    for _ in range(100):
        listed = await inbox.ListInbox(
            inbox_pb2.ListInboxRequest(site_id="east", page=common_pb2.PageRequest(page_size=500))
        )
        again = [i for i in listed.items if i.report.id == report.id and i.report_version == 2]
        if again:
            break
        await asyncio.sleep(0.05)
    assert again and again[0].status == K.DELIVERY_STATUS_DELIVERED
    # Published with the differences and the violation.
    [event] = [e for e in await events_about(platform, incident_id) if e.type == "incident.report_corrected"]
    changed = event_pb2.IncidentChanged()
    assert event.payload.Unpack(changed)
    assert (changed.correction.report_id, changed.correction.to_version, changed.correction.late) == (
        report.id,
        2,
        True,
    )
    assert [c.figure for c in changed.correction.changes] == ["deaths", "injuries"]
    assert changed.report.version == 2
    assert [(v.kind, v.report_id) for v in changed.violations] == [("wrong_report", report.id)]


async def test_the_cli_corrects_a_report_and_lists_its_versions_in_both_languages(
    platform: Any, intake: Any, incidents: Any, officer_token: str, tmp_path: Path
) -> None:
    _, report = await verified_and_reported(intake, incidents)
    corrected = await cli(
        platform,
        tmp_path,
        officer_token,
        "correct",
        report.id,
        "--reason",
        "现场清点 counted on the scene",
        "--deaths",
        "1",
        "--cause",
        "阀门老化 an old valve",
    )
    assert corrected.exit_code == 0, corrected.output
    assert f"Report {report.id} corrected; now version 2." in corrected.output
    assert "deaths 0 → 1" in corrected.output and "cause — → 阀门老化 an old valve (added)" in corrected.output
    assert "wrong report" not in corrected.output  # within the policy's 30 days
    # A figure left out stays as the report says it.
    more = await cli(
        platform, tmp_path, officer_token, "correct", report.id, "--reason", "送医 to hospital", "--injuries", "3"
    )
    assert more.exit_code == 0, more.output
    assert "now version 3" in more.output and "injuries 0 → 3" in more.output and "deaths" not in more.output

    listed = await cli(platform, tmp_path, officer_token, "versions", report.id, locale="zh_CN.UTF-8")
    assert listed.exit_code == 0, listed.output
    assert f"报告 {report.id} 的版本" in listed.output
    assert "首报" in listed.output and "死亡 0 → 1" in listed.output and "现场清点" in listed.output

    nothing = await cli(platform, tmp_path, officer_token, "correct", report.id, "--reason", "x")
    assert nothing.exit_code != 0 and "--content" in nothing.output
