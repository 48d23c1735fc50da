"""The pure rules of telephony: a line call from its switch events in any order, a line's state, and
the deadlines of missed and unregistered calls."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from dutyline.grpckit.convert import ts
from dutyline.grpckit.validation import violations
from dutyline.intake.v1 import intake_pb2
from dutyline.intake.v1 import telephony_pb2 as K
from services.intake.telephony.rules import (
    SwitchEvent,
    call_facts,
    callback_due,
    callback_recipient,
    line_state,
    registration_overdue,
    silent_too_long,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIMIT = 15  # three rings


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_answered_after_two_rings_is_on_time() -> None:
    facts = call_facts(
        [
            SwitchEvent("ringing", at(0)),
            SwitchEvent("answered", at(8), extension="8001"),
            SwitchEvent("ended", at(95)),
        ],
        LIMIT,
    )
    assert (facts.state, facts.answer_delay_seconds, facts.answered_late) == ("ended", 8.0, False)
    assert (facts.answered_at, facts.ended_at, facts.extension) == (at(8), at(95), "8001")
    assert not facts.missed


def test_answered_after_twenty_seconds_is_late() -> None:
    facts = call_facts([SwitchEvent("ringing", at(0)), SwitchEvent("answered", at(20), extension="8002")], LIMIT)
    assert (facts.state, facts.answer_delay_seconds, facts.answered_late) == ("answered", 20.0, True)


def test_exactly_at_the_limit_is_on_time() -> None:
    facts = call_facts([SwitchEvent("ringing", at(0)), SwitchEvent("answered", at(LIMIT))], LIMIT)
    assert not facts.answered_late


@pytest.mark.parametrize("kind", ["abandoned", "not_answered"])
def test_a_call_the_switch_says_nobody_answered_is_missed_and_ends_then(kind: str) -> None:
    facts = call_facts([SwitchEvent("ringing", at(0)), SwitchEvent(kind, at(12))], LIMIT)
    assert facts.missed and facts.state == kind
    assert (facts.answered_at, facts.ended_at, facts.answered_late) == (None, at(12), False)


def test_a_transfer_keeps_the_answer_and_records_the_target() -> None:
    facts = call_facts(
        [
            SwitchEvent("ringing", at(0)),
            SwitchEvent("answered", at(5), extension="8001"),
            SwitchEvent("transferred", at(40), transfer_target="8009"),
        ],
        LIMIT,
    )
    assert (facts.state, facts.transferred_at, facts.transfer_target, facts.extension) == (
        "transferred",
        at(40),
        "8009",
        "8001",
    )


def test_every_arrival_order_gives_the_same_call() -> None:
    events = [
        SwitchEvent("ringing", at(0)),
        SwitchEvent("answered", at(20), extension="8001"),
        SwitchEvent("ended", at(60), recording_ref="rec/1", recording_retain_until=at(86400 * 180)),
    ]
    results = {call_facts(list(order), LIMIT) for order in itertools.permutations(events)}
    assert len(results) == 1
    (facts,) = results
    assert facts.answered_late and facts.recording_ref == "rec/1"


def test_an_end_before_its_answer_waits_for_the_answer_and_is_not_missed() -> None:
    early = call_facts([SwitchEvent("ringing", at(0)), SwitchEvent("ended", at(60))], LIMIT)
    assert (early.state, early.missed, early.answered_at) == ("ended", False, None)
    later = call_facts(
        [*([SwitchEvent("ringing", at(0)), SwitchEvent("ended", at(60))]), SwitchEvent("answered", at(9))], LIMIT
    )
    assert (later.state, later.answer_delay_seconds) == ("ended", 9.0)


def test_without_the_ringing_event_the_ring_is_the_earliest_known_and_a_late_ringing_corrects_it() -> None:
    answered = SwitchEvent("answered", at(20), extension="8001")
    alone = call_facts([answered], LIMIT)
    assert (alone.ring_started_at, alone.answer_delay_seconds, alone.answered_late) == (at(20), 0.0, False)
    corrected = call_facts([answered, SwitchEvent("ringing", at(0))], LIMIT)
    assert (corrected.ring_started_at, corrected.answer_delay_seconds, corrected.answered_late) == (at(0), 20.0, True)


def test_an_answered_call_is_not_missed_whatever_else_was_reported() -> None:
    facts = call_facts(
        [SwitchEvent("ringing", at(0)), SwitchEvent("abandoned", at(10)), SwitchEvent("answered", at(9))], LIMIT
    )
    assert facts.state == "answered" and not facts.missed and facts.ended_at is None


def test_a_line_is_down_once_silent_past_its_limit() -> None:
    assert not silent_too_long(at(0), at(-1000), at(120), 120)
    assert silent_too_long(at(0), at(-1000), at(121), 120)
    # Never heard from: counted from its configuration; 0 is the default of 120 s.
    assert not silent_too_long(None, at(0), at(100), 0)
    assert silent_too_long(None, at(0), at(121), 0)


def test_a_lines_state() -> None:
    assert line_state(down=True, open_call_states=["answered"]) == "down"
    assert line_state(down=False, open_call_states=["ringing", "answered"]) == "in_call"
    assert line_state(down=False, open_call_states=["ringing"]) == "ringing"
    assert line_state(down=False, open_call_states=[]) == "up"


def test_a_missed_calls_callback_is_due_the_lines_time_after_the_miss() -> None:
    assert callback_due(at(0), 0) == at(600)
    assert callback_due(at(0), 300) == at(300)


def test_an_unregistered_call_is_overdue_after_the_lines_limit() -> None:
    assert not registration_overdue(at(0), 0, at(600))
    assert registration_overdue(at(0), 0, at(601))
    assert not registration_overdue(None, 60, at(10_000))


def test_the_officer_on_duty_calls_back_else_the_leader_else_the_lines_first_person() -> None:
    assert callback_recipient(["o1", "o2"], ["l1"], ["x"]) == "o1"
    assert callback_recipient([], ["l1"], ["x"]) == "l1"
    assert callback_recipient([], [], ["x", "y"]) == "x"


def test_a_registration_against_the_switchs_record_needs_no_times_of_its_own() -> None:
    officer_s = intake_pb2.RegisterCallRequest(
        idempotency_key="k-1",
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_CONSULTATION,
        summary="咨询 a question",
    )
    assert {v.field for v in violations(officer_s)} == {"ring_started_at", "answered_at"}
    officer_s.line_call_id = "lc-01J0000000000000000000000"
    assert violations(officer_s) == []


def test_a_line_events_limits() -> None:
    now = ts(datetime.now(UTC))
    good = K.LineEvent(line_id="line-1", switch_call_id="1700000000.42", kind=K.LINE_EVENT_KIND_RINGING, at=now)
    assert violations(K.ReportLineEventRequest(switch_id="sw-1", event=good)) == []
    heartbeat = K.LineEvent(line_id="line-1", kind=K.LINE_EVENT_KIND_HEARTBEAT, at=now)
    assert violations(K.ReportLineEventRequest(switch_id="sw-1", event=heartbeat)) == []
    bad = K.LineEvent(
        line_id="line 1",
        switch_call_id="has space",
        kind=K.LINE_EVENT_KIND_TRANSFERRED,
        at=now,
        caller_number="+86 139",
        extension="-1",
    )
    found = {v.field for v in violations(K.ReportLineEventRequest(switch_id="", event=bad))}
    assert found == {
        "switch_id",
        "event",  # a transfer names its target
        "event.line_id",
        "event.switch_call_id",
        "event.caller_number",
        "event.extension",
    }
