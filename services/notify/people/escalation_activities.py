"""Activities of the escalation workflow (workflows/escalation), over notify's store, run by notify's
worker (services/notify/worker.py) on task queue dutyline-notify under the names of the workflow's
contract. They run at least once: notifications are keyed by escalation, loop and step, and each event
is recorded once."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from services.notify.people import sending, store
from services.notify.people.convert import escalation_message
from services.notify.people.recipients import Person, RecipientResolver
from workflows.escalation.types import (
    ACK_STATE,
    NOTIFY_STEP,
    RECORD_ACK,
    RECORD_EXHAUSTED,
    AckNotice,
    Acknowledgement,
    ExhaustedNotice,
    StepNotice,
    StepSent,
)

log = structlog.get_logger(__name__)

SYSTEM_ACTOR = common_pb2.Actor(
    person_id="system:escalation-workflow", display_name="EscalationWorkflow", kind="system"
)


def _message(
    row: store.EscalationRow, *, template: str, data: dict[str, str], loop: int = 0, step: int = 0, channel: str = ""
) -> sending.Message:
    """A message of the escalation `row`: to its site, in its locale, marked as its drill, about its reference."""
    return sending.Message(
        site_id=row.site_id,
        template=template,
        data=data,
        locale=row.locale,
        drill=row.drill,
        ref_kind=row.ref_kind,
        ref_id=row.ref_id,
        escalation_id=row.id,
        escalation_loop=loop,
        escalation_step=step,
        channel=channel,
    )


class EscalationActivities:
    def __init__(self, *, pool: asyncpg.Pool, resolver: RecipientResolver, channels: list[str]) -> None:
        self._pool = pool
        self._resolver = resolver
        self._channels = channels

    async def _escalation(self, conn: Connection, escalation_id: str) -> store.EscalationRow:
        row = await store.get_escalation(conn, escalation_id=escalation_id)
        if row is None:
            raise ApplicationError(f"escalation {escalation_id} does not exist", non_retryable=True)
        return row

    async def _event(
        self, conn: Connection, row: store.EscalationRow, event_type: str, *, loop: int, step: int, people: list[str]
    ) -> None:
        detail = {
            "escalation.step": f"第{loop}轮第{step}步 loop {loop}, step {step}",
            "escalation.acknowledged": f"{people[0] if people else ''} 已确认 acknowledged",
            "escalation.exhausted": f"{loop}轮无人确认 nobody acknowledged in {loop} loop(s)",
        }[event_type]
        notifications = await store.list_notifications(conn, site_ids=None, escalation_id=row.id, limit=200)
        await emit(
            conn,
            event_type=event_type,
            site_id=row.site_id,
            aggregate_id=row.id,
            aggregate_version=row.version,
            payload=event_pb2.EscalationChanged(
                escalation=escalation_message(row, notifications, addresses=False),
                loop=loop,
                step=step,
                person_ids=people,
                detail=detail,
            ),
            drill=row.drill,
            actor=SYSTEM_ACTOR,
        )

    @activity.defn(name=NOTIFY_STEP)
    @classified
    async def notify_step(self, notice: StepNotice) -> StepSent:
        """Notify whoever the step stands for now, once per step, and record escalation.step."""
        structlog.contextvars.bind_contextvars(escalation_id=notice.escalation_id)
        async with self._pool.acquire() as conn:
            # A step happens once: the Escalate RPC sent the first one a moment ago (or a try of this
            # activity did), so its notifications are the answer, not whoever the step stands for now.
            sent = await store.recorded_step(
                conn, escalation_id=notice.escalation_id, loop=notice.loop, step=notice.step
            )
            if sent is not None:
                return StepSent(person_ids=[p for _, p in sent], notification_ids=[n for n, _ in sent])
            row = await self._escalation(conn, notice.escalation_id)
        structlog.contextvars.bind_contextvars(site_id=row.site_id)
        return await self.send_step(row, loop=notice.loop, step=notice.step)

    async def send_step(self, row: store.EscalationRow, *, loop: int, step: int) -> StepSent:
        """The step's notifications, stored once (keyed by escalation, loop and step) and recorded
        (``step:<loop>:<step>``) in the same transaction."""
        of_step = row.steps[step - 1]
        people: list[Person] = await self._resolver.step(of_step)
        person_ids = [p.id for p in people]
        message = _message(row, template=row.template, data=row.data, loop=loop, step=step, channel=of_step.channel)
        rows = sending.compose(
            people, message, key=f"{row.id}:{loop}:{step}", channels=self._channels, now=datetime.now(UTC)
        )
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await sending.store_all(conn, rows)
            if await store.record_once(conn, escalation_id=row.id, key=store.step_key(loop, step)):
                await self._event(conn, row, "escalation.step", loop=loop, step=step, people=person_ids)
        log.info("escalation step", loop=loop, step=step, people=person_ids)
        return StepSent(person_ids=[n.person_id for n in stored], notification_ids=[n.id for n in stored])

    @activity.defn(name=ACK_STATE)
    @classified
    async def ack_state(self, escalation_id: str) -> Acknowledgement | None:
        async with self._pool.acquire() as conn:
            first = await store.first_acknowledgement(conn, escalation_id=escalation_id)
        if first is None or first.acknowledged_at is None:
            return None
        return Acknowledgement(
            person_id=first.acknowledged_by or first.person_id,
            notification_id=first.id,
            at=first.acknowledged_at.astimezone(UTC).isoformat(),
        )

    @activity.defn(name=RECORD_ACK)
    @classified
    async def record_ack(self, notice: AckNotice) -> None:
        """Record who acknowledged when, and tell the others notified that it is taken care of."""
        ack = notice.acknowledgement
        async with self._pool.acquire() as conn:
            row = await self._escalation(conn, notice.escalation_id)
            acked = await store.get_notification(conn, notification_id=ack.notification_id)
        name = acked.person_name if acked is not None else ack.person_id
        others = [p for p in notice.notified_person_ids if p != ack.person_id]
        people = await self._resolver.people(others)
        # Part of the escalation (loop and step 0): shown with it, and never a step of its own.
        message = _message(row, template="escalation_acknowledged", data={**row.data, "acknowledged_by_name": name})
        rows = sending.compose(
            people, message, key=f"{row.id}:acknowledged", channels=self._channels, now=datetime.now(UTC)
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await store.finish_escalation(
                conn, escalation_id=row.id, status="acknowledged", by=ack.person_id, at=datetime.fromisoformat(ack.at)
            )
            await sending.store_all(conn, rows)
            if await store.record_once(conn, escalation_id=row.id, key="acknowledged"):
                after = await self._escalation(conn, row.id)
                await self._event(conn, after, "escalation.acknowledged", loop=0, step=0, people=[ack.person_id])

    @activity.defn(name=RECORD_EXHAUSTED)
    @classified
    async def record_exhausted(self, notice: ExhaustedNotice) -> None:
        """Nobody acknowledged: recorded, and published as escalation.exhausted (the supervisors' feed)."""
        async with self._pool.acquire() as conn, conn.transaction():
            await store.finish_escalation(conn, escalation_id=notice.escalation_id, status="exhausted")
            if await store.record_once(conn, escalation_id=notice.escalation_id, key="exhausted"):
                row = await self._escalation(conn, notice.escalation_id)
                await self._event(
                    conn, row, "escalation.exhausted", loop=notice.loops, step=0, people=notice.notified_person_ids
                )
        log.warning("escalation exhausted", escalation_id=notice.escalation_id, loops=notice.loops)
