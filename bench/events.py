"""Watching dutyline events arrive on JetStream: when each one arrived, keyed by what it is about."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from dutyline.events.v1 import event_pb2

KeysOf = Callable[[event_pb2.Event], Iterable[str]]


def aggregate_id(event: event_pb2.Event) -> Iterable[str]:
    return (event.aggregate_id,)


def incident_call_ids(event: event_pb2.Event) -> Iterable[str]:
    payload = event_pb2.IncidentRegistered()
    return tuple(payload.call_ids) if event.payload.Unpack(payload) else ()


class EventWatcher:
    """An ordered consumer on ``subject`` from now on (DeliverPolicy.NEW); records the loop time
    at which the first event for each key arrived."""

    def __init__(self, js: nats.js.JetStreamContext, subject: str, keys_of: KeysOf) -> None:
        self._js = js
        self._subject = subject
        self._keys_of = keys_of
        self._loop = asyncio.get_running_loop()
        self._waiters: dict[str, asyncio.Future[float]] = {}
        self._sub: Any = None
        self.arrivals: dict[str, float] = {}
        self.received = 0

    async def __aenter__(self) -> EventWatcher:
        self._sub = await self._js.subscribe(
            self._subject,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
            cb=self._on_message,
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        for waiter in self._waiters.values():
            waiter.cancel()
        if self._sub is not None:
            await self._sub.unsubscribe()

    async def _on_message(self, msg: Any) -> None:
        now = self._loop.time()
        self.received += 1
        event = event_pb2.Event()
        event.ParseFromString(msg.data)
        for key in self._keys_of(event):
            self.arrivals.setdefault(key, now)
            waiter = self._waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)

    async def arrival(self, key: str, timeout: float) -> float:
        """The loop time the event for ``key`` arrived (waiting up to ``timeout`` seconds)."""
        if key in self.arrivals:
            return self.arrivals[key]
        waiter = self._waiters.setdefault(key, self._loop.create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        finally:
            if not waiter.done():
                self._waiters.pop(key, None)
                waiter.cancel()

    async def settle(self, keys: Iterable[str], timeout: float) -> None:
        """Wait until every key has arrived or ``timeout`` passed."""
        missing = [k for k in keys if k not in self.arrivals]
        await asyncio.gather(*(self.arrival(k, timeout) for k in missing), return_exceptions=True)
