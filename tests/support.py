"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.auth import issue_token


def token_for(person_id: str, roles: list[str], sites: list[str]) -> str:
    return issue_token(DEV_TOKEN_SECRET, person_id=person_id, name=person_id, roles=roles, sites=sites)


async def notifications_about(platform: Any, ref_id: str, *, at_least: int = 1, timeout: float = 20.0) -> list[Any]:
    """NotifyService's notifications about ``ref_id`` once there are ``at_least`` of them
    (escalations notify from their workflow, a moment after the request)."""
    from dutyline.grpckit.client import channel
    from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc

    deadline = asyncio.get_running_loop().time() + timeout
    async with channel(platform.address("notify"), token_for("p-admin", ["admin"], ["*"])) as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        while True:
            found = await stub.ListNotifications(notify_pb2.ListNotificationsRequest(ref_id=ref_id))
            if len(found.notifications) >= at_least or asyncio.get_running_loop().time() > deadline:
                return list(found.notifications)
            await asyncio.sleep(0.1)


T = TypeVar("T")


async def until(read: Callable[[], Awaitable[object]], expected: object, *, seconds: float = 30.0) -> None:
    """Wait until ``read()`` gives ``expected`` (what the platform does asynchronously)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (value := await read()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"still {value!r}, expected {expected!r}"
        await asyncio.sleep(0.1)


async def start_on_free_ports(make: Callable[[], T], start: Callable[[T], Awaitable[Any]], attempts: int = 3) -> T:
    """Make and start a server on ports that free_port() picked. Another process may take such a port
    before the server binds it (a race free_port cannot close; the Temporal dev server also binds
    ports of its own), so a start that fails on a taken port is tried again on new ports."""
    from dutyline.stack.process import ServerStartError

    for attempt in range(1, attempts + 1):
        server = make()
        try:
            await start(server)
            return server
        except ServerStartError as exc:
            if attempt == attempts or "in use" not in str(exc):
                raise
    raise AssertionError("unreachable")
