"""Which call events the incident service's readers take in: every call is registered on the stream,
and most are plain calls neither the call links nor the 瞒报 signals act on (nothing to apply, so no
transaction and no consumed_events row for them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event
from dutyline.events.v1 import event_pb2
from services.incident import call_links, oversight_signals

ACTOR = common_pb2.Actor(person_id="p-1", display_name="officer", kind="person")
EMERGENCY, CONSULTATION = "emergency", "consultation"  # as the event names them


def event(event_type: str, payload: Message) -> event_pb2.Event:
    return build_event(
        event_type=event_type,
        site_id="hz-01",
        aggregate_id="call-1",
        aggregate_version=1,
        actor=ACTOR,
        payload=payload,
        occurred_at=datetime.now(UTC),
    )


def registered(category: str, *, escalation: str = "", incident_id: str = "", casualties: int = 0) -> event_pb2.Event:
    return event(
        "call.registered",
        event_pb2.CallRegistered(
            call_id="call-1", category=category, escalation=escalation, incident_id=incident_id, casualties=casualties
        ),
    )


@pytest.mark.parametrize(
    ("what", "the_event", "links", "signals"),
    [
        ("a plain call", registered(CONSULTATION), False, False),
        ("a plain call telling of casualties", registered(CONSULTATION, casualties=2), False, True),
        ("an emergency opening its incident", registered(EMERGENCY, escalation="escalated"), False, True),
        ("an emergency linked at once", registered(EMERGENCY, escalation="linked", incident_id="inc-1"), True, True),
        ("a call linked later", event("call.linked", event_pb2.CallLinked(incident_id="inc-1")), True, True),
    ],
)
def test_the_readers_take_the_calls_they_act_on(
    what: str, the_event: event_pb2.Event, links: bool, signals: bool
) -> None:
    assert call_links.wants(the_event) is links, what
    assert oversight_signals.wants(the_event) is signals, what
