"""The fault suite's load: calls and emergencies at fixed rates (bench's open loop), each placed by a client
that retries a retryable failure with the same request — the same idempotency key — until it gets an answer,
and records every status it saw."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field

import grpc

from bench.dutyline_paths import register_request
from bench.load import open_loop
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc

# What a client may see while a component is down: anything else is a bug the suite reports.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
GIVE_UP_AFTER = 90.0  # seconds a client keeps retrying one request


def attempt_code(exc: grpc.aio.AioRpcError) -> grpc.StatusCode:
    """What a failed attempt means to a retrying client. A server whose copy of the call's deadline passes
    before the client's own timer fires resets the stream, and gRPC tells the client CANCELLED with core's
    bare details "CANCELLED" (deadlines are best effort over HTTP/2, grpc/grpc#2685): under the long load,
    intake's log had every cancelled RegisterCall at 0 s remaining, the clients saw them 3.3-5.5 s into 5 s
    attempts. That is a deadline expiry, retried with the same key (counted apart: ``server_resets``). A
    local cancel raises CancelledError, never this; a CANCELLED with other details stays a problem."""
    if exc.code() == grpc.StatusCode.CANCELLED and exc.details() == "CANCELLED":
        return grpc.StatusCode.DEADLINE_EXCEEDED
    return exc.code()


# The clients that gave up are retried afterwards (same key) this many at a time, as a real client goes on.
RETRY_CONCURRENCY = 16


@dataclass
class PlacedCall:
    """One call as its client saw it: the request (its key never changes) and the status of every attempt."""

    request: intake_pb2.RegisterCallRequest
    emergency: bool
    sent_at: float
    statuses: list[str] = field(default_factory=list)
    reply: intake_pb2.RegisterCallResponse | None = None
    answered_at: float | None = None
    failure: str = ""  # the attempt that ended it otherwise than retryably: when, and what the status said

    @property
    def ok(self) -> bool:
        return self.reply is not None


@dataclass
class CallLoad:
    """Places calls through ``intake`` and keeps every one; ``attempt_timeout`` bounds each attempt,
    ``give_up_after`` a call's retries (a call still failing then is reported, not hidden)."""

    intake: intake_pb2_grpc.IntakeServiceStub
    attempt_timeout: float = 5.0
    give_up_after: float = GIVE_UP_AFTER
    calls: list[PlacedCall] = field(default_factory=list)
    # Attempts ended by the server's copy of the deadline, reported as CANCELLED (see attempt_code).
    server_resets: int = 0
    # Calls that gave up during the load and were answered when retried afterwards.
    answered_late: int = 0

    async def place(self, emergency: bool) -> PlacedCall:
        loop = asyncio.get_running_loop()
        category = intake_pb2.CALL_CATEGORY_EMERGENCY if emergency else intake_pb2.CALL_CATEGORY_CONSULTATION
        call = PlacedCall(register_request(category), emergency, loop.time())
        self.calls.append(call)
        await self._attempts(call)
        return call

    async def _attempts(self, call: PlacedCall) -> None:
        """Attempts of ``call``'s request until one is answered, one fails otherwise than retryably, or
        ``give_up_after`` seconds passed."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        pause = 0.2
        while True:
            sent = loop.time()
            try:
                reply = await self.intake.RegisterCall(call.request, timeout=self.attempt_timeout)
            except grpc.aio.AioRpcError as exc:
                code = attempt_code(exc)
                self.server_resets += code != exc.code()
                call.statuses.append(code.name)
                if code not in RETRYABLE:
                    # When into the attempt and with what details: what tells a refusal from a reset.
                    call.failure = f"{code.name} {loop.time() - sent:.2f} s into the attempt: {exc.details()}"
                if code not in RETRYABLE or loop.time() - began > self.give_up_after:
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            call.statuses.append("OK")
            call.reply, call.answered_at = reply, loop.time()
            return

    async def retry_given_up(self, *, within: float) -> None:
        """Go on with the calls whose client gave up while the platform was saturated, with the same request
        (the same key), as a real client keeps trying: slowness ends in an answer, a lost or refused call
        does not. Each answer must then hold every invariant (stored once, under the id it names); those
        still unanswered after ``within`` seconds stay unanswered (reported)."""
        gate = asyncio.Semaphore(RETRY_CONCURRENCY)

        async def one(call: PlacedCall) -> None:
            async with gate:
                await self._attempts(call)
                self.answered_late += call.ok

        retryable = {code.name for code in RETRYABLE}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await asyncio.gather(*(one(c) for c in self.calls if not c.ok and set(c.statuses) <= retryable))

    async def run(self, *, emergencies_per_s: float, others_per_s: float, seconds: float) -> None:
        """Both kinds of calls at their rates for ``seconds``; returns once every call has its answer (or gave up)."""
        timeout = self.give_up_after + 2 * self.attempt_timeout
        await asyncio.gather(
            open_loop(lambda: self.place(True), rate=emergencies_per_s, duration=seconds, timeout=timeout),
            open_loop(lambda: self.place(False), rate=others_per_s, duration=seconds, timeout=timeout),
        )

    # --- what the clients saw ---------------------------------------------------------------------

    @property
    def ok(self) -> list[PlacedCall]:
        return [c for c in self.calls if c.ok]

    def unexpected(self) -> list[PlacedCall]:
        """Calls that saw a status other than OK/UNAVAILABLE/DEADLINE_EXCEEDED, or never got an answer."""
        allowed = {"OK"} | {code.name for code in RETRYABLE}
        return [c for c in self.calls if not c.ok or set(c.statuses) - allowed]

    def statuses(self) -> Counter[str]:
        return Counter(s for c in self.calls for s in c.statuses)

    def recovered_at(self) -> float | None:
        """When the last call that had to retry got its answer (None: no call had to)."""
        retried = [c.answered_at for c in self.calls if len(c.statuses) > 1 and c.answered_at is not None]
        return max(retried) if retried else None

    def summary(self) -> dict[str, object]:
        return {
            "sent": len(self.calls),
            "emergencies": sum(c.emergency for c in self.calls),
            "ok": len(self.ok),
            "retried": sum(len(c.statuses) > 1 for c in self.calls),
            "statuses": dict(self.statuses()),
            "answered_late": self.answered_late,
            "server_resets": self.server_resets,
        }
