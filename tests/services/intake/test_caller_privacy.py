"""Issue 14, findings 12 and 13 on the real stack: the caller's unit and address are sealed at rest,
masked in answers and events; sealed values are bound to their row and field; rows sealed before
that are re-sealed and still reveal."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import grpc
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dutyline.intake.v1 import intake_pb2
from dutyline.privacy import NONCE_BYTES, CallerCipher
from services.intake.caller_data import CallerVault
from services.intake.settings import DEV_CALLER_KEY
from tests.services.intake.test_intake_service import PHONE, call_request, nb_intake
from tests.support import events_about

pytestmark = pytest.mark.stack
__all__ = ["nb_intake"]  # the fixture, shared with test_intake_service

UNIT = "宁波市某化工厂安全科"
ADDRESS = "宁波市镇海区招宝山街道平海路1188号"


def consultation(**caller: str) -> intake_pb2.RegisterCallRequest:
    return call_request(
        "咨询 question",
        29.9,
        121.7,
        category=intake_pb2.CALL_CATEGORY_CONSULTATION,
        caller=intake_pb2.Caller(**({"name": "赵六", "phone": PHONE, "unit": UNIT, "address": ADDRESS} | caller)),
    )


@pytest.fixture
async def intake_db(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(
        platform.postgres.dsn, server_settings={"search_path": "intake"}, min_size=1, max_size=2
    )
    yield pool
    await pool.close()


async def test_unit_and_address_are_sealed_and_masked_everywhere_but_the_reveal(
    platform: Any, nb_intake: Any, intake_db: asyncpg.Pool
) -> None:
    reply = await nb_intake.RegisterCall(consultation())
    # A change of the call publishes it whole (CallChanged): masked too.
    await nb_intake.ReclassifyCall(
        intake_pb2.ReclassifyCallRequest(
            idempotency_key=str(uuid.uuid4()),
            call_id=reply.call.id,
            category=intake_pb2.CALL_CATEGORY_COMPLAINT,
            reason="其实是投诉 a complaint after all",
        )
    )
    read = await nb_intake.GetCall(intake_pb2.GetCallRequest(call_id=reply.call.id))
    for shown in (reply.call.caller, read.caller):
        assert shown.unit == "宁波市" + "*" * (len(UNIT) - 3) and shown.address.startswith("宁波市镇")
        assert ADDRESS not in shown.address and "*" in shown.address
    async with intake_db.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM calls WHERE id = $1", reply.call.id)
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in dict(row).values())
    assert UNIT.encode() not in stored and ADDRESS.encode() not in stored
    assert row["caller_unit_enc"] and row["caller_address_enc"]
    events = await events_about(platform, reply.call.id)
    assert {e.type for e in events} >= {"call.registered", "call.reclassified"}
    for event in events:
        published = event.SerializeToString()
        assert UNIT.encode() not in published and ADDRESS.encode() not in published, event.type
    revealed = await nb_intake.RevealCaller(
        intake_pb2.RevealCallerRequest(call_id=reply.call.id, reason="回访 callback")
    )
    assert (revealed.caller.unit, revealed.caller.address, revealed.caller.phone) == (UNIT, ADDRESS, PHONE)


async def test_a_sealed_value_moved_to_another_call_does_not_reveal(nb_intake: Any, intake_db: asyncpg.Pool) -> None:
    first = await nb_intake.RegisterCall(consultation())
    second = await nb_intake.RegisterCall(consultation(phone="13700001111"))
    async with intake_db.acquire() as conn:
        await conn.execute(
            "UPDATE calls SET caller_phone_enc = (SELECT caller_phone_enc FROM calls WHERE id = $2) WHERE id = $1",
            first.call.id,
            second.call.id,
        )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await nb_intake.RevealCaller(intake_pb2.RevealCallerRequest(call_id=first.call.id, reason="回访 callback"))
    assert "13700001111" not in str(refused.value.details())


async def test_calls_from_before_are_resealed_and_still_reveal(nb_intake: Any, intake_db: asyncpg.Pool) -> None:
    """A row as an older intake wrote it: unit and address in clear, the number bound to the key only."""
    reply = await nb_intake.RegisterCall(consultation())
    key_id, _, encoded = DEV_CALLER_KEY.partition(":")
    nonce = os.urandom(NONCE_BYTES)
    legacy_phone = nonce + AESGCM(base64.b64decode(encoded)).encrypt(nonce, PHONE.encode(), key_id.encode())
    async with intake_db.acquire() as conn:
        await conn.execute(
            """UPDATE calls SET caller_phone_enc = $2, caller_unit = $3, caller_address = $4, caller_unit_enc = NULL,
                   caller_address_enc = NULL, caller_unit_masked = '', caller_address_masked = '' WHERE id = $1""",
            reply.call.id,
            legacy_phone,
            UNIT,
            ADDRESS,
        )
    before = await nb_intake.RevealCaller(intake_pb2.RevealCallerRequest(call_id=reply.call.id, reason="核实 check"))
    assert (before.caller.unit, before.caller.phone) == (UNIT, PHONE)
    # Intake's sweep does this every half minute; here at once (it skips rows the sweep holds).
    vault = CallerVault(CallerCipher(DEV_CALLER_KEY))
    while await vault.reseal(intake_db):
        pass
    async with intake_db.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM calls WHERE id = $1", reply.call.id)
    assert row["caller_unit"] == "" and row["caller_address"] == "" and bytes(row["caller_phone_enc"]) != legacy_phone
    after = await nb_intake.RevealCaller(intake_pb2.RevealCallerRequest(call_id=reply.call.id, reason="核实 check"))
    assert (after.caller.unit, after.caller.address, after.caller.phone) == (UNIT, ADDRESS, PHONE)
    shown = await nb_intake.GetCall(intake_pb2.GetCallRequest(call_id=reply.call.id))
    assert ADDRESS not in shown.caller.address and "*" in shown.caller.address
