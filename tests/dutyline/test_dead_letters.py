"""Poison messages are set aside, not retried forever: the outbox relay moves a message JetStream can
never take (too big for NATS, a subject no stream takes, a 4xx answer) to ``dead_letters`` with the
reason, publishes an ``outbox.dead_lettered`` event about it and delivers the messages behind it in
order; a failure of the infrastructure (a timeout, JetStream unavailable) is retried as before. Then
`dutyline ops dead-letters` lists them, replays one once its cause is fixed (it is delivered) and
drops another."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats.errors
import nats.js.errors
import pytest
from google.protobuf import struct_pb2
from nats.js.api import PubAck
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.cli.ops.commands import shown_dsn
from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event, subject_for
from dutyline.events.v1 import event_pb2
from dutyline.natsconn import connect_url
from dutyline.outbox import (
    DEAD_LETTERED,
    PLATFORM_SITE,
    OutboxRelay,
    add_event,
    dead_letter_notice,
    message_size,
    refusal,
    subject_matches,
    unpublishable,
)
from services.notify.agencies.renditions import event_json
from tests.support import kit_schema, until

ACTOR = common_pb2.Actor(person_id="p-test", display_name="test", kind="person")
MiB = 1024 * 1024
# An event type nobody consumes: the relay test publishes to the shared DUTYLINE stream.
EVENT_TYPE = "dltest.sent"


def event(site: str, note: str, *, event_type: str = EVENT_TYPE) -> event_pb2.Event:
    return build_event(
        event_type=event_type,
        site_id=site,
        aggregate_id=f"agg-{note}",
        aggregate_version=1,
        actor=ACTOR,
        payload=event_pb2.CallEscalated(call_id=f"call-{note}", incident_id=note),
        occurred_at=datetime.now(UTC),
    )


def note_of(e: event_pb2.Event) -> str:
    payload = event_pb2.CallEscalated()
    assert e.payload.Unpack(payload)
    return payload.incident_id


# -- without the stack ------------------------------------------------------------------------------


def test_what_can_never_be_published_is_told_before_sending() -> None:
    ok = {"max_payload": MiB, "stream": "DUTYLINE", "stream_subjects": ["dutyline.>"]}
    assert unpublishable("dutyline.hz-01.call.registered", 1000, **ok) is None  # type: ignore[arg-type]
    too_big = unpublishable("dutyline.hz-01.call.registered", MiB + 1, **ok)  # type: ignore[arg-type]
    assert too_big is not None and "max_payload" in too_big
    nowhere = unpublishable("nowhere.x.y", 10, **ok)  # type: ignore[arg-type]
    assert nowhere is not None and "no subject of stream DUTYLINE" in nowhere
    for bad in ("", "dutyline..x", "dutyline.*.x", "dutyline.>", "dutyline.a b.c"):
        assert unpublishable(bad, 10, **ok) is not None, bad  # type: ignore[arg-type]
    assert subject_matches("dutyline.>", "dutyline.a.b") and not subject_matches("dutyline.>", "dutyline")
    assert subject_matches("a.*.c", "a.b.c") and not subject_matches("a.*.c", "a.b.d")
    # The server counts the header block with the payload.
    headers = {"Nats-Msg-Id": "evt-1"}
    assert message_size(b"x" * 10, headers) == 10 + len(b"NATS/1.0\r\nNats-Msg-Id: evt-1\r\n\r\n")
    assert message_size(b"x" * 10, {}) == 10


def test_only_refusals_of_the_message_itself_are_for_good() -> None:
    assert refusal(nats.errors.MaxPayloadError()) is not None
    bad_request = refusal(nats.js.errors.BadRequestError(code=400, err_code=10054, description="message size exceeds"))
    assert bad_request is not None and "message size exceeds" in bad_request
    # The infrastructure's: retried, never set aside.
    for transient in (
        TimeoutError(),
        nats.errors.TimeoutError(),
        nats.errors.ConnectionClosedError(),
        nats.errors.NoRespondersError(),
        nats.js.errors.NoStreamResponseError(),
        nats.js.errors.ServiceUnavailableError(code=503, description="JetStream unavailable"),
        nats.js.errors.ServerError(code=500, description="storage failure"),
        OSError("connection reset"),
    ):
        assert refusal(transient) is None, transient


def test_the_event_about_a_dead_letter_is_at_its_site_and_renders_as_json() -> None:
    quarantined = event("hz-01", "x")
    quarantined.drill = True
    notice = dead_letter_notice(
        source="outbox:intake",
        event_id=quarantined.id,
        subject="nowhere.x",
        data=quarantined.SerializeToString(),
        reason="no stream takes it",
    )
    assert notice.type == DEAD_LETTERED and notice.site_id == "hz-01" and notice.drill
    assert notice.aggregate == "outbox" and notice.aggregate_id == quarantined.id
    fields = struct_pb2.Struct()
    assert notice.payload.Unpack(fields)
    assert dict(fields) == {
        "event_id": quarantined.id,
        "event_type": EVENT_TYPE,
        "subject": "nowhere.x",
        "source": "outbox:intake",
        "reason": "no stream takes it",
    }
    assert b'"reason":"no stream takes it"' in event_json(notice)
    # Not an event: the site its subject names, else "platform".
    garbage = {"source": "outbox:x", "event_id": "evt-1", "data": b"\xff garbage", "reason": "r"}
    assert dead_letter_notice(subject="dutyline.nb-01.call.registered", **garbage).site_id == "nb-01"  # type: ignore[arg-type]
    assert dead_letter_notice(subject="nowhere.x", **garbage).site_id == PLATFORM_SITE  # type: ignore[arg-type]


# -- on the real stack ------------------------------------------------------------------------------


@pytest.fixture
async def schema(platform: Any) -> AsyncIterator[str]:
    """A schema of its own with the kit's tables (outbox, dead_letters…)."""
    async with kit_schema(platform.postgres.dsn, "deadletters") as name:
        yield name


@pytest.fixture
async def conn(platform: Any, schema: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(platform.postgres.dsn, server_settings={"search_path": schema})
    yield connection
    await connection.close()


async def stage(conn: asyncpg.Connection, e: event_pb2.Event, *, subject: str | None = None) -> None:
    """An outbox row as add_event writes it, with the subject given (to make it unpublishable)."""
    if subject is None:
        await add_event(conn, e)
        return
    await conn.execute(
        "INSERT INTO outbox (id, subject, data) VALUES ($1, $2, $3)", e.id, subject, e.SerializeToString()
    )


class FakeJetStream:
    """Answers publications as told: an exception for the ids in ``failing``, else an ack."""

    def __init__(self, failing: dict[str, BaseException]) -> None:
        self.failing = failing
        self.sent: list[str] = []

    async def publish_async(
        self, subject: str, payload: bytes, stream: str | None = None, headers: dict[str, str] | None = None
    ) -> asyncio.Future[PubAck]:
        assert headers is not None and stream is not None
        msg_id = headers["Nats-Msg-Id"]
        self.sent.append(msg_id)
        answer: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
        if msg_id in self.failing:
            answer.set_exception(self.failing[msg_id])
        else:
            answer.set_result(PubAck(stream=stream, seq=len(self.sent)))
        return answer


def relay_for(platform: Any, schema: str) -> OutboxRelay:
    return OutboxRelay(
        dsn=platform.postgres.dsn,
        schema=schema,
        nats_url=platform.nats.url,
        nats_creds=str(platform.nats_creds),
        stream="DUTYLINE",
    )


async def test_a_refused_message_is_set_aside_but_a_transient_failure_retries_the_batch(
    platform: Any, schema: str, conn: asyncpg.Connection
) -> None:
    site = f"dl-{uuid.uuid4().hex[:6]}"
    first, second, third = (event(site, n) for n in ("first", "second", "third"))
    for e in (first, second, third):
        await stage(conn, e)
    relay = relay_for(platform, schema)
    relay._stream_subjects = ["dutyline.>"]

    async def outbox() -> list[str]:
        return [r["id"] for r in await conn.fetch("SELECT id FROM outbox ORDER BY seq")]

    # JetStream unavailable, or no answer in time: nothing is set aside, the batch stays for a retry.
    for transient in (
        nats.js.errors.ServiceUnavailableError(code=503, description="unavailable"),
        nats.errors.TimeoutError(),
    ):
        with pytest.raises(type(transient)):
            await relay._publish_batch(conn, FakeJetStream({second.id: transient}), max_payload=MiB)  # type: ignore[arg-type]
        assert await outbox() == [first.id, second.id, third.id]
        assert await conn.fetchval("SELECT count(*) FROM dead_letters") == 0

    # Refused for good: set aside with the reason, the others leave the outbox; the event about it waits there.
    refused = nats.js.errors.BadRequestError(code=400, err_code=10054, description="message size exceeds maximum")
    fake = FakeJetStream({second.id: refused})
    assert await relay._publish_batch(conn, fake, max_payload=MiB) == 3  # type: ignore[arg-type]
    assert fake.sent == [first.id, second.id, third.id]
    letters = await conn.fetch("SELECT source, subject, event_id, data, reason FROM dead_letters")
    assert [(r["source"], r["subject"], r["event_id"]) for r in letters] == [
        (f"outbox:{schema}", subject_for(site, EVENT_TYPE), second.id)
    ]
    assert bytes(letters[0]["data"]) == second.SerializeToString()
    assert "refused by JetStream: message size exceeds maximum" in letters[0]["reason"]
    staged = await conn.fetch("SELECT subject, data FROM outbox")
    assert [r["subject"] for r in staged] == [f"dutyline.{site}.{DEAD_LETTERED}"]
    notice = event_pb2.Event.FromString(bytes(staged[0]["data"]))
    assert notice.aggregate_id == second.id
    assert (relay.published, relay.dead_lettered) == (2, 1)


async def ops(*argv: str) -> Result:
    """`dutyline ops …` in English (the CLI runs its own event loop: in a thread)."""
    return await asyncio.to_thread(
        CliRunner().invoke, app, ["ops", "--lang", "en", *argv], env={"COLUMNS": "300", "DUTYLINE_PG_DSN": None}
    )


async def test_poison_messages_are_set_aside_the_rest_delivered_and_a_fixed_one_replayed(
    platform: Any, schema: str, conn: asyncpg.Connection
) -> None:
    site = f"dl-{uuid.uuid4().hex[:6]}"
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    js = nc.jetstream()
    # Ordered consumer on this test's own site: the shared stream's other events are not seen.
    sub = await js.subscribe(f"dutyline.{site}.>", ordered_consumer=True)
    received: list[event_pb2.Event] = []

    async def delivered() -> list[str]:
        with contextlib.suppress(nats.errors.TimeoutError):
            while True:
                received.append(event_pb2.Event.FromString((await sub.next_msg(timeout=0.05)).data))
        return [f"{e.type}:{note_of(e) if e.type == EVENT_TYPE else e.aggregate_id}" for e in received]

    first, big, misrouted, last = (event(site, n) for n in ("first", "big", "misrouted", "last"))
    # The event of the issue: 1.1 MB, over NATS's max_payload (1 MiB), which emit refuses today.
    big.payload.Pack(event_pb2.CallEscalated(call_id="call-big", incident_id="big" + "x" * 1_100_000))
    await stage(conn, first)
    await stage(conn, big)
    await stage(conn, misrouted, subject=f"nowhere.{site}.dltest.sent")
    await stage(conn, last)

    relay = relay_for(platform, schema)
    task = asyncio.create_task(relay.run())
    dsn = platform.postgres.dsn
    try:
        # The two poison messages are set aside; the ones behind them go out in order, then the events
        # about the dead letters.
        expected = [
            f"{EVENT_TYPE}:first",
            f"{EVENT_TYPE}:last",
            f"{DEAD_LETTERED}:{big.id}",
            f"{DEAD_LETTERED}:{misrouted.id}",
        ]
        await until(delivered, expected)
        letters = await conn.fetch("SELECT seq, source, subject, event_id, reason FROM dead_letters ORDER BY seq")
        assert [(r["source"], r["event_id"]) for r in letters] == [
            (f"outbox:{schema}", big.id),
            (f"outbox:{schema}", misrouted.id),
        ]
        big_seq, misrouted_seq = (r["seq"] for r in letters)
        assert "over the NATS server's max_payload of 1048576 bytes" in letters[0]["reason"]
        assert "no subject of stream DUTYLINE (dutyline.>) takes 'nowhere." in letters[1]["reason"]
        notice = next(e for e in received if e.aggregate_id == misrouted.id)
        fields = struct_pb2.Struct()
        assert notice.payload.Unpack(fields)
        assert fields["event_id"] == misrouted.id and fields["subject"] == f"nowhere.{site}.dltest.sent"
        assert fields["source"] == f"outbox:{schema}" and "no subject of stream" in str(fields["reason"])
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
        assert relay.dead_lettered == 2

        # The operator sees them ...
        listed = await ops("dead-letters", "list", "--schema", schema, "--dsn", dsn)
        assert listed.exit_code == 0, listed.output
        assert "Dead letters (2)" in listed.output and "unreplayed only" in listed.output
        assert big.id in listed.output and misrouted.id in listed.output and f"outbox:{schema}" in listed.output
        assert "no subject of stream DUTYLINE" in listed.output
        zh = await asyncio.to_thread(
            CliRunner().invoke,
            app,
            ["ops", "--lang", "zh", "dead-letters", "list", "--schema", schema, "--dsn", dsn],
            env={"COLUMNS": "300"},
        )
        assert zh.exit_code == 0 and "死信（2 条）" in zh.output and "原因" in zh.output

        # ... fixes the misrouted one (its subject) and replays it: it is delivered, once.
        await conn.execute(
            "UPDATE dead_letters SET subject = $1 WHERE seq = $2", subject_for(site, EVENT_TYPE), misrouted_seq
        )
        replayed = await ops("dead-letters", "replay", str(misrouted_seq), "--schema", schema, "--dsn", dsn)
        assert replayed.exit_code == 0, replayed.output
        assert f"replayed #{misrouted_seq} {misrouted.id}" in replayed.output
        await until(delivered, [*expected, f"{EVENT_TYPE}:misrouted"])
        assert received[-1].id == misrouted.id
        assert await conn.fetchval("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE seq = $1", misrouted_seq)

        # Replayed already, or unknown: refused, nothing changed.
        again = await ops("dead-letters", "replay", str(misrouted_seq), "--schema", schema, "--dsn", dsn)
        assert again.exit_code == 2 and "replayed already" in again.output and "Nothing changed" in again.output
        unknown = await ops("dead-letters", "replay", str(big_seq), "999999", "--schema", schema, "--dsn", dsn)
        assert unknown.exit_code == 2 and "#999999" in unknown.output
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
        every = await ops("dead-letters", "replay", str(big_seq), "--schema", "all", "--dsn", dsn)
        assert every.exit_code == 2 and "--schema" in every.output

        # A consumer's dead letter is not replayed: publishing it again would duplicate it for the others.
        consumer_seq = await conn.fetchval(
            "INSERT INTO dead_letters (source, subject, event_id, data, reason) "
            "VALUES ('consumer:test', 'dutyline.x.y.z', 'evt-c', '', 'handler failed') RETURNING seq"
        )
        refused = await ops("dead-letters", "replay", str(consumer_seq), "--schema", schema, "--dsn", dsn)
        assert refused.exit_code == 2 and "cannot replay" in refused.output

        # Unreplayed only, unless --all.
        listed = await ops("dead-letters", "list", "--schema", schema, "--dsn", dsn)
        assert "Dead letters (2)" in listed.output and misrouted.id not in listed.output
        listed = await ops("dead-letters", "list", "--schema", schema, "--all", "--dsn", dsn)
        assert "Dead letters (3)" in listed.output and misrouted.id in listed.output

        # The too-big one cannot be fixed: dropped, with a reason, once confirmed.
        drop = ["ops", "--lang", "en", "dead-letters", "drop", str(big_seq), "--schema", schema, "--dsn", dsn]
        unconfirmed = await asyncio.to_thread(CliRunner().invoke, app, [*drop, "--reason", "x"], input="n\n")
        assert unconfirmed.exit_code == 2 and "nothing dropped" in unconfirmed.output
        dropped = await ops(
            "dead-letters",
            "drop",
            str(big_seq),
            str(consumer_seq),
            "--schema",
            schema,
            "--reason",
            "unbounded call list, fixed in emit",
            "--yes",
            "--dsn",
            dsn,
        )
        assert dropped.exit_code == 0, dropped.output
        assert f"dropped #{big_seq} {big.id} (outbox:{schema}): unbounded call list" in dropped.output
        assert [r["seq"] for r in await conn.fetch("SELECT seq FROM dead_letters")] == [misrouted_seq]
        listed = await ops("dead-letters", "list", "--schema", schema, "--dsn", dsn)
        assert listed.exit_code == 0 and "No dead letters" in listed.output

        # Every service schema, and a bad name or database said in one line.
        services = await ops("dead-letters", "list", "--dsn", dsn)
        assert services.exit_code == 0, services.output
        bad = await ops("dead-letters", "list", "--schema", "no;such", "--dsn", dsn)
        assert bad.exit_code == 2 and "not a schema" in bad.output
        absent = await ops("dead-letters", "list", "--schema", "no_such_schema", "--dsn", dsn)
        assert absent.exit_code == 2 and "has no dead_letters table" in absent.output
        unreachable = "postgresql://ops:secret@127.0.0.1:1/dutyline"
        down = await ops("dead-letters", "list", "--dsn", unreachable)
        assert down.exit_code == 2 and "cannot use the database" in down.output and "secret" not in down.output
        assert shown_dsn(unreachable) == "postgresql://ops:***@127.0.0.1:1/dutyline"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await nc.close()
