"""Notices from superiors (上级通知) with missing elements, on the real stack: the duty leader is told at
once, the follow-up carries a deadline and is among a handover's open items until the notice is
completed with the missing elements (CompleteCall, or CompleteNotice), which closes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2_grpc, instructions_pb2_grpc
from dutyline.intake.v1 import case_pb2_grpc, intake_pb2, intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2_grpc
from services.intake.rpc_callbacks import NOTICE_DUE
from services.roster.handover_items import OpenItemsGatherer
from tests.services.intake.records.support import call_request, key, refused
from tests.support import notifications_about, service_token_for

pytestmark = pytest.mark.stack


def notice_call(**elements: str) -> intake_pb2.RegisterCallRequest:
    return call_request(
        intake_pb2.CALL_CATEGORY_NOTICE,
        channel=intake_pb2.CHANNEL_SUPERIOR_NOTICE,
        summary="市应急局通知召开防汛会议 flood-control meeting notice",
        actions_taken="已登记并报告带班领导 logged, leader told",
        notice=intake_pb2.NoticeElements(**elements),
    )


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


async def open_notices(gatherer: OpenItemsGatherer) -> set[str]:
    items, notes = await gatherer.gather(site_id="hz-01", until=datetime.now(UTC) + timedelta(hours=12))
    assert not notes
    return {i.ref_id for i in items if i.kind == "notice"}


async def follow_up_of(intake: Any, call_id: str) -> intake_pb2.Callback:
    listed = await intake.ListCallbacks(
        intake_pb2.ListCallbacksRequest(site_id="hz-01", page=common_pb2.PageRequest(page_size=500))
    )
    return next(c for c in listed.callbacks if c.call_id == call_id and c.kind == "notice")


async def test_an_incomplete_notice_alerts_the_leader_and_stays_open_in_handovers_until_completed(
    platform: Any, intake: Any, gatherer: OpenItemsGatherer
) -> None:
    registered = await intake.RegisterCall(
        notice_call(content="防汛工作部署 flood-control plan", issuing_unit="市应急管理局 City emergency bureau")
    )
    call = registered.call
    missing = ["meeting_time", "place", "participants", "issuing_person"]
    assert list(call.notice_missing) == missing
    assert list(call.record.missing) == [f"notice.{m}" for m in missing]

    follow_up = await follow_up_of(intake, call.id)
    assert follow_up.status == "open" and follow_up.recipient_id == call.officer_id
    due = follow_up.due_at.ToDatetime(tzinfo=UTC) - call.registered_at.ToDatetime(tzinfo=UTC)
    assert due == NOTICE_DUE
    told = await notifications_about(platform, follow_up.id)
    assert told and told[0].template == "notice_incomplete" and told[0].escalation_id
    assert told[0].person_id.startswith("p-hz-leader")
    assert call.id in await open_notices(gatherer)

    # Its follow-up closes only with the notice itself.
    await refused(
        grpc.StatusCode.FAILED_PRECONDITION,
        intake.CompleteCallback(
            intake_pb2.CompleteCallbackRequest(idempotency_key=key(), callback_id=follow_up.id, outcome="done")
        ),
    )
    # Completing the call without the missing elements is refused, naming each.
    refusal = await refused(
        grpc.StatusCode.INVALID_ARGUMENT,
        intake.CompleteCall(
            intake_pb2.CompleteCallRequest(idempotency_key=key(), call_id=call.id, result="已转告 passed on")
        ),
    )
    assert {v.field for v in field_violations(refusal)} == {f"notice.{m}" for m in missing}
    assert call.id in await open_notices(gatherer)

    done = await intake.CompleteCall(
        intake_pb2.CompleteCallRequest(
            idempotency_key=key(),
            call_id=call.id,
            result="已通知参会人员 participants told",
            notice=intake_pb2.NoticeElements(
                meeting_time=ts(datetime.now(UTC) + timedelta(days=1)),
                place="市政府3号会议室 City hall room 3",
                participants="各区值班领导 district duty leaders",
                issuing_person="王科长 Section chief Wang",
            ),
        )
    )
    assert list(done.notice_missing) == [] and list(done.record.missing) == []
    assert done.notice.issuing_unit == "市应急管理局 City emergency bureau"  # kept as given at registration
    assert (await follow_up_of(intake, call.id)).status == "completed"
    assert call.id not in await open_notices(gatherer)


async def test_a_notice_completed_through_complete_notice_closes_its_follow_up(intake: Any) -> None:
    registered = await intake.RegisterCall(
        notice_call(
            content="节前安全检查 holiday safety checks",
            place="各单位 every unit",
            participants="值班人员 duty staff",
            issuing_unit="省政府办公厅 Provincial office",
            issuing_person="李处长 Director Li",
        )
    )
    assert list(registered.call.notice_missing) == ["meeting_time"]
    follow_up = await follow_up_of(intake, registered.call.id)
    await intake.CompleteNotice(
        intake_pb2.CompleteNoticeRequest(
            idempotency_key=key(),
            call_id=registered.call.id,
            notice=intake_pb2.NoticeElements(meeting_time=ts(datetime.now(UTC) + timedelta(hours=3))),
        )
    )
    closed = await follow_up_of(intake, registered.call.id)
    assert (closed.id, closed.status) == (follow_up.id, "completed")


async def test_a_whole_notice_has_no_follow_up(intake: Any) -> None:
    registered = await intake.RegisterCall(
        notice_call(
            content="节前安全检查 holiday safety checks",
            place="各单位 every unit",
            participants="值班人员 duty staff",
            issuing_unit="省政府办公厅 Provincial office",
            issuing_person="李处长 Director Li",
        )
    )
    whole = call_request(
        intake_pb2.CALL_CATEGORY_NOTICE,
        channel=intake_pb2.CHANNEL_SUPERIOR_NOTICE,
        actions_taken="已转告 passed on",
        notice=intake_pb2.NoticeElements(
            meeting_time=ts(datetime.now(UTC) + timedelta(hours=3)),
            place="各单位 every unit",
            content="节前安全检查 holiday safety checks",
            participants="值班人员 duty staff",
            issuing_unit="省政府办公厅 Provincial office",
            issuing_person="李处长 Director Li",
        ),
    )
    complete = await intake.RegisterCall(whole)
    assert list(complete.call.notice_missing) == [] and list(complete.call.record.missing) == []
    listed = await intake.ListCallbacks(
        intake_pb2.ListCallbacksRequest(site_id="hz-01", page=common_pb2.PageRequest(page_size=500))
    )
    assert {c.call_id for c in listed.callbacks if c.kind == "notice"} >= {registered.call.id}
    assert complete.call.id not in {c.call_id for c in listed.callbacks}
