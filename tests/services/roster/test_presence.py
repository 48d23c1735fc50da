"""Presence on duty (在岗) on the real stack: an officer checking out in the middle of the shift is
charged early leave (早退: checkout.recorded carries it, and the alert's workflow runs), once however
often the call is retried; a presence check (在岗抽查) asked by the duty leader is confirmed by the
officer; the CLI does the same in zh-CN and English; bad input is refused at the field."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest
from temporalio.client import Client
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.roster.v1 import presence_pb2, roster_pb2, roster_pb2_grpc
from tests.e2e.test_emergency_call_slice import stream_events
from tests.support import staffed_site, token_for
from workflows.presence.types import early_leave_workflow_id, presence_check_workflow_id

pytestmark = pytest.mark.stack

SITE = "t-presence"
ADMIN = token_for("p-admin", ["admin"], ["*"])
CHECK_ID = re.compile(r"pc-[0-9A-Z]{26}")


def key() -> str:
    return str(uuid.uuid4())


async def expect(code: grpc.StatusCode, call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


@pytest.fixture(scope="module")
async def on_duty(platform: Any) -> list[roster_pb2.DutyPerson]:
    """The two officers of a fresh site on duty now (day 08-20 and night 20-08, from yesterday on)."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        admin = roster_pb2_grpc.RosterServiceStub(ch)
        await staffed_site(admin, SITE, officers=2, leaders=1, officers_per_shift=2, leader_needed=False)
        start = datetime.combine(date.today() - timedelta(days=1), time(8), tzinfo=ZoneInfo("Asia/Shanghai"))
        period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=3)))
        published = await admin.PublishRoster(
            roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id=SITE, period=period), timeout=30
        )
        assert published.published, published.gaps
        officers = (await admin.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=SITE))).officers
    assert len(officers) == 2
    return list(officers)


async def test_checking_out_early_is_early_leave_and_a_presence_check_is_confirmed(
    platform: Any, on_duty: list[roster_pb2.DutyPerson]
) -> None:
    officer = on_duty[0]
    async with (
        channel(platform.address("roster"), token_for(officer.person_id, ["officer"], [SITE])) as mine,
        channel(platform.address("roster"), token_for(f"{SITE}-l1", ["leader"], [SITE])) as leaders,
        channel(platform.address("roster"), token_for("p-other", ["officer"], [SITE])) as others,
    ):
        me, leader, other = (roster_pb2_grpc.RosterServiceStub(c) for c in (mine, leaders, others))
        check_out = presence_pb2.CheckOutRequest(idempotency_key=key(), assignment_id=officer.assignment_id)
        await expect(grpc.StatusCode.FAILED_PRECONDITION, me.CheckOut(check_out))  # not checked in yet
        await me.CheckIn(roster_pb2.CheckInRequest(idempotency_key=key(), assignment_id=officer.assignment_id))

        # 在岗抽查: the duty leader asks the officer (by person), the officer confirms; only the leader asks.
        ask = presence_pb2.RequestPresenceCheckRequest(idempotency_key=key(), person_id=officer.person_id)
        await expect(grpc.StatusCode.PERMISSION_DENIED, other.RequestPresenceCheck(ask))
        check = await leader.RequestPresenceCheck(ask)
        assert (check.assignment_id, check.status) == (officer.assignment_id, "pending")
        assert check.due_at.ToDatetime() - check.requested_at.ToDatetime() == timedelta(minutes=10)
        confirm = presence_pb2.ConfirmPresenceRequest(idempotency_key=key(), check_id=check.id)
        await expect(grpc.StatusCode.PERMISSION_DENIED, other.ConfirmPresence(confirm))
        confirmed = await me.ConfirmPresence(confirm)
        assert (confirmed.status, confirmed.confirmed_via) == ("confirmed", "confirm")

        # Leaving in the middle of the shift, with no handover accepted and no release: 早退.
        await expect(grpc.StatusCode.PERMISSION_DENIED, other.CheckOut(check_out))
        record = await me.CheckOut(check_out)
        assert record.check_out_status == "early_leave" and record.early_seconds > 0
        assert await me.CheckOut(check_out) == record  # a retry duplicates nothing
        again = presence_pb2.CheckOutRequest(idempotency_key=key(), assignment_id=officer.assignment_id)
        await expect(grpc.StatusCode.FAILED_PRECONDITION, me.CheckOut(again))

    events = await stream_events(platform, aggregate_ids={officer.assignment_id, check.id}, count=4)
    types = [e.type for _, e in events]
    assert types.count("checkout.recorded") == 1
    assert {"presence.requested", "presence.confirmed"} <= set(types)
    checked_out = next(e for _, e in events if e.type == "checkout.recorded")
    payload = roster_pb2.CheckInRecord()
    checked_out.payload.Unpack(payload)
    assert (payload.person_id, payload.check_out_status) == (officer.person_id, "early_leave")

    # The duty leader's alert ran; the confirmed check ended before its deadline.
    client = await Client.connect(platform.temporal.address)
    await client.get_workflow_handle(early_leave_workflow_id(officer.assignment_id)).result(
        rpc_timeout=timedelta(seconds=30)
    )
    assert await client.get_workflow_handle(presence_check_workflow_id(check.id)).result() == "confirmed"


async def test_the_cli_asks_confirms_and_checks_out_in_chinese_and_english(
    platform: Any, on_duty: list[roster_pb2.DutyPerson], tmp_path: Path
) -> None:
    officer = on_duty[1]
    me, leader = token_for(officer.person_id, ["officer"], [SITE]), token_for(f"{SITE}-l1", ["leader"], [SITE])

    async def roster(token: str, *args: str, locale: str = "zh_CN.UTF-8") -> str:
        env = {"COLUMNS": "200", "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"), "LANG": locale}
        env |= {"DUTYLINE_TOKEN": None, "LC_ALL": None, "LC_MESSAGES": None}
        argv = ["roster", "--token", token, "--state-dir", str(tmp_path), *args]
        result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    asked = await roster(leader, "presence", "check", officer.person_id, "--minutes", "5")
    assert "已发出在岗抽查" in asked and officer.assignment_id in asked
    check_id = CHECK_ID.findall(asked)[0]
    confirmed = await roster(me, "presence", "confirm", check_id, locale="en_US.UTF-8")
    assert confirmed.startswith(f"Presence confirmed (check {check_id})")
    await roster(me, "checkin", "--assignment", officer.assignment_id)
    left = await roster(me, "checkout", "--assignment", officer.assignment_id)
    assert left.startswith("已签退（早退，提前") and officer.assignment_id in left


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (presence_pb2.RequestPresenceCheckRequest(idempotency_key="k"), "target"),
        (presence_pb2.RequestPresenceCheckRequest(idempotency_key="k", person_id="a b"), "person_id"),
        (
            presence_pb2.RequestPresenceCheckRequest(idempotency_key="k", person_id="p", answer_minutes=121),
            "answer_minutes",
        ),
        (presence_pb2.CheckOutRequest(idempotency_key="k", assignment_id=""), "assignment_id"),
        (presence_pb2.CheckOutRequest(idempotency_key="", assignment_id="a-1"), "idempotency_key"),
        (presence_pb2.ConfirmPresenceRequest(idempotency_key="k", check_id=""), "check_id"),
    ],
)
async def test_bad_input_is_refused_at_the_field(platform: Any, request_: Any, field: str) -> None:
    async with channel(platform.address("roster"), ADMIN) as ch:
        stub = roster_pb2_grpc.RosterServiceStub(ch)
        method = {
            "RequestPresenceCheckRequest": stub.RequestPresenceCheck,
            "CheckOutRequest": stub.CheckOut,
            "ConfirmPresenceRequest": stub.ConfirmPresence,
        }[type(request_).__name__]
        err = await expect(grpc.StatusCode.INVALID_ARGUMENT, method(request_))
    assert field in {v.field for v in field_violations(err)}
