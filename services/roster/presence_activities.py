"""Activities of the presence check (workflows/presence): send the check to the person on duty, and
settle it at its deadline. Idempotent: the message is sent once per check (notify's key), and a check
is settled once, with its event."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.emit import emit
from dutyline.grpckit.convert import from_ts
from dutyline.notifier import notify_key
from services.roster import presence_rules, presence_store
from services.roster.presence_convert import presence_check_message
from services.roster.shift_activities import SYSTEM_ACTOR, ShiftActivities
from workflows.common import iso_z
from workflows.presence.types import CONFIRMED, PENDING, SEND_CHECK, SETTLE_CHECK, UNANSWERED, SettleRequest
from workflows.shift.types import ShiftNotice

TEMPLATE = "presence_check"
# The check's message is about the check: its acknowledgement is found by this reference.
REF_KIND = "presence_check"


class PresenceActivities(ShiftActivities):
    """Shares the shift activities' pool, notify client and assignment lookup."""

    async def _check(self, check_id: str) -> presence_store.PresenceCheckRow:
        async with self._pool.acquire() as conn:
            check = await presence_store.get_check(conn, check_id=check_id)
        if check is None:
            raise ApplicationError(f"presence check {check_id} does not exist", non_retryable=True)
        return check

    @activity.defn(name=SEND_CHECK)
    @classified
    async def send_check(self, check_id: str) -> None:
        """Ask the person to confirm: ConfirmPresence, or acknowledging this message, by the deadline."""
        check = await self._check(check_id)
        row = await self._assignment(check.assignment_id)
        detail = (
            f"请于 {iso_z(check.due_at)} 前确认 confirm by {iso_z(check.due_at)}: "
            f"dutyline roster presence confirm {check.id}"
        )
        notice = ShiftNotice(assignment_id=check.assignment_id, site_id=check.site_id, kind=TEMPLATE, detail=detail)
        await self._notifier.send(
            site_id=check.site_id,
            person_id=check.person_id,
            template=TEMPLATE,
            data=self._data(row, notice),
            key=notify_key(check.id, TEMPLATE),
            ref_kind=REF_KIND,
            ref_id=check.id,
        )

    @activity.defn(name=SETTLE_CHECK)
    @classified
    async def settle_check(self, request: SettleRequest) -> str:
        """ "confirmed" or "unanswered" (with presence.confirmed or presence.unanswered), or "pending"
        before the deadline. A check not confirmed through the RPC counts as confirmed when the person
        acknowledged its message by the deadline."""
        check = await self._check(request.check_id)
        if check.status != PENDING:
            return check.status
        if not request.final and datetime.now(UTC) < check.due_at:
            return PENDING
        sent = await self._notifier.sent_about(site_id=check.site_id, ref_id=check.id, person_id=check.person_id)
        acknowledged_at = presence_rules.acknowledged_in_time(
            (from_ts(n.acknowledged_at) if n.HasField("acknowledged_at") else None for n in sent), check.due_at
        )
        async with self._pool.acquire() as conn, conn.transaction():
            settled = await presence_store.settle_check(
                conn,
                check_id=check.id,
                status=CONFIRMED if acknowledged_at else UNANSWERED,
                confirmed_at=acknowledged_at,
                confirmed_via="notification" if acknowledged_at else "",
            )
            if settled is None:  # confirmed through the RPC meanwhile, or by an earlier attempt
                return (await self._check(check.id)).status
            await emit(
                conn,
                event_type="presence.confirmed" if settled.status == CONFIRMED else "presence.unanswered",
                site_id=settled.site_id,
                aggregate_id=settled.id,
                aggregate_version=2,
                payload=presence_check_message(settled),
                actor=SYSTEM_ACTOR,
            )
            return settled.status
