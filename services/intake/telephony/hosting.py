"""TelephonyService hosted by the intake server: its servicer, its sweeps and its policies."""

from __future__ import annotations

import grpc

from dutyline.directory import RosterDirectory
from dutyline.grpckit.server import ServiceContext
from dutyline.intake.v1 import telephony_pb2_grpc
from dutyline.notifier import NotifyClient
from dutyline.privacy import CallerCipher
from dutyline.temporal_start import sweep_forever
from services.intake.callback_starter import CallbackStarter
from services.intake.policy import TELEPHONY_SERVICE
from services.intake.settings import IntakeSettings
from services.intake.telephony.monitor import LineMonitor
from services.intake.telephony.rpc import TelephonyServicer


def host(
    ctx: ServiceContext[IntakeSettings],
    server: grpc.aio.Server,
    *,
    callbacks: CallbackStarter,
    roster: RosterDirectory,
) -> None:
    """Serve TelephonyService beside IntakeService (its policies are in ctx.policies: none missing)."""
    settings = ctx.settings
    notifier = NotifyClient.from_settings(settings, caller="intake")
    ctx.on_close.append(notifier.close)
    servicer = TelephonyServicer(
        pool=ctx.pool,
        roster=roster,
        cipher=CallerCipher(settings.caller_keys.get_secret_value()),
        callbacks=callbacks,
    )
    telephony_pb2_grpc.add_TelephonyServiceServicer_to_server(servicer, server)
    ctx.hosted.append(TELEPHONY_SERVICE)
    monitor = LineMonitor(pool=ctx.pool, notifier=notifier)
    ctx.background.append(sweep_forever(monitor.sweep_silent, every=settings.line_sweep_seconds))
    ctx.background.append(sweep_forever(monitor.sweep_unregistered, every=settings.line_sweep_seconds))
