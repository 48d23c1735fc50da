"""The RPCs of people notifications and escalation: notifications (send, read, acknowledge),
escalation chains and escalations. Mixed into NotifyServicer (services/notify/server.py), which
wires their pool, roster, Temporal client, dispatcher and escalation starter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
from dutyline.grpckit.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from dutyline.ids import new_id
from dutyline.notify.v1 import notify_pb2
from dutyline.temporal_start import signal_best_effort
from services.notify.actor import SYSTEM_ACTOR
from services.notify.people import convert, sending, store
from services.notify.people.dispatcher import Dispatcher
from services.notify.people.escalation_activities import EscalationActivities
from services.notify.people.escalation_starter import EscalationStarter
from services.notify.people.recipients import RecipientResolver
from services.notify.people.rules import default_chain, first_step_for, verify_ack_token
from services.notify.policy import COMPONENT_TEMPLATES
from services.notify.settings import NotifySettings
from workflows.escalation.types import ACKNOWLEDGED_SIGNAL, Acknowledgement, StepData, StepSent, escalation_workflow_id

log = structlog.get_logger(__name__)

DEFAULT_PAGE_SIZE = 50


def _require_template_sender(principal: Principal, template: str) -> None:
    """PERMISSION_DENIED unless the caller may send ``template``: a template some component owns only
    that component sends, and such a component sends only its own (services/notify/policy.py)."""
    component = principal.person_id if principal.has_role("system") and not principal.via else ""
    owners = {name for name, templates in COMPONENT_TEMPLATES.items() if template in templates}
    if owners and component not in owners:
        raise PermissionDenied(f"only {', '.join(sorted(owners))} sends the {template} notice")
    own = COMPONENT_TEMPLATES.get(component)
    if own is not None and template not in own:
        raise PermissionDenied(f"{component} sends only {', '.join(sorted(own))}, not {template}")


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
    _steps: EscalationActivities

    async def _require_site(self, principal: Principal, site_id: str) -> None:
        site = await self._roster.site(site_id)
        principal.require_site(site.id, site.ancestor_ids)

    async def _require_recipients(self, principal: Principal, steps: list[StepData], *, site_id: str) -> None:
        """Every recipient is someone the caller may reach: a person of a site the caller acts for
        (or of ``site_id``'s own line, its region or headquarters), a role or superior office of a site
        the caller acts for, an entry of ``site_id``'s directory (its own or its region's and
        headquarters'). Else another site's people and addresses would be the answer."""
        site = await self._roster.site(site_id)
        for step in steps:
            if step.recipient_kind == "directory":
                entry = await self._resolver.directory_entry(step.recipient)
                if entry is not None and entry.site_id not in (site.id, *site.ancestor_ids):
                    raise PermissionDenied(f"{step.recipient} is in the directory of {entry.site_id}, not of {site.id}")
            elif step.recipient_kind == "person":
                person = await self._resolver.person(step.recipient)
                if person is None or person.site_id in (site.id, *site.ancestor_ids):
                    continue  # unknown people are the input's fault, said where they are resolved
                home = await self._roster.site(person.site_id)
                if not principal.covers(home.id, home.ancestor_ids):
                    raise PermissionDenied(f"{step.recipient} is a person of site {home.id}, not one you act for")
            else:
                target = step.recipient if step.recipient_kind == "superior" else step.recipient.rpartition(":")[0]
                try:
                    where = await self._roster.site(target)
                except InvalidArgument:
                    continue  # an unknown site is the input's fault, said where recipients are resolved
                principal.require_site(where.id, where.ancestor_ids)

    # ---- notifications ----------------------------------------------------------------------

    async def Send(self, request: notify_pb2.SendRequest, context: grpc.aio.ServicerContext) -> notify_pb2.SendResponse:
        principal = current_principal()
        _require_template_sender(principal, request.template)
        steps = convert.steps_from([(r, "", 0) for r in request.recipients], site_id=request.site_id)
        await self._require_site(principal, request.site_id)
        await self._require_recipients(principal, steps, site_id=request.site_id)
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
        # The caller's key (ids and keys hold no space): another caller's same key is another send.
        send_key = f"send:{idempotency.caller_scope()} {request.idempotency_key}"
        rows = sending.compose(
            people,
            message,
            key=send_key,
            channels=self._channels,
            now=datetime.now(UTC),
        )
        unreachable = [r.person_id for r in rows if not r.routes]
        if unreachable:
            # A directory entry has no duty console to fall back on: none of its contacts is on a
            # channel this platform delivers through, and sending again would not change that.
            raise FailedPrecondition(f"no configured channel reaches {', '.join(unreachable)}")
        async with self._pool.acquire() as conn, conn.transaction():
            prior = await idempotency.claim(
                conn, method="Send", key=request.idempotency_key, request=request, response=notify_pb2.SendResponse()
            )
            # A retry answers what the first send stored, whoever the recipients stand for now.
            stored = (
                await sending.store_all(conn, rows)
                if prior is None
                else await store.notifications_with_key_prefix(conn, prefix=f"{send_key}:")
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
        """确认: by the person notified (or an admin acting for the site), or with the message's token.
        The token works once, for a while (ack_token_hours), and wrong ones are counted: it is a
        credential without a session. Its answer names no contact address."""
        principal = optional_principal()
        if request.ack_token:
            await self._check_ack_token(request, source=_source(context))
        elif principal is None:
            raise Unauthenticated(
                "需要登录或确认令牌 / a bearer token or the message's acknowledgement token is required"
            )
        acknowledged_now = False

        async def work(conn: Connection) -> notify_pb2.Notification:
            nonlocal acknowledged_now
            row = await store.get_notification(conn, notification_id=request.notification_id, for_update=True)
            if row is None:
                raise NotFound(f"notification {request.notification_id} does not exist")
            if not request.ack_token and principal is not None and principal.person_id != row.person_id:
                if not principal.has_role("admin", "system"):
                    raise PermissionDenied(f"notification {row.id} was sent to {row.person_id}, not to you")
                await self._require_site(principal, row.site_id)
            by = principal.person_id if principal is not None and not request.ack_token else row.person_id
            # The first acknowledgement wins; another (a token used again) changes nothing.
            if await store.acknowledge(conn, notification_id=row.id, by=by, at=datetime.now(UTC)):
                acknowledged_now = True
                after = await store.get_notification(conn, notification_id=row.id)
                assert after is not None
                await emit(
                    conn,
                    event_type="notification.acknowledged",
                    site_id=row.site_id,
                    aggregate_id=row.id,
                    aggregate_version=after.version,
                    payload=event_pb2.NotificationChanged(
                        notification=convert.notification_message(after, addresses=False),
                        detail="by token" if request.ack_token else f"by {principal.person_id if principal else ''}",
                    ),
                    drill=row.drill,
                    actor=SYSTEM_ACTOR if principal is None else None,
                )
                row = after
            return convert.notification_message(row, addresses=not request.ack_token)

        answer, _ = await idempotency.run_once(
            self._pool, method="Acknowledge", request=request, response_type=notify_pb2.Notification, work=work
        )
        # Only the acknowledgement that happened tells the escalation (its workflow also reads the state).
        if acknowledged_now and answer.escalation_id:
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

    async def _check_ack_token(self, request: notify_pb2.AcknowledgeRequest, *, source: str) -> None:
        """The token is this notification's, still valid, and not one of many guesses (a wrong one is
        recorded in a transaction of its own, so the refusal does not roll it back)."""
        settings = self._settings
        now = datetime.now(UTC)
        window = now - timedelta(minutes=settings.ack_token_failure_minutes)
        async with self._pool.acquire() as conn:
            row = await store.get_notification(conn, notification_id=request.notification_id)
            if row is None:
                raise NotFound(f"notification {request.notification_id} does not exist")
            target = row.escalation_id or row.id
            on_target, from_source = await store.ack_token_failures(conn, target=target, source=source, since=window)
            if on_target >= settings.ack_token_failures or from_source >= settings.ack_token_source_failures:
                raise ResourceExhausted(
                    "确认令牌错误次数过多，请稍后再试或登录后确认 / too many wrong acknowledgement tokens; "
                    "try again later or sign in to acknowledge"
                )
            if not any(verify_ack_token(s, row.id, request.ack_token) for s in settings.ack_token_secrets()):
                await store.record_ack_token_failure(conn, target=target, source=source, forget_before=window)
                raise PermissionDenied(
                    "确认令牌与此通知不符 / the acknowledgement token does not match this notification"
                )
        assert row.created_at is not None
        if now - row.created_at > timedelta(hours=settings.ack_token_hours):
            raise Unauthenticated(
                "确认令牌已过期，请登录后确认 / the acknowledgement token has expired; sign in to acknowledge"
            )

    # ---- escalation chains and escalations --------------------------------------------------

    async def _chain(self, conn: Connection, site_id: str) -> store.ChainRow:
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
        await self._require_recipients(principal, steps, site_id=chain.site_id)
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
        async with self._pool.acquire() as conn:
            return convert.chain_message(await self._chain(conn, request.site_id))

    async def Escalate(
        self, request: notify_pb2.EscalateRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Escalation:
        principal = current_principal()
        _require_template_sender(principal, request.template)
        await self._require_site(principal, request.site_id)
        role = ROLE_NAMES.get(request.start_at_role, "")
        created: list[store.EscalationRow] = []

        async def work(conn: Connection) -> notify_pb2.Escalation:
            # The chain is read here, not before the key is claimed: a repeat (every escalation of a
            # new incident is asked twice, see services/incident/leader.py) needs none of it.
            chain = await self._chain(conn, request.site_id)
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
            await store.insert_escalation(conn, row=row)
            created.append(row)
            return convert.escalation_message(row)

        # The key names the escalation: a repeat whose words changed meanwhile (an activity retried
        # after its incident was classified, or after the incident service asked at once) finds it.
        # Keys stored before hold the hash of the whole request: a retry across the deploy finds them.
        compared = notify_pb2.EscalateRequest()
        compared.CopyFrom(request)
        compared.ClearField("data")
        answer, replay = await idempotency.run_once(
            self._pool,
            method="Escalate",
            request=compared,
            response_type=notify_pb2.Escalation,
            work=work,
            formerly=(request,),
        )
        if replay:
            async with self._pool.acquire() as conn:
                stored = await store.get_escalation(conn, escalation_id=answer.id)
            assert stored is not None
            # Started already (the row says so) costs Temporal nothing; else the first request is
            # still on its way there, or its start failed and this one tries again.
            await self._starter.ensure_started(stored)
            return convert.escalation_message(stored)
        row = created[0]
        await self._starter.ensure_started(row, first_sent=await self._first_step(row))
        log.info("escalation started", escalation_id=row.id, first_step=row.first_step, steps=len(row.steps))
        return answer

    async def _first_step(self, row: store.EscalationRow) -> StepSent | None:
        """The first step's notifications, delivered now rather than after the EscalationWorkflow's first
        workflow task and activity (DESIGN §8: the leader's first attempt within 5 s), handed to the
        workflow, which then does not send it. Best effort: None leaves the step to the workflow's
        activity (which finds it, should it have been stored after all)."""
        try:
            sent = await self._steps.send_step(row, loop=1, step=row.first_step + 1)
        except Exception as exc:
            log.warning("first step left to the escalation workflow", escalation_id=row.id, error=repr(exc))
            return None
        self._dispatcher.wake()
        return sent

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


def _source(context: grpc.aio.ServicerContext) -> str:
    """Where a request comes from, for counting wrong tokens: the peer's address without its port."""
    peer = context.peer() or ""
    return peer.rsplit(":", 1)[0] if peer.count(":") > 1 else peer
