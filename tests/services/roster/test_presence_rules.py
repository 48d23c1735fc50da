"""The pure rules of presence on duty: what a check-out is, and when a presence check is answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.roster.presence_rules import acknowledged_in_time, answer_due, check_out

END = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)


def test_a_check_out_at_or_after_the_end_is_on_time() -> None:
    for at in (END, END + timedelta(minutes=20)):
        verdict = check_out(at=at, ends_at=END, accepted_handover=None, released_by=None, reason="")
        assert (verdict.status, verdict.early_seconds) == ("on_time", 0.0)


def test_leaving_before_the_end_without_handover_or_release_is_early_leave() -> None:
    verdict = check_out(
        at=END - timedelta(hours=2), ends_at=END, accepted_handover=None, released_by=None, reason="家里有事"
    )
    assert (verdict.status, verdict.early_seconds, verdict.note) == ("early_leave", 7200.0, "家里有事")


def test_an_accepted_handover_or_the_leaders_release_excuses_leaving_early() -> None:
    at = END - timedelta(minutes=30)
    handed_over = check_out(at=at, ends_at=END, accepted_handover="ho-1", released_by=None, reason="")
    assert (handed_over.status, handed_over.note) == ("excused", "handover ho-1 accepted")
    released = check_out(at=at, ends_at=END, accepted_handover=None, released_by="leader-1", reason="sick")
    assert (released.status, released.early_seconds, released.note) == (
        "excused",
        1800.0,
        "released by leader-1: sick",
    )


def test_a_presence_check_is_due_in_ten_minutes_by_default() -> None:
    assert answer_due(END, 0) == END + timedelta(minutes=10)
    assert answer_due(END, 3) == END + timedelta(minutes=3)


def test_only_an_acknowledgement_by_the_deadline_confirms() -> None:
    due = END
    assert acknowledged_in_time([None, due + timedelta(seconds=1)], due) is None
    early, earlier = due - timedelta(minutes=2), due - timedelta(minutes=5)
    assert acknowledged_in_time([early, None, earlier, due + timedelta(minutes=1)], due) == earlier
    assert acknowledged_in_time([due], due) == due
