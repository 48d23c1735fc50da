"""roster's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from dutyline.config import ServiceSettings


class RosterSettings(ServiceSettings):
    service: ClassVar[str] = "roster"
    migrations: ClassVar[str] = "services.roster.migrations"

    # Password of roster's PostgreSQL role dutyline_roster (a secret).
    roster_pg_password: SecretStr = SecretStr("")

    def pg_password(self) -> SecretStr:
        return self.roster_pg_password
