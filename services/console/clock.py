"""Times on the site's clock (the duty room's), not the console server's."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.grpckit.convert import from_ts


def zone_of(name: str) -> tzinfo:
    """A site's time zone; UTC when it has none or an unknown one."""
    try:
        return ZoneInfo(name) if name else UTC
    except ZoneInfoNotFoundError:
        return UTC


def local_time(at: Timestamp, zone: str) -> str:
    """``at`` on the site's clock (the duty room's), not the console server's."""
    return from_ts(at).astimezone(zone_of(zone)).strftime("%m-%d %H:%M")
