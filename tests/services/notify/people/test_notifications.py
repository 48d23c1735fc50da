"""NotifyService on the real stack: notifications resolved through roster, delivered by the local
gateway (a real SMTP and HTTP server), retried and then moved to the next channel, acknowledged
by the person or with the message's one-time token."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.stack.platform import FAILING_ADDRESS
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])


@pytest.fixture
async def notify(platform: Any) -> AsyncIterator[notify_pb2_grpc.NotifyServiceStub]:
    async with channel(platform.address("notify"), ADMIN) as ch:
        yield notify_pb2_grpc.NotifyServiceStub(ch)


async def settled(notify: notify_pb2_grpc.NotifyServiceStub, notification_id: str, *statuses: str) -> Any:
    """The notification once its status is one of ``statuses`` (delivery runs in the background)."""
    for _ in range(200):
        found = await notify.GetNotification(notify_pb2.GetNotificationRequest(notification_id=notification_id))
        if found.status in statuses:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{notification_id} stayed {found.status}: {found}")


async def gateway_message(platform: Any, notification_id: str, channel_name: str) -> dict[str, Any]:
    for _ in range(100):
        for message in platform.gateway_messages(channel_name):
            if notification_id in json_text(message):
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {channel_name} message for {notification_id} at the gateway")


def json_text(message: dict[str, Any]) -> str:
    return " ".join(str(v) for v in message.values())


def send(site_id: str, *recipients: notify_pb2.Recipient, **fields: Any) -> notify_pb2.SendRequest:
    fields.setdefault("template", "incident_registered")
    fields.setdefault("data", {"incident_id": "inc-test", "title": "燃气泄漏 Gas leak", "place": "文三路"})
    return notify_pb2.SendRequest(
        idempotency_key=str(uuid.uuid4()), site_id=site_id, recipients=list(recipients), **fields
    )


async def test_the_duty_leader_by_role_is_reached_through_the_gateway(platform: Any, notify: Any) -> None:
    leader = notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id="hz-01", role=common_pb2.ROLE_LEADER))
    reply = await notify.Send(send("hz-01", leader, channel="email"))
    assert reply.notifications and all(n.person_id.startswith("p-hz-leader") for n in reply.notifications)
    first = await settled(notify, reply.notifications[0].id, "delivered")
    assert first.attempts[-1].channel == "email" and first.attempts[-1].status == "delivered"
    mail = await gateway_message(platform, first.id, "email")
    assert "燃气泄漏" in json_text(mail)
    # The message carries how to acknowledge it, with a token the stored body never shows.
    assert "dutyline notify ack" in json_text(mail) and "--token" not in first.body


async def test_a_failing_gateway_is_retried_then_the_next_channel_is_used(platform: Any, notify: Any) -> None:
    async with channel(platform.address("roster"), ADMIN) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).UpsertPerson(
            roster_pb2.UpsertPersonRequest(
                idempotency_key=str(uuid.uuid4()),
                person=roster_pb2.Person(
                    id="p-hz-fallback",
                    display_name="回退测试 Fallback",
                    site_id="hz-01",
                    roles=[common_pb2.ROLE_OFFICER],
                    contacts=[
                        roster_pb2.ContactMethod(channel="sms", address=FAILING_ADDRESS),
                        roster_pb2.ContactMethod(channel="email", address="fallback@demo.dutyline.local"),
                    ],
                ),
            )
        )
    reply = await notify.Send(send("hz-01", notify_pb2.Recipient(person_id="p-hz-fallback")))
    found = await settled(notify, reply.notifications[0].id, "delivered", "failed")
    assert [(a.channel, a.status) for a in found.attempts] == [
        ("sms", "failed"),
        ("sms", "failed"),
        ("sms", "failed"),
        ("email", "delivered"),
    ]
    assert "503" in found.attempts[0].provider_answer
    await gateway_message(platform, found.id, "email")


async def test_acknowledging_by_token_needs_no_login_and_happens_once(platform: Any, notify: Any) -> None:
    reply = await notify.Send(send("hz-01", notify_pb2.Recipient(person_id="p-hz-leader-1"), channel="email"))
    sent = await settled(notify, reply.notifications[0].id, "delivered")
    mail = await gateway_message(platform, sent.id, "email")
    token = re.search(r"--token (\S+)", json_text(mail))
    assert token is not None
    async with grpc.aio.insecure_channel(platform.address("notify")) as anonymous:
        stub = notify_pb2_grpc.NotifyServiceStub(anonymous)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.Acknowledge(
                notify_pb2.AcknowledgeRequest(idempotency_key="k1", notification_id=sent.id, ack_token="wrong")
            )
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as nobody:
            await stub.Acknowledge(notify_pb2.AcknowledgeRequest(idempotency_key="k2", notification_id=sent.id))
        assert nobody.value.code() == grpc.StatusCode.UNAUTHENTICATED
        acked = await stub.Acknowledge(
            notify_pb2.AcknowledgeRequest(
                idempotency_key=str(uuid.uuid4()), notification_id=sent.id, ack_token=token.group(1)
            )
        )
    assert acked.status == "acknowledged" and acked.acknowledged_by == "p-hz-leader-1"
    # Another person cannot acknowledge for the leader; the leader again changes nothing.
    async with channel(platform.address("notify"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as other:
            await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
                notify_pb2.AcknowledgeRequest(idempotency_key=str(uuid.uuid4()), notification_id=sent.id)
            )
        assert other.value.code() == grpc.StatusCode.PERMISSION_DENIED
    async with channel(platform.address("notify"), token_for("p-hz-leader-1", ["leader"], ["hz-01"])) as ch:
        again = await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
            notify_pb2.AcknowledgeRequest(idempotency_key=str(uuid.uuid4()), notification_id=sent.id)
        )
    assert again.acknowledged_at == acked.acknowledged_at


async def test_a_retried_send_queues_nothing_new(notify: Any) -> None:
    request = send("hz-01", notify_pb2.Recipient(person_id="p-hz-officer-2"), channel="console")
    first = await notify.Send(request)
    second = await notify.Send(request)
    assert [n.id for n in first.notifications] == [n.id for n in second.notifications]
    listed = await notify.ListNotifications(
        notify_pb2.ListNotificationsRequest(person_id="p-hz-officer-2", ref_id="", page=common_pb2.PageRequest())
    )
    assert sum(1 for n in listed.notifications if n.id == first.notifications[0].id) == 1
    shown = await settled(notify, first.notifications[0].id, "delivered")
    assert shown.attempts[0].channel == "console"


async def test_bad_sends_are_refused_with_field_violations(notify: Any) -> None:
    cases = [
        (send("hz-01"), "recipients"),
        (send("hz-01", notify_pb2.Recipient(person_id="p-hz-officer-1"), template="no_such_template"), "template"),
        (send("hz-01", notify_pb2.Recipient(person_id="p-hz-officer-1"), channel="pigeon"), "channel"),
        (send("hz-01", notify_pb2.Recipient(person_id="nobody-like-this")), "recipients[0].person_id"),
        (send("hz-01", notify_pb2.Recipient()), "recipients[0].target"),
        (send("HZ 01", notify_pb2.Recipient(person_id="p-hz-officer-1")), "site_id"),
    ]
    for request, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await notify.Send(request)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, field
        assert field in [v.field for v in field_violations(refused.value)], field


async def test_notifications_are_listed_page_by_page_with_the_token_of_the_page_before(notify: Any) -> None:
    ref_id = f"inc-paging-{uuid.uuid4().hex[:8]}"
    request = send("hz-01", notify_pb2.Recipient(person_id="p-hz-officer-2"), ref_id=ref_id, channel="console")
    sent = []
    for _ in range(3):
        request.idempotency_key = str(uuid.uuid4())
        sent.append((await notify.Send(request)).notifications[0].id)
    first = await notify.ListNotifications(
        notify_pb2.ListNotificationsRequest(ref_id=ref_id, page=common_pb2.PageRequest(page_size=2))
    )
    assert first.next_page_token  # the reply's token is one the request's limits admit
    rest = await notify.ListNotifications(
        notify_pb2.ListNotificationsRequest(
            ref_id=ref_id, page=common_pb2.PageRequest(page_size=2, page_token=first.next_page_token)
        )
    )
    assert rest.next_page_token == ""
    listed = [n.id for n in [*first.notifications, *rest.notifications]]
    assert len(first.notifications) == 2 and sorted(listed) == sorted(sent)


async def test_people_see_only_what_they_may(platform: Any, notify: Any) -> None:
    reply = await notify.Send(send("hz-01", notify_pb2.Recipient(person_id="p-hz-officer-3"), channel="console"))
    async with channel(platform.address("notify"), token_for("p-nb-officer-1", ["officer"], ["nb-01"])) as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await stub.GetNotification(notify_pb2.GetNotificationRequest(notification_id=reply.notifications[0].id))
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        mine = await stub.ListNotifications(notify_pb2.ListNotificationsRequest())
        assert all(n.site_id == "nb-01" for n in mine.notifications)
