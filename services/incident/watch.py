"""The live feed of incident changes (WatchIncidents, 事件动态).

Each watch reads the event stream through an ephemeral JetStream consumer of its own, fetched only
when the reader has taken what it was sent: a slow reader holds its place in the stream (back-pressure)
instead of a queue that drops. Every change carries its stream sequence as a cursor; a reader that
falls too far behind is ended with ABORTED and resumes from its last cursor, so nothing is lost.

The incident of a change comes from the event itself when it carries one; otherwise it is read once per
process for all the watchers of that event, never once per watcher.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from dutyline.cancellation import honour_cancellation
from dutyline.directory import RosterDirectory
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.auth import Principal, RevokedTokens
from dutyline.grpckit.errors import Aborted, ResourceExhausted, Unauthenticated
from dutyline.ids import ulid
from dutyline.incident.v1 import incident_pb2
from services.incident import convert, store

log = structlog.get_logger(__name__)

PER_PERSON = 5
PER_PROCESS = 200
# A reader this many events behind the stream is ended (ABORTED) and resumes from its cursor.
MAX_LAG = 10_000
BATCH = 64
# Past this many sites a watch reads every site's incident events and keeps the reader's own.
MAX_FILTER_SUBJECTS = 64
# An abandoned consumer (process killed mid-watch) is removed by the server after this long.
INACTIVE_SECONDS = 60.0
ALL_INCIDENT_EVENTS = "dutyline.*.incident.>"


class WatchSlots:
    """How many watches are open, per person and in this process."""

    def __init__(self, *, per_person: int = PER_PERSON, per_process: int = PER_PROCESS) -> None:
        self.per_person = per_person
        self.per_process = per_process
        self._open: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self._open.values())

    @contextmanager
    def hold(self, person_id: str) -> Iterator[None]:
        if self._open[person_id] >= self.per_person:
            raise ResourceExhausted(
                f"已打开 {self.per_person} 个事件动态，请先关闭一个 "
                f"/ {self.per_person} live feeds are open for you already; close one first"
            )
        if self.total >= self.per_process:
            raise ResourceExhausted("事件动态连接已满，请稍后重试 / too many live feeds on this server; retry shortly")
        self._open[person_id] += 1
        try:
            yield
        finally:
            self._open[person_id] -= 1
            if not self._open[person_id]:
                del self._open[person_id]


class Snapshots:
    """The incident as of an event, read from the database once per process whatever the watchers."""

    def __init__(self, pool: Any, *, size: int = 1024) -> None:
        self._pool = pool
        self._size = size
        self._reads: OrderedDict[int, asyncio.Task[incident_pb2.Incident | None]] = OrderedDict()
        self.queries = 0

    async def incident(self, sequence: int, incident_id: str) -> incident_pb2.Incident | None:
        task = self._reads.get(sequence)
        if task is None:
            task = asyncio.create_task(self._read(incident_id))
            self._reads[sequence] = task
            while len(self._reads) > self._size:
                self._reads.popitem(last=False)
        return await asyncio.shield(task)

    async def _read(self, incident_id: str) -> incident_pb2.Incident | None:
        self.queries += 1
        async with self._pool.acquire() as conn:
            row = await store.get_incident(conn, incident_id=incident_id)
        return convert.incident_message(row) if row is not None else None


def carried_incident(event: event_pb2.Event) -> incident_pb2.Incident | None:
    """The incident an event carries whole (IncidentChanged), if it does."""
    changed = event_pb2.IncidentChanged()
    if event.payload.Unpack(changed) and changed.HasField("incident"):
        return changed.incident
    return None


class IncidentFeed:
    def __init__(
        self,
        *,
        pool: Any,
        js: JetStreamContext,
        stream: str,
        roster: RosterDirectory,
        max_lag: int = MAX_LAG,
        revoked: RevokedTokens | None = None,
    ) -> None:
        self._js = js
        self._revoked = revoked or RevokedTokens("")
        self.max_lag = max_lag
        self._stream = stream
        self._roster = roster
        self.slots = WatchSlots()
        self.snapshots = Snapshots(pool)

    async def watch(
        self, principal: Principal, request: incident_pb2.WatchIncidentsRequest
    ) -> AsyncGenerator[incident_pb2.IncidentChange, None]:
        readable = await self._roster.readable_sites(principal, request.site_id)
        sites = None if readable is None else set(readable)
        with self.slots.hold(principal.person_id):
            if sites is not None and len(sites) <= MAX_FILTER_SUBJECTS:
                filters = [f"dutyline.{s}.incident.>" for s in sorted(sites)]
            else:
                filters = [ALL_INCIDENT_EVENTS]
            name = f"watch-{ulid().lower()}"
            config = ConsumerConfig(
                name=name,
                filter_subjects=filters,
                ack_policy=AckPolicy.NONE,
                inactive_threshold=INACTIVE_SECONDS,
                mem_storage=True,
                num_replicas=1,
            )
            if request.resume_after:
                config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
                config.opt_start_seq = request.resume_after + 1
            else:
                config.deliver_policy = DeliverPolicy.NEW
            await self._js.add_consumer(self._stream, config=config)
            subscription = await self._js.pull_subscribe_bind(name, stream=self._stream)
            try:
                changes = self._changes(subscription, sites, request.include_drills, principal)
                async for change in changes:
                    yield change
            finally:
                await self._remove(subscription, name)

    async def _changes(
        self,
        subscription: JetStreamContext.PullSubscription,
        sites: set[str] | None,
        include_drills: bool,
        principal: Principal,
    ) -> AsyncIterator[incident_pb2.IncidentChange]:
        cursor = 0
        while True:
            # The gRPC server cancels this handler when its caller leaves; NATS may have swallowed that.
            honour_cancellation()
            # A feed lasts no longer than the token that opened it (expires_at 0: a principal without
            # expiry), and stops within seconds of the token's revocation.
            left = principal.expires_at - time.time() if principal.expires_at else 5.0
            if left <= 0 or (principal.token_id and principal.token_id in self._revoked):
                raise Unauthenticated(
                    f"令牌已过期或已吊销，请重新登录后从游标 {cursor} 续读 / the token has expired or was revoked; "
                    f"sign in again and resume_after={cursor}"
                )
            try:
                messages = await subscription.fetch(BATCH, timeout=min(5.0, max(left, 0.05)))
            except TimeoutError:  # nats.errors.TimeoutError, or asyncio's when a batch finds nothing
                continue
            for msg in messages:
                metadata = msg.metadata
                cursor = metadata.sequence.stream
                if metadata.num_pending > self.max_lag:
                    raise Aborted(
                        f"读取太慢，已落后 {metadata.num_pending} 条，请从游标 {cursor - 1} 续读 "
                        f"/ the reader is {metadata.num_pending} changes behind; resume_after={cursor - 1}"
                    )
                change = await self._change(msg.subject, msg.data, cursor, sites, include_drills)
                if change is not None:
                    yield change

    async def _change(
        self, subject: str, data: bytes, cursor: int, sites: set[str] | None, include_drills: bool
    ) -> incident_pb2.IncidentChange | None:
        site_id = subject.split(".")[1]
        if sites is not None and site_id not in sites:
            return None
        event = event_pb2.Event()
        event.ParseFromString(data)
        if event.drill and not include_drills:
            return None
        incident = carried_incident(event)
        if incident is None:
            incident = await self.snapshots.incident(cursor, event.aggregate_id)
        if incident is None:
            return None
        return incident_pb2.IncidentChange(event_type=event.type, incident=incident, cursor=cursor)

    async def _remove(self, subscription: JetStreamContext.PullSubscription, name: str) -> None:
        try:
            await subscription.unsubscribe()
            await self._js.delete_consumer(self._stream, name)
        except Exception as exc:  # the server removes it after INACTIVE_SECONDS anyway
            log.info("watch consumer left to expire", error=repr(exc))
