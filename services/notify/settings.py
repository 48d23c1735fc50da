"""notify's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr, field_validator

from dutyline.config import ServiceSettings

DEFAULT_CAP_SENDER = "dutyline@dutyline.dev"
# A fixed development key, so that `dutyline up` works out of the box; production sets its own.
DEV_IM_SECRET = "dutyline-development-only-im-secret"


class NotifySettings(ServiceSettings):
    service: ClassVar[str] = "notify"
    migrations: ClassVar[str] = "services.notify.migrations"

    # Password of notify's PostgreSQL role dutyline_notify (a secret).
    notify_pg_password: SecretStr = SecretStr("")

    # Seed of the account's signing key: notify signs agencies' NATS users with it (operator mode);
    # given directly, or as a file (a mounted secret).
    nats_account_seed: SecretStr = SecretStr("")
    nats_account_seed_file: str = ""

    # The channels. Empty URLs/hosts switch a channel off; production points them at real gateways.
    sms_gateway_url: str = ""
    voice_gateway_url: str = ""
    gateway_token: SecretStr = SecretStr("")
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "dutyline@localhost"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    # HMAC-SHA256 key for IM and webhook messages to people (agencies have their own keys).
    im_signing_secret: SecretStr = SecretStr(DEV_IM_SECRET)
    # Attempts per channel before falling back to the next one, and the first retry's delay (doubling).
    notify_attempts_per_channel: int = 3
    notify_retry_seconds: float = 2.0
    # How long a dispatcher holds a notification while a provider answers (longer than the channels'
    # 10 s timeout); one killed mid-attempt leaves it to another after this.
    notify_lease_seconds: float = 30.0
    # Longest SMS text: two concatenated UCS-2 segments (2 x 67 characters).
    sms_max_chars: int = 134
    # Who the CAP 1.2 messages to agencies say they are from (no spaces, commas, '<' or '&'); keep it
    # stable: Updates and Cancels reference the Alert by sender and identifier.
    cap_sender: str = DEFAULT_CAP_SENDER
    # Webhook deliveries to agencies: attempts before the delivery is reported as failed.
    agency_webhook_attempts: int = 6

    @field_validator("cap_sender")
    @classmethod
    def _cap_sender(cls, value: str) -> str:
        if not value or any(c.isspace() or c in ",<&" for c in value):
            raise ValueError("a CAP sender has no spaces, commas, '<' or '&'")
        return value

    def pg_password(self) -> SecretStr:
        return self.notify_pg_password

    def account_seed(self) -> str:
        """The NATS account seed, from the setting or its file; empty when NATS has no operator."""
        seed = self.nats_account_seed.get_secret_value()
        if not seed and self.nats_account_seed_file:
            with open(self.nats_account_seed_file, encoding="utf-8") as f:
                seed = f.read().strip()
        return seed
