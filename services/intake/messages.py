"""Calls and callbacks as readers see them: the caller's name, number, unit and address always
masked (the clear values only through RevealCaller, which is audited)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import from_ts, ts
from dutyline.intake.v1 import intake_pb2
from dutyline.privacy import mask_text
from services.intake import rules, store

CHANNEL_VALUES = {name: value for value, name in rules.CHANNELS.items()}
CATEGORY_VALUES = {name: value for value, name in rules.CATEGORIES.items()}
NOTICE_TEXT_FIELDS = ("place", "content", "participants", "issuing_unit", "issuing_person")


def place_of(call: store.CallRow) -> common_pb2.Place:
    place = common_pb2.Place(text=call.place_text)
    if call.latitude is not None and call.longitude is not None:
        place.latitude, place.longitude = call.latitude, call.longitude
    return place


def notice_dict(message: intake_pb2.NoticeElements) -> dict[str, str | None]:
    """The six elements as plain data (meeting_time as ISO text, or None)."""
    values: dict[str, str | None] = {f: getattr(message, f).strip() for f in NOTICE_TEXT_FIELDS}
    values["meeting_time"] = from_ts(message.meeting_time).isoformat() if message.HasField("meeting_time") else None
    return values


def notice_message(notice_json: str | None) -> intake_pb2.NoticeElements | None:
    if not notice_json:
        return None
    values: dict[str, Any] = json.loads(notice_json)
    message = intake_pb2.NoticeElements()
    for name in NOTICE_TEXT_FIELDS:
        setattr(message, name, values.get(name) or "")
    if values.get("meeting_time"):
        message.meeting_time.FromDatetime(datetime.fromisoformat(values["meeting_time"]))
    return message


def call_message(
    call: store.CallRow,
    *,
    classifications: list[asyncpg.Record] | None = None,
    transfers: list[asyncpg.Record] | None = None,
) -> intake_pb2.Call:
    return intake_pb2.Call(
        id=call.id,
        site_id=call.site_id,
        channel=CHANNEL_VALUES[call.channel],
        category=CATEGORY_VALUES[call.category],
        ring_started_at=ts(call.ring_started_at),
        answered_at=ts(call.answered_at),
        ended_at=ts(call.ended_at),
        answer_delay_seconds=call.answer_delay_seconds,
        answered_late=call.answered_late,
        caller=intake_pb2.Caller(
            name=call.caller_name_masked,
            unit=call.caller_unit_masked or mask_text(call.caller_unit),
            phone=call.caller_phone_masked,
            address=call.caller_address_masked or mask_text(call.caller_address),
        ),
        place=place_of(call),
        summary=call.summary,
        request=call.request,
        actions_taken=call.actions_taken,
        officer_id=call.officer_id,
        assignment_id=call.assignment_id,
        incident_id=call.incident_id or "",
        registered_at=ts(call.registered_at),
        drill=call.drill,
        status=call.status,
        notice=notice_message(call.notice),
        notice_missing=list(call.notice_missing),
        duty_gap=call.duty_gap,
        line_call_id=call.line_call_id or "",
        classifications=[
            intake_pb2.Classification(
                category=CATEGORY_VALUES[r["category"]], reason=r["reason"], by=r["classified_by"], at=ts(r["at"])
            )
            for r in classifications or []
        ],
        transfers=[
            intake_pb2.Transfer(
                target_id=r["target_id"],
                caller_agreed=r["caller_agreed"],
                briefing=r["briefing"],
                outcome=r["outcome"],
                by=r["transferred_by"],
                at=ts(r["at"]),
                callback_id=r["callback_id"] or "",
            )
            for r in transfers or []
        ],
    )


def callback_message(row: store.CallbackRow) -> intake_pb2.Callback:
    return intake_pb2.Callback(
        id=row.id,
        call_id=row.call_id,
        recipient_id=row.recipient_id,
        content=row.content,
        urgent=row.urgent,
        due_at=ts(row.due_at),
        status=row.status,
        outcome=row.outcome,
        kind=row.kind,
        site_id=row.site_id,
        completed_at=ts(row.completed_at),
        overdue=row.overdue,
    )
