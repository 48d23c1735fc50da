"""`dutyline roster checkout` and `dutyline roster presence …`: presence on duty (在岗) — the check-out
(签退) at the end of a shift, where leaving before the end without a handover accepted or the duty
leader's release is early leave (早退); and presence checks (在岗抽查): the duty leader asks a person on
duty, who confirms in time.

Times are shown in the site's time zone. Every command sends an idempotency key (a fresh UUID unless
``--idempotency-key`` names one).
"""

from __future__ import annotations

import math
import re
from typing import Annotated

import typer
from rich.markup import escape

from dutyline.cli.common.i18n import MESSAGES, label, t
from dutyline.cli.common.session import KeyOpt, new_key, session
from dutyline.cli.common.times import when
from dutyline.cli.roster.client import TIMEOUT, Roster, call
from dutyline.roster.v1 import presence_pb2, roster_pb2

MESSAGES.update(
    {
        "checkout.done": (
            "已签退（{status}）：{at}，{shift} {date}，安排 {assignment}",
            "Checked out ({status}) at {at}: {shift} {date}, assignment {assignment}",
        ),
        "checkout.early": ("，提前 {minutes} 分钟", ", {minutes} min before the end"),
        "checkout.note": ("说明：{note}", "Note: {note}"),
        "check_out.on_time": ("按时", "on time"),
        "check_out.early_leave": ("早退", "early leave"),
        "check_out.excused": ("经批准提前", "excused"),
        "presence.requested": (
            "已发出在岗抽查 {id}：{person}（安排 {assignment}），须于 {due} 前确认。",
            "Presence check {id} sent to {person} (assignment {assignment}); to be confirmed by {due}.",
        ),
        "presence.confirmed": ("已确认在岗（抽查 {id}）：{at}", "Presence confirmed (check {id}) at {at}"),
    }
)

presence_app = typer.Typer(help="在岗抽查 Presence checks: ask a person on duty, confirm.", no_args_is_help=True)

# An assignment's id names its site, local date and shift: "a-<site>-<YYYY-MM-DD>-<shift>-…".
ASSIGNMENT_ID = re.compile(r"^a-.+-\d{4}-\d{2}-\d{2}-")
TIME = "%Y-%m-%d %H:%M:%S"


def checkout(
    ctx: typer.Context,
    assignment: Annotated[str, typer.Option("--assignment", help="值班安排编号 assignment id")],
    reason: Annotated[
        str, typer.Option("--reason", help="事由 note; required when a duty leader releases another officer early")
    ] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """签退 Check out of your assignment; before the end without a handover accepted, it is early leave (早退)."""
    key = new_key(idempotency_key)

    async def work(r: Roster) -> tuple[roster_pb2.CheckInRecord, roster_pb2.Assignment, str]:
        record = await r.stub.CheckOut(
            presence_pb2.CheckOutRequest(idempotency_key=key, assignment_id=assignment, reason=reason), timeout=TIMEOUT
        )
        shift = await r.stub.GetAssignment(
            roster_pb2.GetAssignmentRequest(assignment_id=record.assignment_id), timeout=TIMEOUT
        )
        zone = await r.zone(shift.site_id)
        return record, shift, when(record, "checked_out_at", zone, f"{TIME} ({zone.key})")

    record, shift, at = call(ctx, work, key=key)
    status = label("check_out", record.check_out_status)
    if record.early_seconds:
        status += t("checkout.early", minutes=math.ceil(record.early_seconds / 60))
    style = {"on_time": "green", "excused": "yellow"}.get(record.check_out_status, "red")
    line = t("checkout.done", status=status, at=at, shift=shift.shift_name, date=shift.local_date, assignment=shift.id)
    out = session(ctx).out
    out.print(f"[{style}]{escape(line)}[/]", soft_wrap=True)
    if record.check_out_note:
        out.print(escape(t("checkout.note", note=record.check_out_note)), soft_wrap=True)


@presence_app.command("check")
def presence_check(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="人员编号或值班安排编号 a person on duty now, or their assignment id")],
    minutes: Annotated[
        int, typer.Option("--minutes", help="确认时限（分钟）minutes to answer in", min=1, max=120)
    ] = 10,
    idempotency_key: KeyOpt = None,
) -> None:
    """在岗抽查 Ask a person on duty to confirm presence; unanswered in time, the duty leader is alerted."""
    key = new_key(idempotency_key)
    by_assignment = bool(ASSIGNMENT_ID.match(target))

    async def work(r: Roster) -> tuple[presence_pb2.PresenceCheck, str]:
        check = await r.stub.RequestPresenceCheck(
            presence_pb2.RequestPresenceCheckRequest(
                idempotency_key=key,
                answer_minutes=minutes,
                **{"assignment_id" if by_assignment else "person_id": target},
            ),
            timeout=TIMEOUT,
        )
        zone = await r.zone(check.site_id)
        return check, when(check, "due_at", zone, f"{TIME} ({zone.key})")

    check, due = call(ctx, work, key=key)
    line = t("presence.requested", id=check.id, person=check.person_id, assignment=check.assignment_id, due=due)
    session(ctx).out.print(escape(line), soft_wrap=True)


@presence_app.command("confirm")
def presence_confirm(
    ctx: typer.Context,
    check_id: Annotated[str, typer.Argument(help="抽查编号 the presence check's id")],
    idempotency_key: KeyOpt = None,
) -> None:
    """确认在岗 Confirm a presence check sent to you (acknowledging its message counts as well)."""
    key = new_key(idempotency_key)

    async def work(r: Roster) -> tuple[presence_pb2.PresenceCheck, str]:
        check = await r.stub.ConfirmPresence(
            presence_pb2.ConfirmPresenceRequest(idempotency_key=key, check_id=check_id), timeout=TIMEOUT
        )
        zone = await r.zone(check.site_id)
        return check, when(check, "confirmed_at", zone, f"{TIME} ({zone.key})")

    check, at = call(ctx, work, key=key)
    session(ctx).out.print(f"[green]{escape(t('presence.confirmed', id=check.id, at=at))}[/]", soft_wrap=True)
