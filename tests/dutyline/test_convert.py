"""Timestamps in answers: the arithmetic ``ts`` gives what protobuf's own conversion gives, for any
instant a Timestamp holds, in any zone, before 1970 too; a naive time is the host's local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from dutyline.grpckit.convert import from_ts, ts

ZONES = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60 - 59, 23 * 60 + 59))


def protobufs(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at.astimezone(UTC))
    return out


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES))
def test_ts_is_protobufs_conversion_and_goes_back(at: datetime) -> None:
    assert ts(at) == protobufs(at)
    assert from_ts(ts(at)) == at


def test_ts_of_nothing_and_of_a_naive_time() -> None:
    assert ts(None) is None
    naive = datetime(2026, 3, 1, 12, 30, 15, 250)
    assert ts(naive) == protobufs(naive) and from_ts(ts(naive)) == naive.astimezone(UTC)
    assert ts(datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)) == Timestamp(seconds=-1, nanos=500_000_000)
