"""The real stack for integration tests: embedded PostgreSQL, NATS JetStream, the Temporal dev
server, the five services and the worker — started once per test session on free ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from tests.support import SpanReceiver, officer_on_duty, running_platform, token_for


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
    # Short delays between delivery retries, short leases and fewer webhook attempts, so the tests
    # see them end (the local gateway answers in milliseconds).
    quick = {
        "DUTYLINE_NOTIFY_RETRY_SECONDS": "0.2",
        "DUTYLINE_NOTIFY_LEASE_SECONDS": "3",
        "DUTYLINE_AGENCY_WEBHOOK_ATTEMPTS": "3",
        # Tests start receivers of their own on loopback, at other ports than the stack's gateway.
        "DUTYLINE_OUTBOUND_ALLOW": "http://127.0.0.1",
    }
    async with running_platform("test", settings=quick) as stack:
        yield stack


@pytest.fixture(scope="session")
async def spans() -> AsyncIterator[SpanReceiver]:
    """What the ``replicated`` platform's processes trace (exported every 100 ms)."""
    async with SpanReceiver.serving() as receiver:
        yield receiver


@pytest.fixture(scope="session")
async def replicated(spans: SpanReceiver) -> AsyncIterator[Any]:
    """The one platform of the modules that need more than the session's ``platform`` (tests/replicas,
    tests/observability/test_tracing): two replicas of every service and worker, a 3-node NATS
    cluster, supervised (a killed component is restarted as `dutyline up` does), tracing to ``spans``.
    Starting one per module cost a platform start each; its users run last (pytest_collection_modifyitems),
    so it never idles beside the rest of the suite, and a test that kills a component waits until it serves."""
    settings = {
        "DUTYLINE_NOTIFY_RETRY_SECONDS": "0.2",
        "DUTYLINE_NOTIFY_LEASE_SECONDS": "3",
        "OTEL_EXPORTER_OTLP_ENDPOINT": spans.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    async with running_platform("replicated", settings=settings, replicas=2, supervise=True) as stack:
        yield stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The users of ``replicated`` last (started when the first needs it, stopped at the session's end), the
    fault suite's kills (each on a platform of its own) after them."""

    def order(item: pytest.Item) -> int:
        if item.get_closest_marker("chaos"):
            return 2
        return 1 if "replicated" in getattr(item, "fixturenames", ()) else 0

    items.sort(key=order)
    # Under pytest-xdist (`make test`: two workers), the platforms of their own go to one worker, in this
    # order, while the other worker runs the rest on its own ``platform``.
    for item in items:
        if order(item):
            item.add_marker(pytest.mark.xdist_group("own_platforms"))


@pytest.fixture
async def on_duty_officer(platform: Any) -> str:
    """The officer on duty at hz-01 when the test starts: asked per test, since the demo roster's 20:00
    shift change puts a new pair on duty, and a session's 16 minutes can cross it (CI at 20:02 Shanghai)."""
    return await officer_on_duty(platform)


@pytest.fixture
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
