"""A missed call (未接来电) recorded: its call record (status "missed", no answer time) and the callback
for the officer on duty, supervised by the existing callback process (CallbackWorkflow: reminder,
then escalation to the duty leader when overdue)."""

from __future__ import annotations

from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.ids import new_id
from services.intake import store
from services.intake.caller_data import CallerVault
from services.intake.messages import call_message, callback_message
from services.intake.telephony import rules
from services.intake.telephony.store import LineCallRow, LineRow

REASONS = {
    "abandoned": ("来电人振铃中挂断", "caller hung up while it rang"),
    "not_answered": ("无人接听", "not answered"),
}


def missed_records(
    *,
    vault: CallerVault,
    line: LineRow,
    line_call: LineCallRow,
    facts: rules.CallFacts,
    caller_number: str,
    recipient_id: str,
    assignment_id: str,
    duty_gap: bool,
    created_by: str,
    now: datetime,
) -> tuple[store.CallRow, store.CallbackRow]:
    """The call record of a missed line call and its callback, due the line's time after the miss."""
    reason_zh, reason_en = REASONS[facts.state]
    call_id = new_id("call")
    record = store.CallRow(
        id=call_id,
        site_id=line.site_id,
        channel="phone",
        category="other",
        ring_started_at=facts.ring_started_at,
        answered_at=None,
        ended_at=facts.ended_at,
        answer_delay_seconds=0.0,
        answered_late=False,
        **vault.sealed(call_id, name="", phone=caller_number, unit="", address=""),
        place_text="",
        latitude=None,
        longitude=None,
        summary=f"未接来电（{reason_zh}，{line.display_name}）/ missed call ({reason_en}, {line.display_name})",
        request="",
        actions_taken="",
        officer_id=recipient_id,
        assignment_id=assignment_id,
        incident_id=None,
        status="missed",
        drill=False,
        registered_at=now,
        version=1,
        duty_gap=duty_gap,
        line_call_id=line_call.id,
    )
    masked = record.caller_phone_masked or "—"
    callback = store.CallbackRow(
        id=new_id("cb"),
        call_id=call_id,
        site_id=line.site_id,
        kind="callback",
        recipient_id=recipient_id,
        content=(
            f"回拨未接来电 {masked}（{line.display_name}）/ call back the missed caller {masked} ({line.display_name})"
        ),
        urgent=False,
        due_at=rules.callback_due(facts.ended_at or facts.ring_started_at, line.callback_due_seconds),
        status="open",
        overdue=False,
        outcome="",
        created_by=created_by,
        created_at=now,
        completed_at=None,
        workflow_started_at=None,
    )
    return record, callback


async def insert_missed(conn: Connection, record: store.CallRow, callback: store.CallbackRow) -> None:
    """The missed call's record and callback with their events (call.missed, callback.promised)."""
    await store.insert_call(conn, call=record)
    await store.insert_callback(conn, callback=callback)
    message = call_message(record)
    await emit(
        conn,
        event_type="call.missed",
        site_id=record.site_id,
        aggregate_id=record.id,
        aggregate_version=record.version,
        payload=event_pb2.CallChanged(call=message, detail=record.summary),
    )
    await emit(
        conn,
        event_type="callback.promised",
        site_id=callback.site_id,
        aggregate_id=callback.id,
        aggregate_version=1,
        payload=event_pb2.CallChanged(call=message, callback=callback_message(callback)),
    )
