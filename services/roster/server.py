"""RosterService over gRPC (排班): the organization, the roster and what happens on duty.

The RPCs live in three groups — rpc_organization, rpc_schedule, rpc_duty — over one pool.
"""

from __future__ import annotations

import grpc
from temporalio.client import Client

from dutyline.grpckit.client import service_channel
from dutyline.grpckit.server import ServiceContext
from dutyline.incident.v1 import incident_pb2_grpc, instructions_pb2_grpc
from dutyline.intake.v1 import case_pb2_grpc, intake_pb2_grpc
from dutyline.notify.v1 import notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.temporal_worker import task_queue_of
from services.roster.handover_items import OpenItemsGatherer
from services.roster.on_duty_cache import OnDutyCache
from services.roster.policy import POLICIES
from services.roster.rpc_duty import DutyRpcs
from services.roster.rpc_organization import OrganizationRpcs
from services.roster.rpc_schedule import ScheduleRpcs
from services.roster.shift_starter import ShiftStarter


class RosterServicer(OrganizationRpcs, ScheduleRpcs, DutyRpcs, roster_pb2_grpc.RosterServiceServicer):
    def __init__(self, ctx: ServiceContext, *, shifts: ShiftStarter, open_items: OpenItemsGatherer) -> None:
        super().__init__(ctx)
        self._on_duty = OnDutyCache()
        self._shifts = shifts
        self._open_items = open_items


async def build(ctx: ServiceContext, server: grpc.aio.Server) -> str:
    settings = ctx.settings
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    shifts = ShiftStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("roster"))
    ctx.background.append(shifts.run_forever())
    channels = {
        name: service_channel(settings, target=name, caller="roster") for name in ("incident", "notify", "intake")
    }
    ctx.on_close.extend(ch.close for ch in channels.values())
    open_items = OpenItemsGatherer(
        incidents=incident_pb2_grpc.IncidentServiceStub(channels["incident"]),
        notify=notify_pb2_grpc.NotifyServiceStub(channels["notify"]),
        intake=intake_pb2_grpc.IntakeServiceStub(channels["intake"]),
        cases=case_pb2_grpc.CaseServiceStub(channels["intake"]),
        instructions=instructions_pb2_grpc.InstructionServiceStub(channels["incident"]),
    )
    servicer = RosterServicer(ctx, shifts=shifts, open_items=open_items)
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    roster_pb2_grpc.add_RosterServiceServicer_to_server(servicer, server)
    return str(roster_pb2.DESCRIPTOR.services_by_name["RosterService"].full_name)
