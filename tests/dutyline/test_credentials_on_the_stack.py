"""Credentials on the real stack (issue 14, findings 1 and 15): a component's credential that lasts
seconds is renewed while calls flow between services, and a live feed ends when its token expires."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from typing import Any

import grpc
import jwt
import pytest

from dutyline.config import DEV_SERVICE_TOKEN_SECRET, DEV_TOKEN_SECRET
from dutyline.grpckit.auth import issue_token, system_token
from dutyline.grpckit.client import channel, service_credential
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.stack.process import ManagedProcess, free_port
from services.intake.settings import IntakeSettings
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

pytestmark = pytest.mark.stack

LIFETIME = 5.0


async def test_service_credentials_of_five_seconds_are_renewed_while_calls_flow(
    platform: Any, officer_token: str, tmp_path: Any
) -> None:
    # The setting makes credentials that short (before issue 14 they lasted 30 days, minted once).
    minted = service_credential(IntakeSettings(service_token_seconds=LIFETIME), "intake")()
    claims = jwt.decode(minted, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == LIFETIME
    # A second intake server on the platform whose own credential lasts 5 s: every emergency call
    # asks roster for the site and opens its incident at incident, with that credential.
    address = f"127.0.0.1:{free_port()}"
    env = {
        **platform.env("intake"),
        "DUTYLINE_INTAKE_ADDRESS": address,
        "DUTYLINE_SERVICE_TOKEN_SECONDS": str(LIFETIME),
        # Its own port (the platform's intake listens on the one platform.env names) and no metrics.
        "DUTYLINE_LISTEN_PORT": "0",
        "DUTYLINE_METRICS_PORT": "0",
    }
    intake = ManagedProcess(
        [sys.executable, "-m", "services.intake"], tmp_path / "intake.log", name="intake-short", env=env
    )
    intake.start()
    try:
        async with channel(address, officer_token) as ch, channel(platform.address("incident"), officer_token) as ich:
            stub, incidents = intake_pb2_grpc.IntakeServiceStub(ch), incident_pb2_grpc.IncidentServiceStub(ich)
            await stub.ListCalls(intake_pb2.ListCallsRequest(site_id="hz-01"), wait_for_ready=True, timeout=60)
            began = time.monotonic()
            opened = []
            while time.monotonic() - began < 4 * LIFETIME:
                answer = await stub.RegisterCall(emergency_call(drill=True), timeout=20)
                assert answer.escalation == "opened", answer.escalation
                opened.append(answer.call.incident_id)
                for _ in range(8):  # and reads, which ask roster which sites the reader may see
                    await stub.ListCalls(intake_pb2.ListCallsRequest(site_id="hz-01"), timeout=10)
                    await asyncio.sleep(0.25)
            assert len(opened) >= 4
            for incident_id in opened:
                got = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id), timeout=10)
                assert got.id == incident_id
    finally:
        intake.stop()


async def test_a_credential_that_is_not_renewed_stops_working(platform: Any) -> None:
    # What the renewal prevents: a credential minted once is refused once it expires.
    once = system_token(DEV_SERVICE_TOKEN_SECRET, "intake", timedelta(seconds=2))
    async with channel(platform.address("roster"), once) as ch:
        stub = roster_pb2_grpc.RosterServiceStub(ch)
        await stub.GetSite(roster_pb2.GetSiteRequest(site_id="hz-01"), timeout=10)
        await asyncio.sleep(3)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.GetSite(roster_pb2.GetSiteRequest(site_id="hz-01"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_live_feed_ends_when_its_token_expires(platform: Any, on_duty_officer: str) -> None:
    short = issue_token(
        DEV_TOKEN_SECRET, person_id=on_duty_officer, roles=["officer"], sites=["hz-01"], ttl=timedelta(seconds=3)
    )
    async with channel(platform.address("incident"), short) as ch:
        stream = incident_pb2_grpc.IncidentServiceStub(ch).WatchIncidents(
            incident_pb2.WatchIncidentsRequest(site_id="hz-01")
        )
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            async with asyncio.timeout(20):
                async for _ in stream:
                    pass
    assert ended.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "expired" in (ended.value.details() or "")


async def test_a_revoked_token_is_refused_by_every_service_within_seconds(platform: Any) -> None:
    revoked = token_for("p-revoked", ["officer"], ["hz-01"])
    kept = token_for("p-kept", ["officer"], ["hz-01"])
    request = roster_pb2.GetSiteRequest(site_id="hz-01")
    async with channel(platform.address("roster"), revoked) as ch, channel(platform.address("roster"), kept) as kch:
        stub, other = roster_pb2_grpc.RosterServiceStub(ch), roster_pb2_grpc.RosterServiceStub(kch)
        await stub.GetSite(request, timeout=10)
        token_id = jwt.decode(revoked, options={"verify_signature": False})["jti"]
        with platform.revoked_tokens_file.open("a", encoding="utf-8") as f:
            f.write(f"{token_id}  # test: a lost phone\n")
        deadline = time.monotonic() + 15
        while True:
            try:
                await stub.GetSite(request, timeout=10)
            except grpc.aio.AioRpcError as exc:
                assert exc.code() == grpc.StatusCode.UNAUTHENTICATED and "revoked" in (exc.details() or "")
                break
            assert time.monotonic() < deadline, "the revoked token is still accepted"
            await asyncio.sleep(0.5)
        await other.GetSite(request, timeout=10)


async def test_a_live_feed_ends_when_its_token_is_revoked(platform: Any, on_duty_officer: str) -> None:
    token = token_for(on_duty_officer, ["officer"], ["hz-01"])
    async with channel(platform.address("incident"), token) as ch:
        stream = incident_pb2_grpc.IncidentServiceStub(ch).WatchIncidents(
            incident_pb2.WatchIncidentsRequest(site_id="hz-01")
        )

        async def read() -> None:
            async for _ in stream:
                pass

        reading = asyncio.create_task(read())
        await asyncio.sleep(2)
        assert not reading.done()  # the feed is open (and the token not yet revoked)
        token_id = jwt.decode(token, options={"verify_signature": False})["jti"]
        with platform.revoked_tokens_file.open("a", encoding="utf-8") as f:
            f.write(f"{token_id}\n")
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            async with asyncio.timeout(20):
                await reading
    assert ended.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "revoked" in (ended.value.details() or "")
