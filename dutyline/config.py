"""Typed configuration from the environment (DUTYLINE_*).

Every address can point at an external server, which is how docker-compose and Kubernetes run it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("intake", "roster", "incident", "notify")
DEV_TOKEN_SECRET = "dutyline-development-only-secret"
# A fixed development key, so that `dutyline up` works out of the box; production sets its own.
DEFAULT_CAP_SENDER = "dutyline@dutyline.dev"
DEV_IM_SECRET = "dutyline-development-only-im-secret"
DEV_CALLER_KEY = "dev1:ZHV0eWxpbmUtZGV2ZWxvcG1lbnQtb25seS1rZXkhISE="


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUTYLINE_", extra="ignore")

    pg_dsn: str = "postgresql://postgres@127.0.0.1:55432/dutyline"
    pg_pool_min: int = 2
    pg_pool_max: int = 20
    nats_url: str = "nats://127.0.0.1:4222"
    # A NATS .creds file (user JWT + seed) when the server runs in operator (JWT) mode; empty: no auth.
    nats_creds: str = ""
    # Seed of the account's signing key: notify signs agencies' NATS users with it (operator mode);
    # given directly, or as a file (a mounted secret).
    nats_account_seed: SecretStr = SecretStr("")
    nats_account_seed_file: str = ""
    stream: str = "DUTYLINE"
    # Copies of each stream's data: 3 on a three-node JetStream cluster (set when a stream is created).
    stream_replicas: int = 1
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "dutyline"

    # Where clients reach each service; a service listens on the port of its own address.
    intake_address: str = "127.0.0.1:50051"
    roster_address: str = "127.0.0.1:50052"
    incident_address: str = "127.0.0.1:50053"
    notify_address: str = "127.0.0.1:50054"
    listen_host: str = "127.0.0.1"

    # Keys of the bearer tokens (HS256), comma separated: the first signs, every one verifies, so a
    # new key can be rolled out before the old one is retired.
    token_secret: SecretStr = SecretStr(DEV_TOKEN_SECRET)
    # "keyid:base64(32 bytes)" entries, comma separated; the first one encrypts, all decrypt.
    caller_keys: SecretStr = SecretStr(DEV_CALLER_KEY)

    # Matching emergency calls to the open incident about the same event (services/intake/matching.py
    # explains each): a call farther than match_distance_m beyond an incident's extent, or
    # match_window_minutes after its last call, is about something else; match_half_m beyond the
    # extent the place agrees half; the score weighs place, time and words; the best incident at or
    # above match_link_score gets the call, others at or above match_merge_score are proposed for merging.
    match_distance_m: float = 1000.0
    match_half_m: float = 300.0
    match_window_minutes: int = 360
    match_place_weight: float = 0.45
    match_time_weight: float = 0.2
    match_text_weight: float = 0.35
    match_link_score: float = 0.5
    match_merge_score: float = 0.5

    # Notify's channels. Empty URLs/hosts switch a channel off; production points them at real gateways.
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

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "info"
    shutdown_grace_seconds: float = 5.0

    @field_validator("cap_sender")
    @classmethod
    def _cap_sender(cls, value: str) -> str:
        if not value or any(c.isspace() or c in ",<&" for c in value):
            raise ValueError("a CAP sender has no spaces, commas, '<' or '&'")
        return value

    def token_secrets(self) -> list[str]:
        """The token keys, the signing one first."""
        return [k.strip() for k in self.token_secret.get_secret_value().split(",") if k.strip()]

    def signing_secret(self) -> str:
        return self.token_secrets()[0]

    def account_seed(self) -> str:
        """The NATS account seed, from the setting or its file; empty when NATS has no operator."""
        seed = self.nats_account_seed.get_secret_value()
        if not seed and self.nats_account_seed_file:
            with open(self.nats_account_seed_file, encoding="utf-8") as f:
                seed = f.read().strip()
        return seed

    def address_of(self, service: str) -> str:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        return str(getattr(self, f"{service}_address"))

    def listen_address(self, service: str) -> str:
        port = self.address_of(service).rsplit(":", 1)[1]
        return f"{self.listen_host}:{port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
