"""Settings: the shared ones hold only what several processes need; each service reads its own, from
the same DUTYLINE_* variables, and connects to the database as its own role."""

from __future__ import annotations

import pytest

from dutyline import launch
from dutyline.config import SERVICES, ServiceSettings, Settings, dsn_as, role_of
from services.intake.settings import IntakeSettings
from services.notify.settings import NotifySettings
from workflows.incident.types import SEARCH_ATTRIBUTES


def test_the_shared_settings_hold_nothing_of_one_service() -> None:
    shared = set(Settings.model_fields)
    assert not {f for f in shared if f.startswith(("match_", "smtp_", "sms_", "notify_", "agency_", "cap_"))} - {
        "notify_address"  # where the others reach notify
    }
    assert not shared & {"caller_keys", "im_signing_secret", "gateway_token", "nats_account_seed"}
    for service in launch.SERVICES.values():
        own = set(service.settings_class().model_fields) - shared
        assert f"{service.name}_pg_password" in own, service.name
        others = {f"{s}_pg_password" for s in SERVICES if s != service.name}
        assert not own & others, f"{service.name} reads another service's database password"


def test_each_service_of_a_process_gets_its_own_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUTYLINE_PG_DSN", "postgresql://admin:admin-secret@db.example:5433/dutyline?sslmode=require")
    monkeypatch.setenv("DUTYLINE_INTAKE_PG_PASSWORD", "intake-secret")
    monkeypatch.setenv("DUTYLINE_NOTIFY_PG_PASSWORD", "n/tify:s@cret")
    monkeypatch.setenv("DUTYLINE_MATCH_LINK_SCORE", "0.7")
    intake, notify = launch.SERVICES["intake"].settings(), launch.SERVICES["notify"].settings()
    assert isinstance(intake, IntakeSettings) and isinstance(notify, NotifySettings)
    assert intake.match_link_score == 0.7 and not hasattr(notify, "match_link_score")
    # Same server, database and options; the service's role and password instead of the administrator's.
    assert intake.service_dsn() == "postgresql://dutyline_intake:intake-secret@db.example:5433/dutyline?sslmode=require"
    assert notify.service_dsn().startswith("postgresql://dutyline_notify:n%2Ftify%3As%40cret@db.example:5433/")
    # No password given: none at all, never the administrator's.
    assert launch.SERVICES["roster"].settings().service_dsn() == (
        "postgresql://dutyline_roster@db.example:5433/dutyline?sslmode=require"
    )


def test_production_has_no_default_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    for service in SERVICES:
        monkeypatch.delenv(f"DUTYLINE_{service.upper()}_PG_PASSWORD", raising=False)
    for service in launch.SERVICES.values():
        settings: ServiceSettings = service.settings()
        assert settings.pg_password().get_secret_value() == "", service.name
        assert settings.pg_role == role_of(service.name) == f"dutyline_{service.name}"


def test_dsn_as_keeps_several_hosts() -> None:
    assert dsn_as("postgresql://a:b@h1:5432,h2:5432/db", "r", "p") == "postgresql://r:p@h1:5432,h2:5432/db"


def test_the_search_attributes_come_from_the_workflows_contracts() -> None:
    assert SEARCH_ATTRIBUTES.items() <= launch.search_attributes().items()


def test_a_worker_keeps_every_open_incident_of_the_design_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN §8: 5,000 open incidents on one dev server; a worker that cannot keep them replays each one's
    whole history when its report falls due (bench --only open_incidents)."""
    assert Settings().worker_cached_workflows >= 5_000
    monkeypatch.setenv("DUTYLINE_WORKER_CACHED_WORKFLOWS", "2000")
    assert Settings().worker_cached_workflows == 2_000
