"""The check-in (签到) and handover (交接班) of one duty shift (值班).

Check-in: remind before the start, alert the duty leader when nobody has checked in at the expected
arrival, alert when the check-in was late, and record the absence (缺岗) when nobody has checked in
well after the start. Handover: one not submitted by the end of the overlap is missed (未交接班:
recorded, the incoming officer told, the leader alerted); a submitted handover must be accepted in
time, else it is marked overdue and the leader is told. Both run side by side from the start,
because the handover signals may arrive at any time.
The leader's inspection (带班领导查岗), for a duty leader's assignment only: at the end of the shift,
no inspection recorded at the site during it is the leader's violation (领导未查岗) and is flagged to
the unit head.

Deterministic: no I/O, time from workflow.now(); the activities are called by name (they live in
workflows/shift/activities.py, which the workflow must not import). The check_in_recorded signal
only wakes the workflow: what the CheckIn RPC recorded is always read through shift_check_in_state.
A step whose time has passed when the workflow gets there (e.g. it started late) is not waited for,
and is skipped altogether once the next step is due as well. A reminder or alert that fails for good
(notify refused it: retrying cannot help) is logged and supervision goes on: the absence is still
recorded and the handover still followed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from workflows.common import call_activity, iso_z, parse_utc, wait_until
    from workflows.shift.types import (
        ALERT_LEADER,
        CHECK_IN_RECORDED_SIGNAL,
        CHECK_IN_STATE,
        FLAG_UNIT_HEAD,
        HANDOVER_ACCEPTED_SIGNAL,
        HANDOVER_MISSED,
        HANDOVER_OVERDUE,
        HANDOVER_SUBMITTED_SIGNAL,
        INSPECTION_MISSED,
        RECORD_ABSENCE,
        REMIND,
        STATE_QUERY,
        CheckInState,
        HandoverRef,
        MissedHandover,
        ShiftInput,
        ShiftNotice,
        ShiftOutcome,
    )

CHECKED_IN = ("on_time", "late")


@dataclass(frozen=True)
class _Schedule:
    starts_at: datetime
    ends_at: datetime
    remind_at: datetime
    expected_at: datetime  # the expected arrival
    absent_at: datetime
    accept_within: timedelta
    handover_until: datetime
    missed_at: datetime  # the end of the overlap: no handover submitted by then is missed (未交接班)


def _utc(value: str, field: str) -> datetime:
    parsed = parse_utc(value)
    if parsed is None:
        raise _invalid(f"{field} is not an ISO 8601 time: {value!r}")
    return parsed


def _invalid(message: str) -> ApplicationError:
    # Non-retryable: the same input would fail the same way on every workflow task.
    return ApplicationError(message, type="InvalidShiftInput", non_retryable=True)


def _schedule(shift: ShiftInput) -> _Schedule:
    starts_at = _utc(shift.starts_at, "starts_at")
    ends_at = _utc(shift.ends_at, "ends_at")
    if ends_at <= starts_at:
        raise _invalid(f"shift {shift.assignment_id} ends before it starts")
    durations = (
        shift.reminder_minutes,
        shift.check_in_lead_minutes,
        shift.absent_after_minutes,
        shift.handover_accept_minutes,
        shift.handover_wait_hours,
        shift.handover_submit_minutes,
    )
    if min(durations) < 0:
        raise _invalid(f"shift {shift.assignment_id} has a negative duration")
    return _Schedule(
        starts_at=starts_at,
        ends_at=ends_at,
        remind_at=starts_at - timedelta(minutes=shift.reminder_minutes),
        expected_at=starts_at - timedelta(minutes=shift.check_in_lead_minutes),
        absent_at=starts_at + timedelta(minutes=shift.absent_after_minutes),
        accept_within=timedelta(minutes=shift.handover_accept_minutes),
        handover_until=ends_at + timedelta(hours=shift.handover_wait_hours),
        missed_at=ends_at + timedelta(minutes=shift.handover_submit_minutes),
    )


def _notice(shift: ShiftInput, kind: str, detail: str) -> ShiftNotice:
    return ShiftNotice(assignment_id=shift.assignment_id, site_id=shift.site_id, kind=kind, detail=detail)


@workflow.defn(name="ShiftWorkflow")
class ShiftWorkflow:
    def __init__(self) -> None:
        self._check_in = "pending"  # "pending" | "on_time" | "late" | "absent"
        self._check_in_hint = False
        # Handover signals are kept from the very start: they may come before the shift ends.
        self._submitted: HandoverRef | None = None
        self._submitted_at: datetime | None = None
        self._accepted: HandoverRef | None = None
        self._handover: str | None = None  # the settled outcome: "accepted" | "overdue" | "none"
        self._done = False

    @workflow.run
    async def run(self, shift: ShiftInput) -> ShiftOutcome:
        schedule = _schedule(shift)
        # Side by side with the rest; over before the workflow ends (at the shift's end).
        inspection = None
        if shift.role == "leader" and workflow.patched("leader-inspection"):
            inspection = asyncio.create_task(self._supervise_inspection(shift, schedule))
        check_in, handover = await asyncio.gather(
            self._supervise_check_in(shift, schedule), self._supervise_handover(shift, schedule)
        )
        if inspection is not None:
            await inspection
        self._done = True
        return ShiftOutcome(assignment_id=shift.assignment_id, check_in=check_in, handover=handover)

    # -- check-in (签到) ------------------------------------------------------------------------

    async def _supervise_check_in(self, shift: ShiftInput, schedule: _Schedule) -> str:
        if not shift.supervise_check_in:
            self._check_in = "unsupervised"
            return self._check_in
        steps = (
            (schedule.remind_at, schedule.expected_at, "reminder"),
            (schedule.expected_at, schedule.absent_at, "not_checked_in"),
        )
        starts = iso_z(schedule.starts_at)
        for due_at, superseded_at, kind in steps:
            if workflow.now() >= superseded_at:
                continue  # started late: the next step is already due, this one is moot
            state = await self._check_in_by(shift, due_at, kind)
            if state.status in CHECKED_IN:
                return await self._settle_check_in(shift, state)
            if kind == "reminder":
                await self._tell(REMIND, _notice(shift, "reminder", f"shift starts at {starts}"))
            else:
                detail = f"expected by {iso_z(schedule.expected_at)}; shift starts at {starts}"
                await self._alert(shift, "not_checked_in", detail)
        state = await self._check_in_by(shift, schedule.absent_at, "absent")
        if state.status in CHECKED_IN:
            return await self._settle_check_in(shift, state)
        self._check_in = "absent"
        await call_activity(RECORD_ABSENCE, shift.assignment_id)
        await self._alert(shift, "absent", f"not checked in by {iso_z(schedule.absent_at)}")
        return "absent"

    async def _check_in_by(self, shift: ShiftInput, due_at: datetime, step: str) -> CheckInState:
        """The recorded check-in at `due_at`, or earlier once a check_in_recorded signal shows one."""
        while True:
            await wait_until(lambda: self._check_in_hint, due_at, f"check-in: {step}")
            # Cleared before the read, so a signal arriving during it triggers another read.
            self._check_in_hint = False
            state: CheckInState = await call_activity(CHECK_IN_STATE, shift.assignment_id, result_type=CheckInState)
            if state.status in CHECKED_IN or workflow.now() >= due_at:
                return state

    async def _settle_check_in(self, shift: ShiftInput, state: CheckInState) -> str:
        self._check_in = state.status
        if state.status == "late":
            minutes = round(state.late_seconds / 60)
            await self._alert(shift, "late", f"checked in at {state.checked_in_at}, {minutes} min late")
        return state.status

    # -- handover (交接班) -----------------------------------------------------------------------

    async def _supervise_handover(self, shift: ShiftInput, schedule: _Schedule) -> str:
        self._handover = await self._handover_outcome(shift, schedule)
        return self._handover

    async def _handover_outcome(self, shift: ShiftInput, schedule: _Schedule) -> str:
        missed = False
        # The officers hand over; the duty leader countersigns (DESIGN §3), so a leader's shift has no
        # handover to miss. Shifts started before the handover could be missed keep their recorded path.
        if shift.role != "leader" and workflow.patched("handover-missed"):
            missed = await self._missed(shift, schedule)
        arrived = await wait_until(
            lambda: self._submitted is not None or self._accepted is not None,
            schedule.handover_until,
            "handover: submitted",
        )
        if not arrived:
            return "missed" if missed else "none"
        submitted = self._submitted
        if submitted is None:
            return "accepted"  # only the acceptance arrived (signals may come in any order)
        # Once submitted, the acceptance gets its full window, even past handover_until.
        accept_by = (self._submitted_at or workflow.now()) + schedule.accept_within
        if await wait_until(lambda: self._accepted is not None, accept_by, "handover: accepted"):
            return "accepted"
        ref = self._submitted or submitted  # the latest submission, should it have been resubmitted
        marked = await call_activity(HANDOVER_OVERDUE, ref, result_type=bool)
        if not marked:
            return "accepted"  # accepted through the RPC before its signal reached us
        self._handover = "overdue"
        detail = f"handover {ref.handover_id} not accepted by {iso_z(accept_by)}"
        await self._alert(shift, "handover_overdue", detail)
        # A late acceptance changes nothing but ends the wait early.
        await wait_until(lambda: self._accepted is not None, schedule.handover_until, "handover: late")
        return "overdue"

    async def _missed(self, shift: ShiftInput, schedule: _Schedule) -> bool:
        """Whether the handover was missed (未交接班): not submitted by the end of the overlap, while
        someone is rostered to take over. Then the violation is recorded (charged to the outgoing
        officer), the incoming officer is told and the duty leader alerted. A late handover is still
        followed afterwards; an absent officer's shift is charged with the absence alone."""
        if await wait_until(
            lambda: self._submitted is not None or self._accepted is not None,
            schedule.missed_at,
            "handover: overlap",
        ):
            return False
        if self._check_in == "absent":
            return False
        found: MissedHandover = await call_activity(HANDOVER_MISSED, shift.assignment_id, result_type=MissedHandover)
        if found.handed_over or not found.incoming_assignment_id:
            return False
        self._handover = "missed"
        detail = f"no handover submitted by {iso_z(schedule.missed_at)}"
        incoming = ShiftNotice(
            assignment_id=found.incoming_assignment_id,
            site_id=shift.site_id,
            kind="handover_missed_incoming",
            detail=detail,
        )
        await self._tell(REMIND, incoming)
        await self._alert(shift, "handover_missed", detail)
        return True

    # -- the leader's inspection (带班领导查岗) ---------------------------------------------------------

    async def _supervise_inspection(self, shift: ShiftInput, schedule: _Schedule) -> None:
        """A duty leader's shift that ends without an inspection at the site is recorded (领导未查岗,
        charged to the leader) and flagged to the unit head."""
        await wait_until(lambda: False, schedule.ends_at, "inspection: shift end")
        if await call_activity(INSPECTION_MISSED, shift.assignment_id, result_type=bool):
            detail = f"no inspection between {iso_z(schedule.starts_at)} and {iso_z(schedule.ends_at)}"
            await self._tell(FLAG_UNIT_HEAD, _notice(shift, "inspection_missed", detail))

    # -- signals and query ------------------------------------------------------------------------

    @workflow.signal(name=CHECK_IN_RECORDED_SIGNAL)
    def check_in_recorded(self) -> None:
        self._check_in_hint = True

    @workflow.signal(name=HANDOVER_SUBMITTED_SIGNAL)
    def handover_submitted(self, ref: HandoverRef) -> None:
        if self._submitted_at is None:
            self._submitted_at = workflow.now()  # the acceptance window runs from the first submission
        self._submitted = ref

    @workflow.signal(name=HANDOVER_ACCEPTED_SIGNAL)
    def handover_accepted(self, ref: HandoverRef) -> None:
        self._accepted = ref

    @workflow.query(name=STATE_QUERY)
    def state(self) -> dict[str, str]:
        if self._handover is not None:
            handover = self._handover
        elif self._accepted is not None:
            handover = "accepted"
        else:
            handover = "submitted" if self._submitted is not None else "waiting"
        if self._done:
            phase = "done"
        elif self._check_in == "pending":
            phase = "check_in"
        else:
            phase = "on_duty" if handover == "waiting" else "handover"
        ref = self._submitted or self._accepted
        return {
            "phase": phase,
            "check_in": self._check_in,
            "handover": handover,
            "handover_id": ref.handover_id if ref else "",
        }

    # -- helpers -----------------------------------------------------------------------------------

    async def _alert(self, shift: ShiftInput, kind: str, detail: str) -> None:
        await self._tell(ALERT_LEADER, _notice(shift, kind, detail))

    @staticmethod
    async def _tell(activity: str, notice: ShiftNotice) -> None:
        """A notice; one that failed for good does not end the supervision of the shift."""
        try:
            await call_activity(activity, notice)
        except ActivityError as failure:
            if is_cancelled_exception(failure):
                raise
            workflow.logger.warning(
                "shift %s: %s %s failed for good: %s", notice.assignment_id, activity, notice.kind, failure.cause
            )
