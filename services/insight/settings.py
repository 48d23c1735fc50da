"""insight's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from pydantic import SecretStr

from dutyline.config import ServiceSettings


class InsightSettings(ServiceSettings):
    service: ClassVar[str] = "insight"
    migrations: ClassVar[str] = "services.insight.migrations"

    # Password of insight's PostgreSQL role dutyline_insight (a secret).
    insight_pg_password: SecretStr = SecretStr("")
    # When each site's daily report (值班日报) of the previous day goes to its superior duty office: a
    # time of day on the site's own clock (services/insight/daily_due.py).
    insight_daily_report_at: time = time(8, 0)

    def pg_password(self) -> SecretStr:
        return self.insight_pg_password
