"""The adapter's process: the HTTP endpoint, the local queue and the delivery to intake, until
SIGTERM/SIGINT. What is queued and not yet delivered when it stops is delivered after the next start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import structlog
from aiohttp import web

from dutyline.config import InsecureSecrets
from dutyline.grpckit.client import service_channel
from dutyline.intake.v1 import telephony_pb2, telephony_pb2_grpc
from dutyline.logging import configure_logging
from dutyline.signals import stop_on_signals
from dutyline.tracing import configure_tracing
from services.switch.delivery import ATTEMPT_SECONDS, Deliverer
from services.switch.endpoint import application
from services.switch.queue import ReportQueue
from services.switch.settings import SwitchSettings

log = structlog.get_logger(__name__)


async def serve(settings: SwitchSettings, stop: asyncio.Event) -> None:
    """Runs the adapter until ``stop`` is set."""
    queue = ReportQueue(Path(settings.switch_queue_file))
    channel = service_channel(settings, target="intake", caller="switch")
    stub = telephony_pb2_grpc.TelephonyServiceStub(channel)

    async def send(request: telephony_pb2.ReportLineEventRequest) -> object:
        return await stub.ReportLineEvent(request, timeout=ATTEMPT_SECONDS)

    deliverer = Deliverer(
        queue,
        send,
        switch_id=settings.switch_id,
        lines=settings.switch_lines,
        longest_pause=settings.switch_retry_max_seconds,
    )
    runner = web.AppRunner(application(queue, deliverer), access_log=None)
    try:
        await runner.setup()
        host, port = settings.switch_listen.rsplit(":", 1)
        await web.TCPSite(runner, host, int(port)).start()
        log.info(
            "switch adapter listening",
            listen=settings.switch_listen,
            queued=queue.depth(),
            lines=len(settings.switch_lines),
        )
        await deliverer.run(stop)
    finally:
        await runner.cleanup()
        await channel.close()
        queue.close()


def main() -> None:
    settings = SwitchSettings()
    configure_logging("switch", fmt=settings.log_format, level=settings.log_level)
    configure_tracing("switch")
    try:
        settings.refuse_insecure_secrets()
    except InsecureSecrets as exc:
        log.error("refusing to start", reason=str(exc))
        raise SystemExit(2) from exc

    async def run() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)
        await serve(settings, stop)

    asyncio.run(run())
