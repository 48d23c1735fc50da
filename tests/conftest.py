"""The real stack for integration tests: embedded PostgreSQL, NATS JetStream, the Temporal dev
server, the five services and the worker — started once per test session on free ports."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.support import start_on_free_ports, token_for


def pytest_addoption(parser: pytest.Parser) -> None:
    # The fault suite (tests/chaos): `make test` runs its short profile, `make chaos` the long one.
    parser.addoption(
        "--chaos",
        choices=("short", "long"),
        default="short",
        help="fault suite profile: short (a few kills, light load) or long (every component, 20+100 calls/s)",
    )


@pytest.fixture(scope="session")
async def platform() -> AsyncIterator[object]:
    from dutyline.stack.platform import Platform, Ports

    # Outside the source tree, readable by the embedded_postgres user when run as root.
    state = Path(tempfile.mkdtemp(prefix="dutyline-test-"))
    os.chmod(state, 0o755)
    # Short delays between delivery retries, short leases and fewer webhook attempts, so the tests
    # see them end (the local gateway answers in milliseconds).
    quick = {
        "DUTYLINE_NOTIFY_RETRY_SECONDS": "0.2",
        "DUTYLINE_NOTIFY_LEASE_SECONDS": "3",
        "DUTYLINE_AGENCY_WEBHOOK_ATTEMPTS": "3",
        # Tests start receivers of their own on loopback, at other ports than the stack's gateway.
        "DUTYLINE_OUTBOUND_ALLOW": "http://127.0.0.1",
    }
    stack = await start_on_free_ports(
        lambda: Platform(state, Ports.free(), ui=False, token_secret=DEV_TOKEN_SECRET, settings=quick),
        lambda platform: platform.start(),
    )
    try:
        yield stack
    finally:
        await stack.stop()
        # DUTYLINE_KEEP_TEST_STATE=1 keeps the logs and data of a failed run for a look.
        if not os.environ.get("DUTYLINE_KEEP_TEST_STATE"):
            shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
async def on_duty_officer(platform: Any) -> str:
    """The officer the demo roster has on duty at hz-01 now."""
    async with channel(platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
        on_duty = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(roster_pb2.GetOnDutyRequest(site_id="hz-01"))
    return str(on_duty.officers[0].person_id)


@pytest.fixture(scope="session")
def officer_token(on_duty_officer: str) -> str:
    """A token of the officer on duty at hz-01."""
    return token_for(on_duty_officer, ["officer"], ["hz-01"])


@pytest.fixture
async def intake(platform: Any, officer_token: str) -> AsyncIterator[intake_pb2_grpc.IntakeServiceStub]:
    async with channel(platform.address("intake"), officer_token) as ch:
        yield intake_pb2_grpc.IntakeServiceStub(ch)


@pytest.fixture
async def incidents(platform: Any, officer_token: str) -> AsyncIterator[incident_pb2_grpc.IncidentServiceStub]:
    async with channel(platform.address("incident"), officer_token) as ch:
        yield incident_pb2_grpc.IncidentServiceStub(ch)


@pytest.fixture
async def db(platform: Any) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(platform.postgres.dsn)
    yield conn
    await conn.close()
