"""Building event envelopes (dutyline.events.v1.Event) and their subjects.

No event can be too big: ``build_event`` refuses one whose serialized envelope exceeds
``MAX_EVENT_BYTES`` with ``InvalidArgument`` naming the payload's largest field, before anything is
written, so the caller's transaction rolls back and nothing commits. Events carry ids and counts,
not unbounded lists or texts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from google.protobuf.any_pb2 import Any as AnyPb
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.errors import FieldViolation, InvalidArgument
from dutyline.ids import new_id

SUBJECT_PREFIX = "dutyline"
# A site id is one NATS subject token: no dots, spaces or wildcards.
SITE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# The largest serialized event (envelope and payload): a quarter of NATS's default max_payload
# (1 MiB, which also bounds headers), so an event always fits in a message with room to spare, and
# so does its JSON rendition for agencies (field names, escaped text and base64 make it larger than
# the protobuf). An event over it is refused where it is built (``check_event_size``).
MAX_EVENT_BYTES = 256 * 1024


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
    event = event_pb2.Event(
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
    check_event_size(event, payload)
    return event


def check_event_size(event: event_pb2.Event, payload: Message | None = None) -> None:
    """Refuse an event over ``MAX_EVENT_BYTES``: ``InvalidArgument`` with a field violation naming
    its largest field (``payload.call_ids``, ``payload.incident.summary``) and the sizes.
    ``payload`` is the unpacked payload, to look inside it; without it the walk stops at ``payload``."""
    size = event.ByteSize()
    if size <= MAX_EVENT_BYTES:
        return
    path, field_size, count = largest_field(event, payload)
    items = f" ({count} items)" if count is not None else ""
    raise InvalidArgument(
        [
            FieldViolation(
                path,
                f"the event would be {size} bytes, over the limit of {MAX_EVENT_BYTES} bytes; this field "
                f"alone is {field_size} bytes{items}: events carry ids and counts, not unbounded lists",
            )
        ],
        message=f"event {event.type} too big: {size} bytes > {MAX_EVENT_BYTES} (largest field {path})",
    )


def largest_field(event: event_pb2.Event, payload: Message | None = None) -> tuple[str, int, int | None]:
    """(the path of the largest field of ``event`` by serialized size, its size, its number of items
    when it is a list). The walk goes into singular message fields (into ``payload`` through the Any
    when the payload message is given) and stops at a list, a map or a scalar."""
    path: list[str] = []
    message: Message = event
    while True:
        sizes = [(_field_size(message, fd), fd, value) for fd, value in message.ListFields()]
        if not sizes:
            return ".".join(path) or "event", message.ByteSize(), None
        size, fd, value = max(sizes, key=lambda s: s[0])
        path.append(fd.name)
        if fd.is_repeated:
            return ".".join(path), size, len(value)
        if message is event and fd.name == "payload" and payload is not None:
            message = payload
        elif fd.type == FieldDescriptor.TYPE_MESSAGE and not isinstance(value, AnyPb):
            message = value
        else:
            return ".".join(path), size, None


def _field_size(message: Message, field: FieldDescriptor) -> int:
    """The serialized size of one field of ``message`` (tags and lengths included)."""
    alone = type(message)()
    alone.CopyFrom(message)
    for other, _ in message.ListFields():
        if other.number != field.number:
            alone.ClearField(other.name)
    return alone.ByteSize()
