"""The server interceptor that counts every RPC by method and status code and times it
(``dutyline_grpc_server_handled_total``, ``dutyline_grpc_server_handling_seconds``). It runs before the
authenticating interceptor, so its refusals (UNAUTHENTICATED, PERMISSION_DENIED …) count too.
Health checks and reflection are left out: probes and balancers call them all the time."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from dutyline import metrics
from dutyline.grpckit.interceptor import OPEN_PREFIXES


class _Method:
    """The labelled series of one method, looked up once (labels() costs more than inc())."""

    def __init__(self, full_method: str) -> None:
        service, _, name = full_method.lstrip("/").rpartition("/")
        self._labels = (service, name)
        self.seconds = metrics.GRPC_SECONDS.labels(service, name)
        self._handled: dict[grpc.StatusCode, Any] = {}

    def done(self, context: grpc.aio.ServicerContext, started: float, *, failed: bool) -> None:
        self.seconds.observe(time.perf_counter() - started)
        code = context.code()
        if code is None:
            # A handler that raised without aborting is answered UNKNOWN by grpc.
            code = grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK
        elif isinstance(code, int):
            code = next((c for c in grpc.StatusCode if c.value[0] == code), grpc.StatusCode.UNKNOWN)
        counter = self._handled.get(code)
        if counter is None:
            counter = self._handled[code] = metrics.GRPC_HANDLED.labels(*self._labels, code.name)
        counter.inc()


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self) -> None:
        self._methods: dict[str, _Method] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(OPEN_PREFIXES):
            return handler
        series = self._methods.get(method)
        if series is None:
            series = self._methods[method] = _Method(method)

        if handler.unary_unary is not None:
            behavior = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                started = time.perf_counter()
                failed = True
                try:
                    reply = await behavior(request, context)
                    failed = False
                    return reply
                finally:
                    series.done(context, started, failed=failed)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )

        if handler.unary_stream is not None:
            stream_behavior = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                started = time.perf_counter()
                failed = True
                try:
                    async for item in stream_behavior(request, context):
                        yield item
                    failed = False
                finally:
                    series.done(context, started, failed=failed)

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
