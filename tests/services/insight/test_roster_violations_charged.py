"""Every violation the roster records (its ListDutyViolations kinds) reaches the assessment: the event
roster publishes for it is read by insight's violations projection, which charges that kind to the
person, and the shipped scoring rules price it. A kind roster adds without insight charging it fails
here, naming the kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.message import Message

from dutyline.events_catalog import EVENT_TYPES
from services.insight.projections import violations
from services.insight.scoring import DEFAULT_RULES
from services.roster.duty_records_store import VIOLATION_EVENTS
from tests.services.insight.events import event

CHARGED = "p-charged"
AT = datetime(2026, 12, 5, 8, tzinfo=UTC)
# Events that tell of a violation only in some states: a check-in late (迟到), a check-out early (早退).
VIOLATION_STATUS = {"checkin.recorded": {"status": "late"}, "checkout.recorded": {"check_out_status": "early_leave"}}


def charged_payload(event_type: str) -> Message:
    """The payload the catalog names for ``event_type``, every ``*person_id`` field naming CHARGED (so
    whichever of them the projection charges, it is CHARGED), as roster sends it for a violation."""
    payload = EVENT_TYPES[event_type]()
    _name_people(payload)
    for name, value in VIOLATION_STATUS.get(event_type, {}).items():
        setattr(payload, name, value)
    return payload


def _name_people(message: Message) -> None:
    for field in message.DESCRIPTOR.fields:
        if field.type == field.TYPE_STRING and field.name.endswith("person_id") and not field.is_repeated:
            setattr(message, field.name, CHARGED)
        elif field.type == field.TYPE_MESSAGE and not field.is_repeated:
            _name_people(getattr(message, field.name))


@pytest.mark.parametrize(("kind", "event_type"), sorted(VIOLATION_EVENTS.items()))
def test_each_roster_violation_is_charged_from_its_event(kind: str, event_type: str) -> None:
    assert event_type in violations.TYPES, f"insight's violations projection does not read {event_type} ({kind})"
    published = event(event_type, charged_payload(event_type), aggregate_id="a-1", version=1, at=AT)
    facts = violations.violations_of(published)
    assert [(f.kind, f.person_id) for f in facts] == [(kind, CHARGED)], f"{event_type} does not charge {kind}"
    assert kind in DEFAULT_RULES.penalties, f"{kind} has no price in the shipped scoring rules"
