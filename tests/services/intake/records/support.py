"""What the record, notice and message tests share: calls of their own at hz-01 and expected refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.intake.v1 import intake_pb2


def key() -> str:
    return str(uuid.uuid4())


def call_request(
    category: int = intake_pb2.CALL_CATEGORY_CONSULTATION, **fields: Any
) -> intake_pb2.RegisterCallRequest:
    """A call answered a moment ago at hz-01 (not an emergency unless told: no incident is opened)."""
    now = datetime.now(UTC)
    request = intake_pb2.RegisterCallRequest(
        idempotency_key=key(),
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=category,
        ring_started_at=ts(now - timedelta(seconds=9)),
        answered_at=ts(now - timedelta(seconds=4)),
        caller=intake_pb2.Caller(name="周敏", phone="13812345678"),
        summary="咨询供暖时间 When does the heating start",
    )
    for name, value in fields.items():
        if isinstance(value, common_pb2.Place | intake_pb2.Caller | intake_pb2.NoticeElements):
            getattr(request, name).CopyFrom(value)
        else:
            setattr(request, name, value)
    return request


async def refused(code: grpc.StatusCode, call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


async def violations(call: Any) -> set[str]:
    """The fields an INVALID_ARGUMENT names."""
    return {v.field for v in field_violations(await refused(grpc.StatusCode.INVALID_ARGUMENT, call))}
