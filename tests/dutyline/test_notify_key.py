"""The idempotency keys the workflows' activities send notify with are always valid keys: a key that
is not (a detail in words) made NotifyService refuse the notice for good, so the duty leader was
never told of an overdue callback or a missed check-in."""

from __future__ import annotations

from dutyline.grpckit.validation import violations
from dutyline.notifier import notify_key
from dutyline.notify.v1 import notify_pb2


def refused(key: str) -> bool:
    request = notify_pb2.EscalateRequest(idempotency_key=key, site_id="hz-01", template="callback_overdue")
    return any(v.field == "idempotency_key" for v in violations(request))


def test_a_detail_in_words_gives_a_valid_key_of_its_own() -> None:
    first = notify_key("cb-1", "overdue", "not called back by 2026-12-05T06:00Z; escalation 1 of 3")
    second = notify_key("cb-1", "overdue", "not called back by 2026-12-05T06:00Z; escalation 2 of 3")
    assert not refused(first) and not refused(second)
    assert first != second
    assert first == notify_key("cb-1", "overdue", "not called back by 2026-12-05T06:00Z; escalation 1 of 3")


def test_a_valid_key_is_kept_as_it_is_and_a_long_one_is_shortened() -> None:
    assert notify_key("inc-1", "leader_notice") == "inc-1:leader_notice"
    long = notify_key("x" * 300)
    assert len(long) <= 200 and not refused(long)
    assert not refused(notify_key("办公室", "值班 提醒"))
