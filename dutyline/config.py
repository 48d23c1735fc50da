"""Typed configuration from the environment (DUTYLINE_*).

``Settings`` holds what several processes share: where PostgreSQL, NATS, Temporal and the services
are, the token keys, logging and shutdown. Each service adds its own in
``services/<name>/settings.py`` (a ``ServiceSettings``), read from the same DUTYLINE_* variables;
the entry point (``dutyline.launch``) builds the one of the process it runs. Every address can point
at an external server, which is how docker-compose and Kubernetes run it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("intake", "roster", "incident", "notify")
# A fixed development key, so that `dutyline up` works out of the box; production sets its own.
DEV_TOKEN_SECRET = "dutyline-development-only-secret"


def role_of(service: str) -> str:
    """The PostgreSQL role a service connects as (its server and its worker): rights on its schema only."""
    return f"dutyline_{service}"


def dsn_as(dsn: str, user: str, password: str) -> str:
    """``dsn``'s server(s), database and options, signed in as ``user`` (with ``password``, if any):
    whatever credentials ``dsn`` carried are dropped."""
    parts = urlsplit(dsn)
    hosts = parts.netloc.rsplit("@", 1)[-1]
    login = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    return urlunsplit(parts._replace(netloc=f"{login}@{hosts}"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUTYLINE_", extra="ignore")

    # The database. As given (with its credentials) it is the administrator's: `dutyline migrate` and
    # the operators' commands connect with it. A service takes only its servers, database and options
    # and connects as its own role (ServiceSettings.service_dsn), so a service's process needs no
    # credentials here.
    pg_dsn: str = "postgresql://postgres@127.0.0.1:55432/dutyline"
    pg_pool_min: int = 2
    pg_pool_max: int = 20
    nats_url: str = "nats://127.0.0.1:4222"
    # A NATS .creds file (user JWT + seed) when the server runs in operator (JWT) mode; empty: no auth.
    nats_creds: str = ""
    stream: str = "DUTYLINE"
    # Copies of each stream's data: 3 on a three-node JetStream cluster (set when a stream is created).
    stream_replicas: int = 1
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"

    # Where clients reach each service; a service listens on the port of its own address.
    intake_address: str = "127.0.0.1:50051"
    roster_address: str = "127.0.0.1:50052"
    incident_address: str = "127.0.0.1:50053"
    notify_address: str = "127.0.0.1:50054"
    listen_host: str = "127.0.0.1"

    # Keys of the bearer tokens (HS256), comma separated: the first signs, every one verifies, so a
    # new key can be rolled out before the old one is retired.
    token_secret: SecretStr = SecretStr(DEV_TOKEN_SECRET)

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "info"
    shutdown_grace_seconds: float = 5.0

    def token_secrets(self) -> list[str]:
        """The token keys, the signing one first."""
        return [k.strip() for k in self.token_secret.get_secret_value().split(",") if k.strip()]

    def signing_secret(self) -> str:
        return self.token_secrets()[0]

    def address_of(self, service: str) -> str:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        return str(getattr(self, f"{service}_address"))

    def listen_address(self, service: str) -> str:
        port = self.address_of(service).rsplit(":", 1)[1]
        return f"{self.listen_host}:{port}"


class ServiceSettings(Settings):
    """The settings of one service's processes (its server and its worker): the shared ones and the
    service's own. Each service subclasses it in ``services/<name>/settings.py``."""

    # The service: its schema, its PostgreSQL role (dutyline_<service>) and its task queue.
    service: ClassVar[str] = ""
    # The package of its SQL migrations (read with importlib.resources), e.g. "services.intake.migrations".
    migrations: ClassVar[str] = ""

    def pg_password(self) -> SecretStr:
        """The password of the service's role: each service reads its own DUTYLINE_<SERVICE>_PG_PASSWORD
        (a secret; no default: empty means none, e.g. where the server trusts the network or uses
        certificates)."""
        raise NotImplementedError

    @property
    def pg_role(self) -> str:
        return role_of(self.service)

    def service_dsn(self) -> str:
        """Where the service connects: the database of ``pg_dsn``, as the service's own role."""
        return dsn_as(self.pg_dsn, self.pg_role, self.pg_password().get_secret_value())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
