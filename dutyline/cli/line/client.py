"""How `dutyline line …` and `dutyline call missed` reach the TelephonyService (hosted by intake),
with the roster for the sites' time zones (a lookup that never fails a command)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import typer

from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.intake.v1 import telephony_pb2_grpc

T = TypeVar("T")
TIMEOUT = 10.0


class Lines(RosterLookups):
    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = telephony_pb2_grpc.TelephonyServiceStub(ch)


def run(ctx: typer.Context, work: Callable[[Lines], Awaitable[T]], *, key: str | None = None) -> T:
    return run_with_roster(ctx, Lines, work, key=key)
