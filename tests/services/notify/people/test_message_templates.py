"""The wording of messages (留言) delivered when taken, of a message that cannot be delivered and of a
notice from a superior with missing elements, in zh-CN and English."""

from __future__ import annotations

import pytest

from services.notify.people.templates import render

DATA = {
    "callback_id": "cb-1",
    "kind": "message",
    "content": "请回电 call back",
    "due_at": "2026-12-05T09:00Z",
    "recipient": "dir-water",
    "detail": "every channel to dir-water failed",
}


@pytest.mark.parametrize(
    ("template", "data", "zh", "en"),
    [
        ("message_taken", DATA, "新留言", "New message"),
        ("message_taken", {**DATA, "urgent": "yes"}, "新留言（紧急）", "New message (urgent)"),
        ("message_undeliverable", DATA, "留言无法送达", "Message undeliverable"),
        ("notice_incomplete", {**DATA, "kind": "notice", "detail": "place"}, "上级通知要素不全", "Notice incomplete"),
        ("callback_reminder", {**DATA, "kind": "notice"}, "上级通知待补全", "Complete the notice"),
    ],
)
def test_each_reads_in_both_languages(template: str, data: dict[str, str], zh: str, en: str) -> None:
    assert render(template, data, locale="zh-CN", drill=False, ack=None).subject.startswith(zh)
    assert render(template, data, locale="en", drill=False, ack=None).subject.startswith(en)


def test_the_leader_learns_who_could_not_be_reached_and_why() -> None:
    body = render("message_undeliverable", DATA, locale="en", drill=False, ack=None).body
    assert "dir-water" in body and "every channel to dir-water failed" in body
