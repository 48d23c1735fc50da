"""The event catalog (dutyline.events_catalog) against the code that emits events, and against insight's
projections: no service emits a type the catalog lacks, the catalog lists no type nobody emits, each
type decodes to its payload, and every type is read by an insight projection or ignored with a reason.

The emitted types are found in the source: every module that stages events (calls ``emit``,
``build_event`` or an ``emit_…`` helper, or passes ``event_type=``) is read, and every string in it that
reads ``<aggregate>.<event>`` with an aggregate of the catalog or of an ``event_type=`` literal is taken
as a type it may emit; an ``event_type=f"…"`` is expanded from the values its placeholder takes
(``EXPANSIONS``), and one this test does not know fails it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event
from dutyline.events_catalog import EVENT_TYPES, UnknownEventType, payload_of
from services.insight.projections import IGNORED, PROJECTIONS
from services.intake.telephony import rules as telephony_rules

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 1, 1, tzinfo=UTC)
SCANNED = ("services", "workflows", "dutyline")
# Not code that emits: the CLI (its message keys look like types), the dev stack, generated code and
# the catalog itself.
SKIPPED = ("dutyline/cli/", "dutyline/stack/", "/v1/", "dutyline/events_catalog.py")
TYPE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
# event_type=f"…" in the code: the values of its placeholder.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "{cause}.requested": ("leave", "swap"),
    "{cause}.decided": ("leave", "swap"),
    # Every switch event kind but the heartbeat, which is no event of a call.
    "line_call.{kind}": tuple(k for k in telephony_rules.KINDS.values() if k != "heartbeat"),
}


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not any(skip in rel for skip in SKIPPED):
                yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _pattern(value: ast.JoinedStr) -> str:
    parts = []
    for part in value.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
        elif isinstance(part, ast.FormattedValue):
            parts.append("{" + ast.unparse(part.value) + "}")
    return "".join(parts)


def emitted_types() -> tuple[set[str], dict[str, str]]:
    """(the types the code may emit, {an unknown f-string pattern: the module using it})."""
    emitting: list[tuple[str, ast.Module]] = []
    aggregates = {t.split(".")[0] for t in EVENT_TYPES}
    types: set[str] = set()
    unknown: dict[str, str] = {}
    for rel, tree in _sources():
        stages = False
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            if name in ("emit", "build_event", "add_event") or name.startswith("emit_"):
                stages = True
            for keyword in node.keywords:
                if keyword.arg != "event_type":
                    continue
                stages = True
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    aggregates.add(keyword.value.value.split(".")[0])
                elif isinstance(keyword.value, ast.JoinedStr):
                    pattern = _pattern(keyword.value)
                    if pattern not in EXPANSIONS:
                        unknown[pattern] = rel
                    for value in EXPANSIONS.get(pattern, ()):
                        types.add(re.sub(r"\{[^}]*\}", value, pattern))
        if stages:
            emitting.append((rel, tree))
    for _, tree in emitting:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and TYPE.match(node.value)
                and node.value.split(".")[0] in aggregates
            ):
                types.add(node.value)
    return types, unknown


def test_every_type_the_services_emit_is_in_the_catalog_and_none_other() -> None:
    types, unknown = emitted_types()
    assert not unknown, f"event_type=f'…' patterns this test cannot expand (add them to EXPANSIONS): {unknown}"
    assert sorted(types - set(EVENT_TYPES)) == [], "emitted, missing from dutyline/events_catalog.py"
    assert sorted(set(EVENT_TYPES) - types) == [], "in the catalog, emitted by no code"


def test_the_scan_sees_types_emitted_every_way() -> None:
    types, _ = emitted_types()
    # A keyword literal, a positional one (emit_call_changed), a dict of kinds (EVENT_OF_KIND), an
    # f-string, a constant of the kit (outbox.DEAD_LETTERED) and the incident workflow's steps.
    for expected in (
        "call.registered",
        "call.reclassified",
        "notice.follow_up",
        "swap.decided",
        "line_call.not_answered",
        "outbox.dead_lettered",
        "incident.deadline_missed",
    ):
        assert expected in types


def test_each_type_decodes_its_payload_and_a_stranger_is_refused() -> None:
    actor = common_pb2.Actor(person_id="p-1", display_name="test", kind="person")
    for event_type, message in EVENT_TYPES.items():
        event = build_event(
            event_type=event_type,
            site_id="hz-01",
            aggregate_id="a-1",
            aggregate_version=1,
            actor=actor,
            payload=message(),
            occurred_at=AT,
        )
        assert isinstance(payload_of(event), message)
    stranger = build_event(
        event_type="plan.activated",
        site_id="hz-01",
        aggregate_id="a-1",
        aggregate_version=1,
        actor=actor,
        payload=common_pb2.Actor(),
        occurred_at=AT,
    )
    with pytest.raises(UnknownEventType):
        payload_of(stranger)
    # A known type with another message's payload is refused too.
    mislabelled = build_event(
        event_type="call.registered",
        site_id="hz-01",
        aggregate_id="a-1",
        aggregate_version=1,
        actor=actor,
        payload=common_pb2.Actor(),
        occurred_at=AT,
    )
    with pytest.raises(ValueError, match="CallRegistered"):
        payload_of(mislabelled)


def test_every_type_is_read_by_an_insight_projection_or_ignored_with_a_reason() -> None:
    read = {t for p in PROJECTIONS for t in p.types}
    assert sorted(read - set(EVENT_TYPES)) == [], "a projection reads a type the catalog lacks"
    assert sorted(set(IGNORED) - set(EVENT_TYPES)) == [], "IGNORED names a type the catalog lacks"
    assert sorted(read & set(IGNORED)) == [], "read and ignored at once"
    assert sorted(set(EVENT_TYPES) - read - set(IGNORED)) == [], "neither read by a projection nor ignored"
    assert all(reason.strip() for reason in IGNORED.values())
