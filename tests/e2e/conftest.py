"""Fixtures of the end-to-end tests: stubs with an officer's token, and a database connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc


@pytest.fixture
async def intake(platform: Any, officer_token: str) -> AsyncIterator[intake_pb2_grpc.IntakeServiceStub]:
    async with channel(platform.address("intake"), officer_token) as ch:
        yield intake_pb2_grpc.IntakeServiceStub(ch)


@pytest.fixture
async def incidents(
    platform: Any, officer_token: str
) -> AsyncIterator[incident_pb2_grpc.IncidentServiceStub]:
    async with channel(platform.address("incident"), officer_token) as ch:
        yield incident_pb2_grpc.IncidentServiceStub(ch)


@pytest.fixture
async def db(platform: Any) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(platform.postgres.dsn)
    yield conn
    await conn.close()
