"""The event feed to agencies. A durable JetStream consumer reads once every event of the DUTYLINE
stream that some agency may read; for each it publishes the JSON rendition (and the CAP 1.2 message
of incident events) on their own subjects, deduplicated by event id, and queues a webhook delivery
for every agency that subscribed to it. A restart resumes where the consumer's acknowledgements left
off.

The consumer's filter follows the agencies (``feed_filter``): an event nobody subscribed to, most
calls, costs neither a delivery nor an acknowledgement. A change to the agencies narrows or widens it
before the change is answered; an agency gets the events from then on.

An event the feed cannot parse or render, or a rendition JetStream refuses for good (too big for the
server, a 4xx answer), is set aside in notify's ``dead_letters`` (source ``feed:notify``, with the
reason), logged, counted and acknowledged, so the feed moves on; an outage (NATS, PostgreSQL, a
timeout) is not the event's fault: the feed reconnects and the event comes again."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from datetime import UTC, datetime

import asyncpg
import structlog
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from dutyline import metrics
from dutyline.cancellation import honour_cancellation
from dutyline.directory import RosterDirectory
from dutyline.envelope import SUBJECT_PREFIX
from dutyline.events.v1 import event_pb2
from dutyline.natsconn import connect
from dutyline.outbox import ensure_stream, keep_running, message_size, refusal, stream_config
from services.notify.agencies import store as agency_store
from services.notify.agencies.access import (
    CAP_PREFIX,
    JSON_PREFIX,
    RENDITIONS_STREAM,
    agency_subjects,
    covers,
    renditions_stream_config,
    split_by_stream,
    uncovered,
)
from services.notify.agencies.renditions import event_json, incident_cap
from services.notify.settings import NotifySettings

log = structlog.get_logger(__name__)

CONSUMER = "notify-feed"
AGENCIES_TTL = 30.0
# Core NATS (not JetStream, outside the stream's subjects): a notify replica that changed an agency
# tells the others' feeds to reload theirs now, as its own does; missed (NATS away), the TTL bounds it.
AGENCIES_CHANGED = "_dutyline.notify.agencies_changed"
# The source of the feed's dead letters in notify's dead_letters.
DEAD_LETTER_SOURCE = "feed:notify"
REASON_LIMIT = 2000
# The filter while no agency reads anything: a subject of the stream no event is published on.
NOTHING = f"{SUBJECT_PREFIX}._no_agency"

Readers = list[tuple[agency_store.AgencyRow, list[str]]]


def feed_filter(allowed: Iterable[list[str]]) -> list[str]:
    """The event subjects the feed reads, given the subjects each agency may read: every event subject
    some agency may read (its renditions and webhook deliveries come from those events), or NOTHING."""
    return uncovered({s for subjects in allowed for s in split_by_stream(subjects)[0]}) or [NOTHING]


def consumer_config(subjects: list[str]) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=CONSUMER,
        # New installations start with new events; after that the durable consumer resumes.
        deliver_policy=DeliverPolicy.NEW,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=30,
        max_ack_pending=1000,
        filter_subjects=subjects,
    )


class EventFeed:
    def __init__(self, *, pool: asyncpg.Pool, settings: NotifySettings, directory: RosterDirectory) -> None:
        self._pool = pool
        self._settings = settings
        self._directory = directory
        self.client: NatsClient | None = None
        # Agencies and the subjects they may read (as their NATS users may), reloaded now and then.
        self._agencies: Readers = []
        # What the consumer should read for them (feed_filter), worked out at each reload.
        self._wanted = [NOTHING]
        self._loaded_at = 0.0
        # The consumer's filter as this replica last set it.
        self._filter: list[str] = []
        self.dead_lettered = 0

    async def agencies_changed(self) -> None:
        """An agency was registered or rescoped: the consumer reads what the agencies now may read before
        the change is answered (a failure here is mended by the next turn of the feed's loop), and
        every replica's feed reloads before its next event."""
        self._loaded_at = 0.0
        if self.client is not None and self.client.is_connected:
            with contextlib.suppress(Exception):
                await self._follow_agencies(self.client.jetstream(timeout=5.0))
            with contextlib.suppress(Exception):
                await self.client.publish(AGENCIES_CHANGED, b"")
                await self.client.flush(timeout=1)

    async def _follow_agencies(self, js: JetStreamContext) -> None:
        """Create the consumer, or set its filter to what the agencies read now if that changed (it keeps
        its place in the stream)."""
        await self._readers()
        wanted = self._wanted
        if wanted != self._filter:
            await js.add_consumer(self._settings.stream, consumer_config(wanted))
            self._filter = wanted
            log.info("agency feed reads", subjects=wanted)

    async def _reload(self, _msg: object) -> None:
        self._loaded_at = 0.0

    async def _readers(self) -> Readers:
        if time.monotonic() - self._loaded_at > AGENCIES_TTL:
            async with self._pool.acquire() as conn:
                rows = await agency_store.list_agencies(conn)
            self._agencies = [
                (a, agency_subjects(await self._directory.sites_under(a.site_ids), list(a.event_types))) for a in rows
            ]
            self._wanted = feed_filter(allowed for _, allowed in self._agencies)
            self._loaded_at = time.monotonic()
        return self._agencies

    async def run(self) -> None:
        """Run until cancelled, surviving NATS and PostgreSQL outages (the consumer remembers its place)."""
        await keep_running(self._run_once, "agency feed interrupted")

    async def _run_once(self) -> None:
        self.client = await connect(self._settings, name="dutyline-notify-feed")
        try:
            await self.client.subscribe(AGENCIES_CHANGED, cb=self._reload)
            self._loaded_at = 0.0  # changes made while this replica was disconnected
            js = self.client.jetstream(timeout=5.0)
            replicas = self._settings.stream_replicas
            await ensure_stream(js, stream_config(self._settings.stream, replicas=replicas))
            await ensure_stream(js, renditions_stream_config(RENDITIONS_STREAM, replicas=replicas))
            self._filter = []  # set again: another replica may have changed it meanwhile
            await self._follow_agencies(js)
            subscription = await js.pull_subscribe_bind(durable=CONSUMER, stream=self._settings.stream)
            log.info("agency feed active")
            handled = metrics.CONSUMER_EVENTS.labels(CONSUMER)
            while True:
                honour_cancellation()  # a cancellation NATS swallowed: shutdown must not wait forever
                # A change another replica signalled, or one past the reload interval.
                await self._follow_agencies(js)
                try:
                    messages = await subscription.fetch(100, timeout=1.0)
                except TimeoutError:  # nothing new (nats-py raises its own or asyncio's)
                    continue
                for msg in messages:
                    await self._handle(js, msg.subject, msg.data)
                    await msg.ack()
                handled.inc(len(messages))
        finally:
            with contextlib.suppress(Exception):
                await self.client.close()

    async def _handle(self, js: JetStreamContext, subject: str, data: bytes) -> None:
        rest = subject.removeprefix("dutyline.")
        json_subject, cap_subject = f"{JSON_PREFIX}.{rest}", f"{CAP_PREFIX}.{rest}"
        readers = await self._readers()
        # Renditions only for what some agency may read: rendering every event for nobody costs more
        # than the event itself (an agency added later gets the renditions from then on).
        wanted = [a for a, allowed in readers if any(covers(s, json_subject) for s in allowed)]
        cap_wanted = any(any(covers(s, cap_subject) for s in allowed) for _, allowed in readers)
        if not wanted and not cap_wanted:
            return
        event = event_pb2.Event()
        try:
            event.ParseFromString(data)
            body = event_json(event)
            cap = incident_cap(event, sender=self._settings.cap_sender) if cap_wanted else None
        except Exception as exc:  # a malformed event must not block the feed: it is set aside
            log.exception("event not rendered", subject=subject)
            await self._dead_letter(subject, data, event.id, f"not rendered: {type(exc).__name__}: {exc}")
            return
        # Each rendition has its own message id: JetStream drops a repeated id within the stream.
        refused: list[str] = []
        if wanted:
            refused += await self._publish(js, "JSON", json_subject, body, f"{event.id}:json")
        if cap is not None:
            refused += await self._publish(js, "CAP", cap_subject, cap, f"{event.id}:cap")
        # Reports about deliveries themselves are not delivered (a failing webhook would feed itself).
        targets = [a for a in wanted if a.webhook_url] if not event.type.startswith("agency.") else []
        if targets:
            now = datetime.now(UTC)
            async with self._pool.acquire() as conn, conn.transaction():
                for agency in targets:
                    await agency_store.queue_delivery(
                        conn,
                        agency_id=agency.id,
                        event_id=event.id,
                        event_type=event.type,
                        site_id=event.site_id,
                        drill=event.drill,
                        body=body,
                        now=now,
                    )
        # Last, so that a failure of the steps above (retried) does not record it twice.
        if refused:
            await self._dead_letter(subject, data, event.id, "; ".join(refused))

    async def _publish(self, js: JetStreamContext, rendition: str, subject: str, body: bytes, msg_id: str) -> list[str]:
        """Publish a rendition; [why] when JetStream refuses it for good, [] when published. Other
        failures (NATS away, a timeout, JetStream unavailable) are raised: the event comes again."""
        headers = {"Nats-Msg-Id": msg_id, "Nats-Expected-Stream": RENDITIONS_STREAM}
        size = message_size(body, headers)
        max_payload = self.client.max_payload if self.client is not None else 0
        if max_payload and size > max_payload:
            # Checked here: the server would close the connection of a client sending it.
            return [f"{rendition} rendition {size} bytes, over the NATS server's max_payload of {max_payload} bytes"]
        try:
            await js.publish(subject, body, stream=RENDITIONS_STREAM, headers={"Nats-Msg-Id": msg_id})
        except Exception as exc:
            reason = refusal(exc)
            if reason is None:
                raise
            return [f"{rendition} rendition {reason}"]
        return []

    async def _dead_letter(self, subject: str, data: bytes, event_id: str, reason: str) -> None:
        """Set the event aside in notify's dead_letters with the reason (the caller acknowledges it)."""
        async with self._pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO dead_letters (source, subject, event_id, data, reason) VALUES ($1, $2, $3, $4, $5)",
                DEAD_LETTER_SOURCE,
                subject,
                event_id,
                data,
                reason[:REASON_LIMIT],
            )
        self.dead_lettered += 1
        metrics.DEAD_LETTERS.labels(DEAD_LETTER_SOURCE).inc()
        log.error(
            "event set aside as a dead letter", feed=CONSUMER, subject=subject, event_id=event_id, reason=reason[:200]
        )
