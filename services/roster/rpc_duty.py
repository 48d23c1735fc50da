"""Leave (请假), swaps (换班), check-in (签到) and handover (交接班)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from dutyline.ids import new_id
from dutyline.roster.v1 import roster_pb2
from services.roster import (
    access,
    competence_check,
    convert,
    duty_store,
    equipment_items,
    handovers,
    planning,
    rules,
    schedule_store,
    store,
)
from services.roster.base import RosterBase
from services.roster.handover_items import OpenItemsGatherer
from services.roster.on_duty_cache import OnDutyCache
from services.roster.shift_starter import ShiftStarter

D = TypeVar("D", roster_pb2.LeaveRequest, roster_pb2.SwapRequest)
# Leave or a swap as a change of the roster: the assignments before -> after.
Change = Callable[[list[rules.Assignment]], list[rules.Assignment]]
CHECK_IN_OPENS = timedelta(hours=2)
HANDOVER_PAGE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# ListHandovers' status filter: "pending" is every handover still to accept.
HANDOVER_STATUSES = {"": None, "pending": ("submitted", "overdue")}


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


class DutyRpcs(RosterBase):
    _shifts: ShiftStarter
    _on_duty: OnDutyCache
    _open_items: OpenItemsGatherer

    async def _assignment(self, conn: Connection, assignment_id: str, field: str) -> schedule_store.AssignmentRow:
        row = await schedule_store.get_assignment(conn, assignment_id=assignment_id, for_update=True)
        if row is None:
            raise InvalidArgument([FieldViolation(field, f"unknown assignment {assignment_id!r}")])
        return row

    async def _assignment_changed(
        self, conn: Connection, *, row: schedule_store.AssignmentRow, new_person: str, cause: str, cause_id: str
    ) -> None:
        await schedule_store.set_person(conn, assignment_id=row.assignment.id, person_id=new_person)
        changed = await schedule_store.get_assignment(conn, assignment_id=row.assignment.id)
        assert changed is not None
        await emit(
            conn,
            event_type="assignment.changed",
            site_id=row.assignment.site_id,
            aggregate_id=row.assignment.id,
            aggregate_version=changed.version,
            payload=event_pb2.AssignmentChanged(
                assignment=convert.assignment_row_message(changed),
                previous_person_id=row.assignment.person_id,
                cause=cause,
                cause_id=cause_id,
            ),
        )

    async def _refuse_if_it_breaks_the_roster(
        self, conn: Connection, *, site: store.SiteRow, rows: list[schedule_store.AssignmentRow], apply: Change
    ) -> None:
        start = min(r.assignment.starts_at for r in rows)
        end = max(r.assignment.ends_at for r in rows)
        check = await planning.check_change(
            conn,
            site=site,
            start=start,
            end=end,
            change=[r.assignment.id for r in rows],
            apply=apply,
        )
        if not check.ok:
            raise FailedPrecondition(f"this change would open a gap or break a duty rule: {check.describe()}")
        # Whoever takes an assignment over holds what the site requires of the role (值班资格).
        taken = [
            after
            for before, after in zip(rows, apply([r.assignment for r in rows]), strict=True)
            if after.person_id != before.assignment.person_id
        ]
        await competence_check.refuse_unqualified(conn, site_id=site.id, duties=competence_check.duties_of(taken))

    # -- leave and swaps -----------------------------------------------------------------------
    # Both ask the duty leader to change who is on some assignments: with leave (请假) a substitute
    # takes one, with a swap (换班) two people exchange theirs. That change (rules.apply_leave or
    # rules.apply_swap) is checked against the roster when it is asked for and when it is approved,
    # and made on approval. Their events: leave.requested, leave.decided, swap.requested, swap.decided.

    async def _record_request(
        self,
        conn: Connection,
        asked: duty_store.Request,
        message: Callable[[duty_store.Request], D],
        *,
        cause: str,
    ) -> D:
        """Record a new leave or swap request with its event ``<cause>.requested``."""
        await duty_store.insert_request(conn, request=asked)
        answer = message(asked)
        await emit(
            conn,
            event_type=f"{cause}.requested",
            site_id=asked.site_id,
            aggregate_id=asked.id,
            aggregate_version=1,
            payload=answer,
        )
        return answer

    async def _record_decision(
        self,
        conn: Connection,
        request: roster_pb2.DecideLeaveRequest | roster_pb2.DecideSwapRequest,
        asked: duty_store.Request,
        message: Callable[[duty_store.Request], D],
        *,
        cause: str,
        site: store.SiteRow,
        rows: list[schedule_store.AssignmentRow],
        apply: Change,
    ) -> D:
        """Record the decision on ``asked`` with its event ``<cause>.decided``; an approval is checked
        against the roster first, then ``rows`` get the people ``apply`` puts on them."""
        if request.approve:
            await self._refuse_if_it_breaks_the_roster(conn, site=site, rows=rows, apply=apply)
        decided = await duty_store.decide_request(
            conn,
            kind=type(asked),
            request_id=asked.id,
            approve=request.approve,
            decided_by=current_principal().person_id,
            decided_at=self.now(),
            remark=request.remark.strip(),
        )
        answer = message(decided)
        await emit(
            conn,
            event_type=f"{cause}.decided",
            site_id=site.id,
            aggregate_id=asked.id,
            aggregate_version=2,
            payload=answer,
        )
        if request.approve:
            for row, changed in zip(rows, apply([r.assignment for r in rows]), strict=True):
                await self._assignment_changed(
                    conn, row=row, new_person=changed.person_id, cause=cause, cause_id=asked.id
                )
        return answer

    async def _decided(
        self, method: str, request: Message, response_type: type[D], work: Callable[[Connection], Awaitable[D]]
    ) -> D:
        """Record a decision on leave or a swap once; an approval changes who is on duty."""
        answer = await self.once(method, request, response_type, work)
        if answer.status == "approved":
            self._on_duty.forget(answer.site_id)
        return answer

    async def RequestLeave(
        self, request: roster_pb2.RequestLeaveRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.LeaveRequest:
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.LeaveRequest:
            row = await self._assignment(conn, request.assignment_id, "assignment_id")
            a = row.assignment
            site = await self.site(a.site_id, conn=conn)
            access.require_reader(principal, site)
            access.require_person(principal, a.person_id, what="ask for leave from this assignment")
            await self._check_substitute(conn, row, request.substitute_id)
            if a.starts_at <= self.now():
                raise FailedPrecondition(f"assignment {a.id} has already begun; leave is asked before the shift")
            await self._refuse_if_it_breaks_the_roster(
                conn, site=site, rows=[row], apply=lambda xs: rules.apply_leave(xs, a.id, request.substitute_id)
            )
            leave = duty_store.LeaveRow(
                id=new_id("leave"),
                site_id=site.id,
                assignment_id=a.id,
                person_id=a.person_id,
                substitute_id=request.substitute_id,
                reason=request.reason.strip(),
                requested_at=self.now(),
            )
            return await self._record_request(conn, leave, convert.leave_message, cause="leave")

        return await self.once("RequestLeave", request, roster_pb2.LeaveRequest, work)

    async def _check_substitute(self, conn: Connection, row: schedule_store.AssignmentRow, substitute_id: str) -> None:
        substitute = await store.get_person(conn, person_id=substitute_id)
        if substitute is None:
            raise InvalidArgument([FieldViolation("substitute_id", f"unknown person {substitute_id!r}")])
        if substitute_id == row.assignment.person_id:
            raise InvalidArgument([FieldViolation("substitute_id", "the substitute must be someone else")])
        if row.assignment.role not in substitute.roles:
            raise InvalidArgument([FieldViolation("substitute_id", f"{substitute_id} is not a {row.assignment.role}")])

    async def DecideLeave(
        self, request: roster_pb2.DecideLeaveRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.LeaveRequest:
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.LeaveRequest:
            leave = await duty_store.get_request(
                conn, kind=duty_store.LeaveRow, request_id=request.leave_id, for_update=True
            )
            if leave is None:
                raise NotFound(f"leave request {request.leave_id} does not exist")
            site = await self.site(leave.site_id, conn=conn)
            access.require_leader(principal, site, what="decide leave")
            if principal.person_id == leave.person_id:
                raise PermissionDenied("nobody decides their own leave")
            if leave.status != "requested":
                raise FailedPrecondition(f"leave request {leave.id} is already {leave.status}")
            row = await self._assignment(conn, leave.assignment_id, "leave_id")
            if request.approve and row.assignment.person_id != leave.person_id:
                raise FailedPrecondition(f"assignment {row.assignment.id} changed hands since the request")
            return await self._record_decision(
                conn,
                request,
                leave,
                convert.leave_message,
                cause="leave",
                site=site,
                rows=[row],
                apply=lambda xs: rules.apply_leave(xs, row.assignment.id, leave.substitute_id),
            )

        return await self._decided("DecideLeave", request, roster_pb2.LeaveRequest, work)

    async def ListLeave(
        self, request: roster_pb2.ListLeaveRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListLeaveResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            rows = await duty_store.list_requests(
                conn, kind=duty_store.LeaveRow, site_id=site.id, status=request.status or None
            )
        return roster_pb2.ListLeaveResponse(requests=[convert.leave_message(r) for r in rows])

    async def RequestSwap(
        self, request: roster_pb2.RequestSwapRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.SwapRequest:
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.SwapRequest:
            mine = await self._assignment(conn, request.assignment_id, "assignment_id")
            other = await self._assignment(conn, request.other_assignment_id, "other_assignment_id")
            site = await self.site(mine.assignment.site_id, conn=conn)
            access.require_reader(principal, site)
            access.require_person(principal, mine.assignment.person_id, what="ask to swap this assignment")
            self._check_swappable(mine, other)
            await self._refuse_if_it_breaks_the_roster(
                conn,
                site=site,
                rows=[mine, other],
                apply=lambda xs: rules.apply_swap(xs, mine.assignment.id, other.assignment.id),
            )
            swap = duty_store.SwapRow(
                id=new_id("swap"),
                site_id=site.id,
                assignment_id=mine.assignment.id,
                other_assignment_id=other.assignment.id,
                requested_by=principal.person_id,
                reason=request.reason.strip(),
                requested_at=self.now(),
            )
            return await self._record_request(conn, swap, convert.swap_message, cause="swap")

        return await self.once("RequestSwap", request, roster_pb2.SwapRequest, work)

    def _check_swappable(self, mine: schedule_store.AssignmentRow, other: schedule_store.AssignmentRow) -> None:
        a, b = mine.assignment, other.assignment
        if a.site_id != b.site_id:
            raise InvalidArgument([FieldViolation("other_assignment_id", "an assignment of the same site")])
        if a.role != b.role:
            raise InvalidArgument([FieldViolation("other_assignment_id", f"an assignment of a {a.role}")])
        if a.person_id == b.person_id:
            raise InvalidArgument([FieldViolation("other_assignment_id", "an assignment of someone else")])
        if min(a.starts_at, b.starts_at) <= self.now():
            raise FailedPrecondition("both shifts must still be ahead to swap them")

    async def DecideSwap(
        self, request: roster_pb2.DecideSwapRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.SwapRequest:
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.SwapRequest:
            swap = await duty_store.get_request(
                conn, kind=duty_store.SwapRow, request_id=request.swap_id, for_update=True
            )
            if swap is None:
                raise NotFound(f"swap request {request.swap_id} does not exist")
            site = await self.site(swap.site_id, conn=conn)
            access.require_leader(principal, site, what="decide swaps")
            mine = await self._assignment(conn, swap.assignment_id, "swap_id")
            other = await self._assignment(conn, swap.other_assignment_id, "swap_id")
            if principal.person_id in (mine.assignment.person_id, other.assignment.person_id):
                raise PermissionDenied("nobody decides a swap of their own shift")
            if swap.status != "requested":
                raise FailedPrecondition(f"swap request {swap.id} is already {swap.status}")
            if request.approve:
                self._check_swappable(mine, other)
            return await self._record_decision(
                conn,
                request,
                swap,
                convert.swap_message,
                cause="swap",
                site=site,
                rows=[mine, other],
                apply=lambda xs: rules.apply_swap(xs, mine.assignment.id, other.assignment.id),
            )

        return await self._decided("DecideSwap", request, roster_pb2.SwapRequest, work)

    async def ListSwaps(
        self, request: roster_pb2.ListSwapsRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListSwapsResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            rows = await duty_store.list_requests(
                conn, kind=duty_store.SwapRow, site_id=site.id, status=request.status or None
            )
        return roster_pb2.ListSwapsResponse(requests=[convert.swap_message(r) for r in rows])

    # -- check-in ------------------------------------------------------------------------------

    async def CheckIn(
        self, request: roster_pb2.CheckInRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.CheckInRecord:
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.CheckInRecord:
            row = await self._assignment(conn, request.assignment_id, "assignment_id")
            a = row.assignment
            site = await self.site(a.site_id, conn=conn)
            access.require_reader(principal, site)
            access.require_person(principal, a.person_id, what="check in for this assignment")
            now = self.now()
            if now < a.starts_at - CHECK_IN_OPENS:
                raise FailedPrecondition(
                    f"check-in opens {CHECK_IN_OPENS} before the shift ({a.starts_at.isoformat()})"
                )
            if now >= a.ends_at:
                raise FailedPrecondition(f"the shift ended at {a.ends_at.isoformat()}")
            status, _ = rules.check_in_status(
                checked_in_at=now,
                starts_at=a.starts_at,
                now=now,
                lead=minutes(site.check_in_lead_minutes),
                absent_after=minutes(site.absent_after_minutes),
            )
            record = duty_store.CheckInRow(
                assignment_id=a.id,
                person_id=a.person_id,
                checked_in_at=now,
                # Coming after the absence limit is still recorded (as late); the absence stands.
                status="on_time" if status == "on_time" else "late",
                late_seconds=max(0.0, (now - (a.starts_at - minutes(site.check_in_lead_minutes))).total_seconds()),
            )
            if not await duty_store.insert_check_in(conn, check_in=record):
                existing = await duty_store.get_check_in(conn, assignment_id=a.id)
                assert existing is not None
                raise FailedPrecondition(f"already checked in at {existing.checked_in_at.isoformat()}")
            message = convert.check_in_message(record, shift_start=a.starts_at)
            due = await equipment_items.checks_due_items(
                conn, site_id=site.id, time_zone=site.time_zone, starts_at=a.starts_at, ends_at=a.ends_at
            )
            message.checks_due.extend(convert.open_item_message(i) for i in due)
            await emit(
                conn,
                event_type="checkin.recorded",
                site_id=site.id,
                aggregate_id=a.id,
                aggregate_version=row.version,
                payload=message,
            )
            return message

        answer, replayed = await idempotency.run_once(
            self._pool, method="CheckIn", request=request, response_type=roster_pb2.CheckInRecord, work=work
        )
        if not replayed:
            await self._shifts.check_in_recorded(answer.assignment_id)
        return answer

    # -- handover ------------------------------------------------------------------------------

    async def SubmitHandover(
        self, request: roster_pb2.SubmitHandoverRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Handover:
        principal = current_principal()
        async with self._pool.acquire() as conn:
            outgoing = await self._assignment(conn, request.outgoing_assignment_id, "outgoing_assignment_id")
            site = await self.site(outgoing.assignment.site_id, conn=conn)
            access.require_reader(principal, site)
            access.require_person(principal, outgoing.assignment.person_id, what="hand over this shift")
            incoming = await self._incoming(conn, outgoing, request.incoming_assignment_id)
            # The equipment checks due in the shift and the site's open faults (设备交接): roster's own tables.
            equipment = await equipment_items.equipment_open_items(
                conn,
                site_id=site.id,
                time_zone=site.time_zone,
                starts_at=outgoing.assignment.starts_at,
                ends_at=outgoing.assignment.ends_at,
            )
        # Gathered before the transaction: it asks other services.
        items, notes = await self._open_items.gather(site_id=site.id, until=outgoing.assignment.ends_at)
        items.extend(equipment)

        async def work(conn: Connection) -> roster_pb2.Handover:
            handover = duty_store.HandoverRow(
                id=new_id("ho"),
                site_id=site.id,
                outgoing_assignment_id=outgoing.assignment.id,
                incoming_assignment_id=incoming.assignment.id,
                outgoing_person_id=outgoing.assignment.person_id,
                incoming_person_id=incoming.assignment.person_id,
                shift_log=request.shift_log.strip(),
                notes=request.notes.strip(),
                open_items=tuple(items),
                gathering_notes=tuple(notes),
                status="submitted",
                overdue=False,
                submitted_at=self.now(),
                accepted_at=None,
            )
            if not await duty_store.insert_handover(conn, handover=handover):
                raise FailedPrecondition(f"assignment {outgoing.assignment.id} has already been handed over")
            message = convert.handover_message(handover)
            await emit(
                conn,
                event_type="handover.submitted",
                site_id=site.id,
                aggregate_id=handover.id,
                aggregate_version=1,
                payload=message,
            )
            return message

        answer, replayed = await idempotency.run_once(
            self._pool, method="SubmitHandover", request=request, response_type=roster_pb2.Handover, work=work
        )
        if not replayed:
            await self._shifts.handover_submitted(answer.outgoing_assignment_id, answer.id)
        return answer

    async def _incoming(
        self, conn: Connection, outgoing: schedule_store.AssignmentRow, incoming_id: str
    ) -> schedule_store.AssignmentRow:
        """The named incoming assignment, or the one of the same role that starts as this ends."""
        a = outgoing.assignment
        if incoming_id:
            incoming = await self._assignment(conn, incoming_id, "incoming_assignment_id")
            b = incoming.assignment
            if b.site_id != a.site_id or b.role != a.role:
                raise InvalidArgument(
                    [FieldViolation("incoming_assignment_id", f"a {a.role} assignment at {a.site_id}")]
                )
            return incoming
        following = await handovers.following_assignment(conn, outgoing)
        if following is None:
            raise FailedPrecondition(
                f"nobody is rostered as {a.role} after {a.ends_at.isoformat()}; name the incoming assignment"
            )
        return following

    async def AcceptHandover(
        self, request: roster_pb2.AcceptHandoverRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Handover:
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.Handover:
            handover = await duty_store.get_handover(conn, handover_id=request.handover_id, for_update=True)
            if handover is None:
                raise NotFound(f"handover {request.handover_id} does not exist")
            site = await self.site(handover.site_id, conn=conn)
            access.require_reader(principal, site)
            access.require_person(principal, handover.incoming_person_id, what="accept this handover")
            if handover.status == "accepted":
                raise FailedPrecondition(f"handover {handover.id} was accepted at {handover.accepted_at}")
            accepted = await duty_store.accept_handover(
                conn, handover_id=handover.id, accepted_at=self.now(), remarks=request.remarks.strip()
            )
            message = convert.handover_message(accepted)
            await emit(
                conn,
                event_type="handover.accepted",
                site_id=site.id,
                aggregate_id=handover.id,
                aggregate_version=accepted.version,
                payload=message,
            )
            return message

        answer, replayed = await idempotency.run_once(
            self._pool, method="AcceptHandover", request=request, response_type=roster_pb2.Handover, work=work
        )
        if not replayed:
            await self._shifts.handover_accepted(answer.outgoing_assignment_id, answer.id)
        return answer

    async def GetHandover(
        self, request: roster_pb2.GetHandoverRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Handover:
        async with self._pool.acquire() as conn:
            handover = await duty_store.get_handover(conn, handover_id=request.handover_id)
        if handover is None:
            raise NotFound(f"handover {request.handover_id} does not exist")
        access.require_reader(current_principal(), await self.site(handover.site_id))
        return convert.handover_message(handover)

    async def ListHandovers(
        self, request: roster_pb2.ListHandoversRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListHandoversResponse:
        """交接班登记: the site's handovers, newest first, by status and period, keyset-paged."""
        site = await self.readable_site(request.site_id)
        size = request.page_size or HANDOVER_PAGE
        period = request.period
        async with self._pool.acquire() as conn:
            rows = await duty_store.list_handovers(
                conn,
                site_id=site.id,
                statuses=HANDOVER_STATUSES.get(request.status, (request.status,)),
                start=from_ts(period.start) if period.HasField("start") else None,
                end=from_ts(period.end) if period.HasField("end") else None,
                after=handover_cursor(request.page_token),
                limit=size,
            )
        last = rows[-1] if len(rows) == size else None
        return roster_pb2.ListHandoversResponse(
            handovers=[convert.handover_message(r) for r in rows],
            next_page_token=f"{_micros(last.submitted_at)}~{last.id}" if last else "",
        )


def _micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def handover_cursor(token: str) -> tuple[datetime, str] | None:
    """The (submitted_at, id) a ListHandovers page token names (its shape is checked by the proto)."""
    if not token:
        return None
    micros, handover_id = token.split("~", 1)
    return EPOCH + timedelta(microseconds=int(micros)), handover_id
