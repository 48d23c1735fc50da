"""Pure rules of call registration: validation and answer timing. No I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dutyline.envelope import SITE_ID_PATTERN
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import Violations
from dutyline.intake.v1 import intake_pb2

MAX_TEXT = 4000
MAX_SHORT = 200
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 -]{2,24}$")
# Clocks of phones and consoles drift; a ring "from the future" beyond this is a mistake.
CLOCK_SKEW = timedelta(minutes=5)

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


def _text(violations: Violations, field: str, value: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        violations.add(field, "required")
    if len(value) > limit:
        violations.add(field, f"at most {limit} characters (got {len(value)})")
    return value


def validate_register_call(
    request: intake_pb2.RegisterCallRequest, *, default_officer: str, now: datetime
) -> CallDraft:
    """Check a RegisterCall request; raise InvalidArgument listing every problem."""
    v = Violations()
    if not SITE_ID_PATTERN.match(request.site_id):
        v.add("site_id", "required: lower-case letters, digits and '-'")
    v.require(request.channel in CHANNELS, "channel", "required: one of " + ", ".join(CHANNELS.values()))
    v.require(request.category in CATEGORIES, "category", "required: one of " + ", ".join(CATEGORIES.values()))
    ring = from_ts(request.ring_started_at) if request.HasField("ring_started_at") else None
    answered = from_ts(request.answered_at) if request.HasField("answered_at") else None
    ended = from_ts(request.ended_at) if request.HasField("ended_at") else None
    v.require(ring is not None, "ring_started_at", "required")
    v.require(answered is not None, "answered_at", "required")
    if ring and answered and answered < ring:
        v.add("answered_at", "must not be before ring_started_at")
    if ring and ring > now + CLOCK_SKEW:
        v.add("ring_started_at", "is in the future")
    if answered and ended and ended < answered:
        v.add("ended_at", "must not be before answered_at")

    caller = request.caller
    phone = _text(v, "caller.phone", caller.phone, MAX_SHORT)
    if phone and not PHONE_PATTERN.match(phone):
        v.add("caller.phone", "not a phone number: digits, optional leading '+', spaces or '-'")
    place = request.place
    latitude = place.latitude if place.HasField("latitude") else None
    longitude = place.longitude if place.HasField("longitude") else None
    if (latitude is None) != (longitude is None):
        v.add("place", "latitude and longitude go together")
    if latitude is not None and not -90.0 <= latitude <= 90.0:
        v.add("place.latitude", "must be between -90 and 90")
    if longitude is not None and not -180.0 <= longitude <= 180.0:
        v.add("place.longitude", "must be between -180 and 180")

    draft = CallDraft(
        site_id=request.site_id,
        channel=CHANNELS.get(request.channel, ""),
        category=CATEGORIES.get(request.category, ""),
        ring_started_at=ring or now,
        answered_at=answered or now,
        ended_at=ended,
        caller_name=_text(v, "caller.name", caller.name, MAX_SHORT),
        caller_unit=_text(v, "caller.unit", caller.unit, MAX_SHORT),
        caller_phone=phone,
        caller_address=_text(v, "caller.address", caller.address, MAX_SHORT),
        place_text=_text(v, "place.text", place.text, MAX_SHORT),
        latitude=latitude,
        longitude=longitude,
        summary=_text(v, "summary", request.summary, MAX_TEXT, required=True),
        request=_text(v, "request", request.request, MAX_TEXT),
        actions_taken=_text(v, "actions_taken", request.actions_taken, MAX_TEXT),
        officer_id=_text(v, "officer_id", request.officer_id or default_officer, MAX_SHORT, required=True),
        drill=request.drill,
    )
    v.raise_if_any()
    return draft


def answer_delay(ring_started_at: datetime, answered_at: datetime, limit_seconds: int) -> tuple[float, bool]:
    """Seconds from first ring to answer, and whether that exceeds the site's limit (三声响铃)."""
    delay = (answered_at - ring_started_at).total_seconds()
    return delay, delay > limit_seconds


def missing_notice_elements(notice: Mapping[str, str | None]) -> list[str]:
    """The six elements of a notice from a superior (上级通知六要素) that are absent or blank, in the order
    of `NOTICE_ELEMENTS`; each is flagged for follow-up with the issuer."""
    return [name for name in NOTICE_ELEMENTS if not (notice.get(name) or "").strip()]
