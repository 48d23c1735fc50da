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
    """A server interceptor that hands each handler's behaviour to ``unary``/``stream`` to be wrapped."""

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
