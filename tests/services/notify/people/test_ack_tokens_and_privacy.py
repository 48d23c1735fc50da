"""Issue 14, findings 12 and 21 on the real stack: notification events and the answer to an
acknowledgement by token name no contact address; a token works once, expires, and wrong tokens
are rate limited."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from importlib import resources
from typing import Any

import asyncpg
import grpc
import pytest

from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.notify.people import store
from services.notify.people.channels.base import mask_address
from tests.services.notify.people.test_notifications import ADMIN, gateway_message, json_text, notify, send, settled
from tests.support import events_about

pytestmark = pytest.mark.stack
__all__ = ["notify"]  # the fixture, shared with test_notifications


async def delivered_with_token(platform: Any, notify: Any) -> tuple[notify_pb2.Notification, str]:
    reply = await notify.Send(send("hz-01", notify_pb2.Recipient(person_id="p-hz-leader-1"), channel="email"))
    sent = await settled(notify, reply.notifications[0].id, "delivered")
    token = re.search(r"--token (\S+)", json_text(await gateway_message(platform, sent.id, "email")))
    assert token is not None
    return sent, token.group(1)


async def acknowledge(platform: Any, notification_id: str, token: str) -> notify_pb2.Notification:
    async with grpc.aio.insecure_channel(platform.address("notify")) as anonymous:
        return await notify_pb2_grpc.NotifyServiceStub(anonymous).Acknowledge(
            notify_pb2.AcknowledgeRequest(
                idempotency_key=str(uuid.uuid4()), notification_id=notification_id, ack_token=token
            )
        )


async def test_events_and_the_token_answer_name_no_address_and_a_token_works_once(platform: Any, notify: Any) -> None:
    sent, token = await delivered_with_token(platform, notify)
    # A reader sees the address masked, enough to tell channels apart.
    assert sent.attempts[-1].address and "***" in sent.attempts[-1].address
    acked = await acknowledge(platform, sent.id, token)
    assert acked.status == "acknowledged" and acked.acknowledged_by == "p-hz-leader-1"
    assert [a.address for a in acked.attempts] == [""] * len(acked.attempts)
    # The token again: already acknowledged, nothing changes.
    again = await acknowledge(platform, sent.id, token)
    assert again.status == "acknowledged" and again.acknowledged_at == acked.acknowledged_at
    await asyncio.sleep(1.0)  # the relay publishes within milliseconds
    events = await events_about(platform, sent.id)
    types = [e.type for e in events]
    assert "notification.delivered" in types and types.count("notification.acknowledged") == 1
    for event in events:
        changed = event_pb2.NotificationChanged()
        assert event.payload.Unpack(changed)
        assert all(a.address == "" for a in changed.notification.attempts), event.type


async def test_an_expired_token_is_refused(platform: Any, notify: Any) -> None:
    sent, token = await delivered_with_token(platform, notify)
    conn = await asyncpg.connect(platform.postgres.dsn)
    try:
        await conn.execute(
            "UPDATE notify.notifications SET created_at = now() - interval '25 hours' WHERE id = $1", sent.id
        )
    finally:
        await conn.close()
    with pytest.raises(grpc.aio.AioRpcError) as expired:
        await acknowledge(platform, sent.id, token)
    assert expired.value.code() == grpc.StatusCode.UNAUTHENTICATED and "expired" in str(expired.value.details())
    still = await notify.GetNotification(notify_pb2.GetNotificationRequest(notification_id=sent.id))
    assert still.status == "delivered"


async def test_wrong_tokens_are_rate_limited(platform: Any, notify: Any) -> None:
    sent, token = await delivered_with_token(platform, notify)
    try:
        for _ in range(5):
            with pytest.raises(grpc.aio.AioRpcError) as wrong:
                await acknowledge(platform, sent.id, "a" * len(token))
            assert wrong.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # Enough guesses: even the right token waits until the window has passed.
        for guess in ("a" * len(token), token):
            with pytest.raises(grpc.aio.AioRpcError) as limited:
                await acknowledge(platform, sent.id, guess)
            assert limited.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        still = await notify.GetNotification(notify_pb2.GetNotificationRequest(notification_id=sent.id))
        assert still.status == "delivered"
    finally:
        # The tests share one source address: leave its count as it was.
        conn = await asyncpg.connect(platform.postgres.dsn)
        try:
            await conn.execute("DELETE FROM notify.ack_token_failures WHERE target = $1", sent.id)
        finally:
            await conn.close()


async def test_staff_contacts_are_sealed_at_rest(platform: Any, notify: Any) -> None:
    """DESIGN §4: the addresses a notification goes to are stored sealed; attempts keep them masked."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        person = await roster_pb2_grpc.RosterServiceStub(ch).GetPerson(
            roster_pb2.GetPersonRequest(person_id="p-hz-leader-1")
        )
    addresses = [c.address for c in person.contacts if c.address]
    assert addresses
    sent, _ = await delivered_with_token(platform, notify)
    conn = await asyncpg.connect(platform.postgres.dsn)
    try:
        routes = await conn.fetchval("SELECT routes::text FROM notify.notifications WHERE id = $1", sent.id)
        attempts = await conn.fetch("SELECT address FROM notify.delivery_attempts WHERE notification_id = $1", sent.id)
    finally:
        await conn.close()
    stored = routes + " ".join(a["address"] for a in attempts)
    assert attempts and all(address not in stored for address in addresses), stored


async def test_contacts_stored_before_are_sealed_and_masked(platform: Any, notify: Any) -> None:
    """Rows of an existing state directory: clear routes are sealed by notify's sweep (here at once)
    and still deliver; clear attempt addresses are masked by the migration, as readers see them."""
    sent, _ = await delivered_with_token(platform, notify)
    conn = await asyncpg.connect(platform.postgres.dsn, server_settings={"search_path": "notify"})
    try:
        clear = (await store.get_notification(conn, notification_id=sent.id)).routes  # type: ignore[union-attr]
        legacy = json.dumps([{"channel": r.channel, "address": r.address} for r in clear])
        await conn.execute("UPDATE notifications SET routes = $2::jsonb WHERE id = $1", sent.id, legacy)
        while await store.seal_clear_routes(conn):
            pass
        routes = await conn.fetchval("SELECT routes::text FROM notifications WHERE id = $1", sent.id)
        assert all(r.address not in routes for r in clear if r.address)
        assert (await store.get_notification(conn, notification_id=sent.id)).routes == clear  # type: ignore[union-attr]

        examples = ["13900001111", "leader@demo.dutyline.local", "https://u:p@im.example.org/hook?token=s3cret", "110"]
        await conn.execute(
            "INSERT INTO delivery_attempts (id, notification_id, attempt, channel, address, at, status,"
            " provider_answer) SELECT 'legacy:' || n || ':' || $1, $1, n, 'sms', a, now(), 'failed', ''"
            " FROM unnest($2::text[]) WITH ORDINALITY AS x(a, n)",
            sent.id,
            examples,
        )
        migration = resources.files("services.notify.migrations").joinpath("0004_contacts_sealed.sql").read_text()
        await conn.execute(migration.split("CREATE INDEX")[0])
        masked = await conn.fetch(
            "SELECT address FROM delivery_attempts WHERE notification_id = $1 AND id LIKE 'legacy:%' ORDER BY attempt",
            sent.id,
        )
    finally:
        await conn.close()
    assert [m["address"] for m in masked] == [mask_address(a) for a in examples]
