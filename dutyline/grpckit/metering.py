"""The server interceptor that counts every RPC by method and status code and times it
(``dutyline_grpc_server_handled_total``, ``dutyline_grpc_server_handling_seconds``). It runs before the
authenticating interceptor, so its refusals (UNAUTHENTICATED, PERMISSION_DENIED …) count too.
Health checks and reflection are left out (dutyline.grpckit.handlers)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import grpc

from dutyline import metrics
from dutyline.grpckit.handlers import Stream, Unary, WrappingInterceptor


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


class MetricsInterceptor(WrappingInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self._methods: dict[str, _Method] = {}

    def _series(self, method: str) -> _Method:
        series = self._methods.get(method)
        if series is None:
            series = self._methods[method] = _Method(method)
        return series

    def unary(self, method: str, behavior: Unary) -> Unary:
        series = self._series(method)

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            failed = True
            try:
                reply = await behavior(request, context)
                failed = False
                return reply
            finally:
                series.done(context, started, failed=failed)

        return unary

    def stream(self, method: str, behavior: Stream) -> Stream:
        series = self._series(method)

        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            started = time.perf_counter()
            failed = True
            try:
                async for item in behavior(request, context):
                    yield item
                failed = False
            finally:
                series.done(context, started, failed=failed)

        return stream
