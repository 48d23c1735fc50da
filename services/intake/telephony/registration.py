"""A call registered against the switch's record (RegisterCall with line_call_id): the switch's ring,
answer and end times and its answering officer are the call's; the officer's are ignored."""

from __future__ import annotations

import dataclasses

import asyncpg

from dutyline.db.pool import Connection
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument
from services.intake.rules import CallDraft
from services.intake.telephony import store as tstore

# The unique index that lets a line call have one record only (migration 0005).
ONE_RECORD_PER_LINE_CALL = "calls_line_call_id_key"


async def linked_draft(conn: Connection, draft: CallDraft, line_call_id: str) -> CallDraft:
    line_call = await tstore.get_line_call(conn, line_call_id=line_call_id)
    if line_call is None or line_call.site_id != draft.site_id:
        raise InvalidArgument(
            [FieldViolation("line_call_id", f"no call {line_call_id} rang on a line of site {draft.site_id}")]
        )
    if line_call.call_id:
        raise FailedPrecondition(f"line call {line_call.id} is already recorded as call {line_call.call_id}")
    if line_call.answered_at is None:
        raise FailedPrecondition(
            f"line call {line_call.id} has not been answered: the switch has not said so (yet) / 交换机尚未报告接听"
        )
    return dataclasses.replace(
        draft,
        ring_started_at=line_call.ring_started_at,
        answered_at=line_call.answered_at,
        ended_at=line_call.ended_at,
        officer_id=line_call.officer_id or draft.officer_id,
    )


def recorded_already(exc: asyncpg.UniqueViolationError) -> bool:
    """Whether a registration lost the race to record a line call another one recorded first."""
    return exc.constraint_name == ONE_RECORD_PER_LINE_CALL
