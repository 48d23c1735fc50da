"""Pure rules of call registration: the request as plain data, answer timing, notices. No I/O. (The
request's limits are declared in protos/dutyline/intake/v1/intake.proto and checked at the boundary.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from dutyline.grpckit.convert import from_ts
from dutyline.intake.v1 import intake_pb2

# The six elements of a notice from a superior (上级通知六要素): time, place, content, participants,
# issuing unit, issuing person.
NOTICE_ELEMENTS = ("meeting_time", "place", "content", "participants", "issuing_unit", "issuing_person")

CHANNELS = {
    intake_pb2.CHANNEL_PHONE: "phone",
    intake_pb2.CHANNEL_SMS: "sms",
    intake_pb2.CHANNEL_FAX: "fax",
    intake_pb2.CHANNEL_WEB: "web",
    intake_pb2.CHANNEL_RADIO: "radio",
    intake_pb2.CHANNEL_WALK_IN: "walk_in",
    intake_pb2.CHANNEL_SUPERIOR_NOTICE: "superior_notice",
}
CATEGORIES = {
    intake_pb2.CALL_CATEGORY_CONSULTATION: "consultation",
    intake_pb2.CALL_CATEGORY_COMPLAINT: "complaint",
    intake_pb2.CALL_CATEGORY_EMERGENCY: "emergency",
    intake_pb2.CALL_CATEGORY_NOTICE: "notice",
    intake_pb2.CALL_CATEGORY_MESSAGE: "message",
    intake_pb2.CALL_CATEGORY_OTHER: "other",
}


@dataclass(frozen=True)
class CallDraft:
    """A validated RegisterCall request, as plain data."""

    site_id: str
    channel: str
    category: str
    ring_started_at: datetime
    answered_at: datetime
    ended_at: datetime | None
    caller_name: str
    caller_unit: str
    caller_phone: str
    caller_address: str
    place_text: str
    latitude: float | None
    longitude: float | None
    summary: str
    request: str
    actions_taken: str
    officer_id: str
    drill: bool


def draft_of(request: intake_pb2.RegisterCallRequest, *, default_officer: str) -> CallDraft:
    """A RegisterCall request as plain data (its limits were checked at the boundary: see the proto)."""
    caller, place = request.caller, request.place
    return CallDraft(
        site_id=request.site_id,
        channel=CHANNELS[request.channel],
        category=CATEGORIES[request.category],
        ring_started_at=from_ts(request.ring_started_at),
        answered_at=from_ts(request.answered_at),
        ended_at=from_ts(request.ended_at) if request.HasField("ended_at") else None,
        caller_name=caller.name.strip(),
        caller_unit=caller.unit.strip(),
        caller_phone=caller.phone.strip(),
        caller_address=caller.address.strip(),
        place_text=place.text.strip(),
        latitude=place.latitude if place.HasField("latitude") else None,
        longitude=place.longitude if place.HasField("longitude") else None,
        summary=request.summary.strip(),
        request=request.request.strip(),
        actions_taken=request.actions_taken.strip(),
        officer_id=request.officer_id or default_officer,
        drill=request.drill,
    )


def answer_delay(ring_started_at: datetime, answered_at: datetime, limit_seconds: int) -> tuple[float, bool]:
    """Seconds from first ring to answer, and whether that exceeds the site's limit (三声响铃)."""
    delay = (answered_at - ring_started_at).total_seconds()
    return delay, delay > limit_seconds


def missing_notice_elements(notice: Mapping[str, str | None]) -> list[str]:
    """The six elements of a notice from a superior (上级通知六要素) that are absent or blank, in the order
    of `NOTICE_ELEMENTS`; each is flagged for follow-up with the issuer."""
    return [name for name in NOTICE_ELEMENTS if not (notice.get(name) or "").strip()]


# What a call's record must hold by category (来电记录必备要素), beyond what registration always
# takes (the times, channel, category and what happened). "caller.phone" is met by a number or by
# the caller's explicit refusal to give one; "handling" by actions_taken or CompleteCall's handling;
# a notice's six elements are its issuer's. An emergency is registered at once and completed after:
# its caller's name, gender and age are optional.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "emergency": ("caller.phone", "place", "handling"),
    "consultation": ("caller.name", "caller.phone", "request", "handling"),
    "complaint": ("caller.name", "caller.phone", "request", "handling"),
    "message": ("caller.name", "caller.phone"),
    "notice": ("handling",),
    "other": ("handling",),
}


@dataclass(frozen=True)
class RecordFacts:
    """Which of a call's required fields are there (the caller's values are sealed: presence only)."""

    category: str
    caller_name: bool
    caller_phone: bool
    caller_declined_number: bool
    place: bool
    request: bool
    handling: bool
    notice_missing: tuple[str, ...] = ()


def missing_record_fields(facts: RecordFacts) -> list[str]:
    """The required fields still missing, by their request field names (notice elements as notice.<name>)."""
    present = {
        "caller.name": facts.caller_name,
        "caller.phone": facts.caller_phone or facts.caller_declined_number,
        "place": facts.place,
        "request": facts.request,
        "handling": facts.handling,
    }
    missing = [name for name in REQUIRED_FIELDS.get(facts.category, ()) if not present[name]]
    return missing + [f"notice.{element}" for element in facts.notice_missing]


def missing_reason(field: str, category: str) -> str:
    """Why a required field is asked for, for its field violation (zh-CN and English)."""
    if field == "caller.phone":
        return "须留回拨号码，或注明来电人拒绝提供 a call-back number, or caller_declined_number"
    if field.startswith("notice."):
        return "上级通知六要素不全 an element of the notice is missing"
    return f"{category} 类来电必填 required for a {category} call"
