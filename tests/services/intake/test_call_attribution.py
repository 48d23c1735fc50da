"""Issue 14, finding 19: who answered a call, and who answers for an incident's reports, is the
authenticated caller. An officer cannot charge a call or an incident to a colleague; a leader or an
admin may (the event then records who did it); a time ahead of the server's clock is refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from tests.e2e.test_emergency_call_slice import emergency_call, stream_events
from tests.support import token_for

pytestmark = pytest.mark.stack

LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])


def consultation(**fields: Any) -> intake_pb2.RegisterCallRequest:
    return emergency_call(category=intake_pb2.CALL_CATEGORY_CONSULTATION, summary=f"t-{uuid.uuid4()}", **fields)


async def test_an_officer_registers_calls_only_as_themselves(
    platform: Any, intake: Any, on_duty_officer: str, db: asyncpg.Connection
) -> None:
    colleague = "p-hz-officer-2" if on_duty_officer != "p-hz-officer-2" else "p-hz-officer-1"
    charged = consultation(officer_id=colleague)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake.RegisterCall(charged)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "leader" in (err.value.details() or "")
    assert await db.fetchval("SELECT count(*) FROM intake.calls WHERE summary = $1", charged.summary) == 0

    # Naming oneself is what leaving it empty does.
    own = await intake.RegisterCall(consultation(officer_id=on_duty_officer))
    assert own.call.officer_id == on_duty_officer

    # A leader registers a call an officer took (written up afterwards): recorded as the leader's doing.
    async with channel(platform.address("intake"), LEADER) as ch:
        reply = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(consultation(officer_id=colleague))
    assert reply.call.officer_id == colleague
    [(_, registered)] = await stream_events(platform, aggregate_ids={reply.call.id}, count=1)
    assert registered.actor.person_id == "p-hz-leader-1"


async def test_a_call_answered_ahead_of_the_servers_clock_is_refused(intake: Any) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=10)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake.RegisterCall(consultation(ring_started_at=ahead, answered_at=ahead))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_only_a_leader_names_someone_else_first_responder(
    platform: Any, incidents: Any, on_duty_officer: str, db: asyncpg.Connection
) -> None:
    colleague = "p-hz-officer-2" if on_duty_officer != "p-hz-officer-2" else "p-hz-officer-1"

    def request(**fields: Any) -> incident_pb2.OpenIncidentRequest:
        return incident_pb2.OpenIncidentRequest(
            idempotency_key=str(uuid.uuid4()), site_id="hz-01", title=f"t-{uuid.uuid4()}", drill=True, **fields
        )

    charged = request(first_responder_id=colleague)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await incidents.OpenIncident(charged)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await db.fetchval("SELECT count(*) FROM incident.incidents WHERE title = $1", charged.title) == 0

    mine = await incidents.OpenIncident(request())
    assert mine.incident.first_responder_id == on_duty_officer
    async with channel(platform.address("incident"), LEADER) as ch:
        named = await incident_pb2_grpc.IncidentServiceStub(ch).OpenIncident(request(first_responder_id=colleague))
    assert named.incident.first_responder_id == colleague
