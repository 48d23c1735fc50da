"""The agency feed sets poison events aside instead of passing over them silently or retrying them
forever: an event it cannot render, or whose rendition NATS can never take, is recorded in notify's
dead_letters (source feed:notify, with the reason) and acknowledged, and the events behind it still
get their renditions. `dutyline ops dead-letters` shows them, refuses to replay them (publishing again
would duplicate them for every other consumer) and drops them."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from google.protobuf.any_pb2 import Any as AnyPb
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event, subject_for
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from tests.support import token_for, until

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
ACTOR = common_pb2.Actor(person_id="p-test", display_name="test", kind="person")


def event(event_type: str, note: str, site: str = "hz-01") -> event_pb2.Event:
    return build_event(
        event_type=event_type,
        site_id=site,
        aggregate_id=f"agg-{uuid.uuid4().hex[:6]}",
        aggregate_version=1,
        actor=ACTOR,
        payload=event_pb2.CallEscalated(call_id="call-1", incident_id=note),
        occurred_at=datetime.now(UTC),
    )


async def register_reader(platform: Any, agency_id: str, aggregate: str, site: str = "hz-01") -> None:
    """An agency reading every event of ``aggregate`` at the site (a test's own aggregate: nobody else's)."""
    async with channel(platform.address("notify"), ADMIN) as ch:
        await notify_pb2_grpc.NotifyServiceStub(ch).RegisterAgency(
            notify_pb2.RegisterAgencyRequest(
                idempotency_key=str(uuid.uuid4()),
                agency=notify_pb2.Agency(
                    id=agency_id, name="Feed test", site_ids=[site], event_types=[f"{aggregate}.*"]
                ),
            )
        )


async def ops(platform: Any, *argv: str) -> Result:
    return await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["ops", "--lang", "en", *argv, "--dsn", platform.postgres.dsn],
        env={"COLUMNS": "300"},
    )


async def test_events_the_feed_cannot_render_or_publish_are_set_aside_and_the_rest_flow(
    platform: Any, db: asyncpg.Connection
) -> None:
    # An event type of this test's own (nobody else consumes it), which an agency reads, so that the
    # feed renders it.
    aggregate = f"fdl{uuid.uuid4().hex[:8]}"
    await register_reader(platform, f"dl-{aggregate}", aggregate)
    # Well-formed events (other readers of the stream parse every message): a payload of a type
    # nobody registers, which event_json cannot resolve; a payload whose JSON rendition (control
    # characters, escaped six times their size) is over NATS's max_payload; and a plain one.
    unknown = event(f"{aggregate}.unknown", "unknown")
    unknown.payload.CopyFrom(AnyPb(type_url="type.dutyline.dev/dutyline.test.v1.Nothing", value=b"\x08\x01"))
    huge = event(f"{aggregate}.huge", "\x01" * 250_000)
    plain = event(f"{aggregate}.plain", "plain")

    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        renditions = await nc.subscribe(f"dutyline_json.hz-01.{aggregate}.>")
        await nc.flush()
        js = nc.jetstream()
        for e in (unknown, huge, plain):
            assert len(e.SerializeToString()) < 1024 * 1024
            await js.publish(
                subject_for("hz-01", e.type), e.SerializeToString(), stream="DUTYLINE", headers={"Nats-Msg-Id": e.id}
            )
        # The event behind the poison ones is rendered (and only it).
        rendition = json.loads((await renditions.next_msg(timeout=30.0)).data)
        assert rendition["id"] == plain.id and rendition["payload"]["incident_id"] == "plain"

        async def dead() -> list[tuple[str, str, str]]:
            rows = await db.fetch(
                "SELECT source, subject, event_id FROM notify.dead_letters WHERE event_id = ANY($1::text[]) "
                "ORDER BY seq",
                [unknown.id, huge.id, plain.id],
            )
            return [(r["source"], r["subject"], r["event_id"]) for r in rows]

        await until(
            dead,
            [
                ("feed:notify", subject_for("hz-01", unknown.type), unknown.id),
                ("feed:notify", subject_for("hz-01", huge.type), huge.id),
            ],
        )
        letters = await db.fetch(
            "SELECT seq, data, reason FROM notify.dead_letters WHERE event_id = ANY($1::text[]) ORDER BY seq",
            [unknown.id, huge.id],
        )
        assert bytes(letters[0]["data"]) == unknown.SerializeToString()
        assert letters[0]["reason"].startswith("not rendered: TypeError")
        assert "dutyline.test.v1.Nothing" in letters[0]["reason"]
        assert "JSON rendition" in letters[1]["reason"] and "max_payload" in letters[1]["reason"]
        seqs = [str(r["seq"]) for r in letters]

        listed = await ops(platform, "dead-letters", "list", "--schema", "notify")
        assert listed.exit_code == 0, listed.output
        assert unknown.id in listed.output and huge.id in listed.output and "feed:notify" in listed.output
        everywhere = await ops(platform, "dead-letters", "list")
        assert everywhere.exit_code == 0 and unknown.id in everywhere.output

        refused = await ops(platform, "dead-letters", "replay", *seqs, "--schema", "notify")
        assert refused.exit_code == 2 and "cannot replay" in refused.output and "feed:notify" in refused.output
        assert (
            await db.fetchval(
                "SELECT count(*) FROM notify.dead_letters WHERE replayed_at IS NOT NULL AND event_id = ANY($1::text[])",
                [unknown.id, huge.id],
            )
            == 0
        )

        dropped = await ops(
            platform, "dead-letters", "drop", *seqs, "--schema", "notify", "--reason", "test events", "--yes"
        )
        assert dropped.exit_code == 0, dropped.output
        assert await dead() == []
    finally:
        await nc.close()
