"""The live feed (WatchIncidents) on the real stack: cursors to resume from, a limit per person,
back-pressure with an honest end for a reader too far behind, one database read per event for all
watchers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from dutyline import natsconn
from dutyline.config import Settings
from dutyline.db.pool import create_pool
from dutyline.directory import RosterDirectory
from dutyline.grpckit.auth import Principal
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import Aborted
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from services.incident.watch import IncidentFeed, carried_incident
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import WAIT_FOR_KEEPS_IT, cancelled_as_its_reply_came, token_for

pytestmark = pytest.mark.stack

K = incident_pb2
ADMIN = token_for("p-admin", ["admin"], ["*"])


async def changes_until(stream: Any, incident_id: str, last_type: str) -> list[incident_pb2.IncidentChange]:
    """The changes of one incident up to the first of ``last_type``."""
    seen: list[incident_pb2.IncidentChange] = []
    async with asyncio.timeout(30):
        async for change in stream:
            if change.incident.id == incident_id:
                seen.append(change)
                if change.event_type == last_type:
                    return seen
    raise AssertionError("the stream ended")


async def test_a_reader_resumes_from_its_cursor_and_misses_nothing(
    platform: Any, intake: Any, incidents: Any, officer_token: str
) -> None:
    async with channel(platform.address("incident"), officer_token) as ch:
        stub = incident_pb2_grpc.IncidentServiceStub(ch)
        first = stub.WatchIncidents(K.WatchIncidentsRequest(site_id="hz-01", include_drills=True))
        await asyncio.sleep(0.5)  # subscribed
        reply = await intake.RegisterCall(emergency_call(), timeout=20)
        before = await changes_until(first, reply.incident_id, "incident.escalated")
        first.cancel()
        cursors = [c.cursor for c in before]
        assert cursors == sorted(set(cursors)) and cursors[0] > 0

        # Away from the feed, two things happen; the resumed watch sends exactly those first.
        for text in ("一号 first", "二号 second"):
            await incidents.AddProgress(
                K.AddProgressRequest(idempotency_key=str(uuid.uuid4()), incident_id=reply.incident_id, text=text)
            )
        resumed = stub.WatchIncidents(
            K.WatchIncidentsRequest(site_id="hz-01", include_drills=True, resume_after=cursors[-1])
        )
        after = [c for c in await changes_until(resumed, reply.incident_id, "incident.progress")]
        second = await changes_until(resumed, reply.incident_id, "incident.progress")
        resumed.cancel()
    assert all(c.cursor > cursors[-1] for c in after + second)
    assert [c.event_type for c in after + second][-2:] == ["incident.progress", "incident.progress"]


async def test_a_person_holds_at_most_five_watches(platform: Any, officer_token: str) -> None:
    async with channel(platform.address("incident"), officer_token) as ch:
        stub = incident_pb2_grpc.IncidentServiceStub(ch)
        held = [stub.WatchIncidents(K.WatchIncidentsRequest(site_id="hz-01")) for _ in range(5)]
        await asyncio.sleep(1.0)
        sixth = stub.WatchIncidents(K.WatchIncidentsRequest(site_id="hz-01"))
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            async with asyncio.timeout(10):
                async for _ in sixth:
                    pass
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        # Another person is not affected; closing a watch frees its place.
        async with channel(platform.address("incident"), ADMIN) as admin_ch:
            other = incident_pb2_grpc.IncidentServiceStub(admin_ch).WatchIncidents(K.WatchIncidentsRequest())
            await asyncio.sleep(0.5)
            assert not other.done()
            other.cancel()
        held.pop().cancel()
        await asyncio.sleep(0.5)
        again = stub.WatchIncidents(K.WatchIncidentsRequest(site_id="hz-01"))
        await asyncio.sleep(0.5)
        assert not again.done()
        for stream in [*held, again]:
            stream.cancel()


@pytest.fixture
async def feed(platform: Any) -> AsyncIterator[IncidentFeed]:
    """The feed of an incident service, in this process, on the stack's NATS and database."""
    nc = await natsconn.connect_url(platform.nats.url, platform.nats_creds, name="watch-test")
    pool = await create_pool(platform.postgres.dsn, schema="incident", max_size=4)
    async with channel(platform.address("roster"), ADMIN) as roster:
        yield IncidentFeed(pool=pool, js=nc.jetstream(), stream=STREAM, roster=RosterDirectory(roster))
    await pool.close()
    await nc.close()


STREAM = Settings.model_fields["stream"].default
OFFICER = Principal("p-watch", roles=("officer",), sites=("hz-01",))


async def test_ten_watchers_cost_one_read_per_event(feed: IncidentFeed, intake: Any) -> None:
    request = K.WatchIncidentsRequest(site_id="hz-01", include_drills=True)
    watchers = [feed.watch(Principal(f"p-watch-{n}", sites=("hz-01",)), request) for n in range(10)]
    # Each watch subscribes at its first step; start them all before the incident is opened.
    firsts = [asyncio.ensure_future(anext(w)) for w in watchers]
    await asyncio.sleep(1.0)
    reply = await intake.RegisterCall(emergency_call(), timeout=20)

    async def until_escalated(first: asyncio.Future[Any], rest: AsyncIterator[Any]) -> list[Any]:
        seen = [await first]
        async with asyncio.timeout(30):
            while not (seen[-1].incident.id == reply.incident_id and seen[-1].event_type == "incident.escalated"):
                seen.append(await anext(rest))
        return seen

    seen = await asyncio.gather(*(until_escalated(f, w) for f, w in zip(firsts, watchers, strict=True)))
    for watcher in watchers:
        await watcher.aclose()
    assert all([c.cursor for c in s] == [c.cursor for c in seen[0]] for s in seen)
    assert feed.slots.total == 0
    # registered carries no incident: read once for all ten; escalated carries it: no read.
    assert 1 <= feed.snapshots.queries <= len(seen[0])
    assert feed.snapshots.queries < len(seen[0]) * 10 / 2


async def test_a_reader_too_far_behind_is_told_where_to_resume(feed: IncidentFeed, intake: Any) -> None:
    request = K.WatchIncidentsRequest(site_id="hz-01", include_drills=True)
    watch = feed.watch(OFFICER, request)
    pending = asyncio.ensure_future(anext(watch))
    await asyncio.sleep(1.0)
    await intake.RegisterCall(emergency_call(), timeout=20)
    async with asyncio.timeout(30):
        first = await pending
    start = first.cursor - 1
    await watch.aclose()
    await asyncio.sleep(2.0)  # the process has gone on; a reader resuming from ``start`` is behind it

    feed.max_lag = 0
    behind = feed.watch(OFFICER, K.WatchIncidentsRequest(site_id="hz-01", include_drills=True, resume_after=start))
    with pytest.raises(Aborted) as ended:
        await anext(behind)
    assert f"resume_after={start}" in ended.value.message
    assert feed.slots.total == 0

    feed.max_lag = 10_000
    resumed = feed.watch(OFFICER, K.WatchIncidentsRequest(site_id="hz-01", include_drills=True, resume_after=start))
    again = await anext(resumed)
    await resumed.aclose()
    assert again.cursor == first.cursor and again.event_type == first.event_type


async def test_a_watch_whose_cancellation_was_swallowed_ends_at_once(feed: IncidentFeed) -> None:
    """Python 3.11's asyncio.wait_for, which nats-py's requests and fetches use, drops a cancellation
    that lands as the reply arrives (CPython gh-86296). The gRPC server cancels the handler of a call
    whose caller left as it started (a board reloaded); the handler went on into its fetch loop and held
    the person's place until the next incident event for their sites, on a quiet night for hours."""

    async def watch() -> None:
        async for _ in feed.watch(OFFICER, K.WatchIncidentsRequest(site_id="hz-01")):
            pass

    # No incident event comes: nothing else would end the watch.
    swallowed = await cancelled_as_its_reply_came(watch, seconds=3)
    assert feed.slots.total == 0
    if not swallowed:
        pytest.skip(WAIT_FOR_KEEPS_IT)


def test_an_incident_carried_by_the_event_is_used_as_is() -> None:
    from dutyline.events.v1 import event_pb2

    event = event_pb2.Event(type="incident.verified")
    event.payload.Pack(event_pb2.IncidentChanged(incident=K.Incident(id="inc-1", title="t")))
    carried = carried_incident(event)
    assert carried is not None and carried.id == "inc-1"
    event.payload.Pack(event_pb2.IncidentRegistered(incident_id="inc-1"))
    assert carried_incident(event) is None
