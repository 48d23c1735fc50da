"""How workflows reach people: through NotifyService, with tracked delivery and acknowledgement.

``send`` tells one person (a reminder); ``escalate`` starts an EscalationWorkflow over the site's
chain, from the duty leader by default, that climbs until someone acknowledges. Both are idempotent
by ``key``, so an activity that runs twice notifies once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.config import Settings
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import ROLE_VALUES
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc

TIMEOUT = 10.0
MAX_KEY = 200
_KEY = re.compile(r"[!-~]+")
_NOT_KEY = re.compile(r"[^!-~]")


def notify_key(*parts: str) -> str:
    """An idempotency key from the parts that make a notice unique. A key is 1 to 200 printable ASCII
    characters without spaces: parts that are not (a detail in words, a time with a space) are made so
    and told apart by a hash, or NotifyService would refuse the notice for good."""
    joined = ":".join(parts)
    if len(joined) <= MAX_KEY and _KEY.fullmatch(joined):
        return joined
    return f"{_NOT_KEY.sub('_', joined)[:150]}:{hashlib.sha256(joined.encode()).hexdigest()[:40]}"


class NotifyClient:
    """NotifyService for the workflows' activities, with the platform's system token."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._channel = channel
        self._stub = notify_pb2_grpc.NotifyServiceStub(channel)

    @classmethod
    def from_settings(cls, settings: Settings, *, caller: str) -> NotifyClient:
        return cls(service_channel(settings, target="notify", caller=caller))

    async def close(self) -> None:
        await self._channel.close()

    async def send(
        self,
        *,
        site_id: str,
        person_id: str,
        template: str,
        data: Mapping[str, str],
        key: str,
        ref_kind: str = "",
        ref_id: str = "",
        drill: bool = False,
        directory_entry: bool = False,
    ) -> list[notify_pb2.Notification]:
        """The notifications queued, as stored: sent again with the same key, their state now.
        ``directory_entry``: ``person_id`` names an entry of the directory (reached through its contacts)."""
        recipient = (
            notify_pb2.Recipient(directory_entry_id=person_id)
            if directory_entry
            else notify_pb2.Recipient(person_id=person_id)
        )
        return await self.send_to(
            recipient,
            site_id=site_id,
            template=template,
            data=data,
            key=key,
            ref_kind=ref_kind,
            ref_id=ref_id,
            drill=drill,
        )

    async def send_to(
        self,
        recipient: notify_pb2.Recipient,
        *,
        site_id: str,
        template: str,
        data: Mapping[str, str],
        key: str,
        ref_kind: str = "",
        ref_id: str = "",
        drill: bool = False,
    ) -> list[notify_pb2.Notification]:
        """``send`` to any recipient notify knows: a person, a role at a site, a superior duty office."""
        reply = await self._stub.Send(
            notify_pb2.SendRequest(
                idempotency_key=key,
                site_id=site_id,
                recipients=[recipient],
                template=template,
                data=dict(data),
                ref_kind=ref_kind,
                ref_id=ref_id,
                drill=drill,
            ),
            timeout=TIMEOUT,
        )
        return list(reply.notifications)

    async def sent_about(self, *, site_id: str, ref_id: str, person_id: str) -> list[notify_pb2.Notification]:
        """The notifications sent to ``person_id`` about ``ref_id`` (e.g. whether they acknowledged one)."""
        reply = await self._stub.ListNotifications(
            notify_pb2.ListNotificationsRequest(site_id=site_id, person_id=person_id, ref_id=ref_id), timeout=TIMEOUT
        )
        return list(reply.notifications)

    async def escalate(
        self,
        *,
        site_id: str,
        template: str,
        data: Mapping[str, str],
        key: str,
        ref_kind: str = "",
        ref_id: str = "",
        drill: bool = False,
        start_at_role: str = "leader",
    ) -> str:
        """The escalation's id."""
        reply = await self._stub.Escalate(
            notify_pb2.EscalateRequest(
                idempotency_key=key,
                site_id=site_id,
                template=template,
                data=dict(data),
                ref_kind=ref_kind,
                ref_id=ref_id,
                drill=drill,
                start_at_role=ROLE_VALUES.get(start_at_role, common_pb2.ROLE_UNSPECIFIED),
            ),
            timeout=TIMEOUT,
        )
        return str(reply.id)
