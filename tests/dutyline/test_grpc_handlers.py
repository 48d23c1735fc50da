"""The server interceptors wrap each method's handler once, not on every call."""

from __future__ import annotations

from typing import Any

import grpc

from dutyline.grpckit.metering import MetricsInterceptor


class Details:
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


async def echo(request: Any, context: Any) -> Any:
    return request


async def test_a_method_s_handler_is_wrapped_once_and_again_when_it_changes() -> None:
    interceptor = MetricsInterceptor()
    handler = grpc.unary_unary_rpc_method_handler(echo)

    async def continuation(details: Any) -> grpc.RpcMethodHandler:
        return handler

    method = Details("/dutyline.roster.v1.RosterService/GetOnDuty")
    first = await interceptor.intercept_service(continuation, method)  # type: ignore[arg-type]
    again = await interceptor.intercept_service(continuation, method)  # type: ignore[arg-type]
    assert first is again and first is not handler and first.unary_unary is not echo
    handler = grpc.unary_unary_rpc_method_handler(echo)  # another handler for the method: wrapped anew
    assert await interceptor.intercept_service(continuation, method) is not first  # type: ignore[arg-type]
    health = Details("/grpc.health.v1.Health/Check")
    assert await interceptor.intercept_service(continuation, health) is handler  # type: ignore[arg-type]
