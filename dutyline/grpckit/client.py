"""gRPC channels between dutyline components, authenticated with a system token."""

from __future__ import annotations

import grpc

from dutyline.config import Settings
from dutyline.grpckit.auth import bearer_metadata, system_token


def channel(address: str, token: str) -> grpc.aio.Channel:
    """An insecure channel that sends ``token`` on every call (TLS is the mesh's job in production)."""
    # grpc.aio files each interceptor under its first matching kind: one object per kind.
    return grpc.aio.insecure_channel(address, interceptors=[_UnaryToken(token), _StreamToken(token)])


class _Token:
    def __init__(self, token: str) -> None:
        self._metadata = bearer_metadata(token)

    def _with_token(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(details.metadata or ()), *self._metadata)
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
        )


class _UnaryToken(_Token, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._with_token(details), request)


class _StreamToken(_Token, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._with_token(details), request)


def service_channel(settings: Settings, *, target: str, caller: str) -> grpc.aio.Channel:
    """A channel from the component ``caller`` to the service ``target``."""
    return channel(settings.address_of(target), system_token(settings.signing_secret(), caller))
