"""The RPCs of people notifications and escalation: notifications (send, read, acknowledge),
escalation chains and escalations. Mixed into NotifyServicer (services/notify/server.py), which
wires their pool, roster, Temporal client, dispatcher and escalation starter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import grpc
import structlog
from temporalio.client import Client

from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, current_principal, optional_principal
from dutyline.grpckit.convert import ROLE_NAMES
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from dutyline.ids import new_id
from dutyline.notify.v1 import notify_pb2
from dutyline.temporal_start import signal_best_effort
from services.notify.actor import SYSTEM_ACTOR
from services.notify.people import convert, sending, store
from services.notify.people.dispatcher import Dispatcher
from services.notify.people.escalation_starter import EscalationStarter
from services.notify.people.recipients import RecipientResolver
from services.notify.people.rules import default_chain, first_step_for, verify_ack_token
from services.notify.settings import NotifySettings
from workflows.escalation.types import ACKNOWLEDGED_SIGNAL, Acknowledgement, escalation_workflow_id

log = structlog.get_logger(__name__)

DEFAULT_PAGE_SIZE = 50


class PeopleRpcs:
    """Every field's limits (ids, sites, templates, channels, locales, the data map, counts, waits)
    are the proto's, checked before these run; here what needs roster or the store. Mixed into
    NotifyServicer, which sets these attributes."""

    _pool: Any
    _settings: NotifySettings
    _client: Client
    _dispatcher: Dispatcher
    _channels: list[str]
    _roster: RosterDirectory
    _resolver: RecipientResolver
    _starter: EscalationStarter

    async def _require_site(self, principal: Principal, site_id: str) -> None:
        site = await self._roster.site(site_id)
        principal.require_site(site.id, site.ancestor_ids)

    # ---- notifications ----------------------------------------------------------------------

    async def Send(self, request: notify_pb2.SendRequest, context: grpc.aio.ServicerContext) -> notify_pb2.SendResponse:
        principal = current_principal()
        steps = convert.steps_from([(r, "", 0) for r in request.recipients], site_id=request.site_id)
        await self._require_site(principal, request.site_id)
        people = await self._resolver.resolve(steps)
        message = sending.Message(
            site_id=request.site_id,
            template=request.template,
            data=dict(request.data),
            locale=request.locale,
            drill=request.drill,
            ref_kind=request.ref_kind,
            ref_id=request.ref_id,
            channel=request.channel,
        )
        rows = sending.compose(
            people,
            message,
            key=f"send:{request.idempotency_key}",
            channels=self._channels,
            now=datetime.now(UTC),
        )
        async with self._pool.acquire() as conn, conn.transaction():
            prior = await idempotency.claim(
                conn, method="Send", key=request.idempotency_key, request=request, response=notify_pb2.SendResponse()
            )
            # A retry answers what the first send stored, whoever the recipients stand for now.
            stored = (
                await sending.store_all(conn, rows)
                if prior is None
                else await store.notifications_with_key_prefix(conn, prefix=f"send:{request.idempotency_key}:")
            )
        self._dispatcher.wake()
        log.info("notifications queued", count=len(stored), template=request.template, replay=prior is not None)
        return notify_pb2.SendResponse(notifications=[convert.notification_message(n) for n in stored])

    async def _readable(self, notification_id: str) -> store.NotificationRow:
        principal = current_principal()
        async with self._pool.acquire() as conn:
            row = await store.get_notification(conn, notification_id=notification_id)
        if row is None:
            raise NotFound(f"notification {notification_id} does not exist")
        if row.person_id != principal.person_id:
            await self._require_site(principal, row.site_id)
        return row

    async def GetNotification(
        self, request: notify_pb2.GetNotificationRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Notification:
        return convert.notification_message(await self._readable(request.notification_id))

    async def ListNotifications(
        self, request: notify_pb2.ListNotificationsRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.ListNotificationsResponse:
        principal = current_principal()
        size = request.page.page_size or DEFAULT_PAGE_SIZE
        # Paged like every list of the platform: the token is the offset of the next page.
        offset = int(request.page.page_token or 0)
        site_ids: list[str] | None
        if request.site_id:
            await self._require_site(principal, request.site_id)
            site_ids = [request.site_id]
        elif request.person_id and request.person_id == principal.person_id:
            site_ids = None  # one's own notifications, wherever they came from
        elif "*" in principal.sites:
            site_ids = None
        else:
            site_ids = await self._roster.sites_under(principal.sites)
        async with self._pool.acquire() as conn:
            rows = await store.list_notifications(
                conn,
                site_ids=site_ids,
                person_id=request.person_id,
                unacknowledged_only=request.unacknowledged_only,
                ref_id=request.ref_id,
                escalation_id=request.escalation_id,
                offset=offset,
                limit=size,
            )
        return notify_pb2.ListNotificationsResponse(
            notifications=[convert.notification_message(r) for r in rows],
            next_page_token=str(offset + size) if len(rows) == size else "",
        )

    async def Acknowledge(
        self, request: notify_pb2.AcknowledgeRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Notification:
        """确认: by the person notified (or an admin acting for the site), or with the message's token."""
        principal = optional_principal()
        secrets = self._settings.token_secrets()

        async def work(conn: Connection) -> notify_pb2.Notification:
            row = await store.get_notification(conn, notification_id=request.notification_id, for_update=True)
            if row is None:
                raise NotFound(f"notification {request.notification_id} does not exist")
            if request.ack_token:
                if not any(verify_ack_token(secret, row.id, request.ack_token) for secret in secrets):
                    raise PermissionDenied("the acknowledgement token does not match this notification")
            elif principal is None:
                raise Unauthenticated("a bearer token or the message's acknowledgement token is required")
            elif principal.person_id != row.person_id:
                if not principal.has_role("admin", "system"):
                    raise PermissionDenied(f"notification {row.id} was sent to {row.person_id}, not to you")
                await self._require_site(principal, row.site_id)
            by = principal.person_id if principal is not None and not request.ack_token else row.person_id
            if await store.acknowledge(conn, notification_id=row.id, by=by, at=datetime.now(UTC)):
                after = await store.get_notification(conn, notification_id=row.id)
                assert after is not None
                await emit(
                    conn,
                    event_type="notification.acknowledged",
                    site_id=row.site_id,
                    aggregate_id=row.id,
                    aggregate_version=after.version,
                    payload=event_pb2.NotificationChanged(
                        notification=convert.notification_message(after),
                        detail="by token" if request.ack_token else f"by {principal.person_id if principal else ''}",
                    ),
                    drill=row.drill,
                    actor=SYSTEM_ACTOR if principal is None else None,
                )
                row = after
            return convert.notification_message(row)

        answer, _ = await idempotency.run_once(
            self._pool, method="Acknowledge", request=request, response_type=notify_pb2.Notification, work=work
        )
        if answer.escalation_id:
            await signal_best_effort(
                self._client,
                escalation_workflow_id(answer.escalation_id),
                ACKNOWLEDGED_SIGNAL,
                Acknowledgement(
                    person_id=answer.acknowledged_by,
                    notification_id=answer.id,
                    at=answer.acknowledged_at.ToDatetime(tzinfo=UTC).isoformat(),
                ),
            )
        return answer

    # ---- escalation chains and escalations --------------------------------------------------

    async def _chain(self, site_id: str) -> store.ChainRow:
        async with self._pool.acquire() as conn:
            chain = await store.get_chain(conn, site_id=site_id)
        if chain is not None:
            return chain
        steps, repeat = default_chain(site_id)
        return store.ChainRow(site_id, steps, repeat, None, is_default=True)

    async def UpsertEscalationChain(
        self, request: notify_pb2.UpsertEscalationChainRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.EscalationChain:
        principal = current_principal()
        chain = request.chain
        steps = convert.steps_from(
            [(s.recipient, s.channel, s.wait_seconds) for s in chain.steps], site_id=chain.site_id
        )
        unknown = [
            FieldViolation(f"chain.steps[{index}].recipient.person_id", "unknown person")
            for index, step in enumerate(steps)
            if step.recipient_kind == "person" and await self._resolver.person(step.recipient) is None
        ]
        if unknown:
            raise InvalidArgument(unknown)
        if not principal.has_role("admin", "leader", "supervisor", "system"):
            raise PermissionDenied("only an admin, a duty leader or a supervisor may change the escalation chain")
        await self._require_site(principal, chain.site_id)
        row = store.ChainRow(chain.site_id, steps, chain.repeat, datetime.now(UTC))

        async def work(conn: Connection) -> notify_pb2.EscalationChain:
            await store.upsert_chain(conn, chain=row, by=principal.person_id)
            return convert.chain_message(row)

        answer, _ = await idempotency.run_once(
            self._pool,
            method="UpsertEscalationChain",
            request=request,
            response_type=notify_pb2.EscalationChain,
            work=work,
        )
        return answer

    async def GetEscalationChain(
        self, request: notify_pb2.GetEscalationChainRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.EscalationChain:
        await self._require_site(current_principal(), request.site_id)
        return convert.chain_message(await self._chain(request.site_id))

    async def Escalate(
        self, request: notify_pb2.EscalateRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Escalation:
        principal = current_principal()
        await self._require_site(principal, request.site_id)
        chain = await self._chain(request.site_id)
        role = ROLE_NAMES.get(request.start_at_role, "")
        row = store.EscalationRow(
            id=new_id("esc"),
            site_id=request.site_id,
            template=request.template,
            data=dict(request.data),
            ref_kind=request.ref_kind,
            ref_id=request.ref_id,
            drill=request.drill,
            locale=request.locale,
            steps=chain.steps,
            repeat=chain.repeat,
            first_step=first_step_for(chain.steps, role) if role else 0,
            created_at=datetime.now(UTC),
        )

        async def work(conn: Connection) -> notify_pb2.Escalation:
            await store.insert_escalation(conn, row=row)
            return convert.escalation_message(row)

        answer, replay = await idempotency.run_once(
            self._pool, method="Escalate", request=request, response_type=notify_pb2.Escalation, work=work
        )
        async with self._pool.acquire() as conn:
            stored = await store.get_escalation(conn, escalation_id=answer.id)
        assert stored is not None
        await self._starter.ensure_started(stored)
        if not replay:
            log.info("escalation started", escalation_id=row.id, first_step=row.first_step, steps=len(row.steps))
        return convert.escalation_message(stored)

    async def GetEscalation(
        self, request: notify_pb2.GetEscalationRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Escalation:
        principal = current_principal()
        async with self._pool.acquire() as conn:
            row = await store.get_escalation(conn, escalation_id=request.escalation_id)
            if row is None:
                raise NotFound(f"escalation {request.escalation_id} does not exist")
            notifications = await store.list_notifications(conn, site_ids=None, escalation_id=row.id, limit=500)
        await self._require_site(principal, row.site_id)
        return convert.escalation_message(row, list(reversed(notifications)))
