"""How `dutyline case …` reaches the CaseService (hosted by intake), with the roster for the sites'
time zones (a lookup that never fails a command). A refused step (FAILED_PRECONDITION) is one line
"Refused …" with exit code 2."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import typer

from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.intake.v1 import case_pb2_grpc

T = TypeVar("T")
TIMEOUT = 10.0


class Cases(RosterLookups):
    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = case_pb2_grpc.CaseServiceStub(ch)


def run(ctx: typer.Context, work: Callable[[Cases], Awaitable[T]], *, key: str | None = None) -> T:
    return run_with_roster(ctx, Cases, work, key=key)
