"""Presence rows (presence_store) as roster protobuf messages."""

from __future__ import annotations

from datetime import UTC, datetime

from dutyline.grpckit.convert import ts
from dutyline.roster.v1 import presence_pb2, roster_pb2
from services.roster import convert, duty_store, presence_store


def presence_check_message(row: presence_store.PresenceCheckRow) -> presence_pb2.PresenceCheck:
    return presence_pb2.PresenceCheck(
        id=row.id,
        site_id=row.site_id,
        assignment_id=row.assignment_id,
        person_id=row.person_id,
        requested_by=row.requested_by,
        requested_at=ts(row.requested_at),
        due_at=ts(row.due_at),
        status=row.status,
        confirmed_at=ts(row.confirmed_at),
        confirmed_via=row.confirmed_via,
    )


def check_out_message(
    check_in: duty_store.CheckInRow, check_out: presence_store.CheckOutRow, *, shift_start: datetime
) -> roster_pb2.CheckInRecord:
    """The check-in record with its check-out."""
    record = convert.check_in_message(check_in, shift_start=shift_start)
    record.checked_out_at.FromDatetime(check_out.checked_out_at.astimezone(UTC))
    record.check_out_status = check_out.status
    record.early_seconds = check_out.early_seconds
    record.check_out_note = check_out.note
    return record
