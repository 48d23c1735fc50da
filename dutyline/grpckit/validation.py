"""Every request checked against the limits its proto declares, before any handler sees it.

The limits (lengths, characters, patterns, counts, enum values, number ranges, time windows) are
protovalidate annotations in protos/ (dutyline's own rules in dutyline/common/v1/rules.proto), so
they are written once and the same everywhere a field crosses services. A violation is answered
INVALID_ARGUMENT with ``google.rpc.BadRequest`` field violations naming the field (``place.text``,
``call_ids[3]``) and nothing is written.

What protovalidate does not check, the well-formedness of google.protobuf.Timestamp itself (nanos in
[0, 1e9)), is checked here for every timestamp of the request, so no handler meets a time it cannot
convert.
"""

from __future__ import annotations

from functools import cache

import protovalidate
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from dutyline.grpckit.errors import FieldViolation

_TIMESTAMP = "google.protobuf.Timestamp"
_NANOS = 1_000_000_000
# Deeper than any request nests; a loop of message types stops here.
_MAX_DEPTH = 8


def _path(violation: protovalidate.Violation) -> str:
    """The field's path (``place.text``, ``call_ids[3]``); a rule on a whole request is named after the
    field it concerns (its id in the proto)."""
    if violation.proto.field is None or not violation.proto.field.elements:
        return violation.proto.rule_id
    parts: list[str] = []
    for element in violation.proto.field.elements:
        name = element.field_name
        if element.subscript is not None:  # an index or a map key
            name += f"[{element.subscript.value}]"
        parts.append(name)
    return ".".join(parts)


@cache
def _has_timestamps(descriptor: Descriptor, depth: int = 0) -> bool:
    if depth > _MAX_DEPTH:
        return False
    return any(
        f.message_type is not None
        and (f.message_type.full_name == _TIMESTAMP or _has_timestamps(f.message_type, depth + 1))
        for f in descriptor.fields
    )


def _bad_timestamps(message: Message, prefix: str = "", depth: int = 0) -> list[FieldViolation]:
    found: list[FieldViolation] = []
    if depth > _MAX_DEPTH or not _has_timestamps(message.DESCRIPTOR):
        return found
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        items = list(value) if field.is_repeated else [value]
        for index, item in enumerate(items):
            name = f"{prefix}{field.name}" + (f"[{index}]" if field.is_repeated else "")
            if field.message_type.full_name == _TIMESTAMP:
                if not 0 <= item.nanos < _NANOS:
                    found.append(FieldViolation(name, "nanos must be from 0 to 999,999,999"))
            elif isinstance(item, Message):
                found.extend(_bad_timestamps(item, f"{name}.", depth + 1))
    return found


def violations(request: Message) -> list[FieldViolation]:
    """What is wrong with the request against its declared limits (nothing: empty)."""
    found = _bad_timestamps(request)
    if found:
        return found  # a malformed time cannot be evaluated against its window
    try:
        return [FieldViolation(_path(v), v.proto.message) for v in protovalidate.collect_violations(request)]
    except protovalidate.EvaluationError as exc:  # a value no rule can even be evaluated on
        return [FieldViolation("", f"cannot be checked: {exc}")]
