"""insight's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from dutyline.config import ServiceSettings


class InsightSettings(ServiceSettings):
    service: ClassVar[str] = "insight"
    migrations: ClassVar[str] = "services.insight.migrations"

    # Password of insight's PostgreSQL role dutyline_insight (a secret).
    insight_pg_password: SecretStr = SecretStr("")

    def pg_password(self) -> SecretStr:
        return self.insight_pg_password
