"""Lines and line calls as readers see them: the calling number always masked."""

from __future__ import annotations

from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import telephony_pb2
from services.intake.telephony import rules
from services.intake.telephony.store import LineCallRow, LineRow

STATES = {
    "up": telephony_pb2.LINE_STATE_UP,
    "ringing": telephony_pb2.LINE_STATE_RINGING,
    "in_call": telephony_pb2.LINE_STATE_IN_CALL,
    "down": telephony_pb2.LINE_STATE_DOWN,
}


def line_message(line: LineRow) -> telephony_pb2.Line:
    return telephony_pb2.Line(
        id=line.id,
        site_id=line.site_id,
        display_name=line.display_name,
        switch_id=line.switch_id,
        extensions=[telephony_pb2.Extension(extension=k, person_id=v) for k, v in sorted(line.extensions.items())],
        down_after_seconds=line.down_after_seconds,
        callback_due_seconds=line.callback_due_seconds,
        register_within_seconds=line.register_within_seconds,
    )


def line_call_message(call: LineCallRow) -> telephony_pb2.LineCall:
    return telephony_pb2.LineCall(
        id=call.id,
        site_id=call.site_id,
        line_id=call.line_id,
        switch_id=call.switch_id,
        switch_call_id=call.switch_call_id,
        caller_number=call.caller_number_masked,
        state=call.state,
        ring_started_at=ts(call.ring_started_at),
        answered_at=ts(call.answered_at),
        transferred_at=ts(call.transferred_at),
        ended_at=ts(call.ended_at),
        answer_delay_seconds=call.answer_delay_seconds,
        answered_late=call.answered_late,
        extension=call.extension,
        officer_id=call.officer_id,
        transfer_target=call.transfer_target,
        call_id=call.call_id or "",
        callback_id=call.callback_id or "",
        registration_overdue=call.registration == "overdue",
        recording_ref=call.recording_ref,
        recording_retain_until=ts(call.recording_retain_until),
        shift_name=call.shift_name,
    )


def line_status(line: LineRow, open_calls: list[LineCallRow]) -> telephony_pb2.LineStatus:
    """The line's status (``open_calls``: its calls ringing or in progress, newest first)."""
    state = rules.line_state(down=line.down_since is not None, open_call_states=[c.state for c in open_calls])
    return telephony_pb2.LineStatus(
        line=line_message(line),
        state=STATES[state],
        last_seen_at=ts(line.last_seen_at),
        down_since=ts(line.down_since),
        current_call=line_call_message(open_calls[0]) if open_calls else None,
    )
