"""InsightService over gRPC (值班分析). The RPCs live in groups over one pool (insight's schema): the
assessment's own records (rpc_assessment), the duty logs (rpc_dutylog), its cards (rpc_scorecards),
the figures (rpc_statistics) and their charts (rpc_charts), and the read model's status (rpc_status).
An RPC no group implements yet answers UNIMPLEMENTED (the generated base class).

Every replica also runs every projection of the read model (services.insight.projections) in the
background: JetStream shares each projection's batches among the replicas (dutyline.projection), and
sends the daily reports due to the superior duty offices (services/insight/daily_sender.py)."""

from __future__ import annotations

import grpc

from dutyline import natsconn
from dutyline.directory import RosterDirectory
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.server import ServiceContext
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.notifier import NotifyClient
from dutyline.projection import ProjectionRunner
from dutyline.roster.v1 import roster_pb2_grpc
from dutyline.temporal_start import sweep_forever
from services.insight.base import Stream
from services.insight.daily_sender import DailyReportSender
from services.insight.policy import POLICIES
from services.insight.projections import PROJECTIONS
from services.insight.rpc_assessment import AssessmentRpcs
from services.insight.rpc_charts import ChartRpcs
from services.insight.rpc_daily import DailyReportRpcs
from services.insight.rpc_dutylog import DutyLogRpcs
from services.insight.rpc_export import ExportRpcs
from services.insight.rpc_scorecards import ScorecardRpcs
from services.insight.rpc_statistics import StatisticsRpcs
from services.insight.rpc_status import StatusRpcs
from services.insight.settings import InsightSettings

# How often a replica looks for daily reports due (a report goes out within this of its time).
DAILY_REPORT_SWEEP_SECONDS = 60.0


class InsightServicer(
    AssessmentRpcs,
    ChartRpcs,
    DailyReportRpcs,
    DutyLogRpcs,
    ExportRpcs,
    ScorecardRpcs,
    StatisticsRpcs,
    StatusRpcs,
    insight_pb2_grpc.InsightServiceServicer,
):
    """Every RPC group of the service on one servicer."""


async def build(ctx: ServiceContext[InsightSettings], server: grpc.aio.Server) -> str:
    settings = ctx.settings
    # Roster tells which sites a region covers and whose a site is; insight asks as itself.
    roster = service_channel(settings, target="roster", caller="insight")
    ctx.on_close.append(roster.close)
    # The stream's figures for the projections' lag; the client reconnects on its own.
    nats_client = await natsconn.connect(settings, name="dutyline-insight", max_reconnect_attempts=-1)
    ctx.on_close.append(nats_client.close)
    for projection in PROJECTIONS:
        runner = ProjectionRunner(
            pool=ctx.pool,
            projection=projection,
            nats_url=settings.nats_url,
            nats_creds=settings.nats_creds,
            stream=settings.stream,
            replicas=settings.stream_replicas,
        )
        ctx.background.append(runner.run())
    sites = RosterDirectory(roster)
    servicer = InsightServicer(
        pool=ctx.pool,
        sites=sites,
        stream=Stream(js=nats_client.jetstream(), name=settings.stream),
    )
    # The daily reports go to the superior duty offices through notify, as insight itself.
    notify = NotifyClient.from_settings(settings, caller="insight")
    ctx.on_close.append(notify.close)
    sender = DailyReportSender(
        pool=ctx.pool,
        roster=roster_pb2_grpc.RosterServiceStub(roster),
        sites=sites,
        notify=notify,
        send_at=settings.insight_daily_report_at,
        clock=InsightServicer.now,
    )
    ctx.background.append(sweep_forever(sender.sweep, every=DAILY_REPORT_SWEEP_SECONDS))
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    insight_pb2_grpc.add_InsightServiceServicer_to_server(servicer, server)
    return str(insight_pb2.DESCRIPTOR.services_by_name["InsightService"].full_name)
