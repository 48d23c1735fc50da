"""docs/limits.md from the protos' protovalidate rules: the limits a caller meets, per message and
field, written out from the one place they are declared (``make proto`` writes it; ``--check`` fails
when the committed page is stale)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import Descriptor, FileDescriptor
from google.protobuf.message import Message

from buf.validate import validate_pb2
from dutyline.common.v1 import common_pb2, rules_pb2
from dutyline.incident.v1 import inbox_pb2, incident_pb2, instructions_pb2, oversight_pb2
from dutyline.insight.v1 import insight_pb2
from dutyline.intake.v1 import case_pb2, intake_pb2, telephony_pb2
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import (
    competence_pb2,
    duty_records_pb2,
    equipment_pb2,
    inspections_pb2,
    presence_pb2,
    roster_pb2,
)

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "limits.md"

HEADER = """# Limits of the requests (请求限制)

Generated from the protos by `make proto` (`python -m dutyline.tools.limits_doc`); do not edit.
Every request is checked against these rules at the gRPC boundary of every service before anything
runs; a request that breaks one is refused with INVALID_ARGUMENT and a field violation per problem
(`google.rpc.BadRequest`), and nothing is written.

Common to all of them:

- **text ≤ N** — at most N characters (code points); line breaks and tabs allowed, no other control
  characters, no NUL, no direction overrides (U+202A–U+202E, U+2066–U+2069), no U+FFFE/U+FFFF.
- **line ≤ N** — the same on one line: no control characters at all.
- **id** — a letter or digit, then letters, digits, `. _ : @ -`; at most 128 characters.
- **site id** — lower-case letters, digits and `-`, at most 63 characters.
- **key** — an idempotency key: 1 to 200 printable ASCII characters without spaces.
- Every timestamp has nanos in 0…999,999,999 and, unless a field says more, lies in 0001–9999.
- An event is at most 256 KiB (`envelope.MAX_EVENT_BYTES`); `emit` refuses a bigger one, naming
  its largest field, before anything commits.
"""


def _ext(holder: Message, extension: Any) -> Any:
    """The extension's value on ``holder``, or None when unset (the generated stubs type extensions
    as plain field descriptors, hence Any)."""
    return holder.Extensions[extension] if holder.HasExtension(extension) else None


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _bounds(rules: Message) -> list[str]:
    found = []
    for name, sign in (("gte", "≥"), ("gt", ">"), ("lte", "≤"), ("lt", "<")):
        if rules.HasField(name):
            found.append(f"{sign} {_fmt(getattr(rules, name))}")
    if getattr(rules, "in", None):
        found.append("one of " + ", ".join(_fmt(v) for v in getattr(rules, "in")))
    return found


def _string(rules: validate_pb2.StringRules) -> list[str]:
    found = []
    for ext, text in (
        (rules_pb2.text, "text ≤ {}"),
        (rules_pb2.line, "line ≤ {}"),
    ):
        if (limit := _ext(rules, ext)) is not None:
            found.append(text.format(_fmt(limit)))
    for ext, text in (
        (rules_pb2.id, "id"),
        (rules_pb2.site, "site id"),
        (rules_pb2.key, "key"),
        (rules_pb2.filled, "not blank"),
        (rules_pb2.page_token, "page token"),
    ):
        if _ext(rules, ext):
            found.append(text)
    if rules.HasField("max_len"):
        found.append(f"≤ {_fmt(rules.max_len)} characters")
    if rules.HasField("min_len"):
        found.append(f"≥ {_fmt(rules.min_len)} characters")
    if rules.HasField("pattern"):
        found.append(f"pattern `{rules.pattern}`")
    if getattr(rules, "in"):
        found.append("one of " + ", ".join(f"`{v}`" if v else '`""`' for v in getattr(rules, "in")))
    return found


def _timestamp(rules: validate_pb2.TimestampRules) -> list[str]:
    found = []
    if _ext(rules, rules_pb2.sane):
        found.append("from 2000 to 2100")
    if (days := _ext(rules, rules_pb2.past_days)) is not None:
        found.append(f"within the last {days} days, ≤ 5 min ahead")
    if (days := _ext(rules, rules_pb2.future_days)) is not None:
        found.append(f"from a day ago to {days} days ahead")
    return found


def describe(rules: validate_pb2.FieldRules) -> list[str]:
    """The rules of one field in words."""
    found = ["required"] if rules.required else []
    kind = rules.WhichOneof("type")
    if kind == "string":
        found += _string(rules.string)
    elif kind == "enum":
        if rules.enum.defined_only:
            found.append("a defined value")
        if getattr(rules.enum, "in"):
            found.append("one of " + ", ".join(_fmt(v) for v in getattr(rules.enum, "in")))
    elif kind == "timestamp":
        found += _timestamp(rules.timestamp)
    elif kind == "repeated":
        if rules.repeated.HasField("min_items"):
            found.append(f"≥ {_fmt(rules.repeated.min_items)} items")
        if rules.repeated.HasField("max_items"):
            found.append(f"≤ {_fmt(rules.repeated.max_items)} items")
        if rules.repeated.unique:
            found.append("unique")
        items = describe(rules.repeated.items)
        if items:
            found.append("each: " + ", ".join(items))
    elif kind == "map":
        if rules.map.HasField("max_pairs"):
            found.append(f"≤ {_fmt(rules.map.max_pairs)} pairs")
        for part, sub in (("keys", rules.map.keys), ("values", rules.map.values)):
            words = describe(sub)
            if words:
                found.append(f"{part}: " + ", ".join(words))
    elif kind is not None:
        found += _bounds(getattr(rules, kind))
    found += [f"{c.message or c.expression}" for c in rules.cel]
    if rules.ignore == validate_pb2.IGNORE_IF_ZERO_VALUE and found:
        found.append("(may be empty)")
    return found


def _messages(file: FileDescriptor) -> list[Descriptor]:
    found: list[Descriptor] = []

    def walk(message: Descriptor) -> None:
        found.append(message)
        for nested in message.nested_types:
            if not nested.GetOptions().map_entry:
                walk(nested)

    for message in file.message_types_by_name.values():
        walk(message)
    return found


def rows(message: Descriptor) -> list[tuple[str, str]]:
    """(field, rules) of one message, and its message-level rules under "(message)"."""
    found = []
    for field in message.fields:
        field_rules = _ext(field.GetOptions(), validate_pb2.field)
        words = describe(field_rules) if field_rules is not None else []
        if words:
            found.append((field.name, "; ".join(words)))
    message_rules = _ext(message.GetOptions(), validate_pb2.message)
    for rule in message_rules.cel if message_rules is not None else []:
        found.append(("(message)", rule.message or rule.expression))
    for oneof in message.oneofs:
        oneof_rules = _ext(oneof.GetOptions(), validate_pb2.oneof)
        if oneof_rules is not None and oneof_rules.required:
            found.append((oneof.name, "exactly one of " + ", ".join(f.name for f in oneof.fields)))
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    parts = [HEADER]
    for title, module in (
        ("Common types", common_pb2),
        ("Intake (来电登记)", intake_pb2),
        ("Telephony (话务交换机)", telephony_pb2),
        ("Cases (工单)", case_pb2),
        ("Incident (事件处置)", incident_pb2),
        ("Report inbox (报告收件箱)", inbox_pb2),
        ("Oversight (瞒报督查)", oversight_pb2),
        ("Instructions (领导批示)", instructions_pb2),
        ("Notify (通知)", notify_pb2),
        ("Roster (排班)", roster_pb2),
        ("Presence (在岗: 签退、在岗抽查)", presence_pb2),
        ("Duty records (值班记录)", duty_records_pb2),
        ("Equipment and supplies (值班设备与应急物资)", equipment_pb2),
        ("Qualifications, training and drills (资格、培训、演练)", competence_pb2),
        ("Leader's inspection (带班领导查岗)", inspections_pb2),
        ("Insight (值班分析)", insight_pb2),
    ):
        file = module.DESCRIPTOR
        parts.append(f"\n## {title} — `{file.name}`\n")
        for message in _messages(file):
            message_rows = rows(message)
            if not message_rows:
                continue
            parts.append(f"\n### {message.name}\n\n| field | limit |\n|---|---|\n")
            parts.extend(f"| `{field}` | {_cell(text)} |\n" for field, text in message_rows)
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/limits.md is stale")
    text = render()
    if parser.parse_args().check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print("docs/limits.md is stale; run `make proto` and commit it.")
            return 1
        print("docs/limits.md is fresh.")
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"Wrote {PAGE.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
