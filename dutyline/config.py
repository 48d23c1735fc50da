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

SERVICES = ("intake", "roster", "incident", "notify", "insight")
# The services that run processes in Temporal, each with a worker on its task queue
# (dutyline-<service>); insight builds its read model from the event stream and runs none.
WORKER_SERVICES = ("intake", "roster", "incident", "notify")
# Fixed development keys, so that `dutyline up` works out of the box; production sets its own, and
# outside development no process starts with one of them (Settings.insecure_secrets).
DEV_TOKEN_SECRET = "dutyline-development-only-secret"
DEV_SERVICE_TOKEN_SECRET = "dutyline-development-only-service-secret"
# What a secret's value looks like when nobody replaced the development default or the placeholder
# of deploy/k8s/base/secret.template.yaml.
PLACEHOLDER_MARKS = ("development-only", "replace")
# The HMAC key of idempotency request hashes (dutyline.grpckit.idempotency), development only too.
DEV_IDEMPOTENCY_KEY = "dutyline-development-only-idempotency-key"


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


class InsecureSecrets(Exception):
    """A process outside development was given a development or placeholder secret."""


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
    insight_address: str = "127.0.0.1:50055"
    listen_host: str = "127.0.0.1"
    # The port this process's server listens on; 0: the port of the service's own address. A replica
    # sets it when the service's address is a list of several (host:port,host:port).
    listen_port: int = 0
    # TLS of gRPC (dutyline.grpckit.tls): this process's certificate and key (PEM files; a server's,
    # and a client's for mTLS), the CA that verifies the other side, and whether servers demand client
    # certificates. Without a certificate a server listens in plaintext only on loopback or in
    # development, and clients use TLS when a CA is set.
    tls_cert_file: str = ""
    tls_key_file: str = ""
    tls_ca_file: str = ""
    tls_require_client_cert: bool = False
    # A plaintext port answering grpc.health.v1 only (kubelet's gRPC probes have no TLS); 0: none.
    health_port: int = 0
    # Prometheus metrics over HTTP on this port (/metrics, /healthz and /readyz); 0: none.
    metrics_port: int = 0
    # Open workflows each Temporal worker keeps in memory (temporalio's default: 1,000). One not kept is
    # replayed from its whole history when its timer fires: with thousands of open incidents whose reports
    # fall due together, those replays delay the breaches by seconds (bench --only open_incidents).
    worker_cached_workflows: int = 10_000
    # Origins (scheme://host[:port], comma separated) that users' IM/webhook URLs may name although
    # they are http or private (dutyline.outbound); the dev stack admits its local gateway.
    outbound_allow: str = ""

    # "development" (dutyline up, the tests, compose) or "production", the default: outside
    # development no process starts with a development or placeholder secret.
    env: Literal["development", "production"] = "production"

    # Keys of persons' bearer tokens from dutyline's own issuer (HS256), comma separated: the first
    # signs, every one verifies, so a new key can be rolled out before the old one is retired. Empty
    # (or ignored) when an OpenID Connect provider issues them (oidc_*).
    token_secret: SecretStr = SecretStr(DEV_TOKEN_SECRET)
    # Longest life of a token `dutyline token` issues outside development (a shift).
    token_max_hours: float = 12.0
    # Keys of the components' own credentials, the same way; never the persons' keys.
    service_token_secret: SecretStr = SecretStr(DEV_SERVICE_TOKEN_SECRET)
    # How long a component's credential lasts; it is re-minted after 80 % of that.
    service_token_seconds: float = 900.0
    # A file of revoked token ids (jti), one a line, re-read when it changes (auth.RevokedTokens).
    revoked_tokens_file: str = ""
    # Persons' tokens from an OpenID Connect provider instead of dutyline's issuer: its issuer URL,
    # the audience it puts in dutyline's tokens, its JWKS URL, and the claims naming roles and sites.
    oidc_issuer: str = ""
    oidc_audience: str = "dutyline"
    oidc_jwks_url: str = ""
    oidc_roles_claim: str = "roles"
    oidc_sites_claim: str = "sites"
    # The key of the HMAC that idempotency keys remember their request by (changing it makes retries
    # sent before the change look like different requests), and how long keys are kept.
    idempotency_key: SecretStr = SecretStr(DEV_IDEMPOTENCY_KEY)
    idempotency_retention_hours: float = 168.0

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "info"
    shutdown_grace_seconds: float = 5.0

    def token_secrets(self) -> list[str]:
        """The token keys, the signing one first."""
        return [k.strip() for k in self.token_secret.get_secret_value().split(",") if k.strip()]

    def signing_secret(self) -> str:
        return self.token_secrets()[0]

    def service_token_secrets(self) -> list[str]:
        """The keys of the components' credentials, the signing one first."""
        return [k.strip() for k in self.service_token_secret.get_secret_value().split(",") if k.strip()]

    def secrets(self) -> dict[str, str]:
        """Every secret this process uses, by setting name (each service adds its own)."""
        found = {
            "service_token_secret": self.service_token_secret.get_secret_value(),
            "idempotency_key": self.idempotency_key.get_secret_value(),
        }
        if not self.oidc_issuer:
            found["token_secret"] = self.token_secret.get_secret_value()
        return found

    def insecure_secrets(self) -> list[str]:
        """Outside development, the settings (DUTYLINE_*) still holding a development or placeholder
        value, or none at all; empty in development."""
        if self.env == "development":
            return []
        bad = []
        for name, value in self.secrets().items():
            if not value.strip() or any(mark in value.lower() for mark in PLACEHOLDER_MARKS):
                bad.append(f"DUTYLINE_{name.upper()}")
        return bad

    def refuse_insecure_secrets(self) -> None:
        """Raises InsecureSecrets naming the settings to set first (a process refuses to start)."""
        bad = self.insecure_secrets()
        if bad:
            raise InsecureSecrets(
                f"拒绝启动：{', '.join(bad)} 仍为开发或占位密钥，请设置生产密钥 / refusing to start in {self.env}: "
                f"{', '.join(bad)} still hold a development or placeholder secret (or none); set real ones"
            )

    def address_of(self, service: str) -> str:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        return str(getattr(self, f"{service}_address"))

    def listen_address(self, service: str) -> str:
        if self.listen_port:
            return f"{self.listen_host}:{self.listen_port}"
        address = self.address_of(service)
        if "," in address:
            raise ValueError(
                f"DUTYLINE_{service.upper()}_ADDRESS lists several replicas: set DUTYLINE_LISTEN_PORT, "
                "the port this one listens on"
            )
        return f"{self.listen_host}:{address.rsplit(':', 1)[1]}"


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
