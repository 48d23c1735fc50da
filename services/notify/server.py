"""NotifyService over gRPC: one server for notify's two subdomains, people notifications and
escalation (services.notify.people.rpc) and agency distribution (services.notify.agencies.rpc).
Delivery runs in the background (the dispatcher), and so do the event feed to agencies and their
webhook deliveries."""

from __future__ import annotations

from functools import partial

import asyncpg
import grpc
from temporalio.client import Client

from dutyline import metrics
from dutyline.directory import RosterDirectory
from dutyline.grpckit.client import service_channel
from dutyline.grpckit.server import ServiceContext
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2_grpc
from dutyline.temporal_start import connect as connect_temporal
from dutyline.temporal_start import sweep_forever
from dutyline.temporal_worker import task_queue_of
from services.notify import gauges
from services.notify.agencies.feed import EventFeed
from services.notify.agencies.rpc import AgencyRpcs
from services.notify.agencies.webhooks import WebhookDeliverer
from services.notify.people import contacts, store
from services.notify.people.channels import build_channels
from services.notify.people.dispatcher import Dispatcher
from services.notify.people.escalation_activities import EscalationActivities
from services.notify.people.escalation_starter import EscalationStarter
from services.notify.people.recipients import RecipientResolver
from services.notify.people.rpc import PeopleRpcs
from services.notify.policy import POLICIES
from services.notify.settings import NotifySettings


class NotifyServicer(PeopleRpcs, AgencyRpcs, notify_pb2_grpc.NotifyServiceServicer):
    """The RPCs of both subdomains over one pool (notify's schema), one roster channel and one
    Temporal client."""

    def __init__(
        self, ctx: ServiceContext[NotifySettings], *, client: Client, dispatcher: Dispatcher, channels: list[str]
    ) -> None:
        self._pool = ctx.pool
        self._settings: NotifySettings = ctx.settings
        self._client = client
        self._dispatcher = dispatcher
        self._channels = channels
        roster = service_channel(ctx.settings, target="roster", caller="notify")
        self._roster = RosterDirectory(roster)
        self._resolver = RecipientResolver(roster_pb2_grpc.RosterServiceStub(roster))
        self._starter = EscalationStarter(pool=ctx.pool, client=client, task_queue=task_queue_of("notify"))
        self._steps = EscalationActivities(pool=ctx.pool, resolver=self._resolver, channels=channels)
        # The event feed to agencies and their webhook deliveries run beside the RPCs.
        self._feed = EventFeed(pool=ctx.pool, settings=ctx.settings, directory=self._roster)
        webhooks = WebhookDeliverer(pool=ctx.pool, settings=ctx.settings)
        ctx.on_close.extend([roster.close, webhooks.close])
        ctx.background.extend([self._starter.reconcile_forever(), self._feed.run(), webhooks.run()])


async def build(ctx: ServiceContext[NotifySettings], server: grpc.aio.Server) -> str:
    settings = ctx.settings
    contacts.configure(settings.contact_keys.get_secret_value())
    client = await connect_temporal(settings)
    channels = build_channels(settings)
    dispatcher = Dispatcher(pool=ctx.pool, channels=channels, settings=settings)
    servicer = NotifyServicer(ctx, client=client, dispatcher=dispatcher, channels=list(channels))
    ctx.background.append(dispatcher.run())
    metrics.at_scrape(partial(gauges.escalations, ctx.pool))
    ctx.background.append(sweep_forever(partial(_seal_clear_routes, ctx.pool), every=30.0))
    ctx.background.append(sweep_forever(servicer.repush_revocations, every=300.0))
    ctx.on_close.append(channels.close)
    ctx.policies.update(POLICIES)  # who may call each RPC; none missing, or no start
    notify_pb2_grpc.add_NotifyServiceServicer_to_server(servicer, server)
    return str(notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name)


async def _seal_clear_routes(pool: asyncpg.Pool) -> None:
    """Seal the staff contacts of notifications stored before contacts were sealed, a batch a round."""
    async with pool.acquire() as conn, conn.transaction():
        await store.seal_clear_routes(conn)
