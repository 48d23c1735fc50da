"""Pure rules of call registration, without servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.grpckit.validation import violations
from dutyline.intake.v1 import intake_pb2
from services.intake import rules
from services.intake.rules import answer_delay, draft_of

MAX_TEXT = 4000  # protos/dutyline/intake/v1/intake.proto: summary


def request(**overrides: object) -> intake_pb2.RegisterCallRequest:
    # The limits compare with the wall clock when checked: times are of the moment, not of the import.
    now = datetime.now(UTC)
    message = intake_pb2.RegisterCallRequest(
        idempotency_key="k",
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(now - timedelta(seconds=10)),
        answered_at=ts(now - timedelta(seconds=4)),
        summary="燃气泄漏",
        caller=intake_pb2.Caller(phone="+86 139-1234-5678"),
        place=common_pb2.Place(text="文三路"),
    )
    for key, value in overrides.items():
        if isinstance(value, Message):
            getattr(message, key).CopyFrom(value)
        else:
            setattr(message, key, value)
    return message


def violated_fields(message: intake_pb2.RegisterCallRequest) -> set[str]:
    """The fields the limits declared in the proto refuse (as the boundary does, without servers)."""
    return {v.field for v in violations(message)}


def test_a_complete_request_is_within_its_limits_and_becomes_a_draft() -> None:
    assert violations(request()) == []
    draft = draft_of(request(), default_officer="p-1")
    assert (draft.channel, draft.category, draft.officer_id) == ("phone", "emergency", "p-1")
    assert draft.summary == "燃气泄漏"


def test_every_problem_is_reported_at_once() -> None:
    bad = request(summary="", site_id="HZ 01", channel=intake_pb2.CHANNEL_UNSPECIFIED, link_incident_id="inc-1")
    bad.category = intake_pb2.CALL_CATEGORY_COMPLAINT
    bad.answered_at.CopyFrom(ts(datetime.now(UTC) - timedelta(minutes=1)))
    bad.place.longitude = 200.0
    assert violated_fields(bad) == {
        "summary",
        "site_id",
        "channel",
        "answered_at",
        "link_incident_id",
        "place",
        "place.longitude",
    }


def test_a_one_megabyte_summary_is_refused() -> None:
    assert violated_fields(request(summary="险" * 1_000_000)) == {"summary"}


@given(st.text(min_size=MAX_TEXT + 1, max_size=MAX_TEXT + 50))
def test_summaries_over_the_limit_are_refused(summary: str) -> None:
    assert violated_fields(request(summary=summary)) == {"summary"}


@pytest.mark.parametrize("poison", ["\x00", "\x1b[31m", "\u202e", "\ufffe", "\x7f"])
def test_characters_postgresql_or_xml_cannot_carry_are_refused(poison: str) -> None:
    assert violated_fields(request(summary=f"燃气{poison}泄漏")) == {"summary"}
    assert violated_fields(request(place=common_pb2.Place(text=f"文三{poison}路"))) == {"place.text"}


def test_a_ring_from_another_week_or_the_future_is_refused() -> None:
    now = datetime.now(UTC)
    for rang in (now - timedelta(days=8), now + timedelta(minutes=6), datetime(1, 1, 1, tzinfo=UTC)):
        bad = request()
        bad.ring_started_at.CopyFrom(ts(rang))
        bad.answered_at.CopyFrom(ts(max(rang, now - timedelta(seconds=4))))
        assert "ring_started_at" in violated_fields(bad), rang
    malformed = request()
    malformed.ring_started_at.nanos = -1
    assert violated_fields(malformed) == {"ring_started_at"}


@given(st.floats(allow_nan=False).filter(lambda x: abs(x) > 90))
def test_latitudes_out_of_range_are_refused(latitude: float) -> None:
    bad = request()
    bad.place.latitude, bad.place.longitude = latitude, 120.0
    assert violated_fields(bad) == {"place.latitude"}


@given(st.text(alphabet="abcxyz!#@", min_size=1, max_size=20))
def test_non_numbers_are_not_phone_numbers(phone: str) -> None:
    bad = request()
    bad.caller.phone = phone
    assert violated_fields(bad) == {"caller.phone"}


@given(
    ring=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    wait=st.floats(min_value=0, max_value=3600, allow_nan=False),
    limit=st.integers(min_value=1, max_value=120),
)
def test_answer_delay_is_late_exactly_past_the_limit(ring: datetime, wait: float, limit: int) -> None:
    delay, late = answer_delay(ring, ring + timedelta(seconds=wait), limit)
    assert delay == pytest.approx(wait, abs=1e-5)
    assert late == (delay > limit)


# --- a notice from a superior ----------------------------------------------------------------------------


def test_a_complete_notice_misses_nothing() -> None:
    notice = {name: "x" for name in rules.NOTICE_ELEMENTS}
    assert rules.missing_notice_elements(notice) == []


def test_absent_and_blank_elements_are_listed_in_order() -> None:
    notice: dict[str, str | None] = {
        "issuing_person": "张三",
        "content": "  ",
        "meeting_time": None,
        "place": "市应急局三楼会议室",
        "extra": "ignored",
    }
    assert rules.missing_notice_elements(notice) == ["meeting_time", "content", "participants", "issuing_unit"]
    assert rules.missing_notice_elements({}) == list(rules.NOTICE_ELEMENTS)
