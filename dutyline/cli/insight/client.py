"""How `dutyline insight …` reaches the InsightService. A refused step (FAILED_PRECONDITION) is one line
"Refused …" with exit code 2, any other gRPC error the usual one line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import typer

from dutyline.cli.common.session import run_refusing, session
from dutyline.insight.v1 import insight_pb2_grpc

T = TypeVar("T")
TIMEOUT = 10.0


def run(
    ctx: typer.Context, work: Callable[[insight_pb2_grpc.InsightServiceStub], Awaitable[T]], *, key: str | None = None
) -> T:
    async def on(ch: grpc.aio.Channel) -> T:
        return await work(insight_pb2_grpc.InsightServiceStub(ch))

    return run_refusing(session(ctx).target(), on, idempotency_key=key)
