"""Messages from a YAML or JSON file (JSON is YAML too): one message, a list of them, or a mapping
with the list under ``key``; each in the proto3 JSON mapping (field names as in the .proto file or
in lowerCamelCase, enum values by name) and checked against the proto's limits as a request is.
Used for data kept as files: `dutyline plan upsert`, the demo's emergency plans."""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from google.protobuf import json_format
from google.protobuf.message import Message

from dutyline.grpckit.validation import violations

M = TypeVar("M", bound=Message)


class FileError(ValueError):
    """What is wrong with the file, with where (the item and the field) when it is known."""


def messages_from_yaml(text: str, message_type: type[M], *, key: str) -> list[M]:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FileError(f"not YAML or JSON: {exc}") from exc
    items = data.get(key) if isinstance(data, dict) and key in data else data
    items = items if isinstance(items, list) else [items]
    messages: list[M] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise FileError(f"{key}[{i}]: a mapping of fields expected")
        message = message_type()
        try:
            json_format.ParseDict(item, message)
        except json_format.ParseError as exc:
            raise FileError(f"{key}[{i}]: {exc}") from exc
        problems = violations(message)
        if problems:
            raise FileError(f"{key}[{i}]: " + "; ".join(f"{p.field}: {p.description}" for p in problems))
        messages.append(message)
    return messages
