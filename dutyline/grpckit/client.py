"""gRPC channels between dutyline components, authenticated with their own service credential."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import grpc

from dutyline.config import Settings
from dutyline.grpckit import tls
from dutyline.grpckit.auth import ServiceCredential


def channel(
    address: str, token: str | Callable[[], str], credentials: grpc.ChannelCredentials | None = None
) -> grpc.aio.Channel:
    """A channel that sends a bearer token on every call: ``token`` itself, or what it returns at each
    call (a credential that renews itself); over TLS with ``credentials`` (dutyline.grpckit.tls)."""
    source = token if callable(token) else (lambda: token)
    # grpc.aio files each interceptor under its first matching kind: one object per kind.
    interceptors = [_UnaryToken(source), _StreamToken(source)]
    if credentials is not None:
        return grpc.aio.secure_channel(address, credentials, interceptors=interceptors)
    return grpc.aio.insecure_channel(address, interceptors=interceptors)


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
