"""The entry point knows every service, and which of them run Temporal workers: insight builds its read
model from the event stream and has no worker, so `worker all` leaves it out and `worker insight` is
refused with a reason."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from dutyline import launch
from dutyline.config import SERVICES, WORKER_SERVICES
from dutyline.db.migrations import migrations_for
from dutyline.grpckit import server


def test_every_service_is_served_and_only_those_with_processes_have_workers() -> None:
    assert set(launch.SERVICES) == set(SERVICES) and "insight" in SERVICES
    assert [s.name for s in launch.services_named("all")] == list(WORKER_SERVICES)
    assert "insight" not in WORKER_SERVICES
    with pytest.raises(ValueError, match="no Temporal worker for insight"):
        launch.services_named("incident,insight")


def test_insight_has_its_own_settings_role_and_migrations() -> None:
    settings_class = launch.SERVICES["insight"].settings_class()
    assert settings_class.__name__ == "InsightSettings"
    assert settings_class().pg_role == "dutyline_insight"
    names = [m.name for m in migrations_for(settings_class.migrations)]
    assert "0001_insight.sql" in names and names[0].startswith("kit/")


def test_a_service_serves_on_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its loop costs less CPU per call than asyncio's (bench: RegisterCall CPU ms per call)."""
    loops: list[type] = []

    async def serve(name: str, build: object, settings: object) -> None:
        loops.append(type(asyncio.get_running_loop()))

    monkeypatch.setattr(server, "serve", serve)
    monkeypatch.setenv("DUTYLINE_ENV", "development")
    settings = launch.SERVICES["intake"].settings()
    server.run("intake", launch.SERVICES["intake"].server_build(), settings)
    assert loops == [uvloop.Loop]
