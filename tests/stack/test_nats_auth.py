"""NATS in operator (JWT) mode, judged by the real nats-server: the services' user may do anything in
the application account, an agency's user reads its own sites' events and nothing else, and the
credentials survive a restart."""

from __future__ import annotations

import asyncio
import base64
import json
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import nkeys
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig

from dutyline.natsauth import (
    NatsAuthError,
    OperatorSetup,
    app_account_jwt,
    create_seed,
    decode_jwt,
    public_key,
    push_account_jwt,
    user_creds,
    write_secret,
)
from dutyline.natsconn import connect_url
from dutyline.outbox import ensure_stream, stream_config
from dutyline.stack.nats import EmbeddedNats
from dutyline.stack.process import free_port
from services.notify.agencies.access import (
    RENDITIONS_STREAM,
    agency_subjects,
    consumer_name,
    ensure_agency_consumers,
    inbox_prefix,
    issue_agency_user,
    renditions_stream_config,
)

pytestmark = pytest.mark.stack

STREAM = "DUTYLINE"


@dataclass
class Nats:
    server: EmbeddedNats
    setup: OperatorSetup
    services_creds: Path
    auth_dir: Path


@dataclass
class Errors:
    """What the server told a client asynchronously (permission violations arrive this way)."""

    seen: list[str] = field(default_factory=list)

    async def record(self, exc: Exception) -> None:
        self.seen.append(str(exc))

    async def wait_for(self, text: str, timeout: float = 5.0) -> str:
        async with asyncio.timeout(timeout):
            while True:
                for message in self.seen:
                    if text in message:
                        return message
                await asyncio.sleep(0.02)


def start_server(tmp_path: Path, setup: OperatorSetup) -> EmbeddedNats:
    return EmbeddedNats(tmp_path / "js", free_port(), tmp_path / "nats.log", monitor_port=free_port(), operator=setup)


@pytest.fixture
async def operator_nats(tmp_path: Path) -> AsyncIterator[Nats]:
    auth = tmp_path / "nats-auth"
    setup = OperatorSetup.load_or_create(auth)
    creds = setup.write_service_creds(auth / "services.creds")
    server = start_server(tmp_path, setup)
    await server.start_async()
    try:
        yield Nats(server, setup, creds, auth)
    finally:
        await server.stop_async()


async def agency_client(url: str, creds_text: str, agency_id: str, tmp_path: Path, errors: Errors) -> Client:
    creds = write_secret(tmp_path / f"{agency_id}.creds", creds_text)
    return await connect_url(
        url,
        creds,
        name=f"agency-{agency_id}",
        inbox_prefix=inbox_prefix(agency_id),
        error_cb=errors.record,
        allow_reconnect=False,
    )


async def publish_events(js: nats.js.JetStreamContext) -> None:
    for subject in (
        "dutyline.hz-01.incident.registered",
        "dutyline.hz-01.call.registered",
        "dutyline.nb-01.incident.registered",
        "dutyline.hz-01.incident.escalated",
        "dutyline_json.hz-01.incident.registered",
        "dutyline_json.nb-01.incident.registered",
        "dutyline_cap.hz-01.incident.registered",
        "dutyline_cap.nb-01.incident.registered",
    ):
        await js.publish(subject, subject.encode())


# --- the JWTs themselves -------------------------------------------------------------------------


def test_jwts_verify_and_carry_the_claims_the_server_reads(tmp_path: Path) -> None:
    setup = OperatorSetup.create()
    operator = decode_jwt(setup.operator_jwt)
    assert operator["iss"] == operator["sub"]  # self-signed
    assert operator["nats"] == {
        "type": "operator",
        "system_account": setup.system_account_public_key,
        "signing_keys": [public_key(setup.signing_seed)],
        "version": 2,
    }

    account = decode_jwt(setup.account_jwt)
    assert account["iss"] == operator["sub"] and account["sub"] == setup.account_public_key
    limits = account["nats"]["limits"]
    assert {limits[k] for k in ("mem_storage", "disk_storage", "streams", "consumer")} == {-1}
    assert "disk_storage" not in decode_jwt(setup.system_account_jwt)["nats"]["limits"]

    user = user_creds(setup.account_seed, name="x", publish=["a.b"], subscribe=[])
    claims = decode_jwt(user.jwt)
    assert claims["iss"] == setup.account_public_key and claims["sub"] == user.public_key
    assert claims["nats"]["pub"] == {"allow": ["a.b"]}
    assert claims["nats"]["sub"] == {"deny": [">"]}  # an empty allow list would allow everything
    assert (claims["nats"]["subs"], claims["nats"]["data"], claims["nats"]["payload"]) == (-1, -1, -1)
    assert user.text.startswith(f"-----BEGIN NATS USER JWT-----\n{user.jwt}\n------END NATS USER JWT------\n")
    assert f"-----BEGIN USER NKEY SEED-----\n{user.seed}\n------END USER NKEY SEED------\n" in user.text

    # Widening the permissions of a signed token breaks its signature.
    header, _, signature = user.jwt.split(".")
    widened = {**claims, "nats": {**claims["nats"], "pub": {"allow": [">"]}}}
    forged = base64.urlsafe_b64encode(json.dumps(widened).encode()).decode().rstrip("=")
    with pytest.raises(NatsAuthError, match="signature"):
        decode_jwt(f"{header}.{forged}.{signature}")
    with pytest.raises(NatsAuthError):
        user_creds(setup.account_seed, name="x", publish=["a b"], subscribe=None)


def test_setup_persists_owner_only(tmp_path: Path) -> None:
    first = OperatorSetup.load_or_create(tmp_path / "auth")
    again = OperatorSetup.load_or_create(tmp_path / "auth")
    assert again == first
    assert stat.S_IMODE((tmp_path / "auth").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "auth" / "operator.json").stat().st_mode) == 0o600
    creds = first.write_service_creds(tmp_path / "auth" / "services.creds")
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert OperatorSetup.create().account_seed != first.account_seed


# --- against the server --------------------------------------------------------------------------


async def test_services_user_is_admitted_and_strangers_are_not(operator_nats: Nats, tmp_path: Path) -> None:
    url = operator_nats.server.url
    nc = await connect_url(url, operator_nats.services_creds, name="services")
    try:
        js = nc.jetstream()
        await ensure_stream(js, stream_config(STREAM))
        ack = await js.publish("dutyline.hz-01.call.registered", b"x")
        assert ack.stream == STREAM
    finally:
        await nc.close()

    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await connect_url(url, None, allow_reconnect=False, max_reconnect_attempts=0)

    # A user of an account this server does not trust (signed by a stranger's seed).
    stranger = create_seed(nkeys.PREFIX_BYTE_ACCOUNT)
    foreign = write_secret(
        tmp_path / "foreign.creds", user_creds(stranger, name="f", publish=None, subscribe=None).text
    )
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await connect_url(url, foreign, allow_reconnect=False, max_reconnect_attempts=0)


async def test_agency_user_reads_only_its_own_sites(operator_nats: Nats, tmp_path: Path) -> None:
    url = operator_nats.server.url
    fire = agency_subjects(["hz-01"], ["incident.*"])
    police = agency_subjects(["nb-01"], ["*"])
    service = await connect_url(url, operator_nats.services_creds, name="services")
    errors = Errors()
    agency = None
    try:
        sjs = service.jetstream()
        await ensure_stream(sjs, stream_config(STREAM))
        await ensure_stream(sjs, renditions_stream_config())
        await ensure_agency_consumers(sjs, "fire-hz", fire, stream=STREAM)
        await ensure_agency_consumers(sjs, "police-nb", police, stream=STREAM)
        # Idempotent, and an update keeps the consumer.
        await ensure_agency_consumers(sjs, "fire-hz", fire, stream=STREAM)
        info = await sjs.consumer_info(STREAM, consumer_name("fire-hz"))
        assert sorted(info.config.filter_subjects or [info.config.filter_subject]) == ["dutyline.hz-01.incident.>"]

        creds = issue_agency_user(operator_nats.setup.account_seed, "fire-hz", fire, stream=STREAM)
        agency = await agency_client(url, creds.text, "fire-hz", tmp_path, errors)

        live: list[str] = []
        three = asyncio.Event()

        async def on_msg(msg: Msg) -> None:
            live.append(msg.subject)
            if len(live) >= 3:
                three.set()

        await agency.subscribe("dutyline.hz-01.incident.>", cb=on_msg)
        await agency.subscribe("dutyline_cap.hz-01.incident.>", cb=on_msg)
        await agency.flush()
        assert errors.seen == []

        # (b) other sites, or everything, are refused by the server.
        refused: list[str] = []

        async def on_refused(msg: Msg) -> None:
            refused.append(msg.subject)

        await agency.subscribe("dutyline.nb-01.>", cb=on_refused)
        assert "nb-01" in await errors.wait_for('permissions violation for subscription to "dutyline.nb-01.>"')
        await agency.subscribe("dutyline.>", cb=on_refused)
        await errors.wait_for('permissions violation for subscription to "dutyline.>"')
        await agency.subscribe("dutyline_json.nb-01.>", cb=on_refused)
        await errors.wait_for('permissions violation for subscription to "dutyline_json.nb-01.>"')
        await agency.flush()

        await publish_events(sjs)

        # (a) live: hz-01 incident events (protobuf and CAP), nothing else.
        await asyncio.wait_for(three.wait(), 5)
        await agency.flush()
        await asyncio.sleep(0.2)
        assert sorted(live) == [
            "dutyline.hz-01.incident.escalated",
            "dutyline.hz-01.incident.registered",
            "dutyline_cap.hz-01.incident.registered",
        ]
        assert refused == []

        # (a) pulled from its durable consumers, acknowledged, inspected — all as the agency.
        ajs = agency.jetstream(timeout=1)
        events = await ajs.pull_subscribe_bind(consumer_name("fire-hz"), stream=STREAM)
        msgs = await events.fetch(10, timeout=2)
        assert [m.subject for m in msgs] == ["dutyline.hz-01.incident.registered", "dutyline.hz-01.incident.escalated"]
        for m in msgs:
            await m.ack_sync()
        info = await events.consumer_info()
        assert info.num_ack_pending == 0 and info.num_pending == 0

        renditions = await ajs.pull_subscribe_bind(consumer_name("fire-hz"), stream=RENDITIONS_STREAM)
        msgs = await renditions.fetch(10, timeout=2)
        assert sorted(m.subject for m in msgs) == [
            "dutyline_cap.hz-01.incident.registered",
            "dutyline_json.hz-01.incident.registered",
        ]
        for m in msgs:
            await m.ack_sync()

        # (c) it cannot make itself a consumer ...
        with pytest.raises(nats.errors.TimeoutError):
            await ajs.add_consumer(STREAM, ConsumerConfig(name="mine", durable_name="mine"), timeout=1)
        await errors.wait_for('permissions violation for publish to "$js.api.consumer.create.dutyline.mine"')
        with pytest.raises(nats.errors.TimeoutError):
            await ajs.pull_subscribe("dutyline.>", durable="mine2", stream=STREAM)

        # ... nor pull or inspect another agency's ...
        other = await ajs.pull_subscribe_bind(consumer_name("police-nb"), stream=STREAM)
        with pytest.raises(nats.errors.TimeoutError):
            await other.fetch(1, timeout=1)
        await errors.wait_for(
            'permissions violation for publish to "$js.api.consumer.msg.next.dutyline.agency-police-nb"'
        )
        with pytest.raises(nats.errors.TimeoutError):
            await ajs.consumer_info(STREAM, consumer_name("police-nb"), timeout=1)

        # ... nor publish events of its own.
        await agency.publish("dutyline.hz-01.incident.registered", b"forged")
        await errors.wait_for('permissions violation for publish to "dutyline.hz-01.incident.registered"')

        # The server kept everything intact: nothing forged reached the stream, nobody made a consumer.
        stream = await sjs.stream_info(STREAM)
        assert stream.state.messages == 4
        assert sorted(await _consumer_names(sjs, STREAM)) == ["agency-fire-hz", "agency-police-nb"]
        police_info = await sjs.consumer_info(STREAM, consumer_name("police-nb"))
        assert police_info.num_pending == 1 and police_info.delivered.stream_seq == 0
    finally:
        if agency is not None:
            await agency.close()
        await service.close()


async def _consumer_names(js: nats.js.JetStreamContext, stream: str) -> list[str]:
    return [c.name for c in await js.consumers_info(stream)]


async def test_issued_credentials_survive_a_restart(operator_nats: Nats, tmp_path: Path) -> None:
    subjects = agency_subjects(["hz-01"], ["incident.registered"])
    service = await connect_url(operator_nats.server.url, operator_nats.services_creds, name="services")
    try:
        js = service.jetstream()
        await ensure_stream(js, stream_config(STREAM))
        await ensure_stream(js, renditions_stream_config())
        await ensure_agency_consumers(js, "health-hz", subjects, stream=STREAM)
        await js.publish("dutyline.hz-01.incident.registered", b"before")
    finally:
        await service.close()
    creds = issue_agency_user(operator_nats.setup.account_seed, "health-hz", subjects, stream=STREAM)

    await operator_nats.server.stop_async()
    # What a restart of `dutyline up` does: load the same setup from the state directory.
    again = OperatorSetup.load_or_create(operator_nats.auth_dir)
    assert again == operator_nats.setup
    server = EmbeddedNats(
        operator_nats.server.store_dir,
        operator_nats.server.port,
        tmp_path / "nats-2.log",
        monitor_port=free_port(),
        operator=again,
    )
    operator_nats.server = server  # the fixture stops this one
    await server.start_async()

    errors = Errors()
    agency = await agency_client(server.url, creds.text, "health-hz", tmp_path, errors)
    try:
        sub = await agency.jetstream().pull_subscribe_bind(consumer_name("health-hz"), stream=STREAM)
        msgs = await sub.fetch(1, timeout=2)
        assert [m.data for m in msgs] == [b"before"]
        await msgs[0].ack_sync()
        assert errors.seen == []
    finally:
        await agency.close()


# --- expiry and revocation, enforced by the server ----------------------------------------------


async def refused(url: str, creds: Path) -> str:
    """What the server says to a client connecting with ``creds``; fails if it lets it in."""
    with pytest.raises(nats.errors.Error) as refusal:
        client = await connect_url(url, creds, allow_reconnect=False, connect_timeout=2)
        await client.close()
    return str(refusal.value)


async def watched(url: str, creds: Path) -> tuple[Client, asyncio.Event]:
    """A client and an event set when the server drops it."""
    dropped = asyncio.Event()

    async def on_disconnect() -> None:
        dropped.set()

    client = await connect_url(url, creds, allow_reconnect=False, disconnected_cb=on_disconnect)
    return client, dropped


async def test_a_revoked_user_is_cut_off_and_refused_even_after_a_restart(operator_nats: Nats, tmp_path: Path) -> None:
    setup = operator_nats.setup
    # A resolver keeps the newer of a stored and a preloaded account JWT, by the second they were
    # issued: be a second later than the setup (made just now, here; days before, in a deployment).
    await asyncio.sleep(1.1 - time.time() % 1)
    agency = issue_agency_user(setup.account_seed, "fire-hz", ["dutyline.hz-01.>"], stream=STREAM)
    other = issue_agency_user(setup.account_seed, "fire-hz", ["dutyline.hz-01.>"], stream=STREAM)
    agency_creds = write_secret(tmp_path / "agency.creds", agency.text)
    other_creds = write_secret(tmp_path / "other.creds", other.text)
    connected, dropped = await watched(operator_nats.server.url, agency_creds)
    system = await connect_url(operator_nats.server.url, setup.write_system_creds(tmp_path / "system.creds"))
    try:
        revoked = app_account_jwt(setup.signing_seed, setup.account_public_key, {agency.public_key: int(time.time())})
        await push_account_jwt(system, setup.account_public_key, revoked)
        await asyncio.wait_for(dropped.wait(), 5)  # the server drops the revoked user's connection
        assert "Authorization Violation" in await refused(operator_nats.server.url, agency_creds)
        await (await connect_url(operator_nats.server.url, other_creds)).close()  # the others stay valid
    finally:
        await connected.close()
        await system.close()

    # The full resolver kept the pushed account on disk: the preload at start does not undo it.
    await operator_nats.server.stop_async()
    await operator_nats.server.start_async()
    assert "Authorization Violation" in await refused(operator_nats.server.url, agency_creds)


async def test_an_expired_user_is_cut_off_and_refused(operator_nats: Nats, tmp_path: Path) -> None:
    setup = operator_nats.setup
    expires = int(time.time()) + 2
    user = issue_agency_user(setup.account_seed, "fire-hz", ["dutyline.hz-01.>"], stream=STREAM, expires=expires)
    creds = write_secret(tmp_path / "agency.creds", user.text)
    client, dropped = await watched(operator_nats.server.url, creds)
    try:
        await asyncio.wait_for(dropped.wait(), 6)
    finally:
        await client.close()
    # The server checks a new connection's expiry by whole seconds.
    await asyncio.sleep(max(0.0, expires + 1.1 - time.time()))
    assert "Authorization Violation" in await refused(operator_nats.server.url, creds)


def test_a_setup_from_before_revocations_gets_a_signing_key_and_keeps_its_users(tmp_path: Path) -> None:
    old = OperatorSetup.load_or_create(tmp_path)
    data = json.loads((tmp_path / "operator.json").read_text())
    del data["signing_seed"], data["system_creds"]
    (tmp_path / "operator.json").write_text(json.dumps(data))
    upgraded = OperatorSetup.load_or_create(tmp_path)
    assert (upgraded.operator_seed, upgraded.account_seed, upgraded.service_creds) == (
        old.operator_seed,
        old.account_seed,
        old.service_creds,
    )
    assert decode_jwt(upgraded.operator_jwt)["nats"]["signing_keys"] == [public_key(upgraded.signing_seed)]
    assert OperatorSetup.load_or_create(tmp_path) == upgraded  # written back
