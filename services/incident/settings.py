"""incident's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from dutyline.config import ServiceSettings


class IncidentSettings(ServiceSettings):
    service: ClassVar[str] = "incident"
    migrations: ClassVar[str] = "services.incident.migrations"

    # Password of incident's PostgreSQL role dutyline_incident (a secret).
    incident_pg_password: SecretStr = SecretStr("")

    def pg_password(self) -> SecretStr:
        return self.incident_pg_password
