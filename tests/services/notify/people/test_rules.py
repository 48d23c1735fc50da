"""Notify's pure rules: routes, retries and fallback, acknowledgement tokens, chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.notify.people.rules import (
    Route,
    ack_token,
    after_attempt,
    default_chain,
    first_step_for,
    routes_for,
    verify_ack_token,
)

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
CONTACTS = (("phone", "+86-571-1"), ("sms", "+86-138-1"), ("email", "leader@example.org"))
ALL = ("sms", "voice", "email", "im", "webhook", "console")


def test_routes_follow_the_persons_preferences_and_end_on_the_console() -> None:
    assert routes_for(CONTACTS, preferred="", available=ALL) == [
        Route("voice", "+86-571-1"),
        Route("sms", "+86-138-1"),
        Route("email", "leader@example.org"),
        Route("console", ""),
    ]


def test_the_preferred_channel_comes_first_and_unconfigured_channels_are_left_out() -> None:
    assert routes_for(CONTACTS, preferred="email", available=("email", "sms", "console")) == [
        Route("email", "leader@example.org"),
        Route("sms", "+86-138-1"),
        Route("console", ""),
    ]
    # Nobody can be reached on a channel they have no contact for: the preference is ignored.
    assert routes_for(CONTACTS, preferred="im", available=ALL)[0] == Route("voice", "+86-571-1")
    assert routes_for(CONTACTS, preferred="console", available=ALL) == [Route("console", "")]
    assert routes_for((), preferred="", available=ALL) == [Route("console", "")]


def test_a_retryable_failure_retries_the_channel_with_doubling_delays() -> None:
    common = {"routes": 3, "attempts_per_channel": 3, "retry_seconds": 2.0, "now": NOW}
    first = after_attempt(outcome="failed", retryable=True, route_index=0, route_attempts=0, **common)
    assert (first.status, first.route_index, first.route_attempts) == ("pending", 0, 1)
    assert first.next_attempt_at == NOW + timedelta(seconds=2)
    second = after_attempt(outcome="failed", retryable=True, route_index=0, route_attempts=1, **common)
    assert second.next_attempt_at == NOW + timedelta(seconds=4)
    # The third failure falls back to the next channel at once.
    third = after_attempt(outcome="failed", retryable=True, route_index=0, route_attempts=2, **common)
    assert (third.status, third.route_index, third.route_attempts, third.next_attempt_at) == ("pending", 1, 0, NOW)


def test_a_permanent_failure_falls_back_at_once_and_the_last_channel_fails_the_notification() -> None:
    common = {"routes": 2, "attempts_per_channel": 3, "retry_seconds": 2.0, "now": NOW}
    bad_address = after_attempt(outcome="failed", retryable=False, route_index=0, route_attempts=0, **common)
    assert (bad_address.route_index, bad_address.next_attempt_at) == (1, NOW)
    last = after_attempt(outcome="failed", retryable=False, route_index=1, route_attempts=0, **common)
    assert (last.status, last.next_attempt_at) == ("failed", None)


def test_success_ends_the_delivery() -> None:
    done = after_attempt(
        outcome="delivered",
        retryable=True,
        route_index=1,
        route_attempts=2,
        routes=3,
        attempts_per_channel=3,
        retry_seconds=2.0,
        now=NOW,
    )
    assert (done.status, done.next_attempt_at) == ("delivered", None)


@given(
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=5),
    st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60),
)
def test_every_delivery_ends_after_at_most_routes_times_attempts(
    start: int, routes: int, per_channel: int, outcomes: list[tuple[bool, bool]]
) -> None:
    """Whatever the providers answer, a notification either succeeds or runs out of channels, and
    never tries more than routes × attempts per channel."""
    index, attempts = min(start, routes - 1), 0
    for tries, (succeeded, retryable) in enumerate(outcomes, start=1):
        step = after_attempt(
            outcome="delivered" if succeeded else "failed",
            retryable=retryable,
            route_index=index,
            route_attempts=attempts,
            routes=routes,
            attempts_per_channel=per_channel,
            retry_seconds=1.0,
            now=NOW,
        )
        assert tries <= routes * per_channel
        if step.next_attempt_at is None:
            assert step.status in ("delivered", "failed")
            break
        assert step.route_index >= index
        index, attempts = step.route_index, step.route_attempts


def test_acknowledgement_tokens_belong_to_one_notification() -> None:
    token = ack_token("secret", "ntf-1")
    assert verify_ack_token("secret", "ntf-1", token)
    assert verify_ack_token("secret", "ntf-1", f" {token.upper()} ")
    assert not verify_ack_token("secret", "ntf-2", token)
    assert not verify_ack_token("other", "ntf-1", token)
    # Whatever is typed in does not match, and is no error (compare_digest refuses non-ASCII str).
    for typed in ("ć", "😀" * 16, token[:-1] + "é", "\x00", ""):
        assert not verify_ack_token("secret", "ntf-1", typed)


def test_the_default_chain_climbs_from_the_officer_to_the_superior_duty_office() -> None:
    steps, repeat = default_chain("hz-01")
    assert [s.recipient for s in steps] == ["hz-01:officer", "hz-01:leader", "hz-01:unit_head", "hz-01"]
    assert steps[-1].recipient_kind == "superior" and repeat == 2
    assert first_step_for(steps, "leader") == 1
    assert first_step_for(steps, "admin") == 0
