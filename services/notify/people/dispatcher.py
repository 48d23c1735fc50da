"""Delivering stored notifications: each attempt on the current channel is recorded with the
provider's answer; failures retry with doubling delays, then fall back to the next channel.

Notifications are leased, not locked, while a provider is called: a dispatcher killed mid-way
leaves a lease that expires, and the attempt is made again under the same attempt id (the
gateways' idempotency key). Several notify replicas share the work through SKIP LOCKED."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog

from dutyline import metrics
from dutyline.cancellation import wait_until_set
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from services.notify.actor import SYSTEM_ACTOR
from services.notify.people import store, templates
from services.notify.people.channels import Channel, DeliveryResult, OutgoingMessage
from services.notify.people.convert import notification_message
from services.notify.people.rules import ack_token, after_attempt
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)

BATCH = 20
IDLE_POLL = 0.2


class Dispatcher:
    def __init__(self, *, pool: asyncpg.Pool, channels: dict[str, Channel], settings: NotifySettings) -> None:
        self._pool = pool
        self._channels = channels
        self._settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A send was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                done = await self.dispatch_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # PostgreSQL away: back off, the leases keep the work safe
                log.warning("dispatcher interrupted", error=repr(exc))
                done = 0
                await asyncio.sleep(1.0)
            if done < BATCH:
                self._wake.clear()
                await wait_until_set(self._wake, IDLE_POLL)

    async def dispatch_due(self) -> int:
        now = datetime.now(UTC)
        async with self._pool.acquire() as conn:
            lease = timedelta(seconds=self._settings.notify_lease_seconds)
            due = await store.lease_due(conn, now=now, lease_until=now + lease, limit=BATCH)
        await asyncio.gather(*(self._attempt(row) for row in due))
        return len(due)

    def _message(self, row: store.NotificationRow) -> OutgoingMessage:
        secret = self._settings.ack_token_secrets()[0]
        rendered = templates.render(
            row.template,
            row.data,
            locale=row.locale,
            drill=row.drill,
            ack=templates.AckInfo(row.id, ack_token(secret, row.id)),
            sms_max_chars=self._settings.sms_max_chars,
        )
        return OutgoingMessage(
            notification_id=row.id,
            attempt_id=f"{row.id}-{row.route_index}-{row.route_attempts}",
            channel=row.route.channel,
            address=row.route.address,
            subject=rendered.subject,
            body=rendered.body,
            sms_text=rendered.sms_text,
            drill=row.drill,
        )

    async def _attempt(self, row: store.NotificationRow) -> None:
        structlog.contextvars.bind_contextvars(notification_id=row.id, site_id=row.site_id)
        message = self._message(row)
        channel = self._channels.get(message.channel)
        if channel is None:
            result = DeliveryResult("failed", f"channel {message.channel} is not configured", retryable=False)
        else:
            try:
                result = await channel.deliver(message)
            except Exception as exc:  # a provider bug must not stop the others
                log.exception("channel raised", channel=message.channel)
                result = DeliveryResult("failed", f"error: {exc!r}"[:1000])
        now = datetime.now(UTC)
        step = after_attempt(
            outcome=result.status,
            retryable=result.retryable,
            route_index=row.route_index,
            route_attempts=row.route_attempts,
            routes=len(row.routes),
            attempts_per_channel=self._settings.notify_attempts_per_channel,
            retry_seconds=self._settings.notify_retry_seconds,
            now=now,
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await store.record_attempt(
                conn,
                attempt=store.AttemptRow(
                    id=message.attempt_id,
                    notification_id=row.id,
                    attempt=row.route_attempts + 1,
                    channel=message.channel,
                    address=message.address,
                    at=now,
                    status=result.status,
                    provider_answer=result.answer[:1000],
                ),
            )
            await store.update_delivery(
                conn,
                notification_id=row.id,
                status=step.status,
                route_index=step.route_index,
                route_attempts=0 if step.route_index != row.route_index else step.route_attempts,
                next_attempt_at=step.next_attempt_at,
            )
            after = await store.get_notification(conn, notification_id=row.id)
            assert after is not None
            events = {"sent": ["notification.sent"], "delivered": ["notification.sent", "notification.delivered"]}
            for event_type in events.get(result.status, ["notification.failed"] if step.status == "failed" else []):
                await emit(
                    conn,
                    event_type=event_type,
                    site_id=row.site_id,
                    aggregate_id=row.id,
                    aggregate_version=after.version,
                    payload=event_pb2.NotificationChanged(
                        notification=notification_message(after, addresses=False),
                        detail=f"{message.channel}: {result.answer[:200]}",
                    ),
                    drill=row.drill,
                    actor=SYSTEM_ACTOR,
                )
        metrics.NOTIFICATIONS.labels(message.channel, result.status).inc()
        log.info(
            "delivery attempt",
            channel=message.channel,
            outcome=result.status,
            next_status=step.status,
            retry_at=step.next_attempt_at.isoformat() if step.next_attempt_at else None,
        )
