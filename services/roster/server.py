"""RosterService over gRPC (排班): the organization, the roster and what happens on duty.

The RPCs live in three groups — rpc_organization, rpc_schedule, rpc_duty — over one pool.
"""

from __future__ import annotations

import grpc

from dutyline.grpckit.client import service_channel
from dutyline.grpckit.server import ServiceContext
from dutyline.incident.v1 import incident_pb2_grpc, instructions_pb2_grpc
from dutyline.intake.v1 import case_pb2_grpc, intake_pb2_grpc
from dutyline.notifier import NotifyClient
from dutyline.notify.v1 import notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from dutyline.temporal_start import connect as connect_temporal
from dutyline.temporal_worker import task_queue_of
from services.roster.competence import serve_competence
from services.roster.duty_records import serve_duty_records
from services.roster.handover_items import OpenItemsGatherer
from services.roster.on_duty_cache import OnDutyCache
from services.roster.policy import POLICIES
from services.roster.presence_starter import PresenceStarter
from services.roster.rpc_duty import DutyRpcs
from services.roster.rpc_equipment import serve_equipment
from services.roster.rpc_handovers import HandoverRegisterRpcs
from services.roster.rpc_inspections import serve_inspections
from services.roster.rpc_organization import OrganizationRpcs
from services.roster.rpc_presence import PresenceRpcs
from services.roster.rpc_schedule import ScheduleRpcs
from services.roster.shift_starter import ShiftStarter


class RosterServicer(
    OrganizationRpcs,
    ScheduleRpcs,
    DutyRpcs,
    HandoverRegisterRpcs,
    PresenceRpcs,
    roster_pb2_grpc.RosterServiceServicer,
):
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        shifts: ShiftStarter,
        open_items: OpenItemsGatherer,
        presence: PresenceStarter,
    ) -> None:
        super().__init__(ctx)
        self._on_duty = OnDutyCache()
        self._shifts = shifts
        self._presence = presence
        self._open_items = open_items


async def build(ctx: ServiceContext, server: grpc.aio.Server) -> str:
    settings = ctx.settings
    client = await connect_temporal(settings)
    shifts = ShiftStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("roster"))
    ctx.background.append(shifts.run_forever())
    # Presence checks (在岗抽查) and early leave alerts (早退) whose workflow did not start at once.
    presence = PresenceStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("roster"))
    ctx.background.extend((presence.reconcile_checks_forever(), presence.reconcile_alerts_forever()))
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
    servicer = RosterServicer(ctx, shifts=shifts, open_items=open_items, presence=presence)
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    roster_pb2_grpc.add_RosterServiceServicer_to_server(servicer, server)
    serve_inspections(ctx, server)  # the leader's inspection (带班领导查岗), in this process
    # Equipment and supplies (值班设备与应急物资): critical faults alert the duty leader through notify.
    serve_equipment(ctx, server, NotifyClient(channels["notify"]))
    # Duty counts and violations (值班记录); holidays from the site's calendar, kept by intake.
    serve_duty_records(ctx, server, cases=case_pb2_grpc.CaseServiceStub(channels["intake"]))
    # Qualifications, training and drills (资格、培训、演练): expiry warnings through notify.
    serve_competence(ctx, server, NotifyClient(channels["notify"]))
    return str(roster_pb2.DESCRIPTOR.services_by_name["RosterService"].full_name)
