"""Building event envelopes (dutyline.events.v1.Event) and their subjects."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from google.protobuf.any_pb2 import Any as AnyPb
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.ids import new_id

SUBJECT_PREFIX = "dutyline"
# A site id is one NATS subject token: no dots, spaces or wildcards.
SITE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def subject_for(site_id: str, event_type: str) -> str:
    """``dutyline.<site>.<aggregate>.<event>`` for an event type ``<aggregate>.<event>``."""
    return f"{SUBJECT_PREFIX}.{site_id}.{event_type}"


def timestamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at.astimezone(UTC))
    return ts


def build_event(
    *,
    event_type: str,
    site_id: str,
    aggregate_id: str,
    aggregate_version: int,
    actor: common_pb2.Actor,
    payload: Message,
    occurred_at: datetime,
    drill: bool = False,
    request_id: str = "",
) -> event_pb2.Event:
    aggregate = event_type.split(".", 1)[0]
    packed = AnyPb()
    packed.Pack(payload, type_url_prefix="type.dutyline.dev/")
    return event_pb2.Event(
        id=new_id("evt"),
        type=event_type,
        occurred_at=timestamp(occurred_at),
        site_id=site_id,
        aggregate=aggregate,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        actor=actor,
        payload=packed,
        drill=drill,
        request_id=request_id,
    )
