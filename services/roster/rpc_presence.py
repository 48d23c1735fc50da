"""Presence on duty (在岗): CheckOut (签退, and early leave 早退) and presence checks (在岗抽查).

Events: checkout.recorded (the CheckInRecord with its check-out; an early leave is the violation
"early_leave", charged to the officer), presence.requested, presence.confirmed, presence.unanswered
(the PresenceCheck). The duty leader is alerted through notify by the workflows of
workflows/presence, started after the commit (services.roster.presence_starter).
"""

from __future__ import annotations

from datetime import timedelta

import grpc

from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from dutyline.ids import new_id
from dutyline.roster.v1 import presence_pb2, roster_pb2
from services.roster import access, duty_store, presence_rules, presence_store, schedule_store, store
from services.roster.base import RosterBase
from services.roster.presence_convert import check_out_message, presence_check_message
from services.roster.presence_starter import PresenceStarter

# A check-out is taken until this long after the shift's end (later, nobody remembers when they left).
CHECK_OUT_CLOSES = timedelta(hours=12)


class PresenceRpcs(RosterBase):
    _presence: PresenceStarter

    async def _assignment_row(self, conn: Connection, assignment_id: str) -> schedule_store.AssignmentRow:
        row = await schedule_store.get_assignment(conn, assignment_id=assignment_id, for_update=True)
        if row is None:
            raise InvalidArgument([FieldViolation("assignment_id", f"unknown assignment {assignment_id!r}")])
        return row

    async def CheckOut(
        self, request: presence_pb2.CheckOutRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.CheckInRecord:
        """签退 by the officer; a leader (or an admin) of the site checking an officer out releases them."""
        principal = current_principal()
        left_early: presence_store.CheckOutRow | None = None

        async def work(conn: Connection) -> roster_pb2.CheckInRecord:
            nonlocal left_early
            row = await self._assignment_row(conn, request.assignment_id)
            a = row.assignment
            site = await self.site(a.site_id, conn=conn)
            access.require_reader(principal, site)
            released_by = None
            if principal.person_id != a.person_id:
                access.require_leader(principal, site, what="check another officer out")
                if not request.reason.strip():
                    raise InvalidArgument([FieldViolation("reason", "say why the officer is released")])
                released_by = principal.person_id
            check_in = await duty_store.get_check_in(conn, assignment_id=a.id)
            if check_in is None:
                raise FailedPrecondition(f"assignment {a.id} was not checked in; check in first")
            now = self.now()
            if now > a.ends_at + CHECK_OUT_CLOSES:
                raise FailedPrecondition(f"check-out closed {CHECK_OUT_CLOSES} after the shift's end")
            verdict = presence_rules.check_out(
                at=now,
                ends_at=a.ends_at,
                accepted_handover=await presence_store.accepted_handover(conn, outgoing_assignment_id=a.id),
                released_by=released_by,
                reason=request.reason.strip(),
            )
            check_out = presence_store.CheckOutRow(
                assignment_id=a.id,
                person_id=a.person_id,
                checked_out_at=now,
                status=verdict.status,
                early_seconds=verdict.early_seconds,
                note=verdict.note,
                recorded_by=principal.person_id,
            )
            if not await presence_store.insert_check_out(conn, check_out=check_out):
                existing = await presence_store.get_check_out(conn, assignment_id=a.id)
                assert existing is not None
                raise FailedPrecondition(f"already checked out at {existing.checked_out_at.isoformat()}")
            if verdict.status == "early_leave":
                left_early = check_out
                await duty_store.insert_violation(
                    conn,
                    violation_id=new_id("vio"),
                    site_id=a.site_id,
                    person_id=a.person_id,
                    kind="early_leave",
                    assignment_id=a.id,
                    detail=f"早退 checked out {round(verdict.early_seconds / 60)} min before the end "
                    f"of the {a.shift_name} shift of {a.local_date}",
                )
            message = check_out_message(check_in, check_out, shift_start=a.starts_at)
            await emit(
                conn,
                event_type="checkout.recorded",
                site_id=site.id,
                aggregate_id=a.id,
                aggregate_version=row.version,
                payload=message,
            )
            return message

        answer, replayed = await idempotency.run_once(
            self._pool, method="CheckOut", request=request, response_type=roster_pb2.CheckInRecord, work=work
        )
        if not replayed and left_early is not None:
            await self._presence.left_early(left_early)  # else the reconciler starts it
        return answer

    async def _on_duty_now(self, conn: Connection, request: presence_pb2.RequestPresenceCheckRequest) -> str:
        """The assignment the check is about: the one named, or the person's on duty now at a site the
        caller acts for."""
        now = self.now()
        if request.assignment_id:
            row = await self._assignment_row(conn, request.assignment_id)
            if not row.assignment.starts_at <= now < row.assignment.ends_at:
                raise FailedPrecondition(f"assignment {row.assignment.id} is not on duty now")
            return row.assignment.id
        if await store.get_person(conn, person_id=request.person_id) is None:
            raise InvalidArgument([FieldViolation("person_id", f"unknown person {request.person_id!r}")])
        principal = current_principal()
        ongoing = await schedule_store.person_assignments(
            conn, person_id=request.person_id, start=now, end=now + timedelta(microseconds=1)
        )
        for a in ongoing:
            site = await self.site(a.site_id, conn=conn)
            if principal.covers(site.id, site.ancestor_ids):
                return a.id
        raise FailedPrecondition(f"{request.person_id} is not on duty now at a site you act for")

    async def RequestPresenceCheck(
        self, request: presence_pb2.RequestPresenceCheckRequest, context: grpc.aio.ServicerContext
    ) -> presence_pb2.PresenceCheck:
        principal = current_principal()

        async def work(conn: Connection) -> presence_pb2.PresenceCheck:
            row = await self._assignment_row(conn, await self._on_duty_now(conn, request))
            a = row.assignment
            access.require_reader(principal, await self.site(a.site_id, conn=conn))
            now = self.now()
            check = presence_store.PresenceCheckRow(
                id=new_id("pc"),
                site_id=a.site_id,
                assignment_id=a.id,
                person_id=a.person_id,
                requested_by=principal.person_id,
                requested_at=now,
                due_at=presence_rules.answer_due(now, request.answer_minutes),
            )
            await presence_store.insert_check(conn, check=check)
            message = presence_check_message(check)
            await emit(
                conn,
                event_type="presence.requested",
                site_id=a.site_id,
                aggregate_id=check.id,
                aggregate_version=1,
                payload=message,
            )
            return message

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="RequestPresenceCheck",
            request=request,
            response_type=presence_pb2.PresenceCheck,
            work=work,
        )
        if not replayed:
            async with self._pool.acquire() as conn:
                check = await presence_store.get_check(conn, check_id=answer.id)
            assert check is not None
            await self._presence.check_requested(check)  # else the reconciler starts it
        return answer

    async def ConfirmPresence(
        self, request: presence_pb2.ConfirmPresenceRequest, context: grpc.aio.ServicerContext
    ) -> presence_pb2.PresenceCheck:
        principal = current_principal()

        async def work(conn: Connection) -> presence_pb2.PresenceCheck:
            check = await presence_store.get_check(conn, check_id=request.check_id, for_update=True)
            if check is None:
                raise NotFound(f"presence check {request.check_id} does not exist")
            access.require_reader(principal, await self.site(check.site_id, conn=conn))
            access.require_person(principal, check.person_id, what="confirm this presence check")
            now = self.now()
            if check.status != "pending":
                raise FailedPrecondition(f"presence check {check.id} is already {check.status}")
            if now > check.due_at:
                raise FailedPrecondition(f"presence check {check.id} was due at {check.due_at.isoformat()}")
            settled = await presence_store.settle_check(
                conn, check_id=check.id, status="confirmed", confirmed_at=now, confirmed_via="confirm"
            )
            assert settled is not None  # locked and pending
            message = presence_check_message(settled)
            await emit(
                conn,
                event_type="presence.confirmed",
                site_id=settled.site_id,
                aggregate_id=settled.id,
                aggregate_version=2,
                payload=message,
            )
            return message

        answer, replayed = await idempotency.run_once(
            self._pool, method="ConfirmPresence", request=request, response_type=presence_pb2.PresenceCheck, work=work
        )
        if not replayed:
            await self._presence.confirmed(answer.id)
        return answer
