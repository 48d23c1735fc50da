"""notify's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator

from dutyline.config import ServiceSettings

DEFAULT_CAP_SENDER = "dutyline@dutyline.dev"
# A fixed development key, so that `dutyline up` works out of the box; production sets its own.
DEV_IM_SECRET = "dutyline-development-only-im-secret"
DEV_ACK_TOKEN_SECRET = "dutyline-development-only-ack-secret"
# Staff contacts in stored notifications ("keyid:base64(32 bytes)"), development only as well.
DEV_CONTACT_KEYS = "dev1:ZHV0eWxpbmUtZGV2LW9ubHktc3RhZmYtY29udGFjdHM="


class NotifySettings(ServiceSettings):
    service: ClassVar[str] = "notify"
    migrations: ClassVar[str] = "services.notify.migrations"

    # Password of notify's PostgreSQL role dutyline_notify (a secret).
    notify_pg_password: SecretStr = SecretStr("")

    # Seed of the account's signing key: notify signs agencies' NATS users with it (operator mode);
    # given directly, or as a file (a mounted secret).
    nats_account_seed: SecretStr = SecretStr("")
    nats_account_seed_file: str = ""
    # Revoking agencies' users: the operator signing key that re-signs the account JWT with its
    # revocations, and the system account user's creds file that pushes it to the NATS servers.
    nats_signing_seed: SecretStr = SecretStr("")
    nats_signing_seed_file: str = ""
    nats_system_creds: str = ""
    # How long an agency's NATS user is valid; it then has to be issued again.
    agency_creds_ttl_seconds: int = Field(default=90 * 24 * 3600, gt=0)

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
    # HMAC keys of the one-time acknowledgement tokens in messages, comma separated (the first signs,
    # all verify): a key of their own, so neither a bearer-token key nor an IM key forges them.
    ack_token_secret: SecretStr = SecretStr(DEV_ACK_TOKEN_SECRET)
    # An acknowledgement token works once, for ack_token_hours after its message was queued. After
    # ack_token_failures wrong tokens for one escalation (or notification), or
    # ack_token_source_failures from one source (a gateway may front many people), within
    # ack_token_failure_minutes, further tries are refused until the window has passed.
    # AES-GCM keys of the staff contacts stored with notifications, "keyid:base64(32 bytes)" entries,
    # comma separated: the first seals, all open (so keys rotate like DUTYLINE_CALLER_KEYS).
    contact_keys: SecretStr = SecretStr(DEV_CONTACT_KEYS)
    ack_token_hours: float = 24.0
    ack_token_failures: int = 5
    ack_token_source_failures: int = 20
    ack_token_failure_minutes: float = 15.0
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

    def ack_token_secrets(self) -> list[str]:
        """The acknowledgement-token keys, the signing one first."""
        return [k.strip() for k in self.ack_token_secret.get_secret_value().split(",") if k.strip()]

    def secrets(self) -> dict[str, str]:
        return {
            **super().secrets(),
            "im_signing_secret": self.im_signing_secret.get_secret_value(),
            "ack_token_secret": self.ack_token_secret.get_secret_value(),
        }

    def account_seed(self) -> str:
        """The NATS account seed, from the setting or its file; empty when NATS has no operator."""
        return _secret(self.nats_account_seed, self.nats_account_seed_file)

    def signing_seed(self) -> str:
        """The operator signing key's seed, from the setting or its file; empty: cannot revoke."""
        return _secret(self.nats_signing_seed, self.nats_signing_seed_file)


def _secret(value: SecretStr, path: str) -> str:
    secret = value.get_secret_value()
    if not secret and path:
        with open(path, encoding="utf-8") as f:
            secret = f.read().strip()
    return secret
