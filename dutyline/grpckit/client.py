"""gRPC channels between dutyline components, authenticated with their own service credential."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from datetime import timedelta

import grpc

from dutyline import tracing
from dutyline.config import Settings
from dutyline.grpckit import tls
from dutyline.grpckit.auth import ServiceCredential


def channel(
    address: str, token: str | Callable[[], str], credentials: grpc.ChannelCredentials | None = None
) -> grpc.aio.Channel:
    """A channel that sends a bearer token on every call: ``token`` itself, or what it returns at each
    call (a credential that renews itself); over TLS with ``credentials`` (dutyline.grpckit.tls).

    ``address`` is one ``host:port``, a comma list of a service's replicas (``10.0.0.1:50051,10.0.0.2:50051``)
    or a ``dns:///name:port`` whose answers are the replicas (a Kubernetes headless Service); over
    several, calls go round robin to the replicas whose health service answers SERVING."""
    source = token if callable(token) else (lambda: token)
    # grpc.aio files each interceptor under its first matching kind: one object per kind.
    interceptors = [*tracing.grpc_client_interceptors(), _UnaryToken(source), _StreamToken(source)]
    target, balancing = balanced_target(address)
    # A service back from an outage (a replica restarted, a dependency up again) is reached within about 2 s.
    options = [*balancing, *reconnecting(initial_ms=500, max_ms=2000)]
    if credentials is not None:
        return grpc.aio.secure_channel(target, credentials, options=options, interceptors=interceptors)
    return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)


def reconnecting(*, initial_ms: int, max_ms: int) -> list[tuple[str, str | int]]:
    """Channel options that try a server that went away again after ``initial_ms``, then at least every
    ``max_ms``. gRPC's own back-off starts at 1 s and grows by 1.6 up to two minutes: a server down for a
    minute could stay out of its callers' reach for half a minute more after it was back."""
    return [("grpc.initial_reconnect_backoff_ms", initial_ms), ("grpc.max_reconnect_backoff_ms", max_ms)]


# Round robin over every resolved address, each watched with grpc.health.v1 (client-side health
# checking, gRPC proposal A17): a replica that stops or says NOT_SERVING (draining) gets no new calls.
_BALANCED = json.dumps({"loadBalancingConfig": [{"round_robin": {}}], "healthCheckConfig": {"serviceName": ""}})


def balanced_target(address: str) -> tuple[str, list[tuple[str, str]]]:
    """The gRPC target and channel options for ``address`` (see ``channel``): one address as it is
    (gRPC's default pick_first); a comma list of IP literals as an ``ipv4:``/``ipv6:`` target, and
    ``dns:///`` names, balanced round robin."""
    if address.startswith("dns:"):
        return address, [("grpc.service_config", _BALANCED)]
    parts = [a.strip() for a in address.split(",") if a.strip()]
    if len(parts) == 1:
        return parts[0], []
    families = {_family(part) for part in parts}
    if len(families) != 1:
        raise ValueError(f"replicas {address!r} mix IPv4 and IPv6: list one family, or use dns:///name:port")
    return f"{families.pop()}:{','.join(parts)}", [("grpc.service_config", _BALANCED)]


def _family(address: str) -> str:
    host = address.rsplit(":", 1)[0].strip("[]")
    try:
        return "ipv4" if ipaddress.ip_address(host).version == 4 else "ipv6"
    except ValueError:
        raise ValueError(
            f"a list of replicas names each by its IP address, not {host!r}: use dns:///name:port for a name"
        ) from None


class _Token:
    def __init__(self, source: Callable[[], str]) -> None:
        self._source = source

    def _with_token(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(details.metadata or ()), ("authorization", f"Bearer {self._source()}"))
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
        )


class _UnaryToken(_Token, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._with_token(details), request)


class _StreamToken(_Token, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._with_token(details), request)


def service_credential(settings: Settings, caller: str) -> ServiceCredential:
    """The component ``caller``'s own credential: short-lived, renewed before it expires."""
    ttl = timedelta(seconds=settings.service_token_seconds)
    return ServiceCredential(settings.service_token_secrets()[0], caller, ttl)


def service_channel(settings: Settings, *, target: str, caller: str) -> grpc.aio.Channel:
    """A channel from the component ``caller`` to the service ``target``."""
    return channel(settings.address_of(target), service_credential(settings, caller), tls.channel_credentials(settings))
