"""Small conversions shared by the servicers."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.common.v1 import common_pb2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ROLE_NAMES = {
    common_pb2.ROLE_OFFICER: "officer",
    common_pb2.ROLE_LEADER: "leader",
    common_pb2.ROLE_UNIT_HEAD: "unit_head",
    common_pb2.ROLE_ADMIN: "admin",
    common_pb2.ROLE_SUPERVISOR: "supervisor",
    common_pb2.ROLE_AGENCY: "agency",
}
ROLE_VALUES = {name: value for value, name in ROLE_NAMES.items()}


def ts(at: datetime | None) -> Timestamp | None:
    if at is None:
        return None
    if at.utcoffset() is None:
        at = at.astimezone(UTC)  # a naive time is the host's local time
    # By arithmetic: Timestamp.FromDatetime's calendar.timegm costs twice as much, and answers carry many.
    since = at - _EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1_000)


def from_ts(value: Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=UTC)
