"""The agency feed reads only what some agency may read: its JetStream consumer's filter follows the
agencies, widened before a registration is answered, so an agency's events are rendered from then on
while events nobody reads are never delivered to the feed at all; a feed whose stop was lost on the way
(inside nats-py) still stops at its next turn."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from dutyline.db.pool import create_pool
from dutyline.directory import RosterDirectory
from dutyline.envelope import subject_for
from dutyline.grpckit.client import channel
from dutyline.natsconn import connect_url
from services.notify.agencies.access import covers
from services.notify.agencies.feed import CONSUMER, EventFeed
from services.notify.settings import NotifySettings
from tests.services.notify.agencies.test_feed_dead_letters import ADMIN, event, register_reader
from tests.support import WAIT_FOR_KEEPS_IT, cancelled_as_its_reply_came

pytestmark = pytest.mark.stack

SITE = "nb-01"


async def test_the_feed_reads_an_agencys_events_once_it_is_registered_and_no_events_nobody_reads(
    platform: Any,
) -> None:
    # An event type of this test's own, at nb-01; and a site no agency can read (it does not exist).
    aggregate = f"ff{uuid.uuid4().hex[:8]}"
    subject = subject_for(SITE, f"{aggregate}.changed")
    nobodys = subject_for("zz-nobody", "call.registered")
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        js = nc.jetstream()

        async def filters() -> list[str]:
            config = (await js.consumer_info("DUTYLINE", CONSUMER)).config
            return list(config.filter_subjects or [config.filter_subject or ""])

        # Events nobody reads are outside the feed's filter (other tests' agencies read other things).
        assert not any(covers(f, nobodys) for f in await filters()), await filters()

        await register_reader(platform, f"ff-{aggregate}", aggregate, SITE)
        # Widened before the registration was answered: the next event is the agency's.
        assert any(covers(f, subject) for f in await filters()), await filters()
        renditions = await nc.subscribe(f"dutyline_json.{SITE}.{aggregate}.>")
        await nc.flush()
        changed = event(f"{aggregate}.changed", "changed", SITE)
        await js.publish(subject, changed.SerializeToString(), stream="DUTYLINE", headers={"Nats-Msg-Id": changed.id})
        rendition = json.loads((await renditions.next_msg(timeout=30.0)).data)
        assert rendition["id"] == changed.id
        assert not any(covers(f, nobodys) for f in await filters()), await filters()
    finally:
        await nc.close()


async def test_a_feed_whose_cancellation_was_swallowed_stops_at_its_next_turn(platform: Any) -> None:
    """Python 3.11's asyncio.wait_for, which nats-py's requests and fetches use, drops a cancellation that
    lands as the reply arrives (CPython gh-86296). Lost inside the feed's connection (after the check
    ``keep_running`` makes before each attempt), the feed would fetch on every second and notify's
    shutdown would wait for it forever."""
    settings = NotifySettings(nats_url=platform.nats.url, nats_creds=str(platform.nats_creds))
    pool = await create_pool(platform.postgres.dsn, schema="notify", max_size=2)
    try:
        async with channel(platform.address("roster"), ADMIN) as roster:
            feed = EventFeed(pool=pool, settings=settings, directory=RosterDirectory(roster))
            # One attempt of the feed, without keep_running's check before it.
            swallowed = await cancelled_as_its_reply_came(feed._run_once, seconds=10)  # it would fetch on forever
            assert feed.client is not None and feed.client.is_closed
    finally:
        await pool.close()
    if not swallowed:
        pytest.skip(WAIT_FOR_KEEPS_IT)
