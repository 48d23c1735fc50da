"""InsightService over gRPC (值班分析). The RPCs live in groups over one pool (insight's schema): the
assessment's own records (rpc_assessment) and the read model's status (rpc_status). An RPC no group
implements yet answers UNIMPLEMENTED (the generated base class)."""

from __future__ import annotations

import grpc

from dutyline import natsconn
from dutyline.directory import RosterDirectory
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.server import ServiceContext
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from services.insight.base import Stream
from services.insight.policy import POLICIES
from services.insight.rpc_assessment import AssessmentRpcs
from services.insight.rpc_status import StatusRpcs
from services.insight.settings import InsightSettings


class InsightServicer(AssessmentRpcs, StatusRpcs, insight_pb2_grpc.InsightServiceServicer):
    """Every RPC group of the service on one servicer."""


async def build(ctx: ServiceContext[InsightSettings], server: grpc.aio.Server) -> str:
    settings = ctx.settings
    # Roster tells which sites a region covers and whose a site is; insight asks as itself.
    roster = service_channel(settings, target="roster", caller="insight")
    ctx.on_close.append(roster.close)
    # The stream's figures for the projections' lag; the client reconnects on its own.
    nats_client = await natsconn.connect(settings, name="dutyline-insight", max_reconnect_attempts=-1)
    ctx.on_close.append(nats_client.close)
    servicer = InsightServicer(
        pool=ctx.pool,
        sites=RosterDirectory(roster),
        stream=Stream(js=nats_client.jetstream(), name=settings.stream),
    )
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    insight_pb2_grpc.add_InsightServiceServicer_to_server(servicer, server)
    return str(insight_pb2.DESCRIPTOR.services_by_name["InsightService"].full_name)
