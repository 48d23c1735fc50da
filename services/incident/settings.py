"""incident's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from dutyline.config import ServiceSettings

DEV_GRANT_KEY = "dutyline-development-only-incident-grant-key"


class IncidentSettings(ServiceSettings):
    service: ClassVar[str] = "incident"
    migrations: ClassVar[str] = "services.incident.migrations"

    # Password of incident's PostgreSQL role dutyline_incident (a secret).
    incident_pg_password: SecretStr = SecretStr("")
    # Keys of the grants that authorise the incident workflow's updates (services/incident/grants.py),
    # comma separated: the first signs, every one verifies. The service and its worker share them.
    incident_grant_key: SecretStr = SecretStr(DEV_GRANT_KEY)

    def grant_keys(self) -> list[str]:
        return [k.strip() for k in self.incident_grant_key.get_secret_value().split(",") if k.strip()]

    def secrets(self) -> dict[str, str]:
        return {**super().secrets(), "incident_grant_key": self.incident_grant_key.get_secret_value()}

    def pg_password(self) -> SecretStr:
        return self.incident_pg_password
