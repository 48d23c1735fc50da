"""Delivering the queued reports to intake: in the order taken, one at a time (a call's answer is
not overtaken by its end). What intake refuses for what it is (bad input, an unknown line, a
refusal of the switch) is dead-lettered and logged, never retried; anything else (intake away,
a timeout) is retried, with a growing pause, until it goes through."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

import grpc
import structlog

from dutyline.activity_errors import REFUSALS
from dutyline.intake.v1 import telephony_pb2
from services.switch.queue import Queued, ReportQueue
from services.switch.reports import heartbeat, line_event

log = structlog.get_logger(__name__)

# ReportLineEvent as the adapter calls it: the request, and the deadline of one attempt (seconds).
Send = Callable[[telephony_pb2.ReportLineEventRequest], Awaitable[object]]
ATTEMPT_SECONDS = 10.0


def pause_after(failures: int, *, first: float = 0.5, longest: float = 30.0) -> float:
    """The pause before the next attempt after ``failures`` failed ones: doubling, up to ``longest``."""
    return float(min(longest, first * 2 ** max(0, failures - 1)))


class Deliverer:
    """Delivers what ``queue`` holds through ``send`` as the switch ``switch_id``, whose line numbers
    are ``lines`` (number → dutyline line id)."""

    def __init__(
        self,
        queue: ReportQueue,
        send: Send,
        *,
        switch_id: str,
        lines: Mapping[str, str],
        longest_pause: float = 30.0,
    ) -> None:
        self._queue = queue
        self._send = send
        self._switch_id = switch_id
        self._lines = dict(lines)
        self._longest_pause = longest_pause
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A report was queued."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until ``stop`` is set; what is left stays queued for the next start."""
        failures = 0
        while not stop.is_set():
            queued = self._queue.first()
            if queued is None:
                await _first_of(self._wake, stop, timeout=None)
                self._wake.clear()
                continue
            if await self._deliver(queued):
                failures = 0
                continue
            failures += 1
            await _first_of(stop, timeout=pause_after(failures, longest=self._longest_pause))

    async def _deliver(self, queued: Queued) -> bool:
        """Whether the report left the queue (delivered or dead-lettered)."""
        report = queued.report
        line_id = self._lines.get(report.line)
        if line_id is None:
            reason = f"line number {report.line!r} is not one of this adapter's lines (DUTYLINE_SWITCH_LINES)"
            log.error("switch report set aside", call_id=report.call_id, kind=report.kind, reason=reason)
            self._queue.set_aside(queued, reason)
            return True
        request = telephony_pb2.ReportLineEventRequest(switch_id=self._switch_id, event=line_event(report, line_id))
        try:
            await self._send(request)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in REFUSALS:
                reason = f"{exc.code().name}: {exc.details()}"
                log.error("switch report refused by intake", call_id=report.call_id, kind=report.kind, reason=reason)
                self._queue.set_aside(queued, reason)
                return True
            self._queue.failed_attempt(queued)
            log.warning(
                "switch report not delivered, retrying",
                call_id=report.call_id,
                kind=report.kind,
                code=exc.code().name,
                attempts=queued.attempts + 1,
            )
            return False
        self._queue.delivered(queued)
        log.info("switch report delivered", call_id=report.call_id, kind=report.kind, line_id=line_id)
        return True

    async def beat(self, at: datetime) -> None:
        """The switch is alive: a heartbeat for each line. Not queued — a heartbeat that cannot be
        delivered now means nothing later (the lines go down, which is what intake should see)."""
        for line_id in self._lines.values():
            request = telephony_pb2.ReportLineEventRequest(switch_id=self._switch_id, event=heartbeat(line_id, at))
            try:
                await self._send(request)
            except grpc.aio.AioRpcError as exc:
                log.warning("heartbeat not delivered", line_id=line_id, code=exc.code().name, details=exc.details())


async def _first_of(*events: asyncio.Event, timeout: float | None) -> None:
    """Waits until one of ``events`` is set, at most ``timeout`` seconds."""
    waits = {asyncio.ensure_future(e.wait()) for e in events}
    _, pending = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
