"""How workflows reach people: through NotifyService, with tracked delivery and acknowledgement.

``send`` tells one person (a reminder); ``escalate`` starts an EscalationWorkflow over the site's
chain, from the duty leader by default, that climbs until someone acknowledges. Both are idempotent
by ``key``, so an activity that runs twice notifies once."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.config import Settings
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.convert import ROLE_VALUES
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc

TIMEOUT = 10.0
MAX_KEY = 200


def notify_key(*parts: str) -> str:
    """An idempotency key from the parts that make a notice unique, shortened (by a hash) to fit."""
    joined = ":".join(parts)
    if len(joined) <= MAX_KEY:
        return joined
    return f"{joined[:150]}:{hashlib.sha256(joined.encode()).hexdigest()[:40]}"


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
    ) -> list[str]:
        """The ids of the notifications queued (none if the person is unknown to roster)."""
        reply = await self._stub.Send(
            notify_pb2.SendRequest(
                idempotency_key=key,
                site_id=site_id,
                recipients=[notify_pb2.Recipient(person_id=person_id)],
                template=template,
                data=dict(data),
                ref_kind=ref_kind,
                ref_id=ref_id,
                drill=drill,
            ),
            timeout=TIMEOUT,
        )
        return [n.id for n in reply.notifications]

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
