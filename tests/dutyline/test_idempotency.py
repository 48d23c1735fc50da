"""Idempotency keys on the real PostgreSQL: scoped to their caller, remembered by a keyed hash, purged."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, set_principal
from dutyline.intake.v1 import intake_pb2
from tests.support import kit_schema


@pytest.fixture
async def pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    async with kit_schema(platform.postgres.dsn, "idem") as schema:
        pool = await asyncpg.create_pool(
            platform.postgres.dsn, server_settings={"search_path": schema}, min_size=1, max_size=2
        )
        yield pool
        await pool.close()


def as_caller(person_id: str) -> None:
    set_principal(Principal(person_id=person_id, roles=("officer",), sites=("hz-01",)))


REQUEST = intake_pb2.EscalateCallRequest(idempotency_key="escalate:call-1", call_id="call-1")


async def test_another_callers_key_does_not_preempt_the_first(pool: asyncpg.Pool) -> None:
    """Finding 11: someone who sends the key intake will use first does not take its answer away."""
    mallory = intake_pb2.Call(id="call-1", summary="mallory's")
    intake_answer = intake_pb2.Call(id="call-1", summary="intake's")
    async with pool.acquire() as conn:
        as_caller("p-mallory")
        assert await idempotency.claim(conn, method="EscalateCall", key="k", request=REQUEST, response=mallory) is None
        as_caller("system:intake")
        # Intake's claim is its own: new, so intake goes ahead and writes.
        assert (
            await idempotency.claim(conn, method="EscalateCall", key="k", request=REQUEST, response=intake_answer)
            is None
        )
        # And a retry by intake replays intake's answer, not mallory's.
        again = await idempotency.claim(conn, method="EscalateCall", key="k", request=REQUEST, response=mallory)
        assert again is not None and again.summary == "intake's"


async def test_a_key_sent_for_a_person_is_the_components_own(pool: asyncpg.Pool) -> None:
    """Intake opens an incident for the officer while they wait, and retries later as itself: the
    retry finds the first answer, whoever the first attempt acted for."""
    first = intake_pb2.Call(id="call-1", summary="first")
    async with pool.acquire() as conn:
        set_principal(Principal(person_id="p-officer", roles=("officer",), sites=("hz-01",), via="system:intake"))
        assert await idempotency.claim(conn, method="OpenIncident", key="k", request=REQUEST, response=first) is None
        as_caller("system:intake")
        again = await idempotency.claim(
            conn, method="OpenIncident", key="k", request=REQUEST, response=intake_pb2.Call()
        )
        assert again is not None and again.summary == "first"
        # The officer's own key of the same name is theirs, not intake's.
        as_caller("p-officer")
        assert await idempotency.claim(conn, method="OpenIncident", key="k", request=REQUEST, response=first) is None


async def test_the_table_keeps_no_plain_digest_of_the_request(pool: asyncpg.Pool) -> None:
    """Finding 13: a guessed request cannot be checked against the stored hash without the key."""
    as_caller("p-officer")
    async with pool.acquire() as conn:
        await idempotency.claim(conn, method="EscalateCall", key="k", request=REQUEST, response=intake_pb2.Call())
        stored = await conn.fetchval("SELECT request_hash FROM idempotency WHERE key = 'k'")
    assert bytes(stored) != hashlib.sha256(REQUEST.SerializeToString(deterministic=True)).digest()
    idempotency.configure("another-deployment")
    try:
        assert idempotency._request_hash(REQUEST) != bytes(stored)
    finally:
        idempotency.configure(idempotency.DEV_IDEMPOTENCY_KEY)


async def test_old_keys_are_purged(pool: asyncpg.Pool) -> None:
    """Finding 23: keys older than the retention go; recent ones stay (a retry still replays)."""
    as_caller("p-officer")
    async with pool.acquire() as conn:
        for key in ("old", "new"):
            await idempotency.claim(conn, method="EscalateCall", key=key, request=REQUEST, response=intake_pb2.Call())
        await conn.execute("UPDATE idempotency SET created_at = now() - interval '8 days' WHERE key = 'old'")
    assert await idempotency.purge(pool, older_than=timedelta(days=7)) == 1
    async with pool.acquire() as conn:
        assert [r["key"] for r in await conn.fetch("SELECT key FROM idempotency")] == ["new"]


async def test_on_the_stack_one_callers_key_is_not_anothers(platform: Any) -> None:
    """The same key from two people: two sends, each answered for itself (not "already used", and
    not the other's notifications), and each one's retry replays its own."""
    from dutyline.grpckit.client import channel
    from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
    from tests.support import token_for

    key = f"shared-{uuid.uuid4()}"

    async def send(person: str, title: str) -> list[str]:
        async with channel(platform.address("notify"), token_for(person, ["admin"], ["*"])) as ch:
            answer = await notify_pb2_grpc.NotifyServiceStub(ch).Send(
                notify_pb2.SendRequest(
                    idempotency_key=key,
                    site_id="hz-01",
                    recipients=[notify_pb2.Recipient(person_id="p-hz-leader-1")],
                    template="incident_registered",
                    data={"incident_id": "inc-test", "title": title, "place": "文三路"},
                    drill=True,
                )
            )
        return [n.id for n in answer.notifications]

    first = await send("p-admin-a", "演练一 drill one")
    second = await send("p-admin-b", "演练二 drill two")
    assert len(first) == len(second) == 1 and first != second
    assert await send("p-admin-b", "演练二 drill two") == second


async def test_an_incident_step_with_anothers_key_is_its_own(platform: Any, intake: Any) -> None:
    """A step of the incident process is a workflow update named by its key: another person's same
    key must not be taken for a retry of the first (which would answer with the first's entry)."""
    from dutyline.grpckit.client import channel
    from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
    from tests.e2e.test_emergency_call_slice import emergency_call
    from tests.support import token_for

    incident_id = (await intake.RegisterCall(emergency_call(), timeout=20)).incident_id
    key = f"shared-{uuid.uuid4()}"
    entries = []
    for person, text in (("p-admin-a", "已关阀 valve closed"), ("p-admin-b", "已疏散 evacuated")):
        async with channel(platform.address("incident"), token_for(person, ["admin"], ["*"])) as ch:
            entries.append(
                await incident_pb2_grpc.IncidentServiceStub(ch).AddProgress(
                    incident_pb2.AddProgressRequest(idempotency_key=key, incident_id=incident_id, text=text)
                )
            )
    assert "valve closed" in entries[0].text and "evacuated" in entries[1].text
