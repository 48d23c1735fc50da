"""Running one dutyline service: pool, migrations check, outbox relay, gRPC server with health and
reflection, and a graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

import asyncpg
import grpc
import structlog
import uvloop
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from dutyline import metrics, tracing
from dutyline.config import InsecureSecrets, ServiceSettings
from dutyline.db.migrations import SchemaNotMigrated
from dutyline.db.service_pool import service_pool
from dutyline.grpckit import idempotency, tls
from dutyline.grpckit.auth import OidcIssuer, RevokedTokens, TokenVerifier
from dutyline.grpckit.interceptor import ServerInterceptor
from dutyline.grpckit.metering import MetricsInterceptor
from dutyline.grpckit.policy import MissingPolicy, Policy, require_complete
from dutyline.logging import configure_logging
from dutyline.outbox import OutboxRelay, backlog
from dutyline.signals import stop_on_signals

log = structlog.get_logger(__name__)


S = TypeVar("S", bound=ServiceSettings)
MAX_CONNECTION_AGE_MS = 5 * 60 * 1000


@dataclass
class ServiceContext(Generic[S]):
    """What a service's ``build`` receives and may extend with background work and close hooks."""

    name: str
    settings: S
    pool: asyncpg.Pool
    background: list[Coroutine[Any, Any, None]] = field(default_factory=list)
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Full method name → who may call it (services/<name>/policy.py), set by ``build``.
    policies: dict[str, Policy] = field(default_factory=dict)
    # Full names of further gRPC services ``build`` registered beside its own (intake hosts
    # TelephonyService and CaseService): each one needs a policy per RPC too, is reflected and has
    # its health status.
    hosted: list[str] = field(default_factory=list)


# A service's ``async def build(ctx, server) -> str`` (services/<name>/server.py) registers its
# servicer on the server and returns the full gRPC service name.
Build = Callable[[ServiceContext[S], grpc.aio.Server], Awaitable[str]]


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    """How the service tells who calls: the service keys for components; persons' tokens from the
    OpenID Connect provider when one is set, else from dutyline's issuer; the revocation list."""
    oidc = None
    if settings.oidc_issuer:
        oidc = OidcIssuer(
            settings.oidc_issuer,
            settings.oidc_audience,
            settings.oidc_jwks_url,
            roles_claim=settings.oidc_roles_claim,
            sites_claim=settings.oidc_sites_claim,
        )
    return TokenVerifier(
        settings.token_secrets(),
        settings.service_token_secrets(),
        oidc=oidc,
        revoked=RevokedTokens(settings.revoked_tokens_file),
    )


async def serve(name: str, build: Build[S], settings: S) -> None:
    """Serve the service ``name``, built by ``build``, with its ``settings`` (which name its schema,
    migrations and database role) until SIGTERM/SIGINT."""
    if settings.service != name:
        raise ValueError(f"settings of {settings.service!r} given to serve {name!r}")
    pool = await service_pool(settings, min_size=settings.pg_pool_min, max_size=settings.pg_pool_max)
    ctx = ServiceContext(name=name, settings=settings, pool=pool)
    relay = OutboxRelay(
        dsn=settings.service_dsn(),
        schema=name,
        nats_url=settings.nats_url,
        nats_creds=settings.nats_creds,
        stream=settings.stream,
        replicas=settings.stream_replicas,
    )
    ctx.background.append(relay.run())
    idempotency.configure(settings.idempotency_key.get_secret_value())
    ctx.background.append(
        idempotency.purge_forever(pool, retention=timedelta(hours=settings.idempotency_retention_hours))
    )

    server = grpc.aio.server(
        # The trace's server span first: what the others do happens inside it.
        interceptors=[
            *tracing.grpc_server_interceptors(),
            MetricsInterceptor(),
            ServerInterceptor(token_verifier(settings), ctx.policies),
        ],
        options=[
            ("grpc.so_reuseport", 0),
            # Clients resolve a dns:/// address again only when a connection ends: closing each one
            # after a few minutes (its open streams carry on) lets them find replicas added since.
            ("grpc.max_connection_age_ms", MAX_CONNECTION_AGE_MS),
        ],
    )
    full_name = await build(ctx, server)
    served = [full_name, *ctx.hosted]
    # Deny by default: a service with an RPC nobody declared a policy for does not start.
    for service in served:
        require_complete(service, ctx.policies)

    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [*served, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
        server,
    )
    address = settings.listen_address(name)
    tls.listen(server, address, settings)
    await server.start()
    # Kubelet's gRPC probes speak plaintext only: with TLS on the service's port, the health answer
    # alone (nothing else) is served in plaintext on a port of its own.
    probes = grpc.aio.server()
    if settings.health_port:
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, probes)
        probes.add_insecure_port(f"{settings.listen_host}:{settings.health_port}")
        await probes.start()
    metrics_server = await metrics.start_server(
        settings.metrics_port, settings.listen_host, ready=functools.partial(grpc_health_ready, health_servicer)
    )
    metrics.at_scrape(functools.partial(backlog, pool, name))
    # Start-up objects live for the whole run: keep them out of every garbage collection, whose
    # pauses otherwise show in the tail latency of the hot RPCs.
    gc.freeze()
    tasks = [asyncio.create_task(coro) for coro in ctx.background]
    for service in ("", *served):
        await health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
    log.info("service serving", address=address, grpc_service=full_name)

    stop = asyncio.Event()
    stop_on_signals(stop)
    await stop.wait()

    log.info("service stopping", grace_seconds=settings.shutdown_grace_seconds)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(settings.shutdown_grace_seconds)
    await probes.stop(None)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    for hook in reversed(ctx.on_close):
        await hook()
    if metrics_server is not None:
        await metrics_server.stop()
    await pool.close()
    log.info("service stopped")


async def grpc_health_ready(servicer: health.aio.HealthServicer) -> str | None:
    """The metrics port's /readyz: what the gRPC health answer says of the whole server (service ""), so
    HTTP checkers see the same as the kubelet's gRPC probe (NOT_SERVING from the start of a shutdown)."""
    reply = await servicer.Check(health_pb2.HealthCheckRequest(), None)
    if reply.status == health_pb2.HealthCheckResponse.SERVING:
        return None
    return f"gRPC health {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}"


def run(name: str, build: Build[S], settings: S) -> None:
    """``serve`` in a new event loop, with the process's logging; exits 2 on an unmigrated schema,
    an RPC without an authorization policy, or a development secret outside development."""
    configure_logging(name, fmt=settings.log_format, level=settings.log_level)
    tracing.configure_tracing(name)
    try:
        settings.refuse_insecure_secrets()
        # uvloop: the loop's own share of a call (callbacks, sockets of asyncpg and NATS) costs less
        # CPU than asyncio's (bench: RegisterCall CPU ms per call).
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(name, build, settings))
    except (SchemaNotMigrated, MissingPolicy, InsecureSecrets, tls.PlaintextRefused) as exc:
        log.error("refusing to start", reason=str(exc))
        sys.exit(2)
