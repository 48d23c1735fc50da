"""What dutyline's server interceptors share: each wraps the behaviour of every RPC handler (unary and
server-streaming) but the health checks' and reflection's, which stay open and uncounted (probes, balancers
and tools call them all the time, without a token)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

OPEN_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")

Unary = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
Stream = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]


class WrappingInterceptor(grpc.aio.ServerInterceptor):
    """A server interceptor that hands each handler's behaviour to ``unary``/``stream`` to be wrapped,
    once per method: grpc asks for the handler on every call, and the service (or the next interceptor)
    answers with the same one, so the wrapped handler is kept rather than built again per call."""

    def __init__(self) -> None:
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def unary(self, method: str, behavior: Unary) -> Unary:
        raise NotImplementedError

    def stream(self, method: str, behavior: Stream) -> Stream:
        raise NotImplementedError

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(OPEN_PREFIXES):
            return handler
        known = self._wrapped.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self.unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self.stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
