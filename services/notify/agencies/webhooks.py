"""Webhook deliveries of events to agencies that cannot use NATS. Each POST carries the event's JSON
rendition, signed with the agency's key; the agency acknowledges with a 2xx answer, whose receipt
(``{"receipt": "…"}``, else the status line) is recorded. Unacknowledged deliveries are retried with
doubling delays, then marked failed and reported as agency.delivery_failed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from datetime import UTC, datetime, timedelta

import aiohttp
import asyncpg
import structlog

from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.outbound import BlockedUrl, OutboundPolicy
from dutyline.webhook_signing import signature_headers
from services.notify.actor import SYSTEM_ACTOR
from services.notify.agencies import store as agency_store
from services.notify.agencies.convert import delivery_message
from services.notify.http_client import HttpClient
from services.notify.people.channels.base import ANSWER_LIMIT
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)

# Deliveries in flight at once, and at most this many of one agency among them.
IN_FLIGHT = 20
PER_AGENCY = 5
IDLE_POLL = 0.5
MAX_DELAY = 300.0


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_DELAY, 2.0 ** (attempts - 1)))


# A receipt is an identifier; anything else the answer holds is not shown to readers.
_RECEIPT = re.compile(r"[A-Za-z0-9._:/-]{1,100}")


def receipt_of(status: int, text: str) -> str:
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        receipt = json.loads(text).get("receipt")
        if isinstance(receipt, str | int) and _RECEIPT.fullmatch(str(receipt)):
            return str(receipt)
    return f"HTTP {status}"


class WebhookDeliverer:
    def __init__(self, *, pool: asyncpg.Pool, settings: NotifySettings) -> None:
        self._pool = pool
        self._settings = settings
        self._http = HttpClient(policy=OutboundPolicy.parse(settings.outbound_allow))

    async def close(self) -> None:
        await self._http.close()

    async def run(self) -> None:
        """Deliver until cancelled: a slot that frees is filled at once, so a slow receiver holds only
        its own deliveries, never a whole batch."""
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while True:
                if len(in_flight) < IN_FLIGHT:
                    try:
                        in_flight |= await self.start_due(IN_FLIGHT - len(in_flight))
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:
                        log.warning("webhook deliverer interrupted", error=repr(exc))
                        await asyncio.sleep(1.0)
                if in_flight:
                    _, in_flight = await asyncio.wait(in_flight, timeout=IDLE_POLL, return_when=asyncio.FIRST_COMPLETED)
                else:
                    await asyncio.sleep(IDLE_POLL)
        finally:
            for task in in_flight:
                task.cancel()

    async def start_due(self, room: int) -> set[asyncio.Task[None]]:
        """Lease up to ``room`` due deliveries (fairly across agencies) and start delivering each."""
        now = datetime.now(UTC)
        async with self._pool.acquire() as conn:
            lease = timedelta(seconds=self._settings.notify_lease_seconds)
            due = await agency_store.lease_due(
                conn, now=now, lease_until=now + lease, limit=room, per_agency=PER_AGENCY
            )
            agencies = {a.id: a for a in await agency_store.list_agencies(conn)} if due else {}
        return {asyncio.create_task(self._deliver_logged(row, agencies[row.agency_id])) for row in due}

    async def _deliver_logged(self, row: agency_store.DeliveryRow, agency: agency_store.AgencyRow) -> None:
        # The lease runs out and another round takes the delivery again: an error here only delays it.
        try:
            await self._deliver(row, agency)
        except Exception as exc:
            log.warning("webhook delivery interrupted", agency_id=row.agency_id, event_id=row.event_id, error=repr(exc))

    async def _post(self, agency: agency_store.AgencyRow, row: agency_store.DeliveryRow) -> tuple[bool, str]:
        """(acknowledged, the receipt or what went wrong)."""
        headers = {
            "Content-Type": "application/json",
            "X-Dutyline-Event": row.event_id,
            "X-Dutyline-Event-Type": row.event_type,
            **signature_headers(agency.webhook_secret, row.body),
        }
        try:
            status, text = await self._http.post(agency.webhook_url, row.body, headers)
        except BlockedUrl as exc:
            return False, f"blocked address: {exc}"[:ANSWER_LIMIT]
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return False, f"{type(exc).__name__}: {exc}"[:ANSWER_LIMIT]
        if 200 <= status < 300:
            return True, receipt_of(status, text)
        return False, f"HTTP {status}: {text}"[:ANSWER_LIMIT]

    async def _deliver(self, row: agency_store.DeliveryRow, agency: agency_store.AgencyRow) -> None:
        acknowledged, answer = await self._post(agency, row)
        now = datetime.now(UTC)
        attempts = row.attempts + 1
        async with self._pool.acquire() as conn, conn.transaction():
            if acknowledged:
                await agency_store.update_delivery(
                    conn,
                    agency_id=row.agency_id,
                    event_id=row.event_id,
                    status="acknowledged",
                    attempts=attempts,
                    next_attempt_at=None,
                    receipt=answer,
                    acknowledged_at=now,
                )
                return
            exhausted = attempts >= self._settings.agency_webhook_attempts
            after = await agency_store.update_delivery(
                conn,
                agency_id=row.agency_id,
                event_id=row.event_id,
                status="failed" if exhausted else "pending",
                attempts=attempts,
                next_attempt_at=None if exhausted else now + retry_delay(attempts),
                last_error=answer,
            )
            if exhausted:
                await emit(
                    conn,
                    event_type="agency.delivery_failed",
                    site_id=row.site_id,
                    aggregate_id=f"{row.agency_id}:{row.event_id}",
                    aggregate_version=attempts,
                    payload=event_pb2.AgencyDeliveryFailed(delivery=delivery_message(after)),
                    drill=row.drill,
                    actor=SYSTEM_ACTOR,
                )
                log.warning("agency webhook delivery failed", agency_id=row.agency_id, event_id=row.event_id)
