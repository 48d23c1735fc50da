"""Notification templates: every template in zh-CN, English and both; missing data; drills; SMS limits."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notify.people.templates import (
    DRILL_PREFIX,
    MISSING,
    TEMPLATES,
    AckInfo,
    ack_line,
    render,
    ucs2_units,
)

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

DATA = {
    "incident_id": "inc-01JD3X0000000000000000000",
    "title": "Gas leak on Wensan Road",
    "site_name": "Hangzhou 1",
    "place": "Wensan Road 100",
    "category": "accident",
    "severity": "II",
    "registered_at": "2026-11-27 03:00",
    "step": "leader",
    "detail": "no answer",
    "report_kind": "phone report",
    "due_at": "03:30",
    "late_minutes": "12",
    "person_name": "Zhang San",
    "shift_name": "night",
    "local_date": "2026-11-27",
    "callback_id": "cb-1",
    "kind": "callback",
    "content": "call back about the leak",
    "recipient": "Li Si",
    "acknowledged_by_name": "Wang Wu",
    "subject": "Test subject",
    "body": "Test body",
}
KEYS = sorted(DATA)
ACK = AckInfo("ntf-01JD3X0000000000000000000", "abcdefghijklmnop")
ALL_TEMPLATES = sorted(TEMPLATES)


def test_the_templates_the_platform_sends() -> None:
    assert {
        "incident_registered",
        "incident_escalated",
        "deadline_missed",
        "shift_reminder",
        "not_checked_in",
        "late_check_in",
        "absent",
        "handover_overdue",
        "callback_reminder",
        "callback_overdue",
        "escalation_acknowledged",
        "generic",
    } <= TEMPLATES


def test_an_unknown_template_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown template"):
        render("no_such_template", {}, locale="zh-CN", drill=False, ack=None)


@pytest.mark.parametrize("template", ALL_TEMPLATES)
def test_chinese(template: str) -> None:
    r = render(template, DATA, locale="zh-CN", drill=False, ack=None)
    assert r.subject and r.body and r.sms_text
    if template != "generic":  # free text stays as written
        assert CJK.search(r.subject) and CJK.search(r.body)


@pytest.mark.parametrize("template", ALL_TEMPLATES)
def test_english(template: str) -> None:
    r = render(template, DATA, locale="en", drill=False, ack=None)
    assert r.subject and r.body and r.sms_text
    # ASCII data, no drill, no acknowledgement: nothing Chinese is left.
    assert not CJK.search(r.subject + r.body + r.sms_text), r


@pytest.mark.parametrize("template", ALL_TEMPLATES)
def test_bilingual_puts_chinese_first(template: str) -> None:
    zh = render(template, DATA, locale="zh-CN", drill=False, ack=None)
    en = render(template, DATA, locale="en", drill=False, ack=None)
    both = render(template, DATA, locale="", drill=False, ack=None)
    if template == "generic":
        assert both.subject == zh.subject == en.subject == "Test subject"
        assert both.body == "Test body"
        return
    # The lead sentence of each language is in the bilingual body, Chinese first; so is the subject.
    zh_lead, en_lead = zh.body.splitlines()[0], en.body.splitlines()[0]
    assert both.body.index(zh_lead) < both.body.index(en_lead)
    first_chinese = CJK.search(both.subject)
    assert first_chinese is not None
    assert first_chinese.start() < both.subject.index(en.subject.split(":")[0])


@pytest.mark.parametrize(
    ("template", "data", "subject", "in_body"),
    [
        (
            "shift_reminder",
            {},
            "值班提醒 Duty reminder",
            "您即将值班，请提前到岗签到。Your duty starts soon; check in early.",
        ),
        ("not_checked_in", {}, "未签到 Not checked in", "值班员尚未签到。The officer on duty has not checked in."),
        ("late_check_in", {}, "迟到 Late check-in", "值班员迟到签到。The officer on duty checked in late."),
        ("absent", {}, "缺岗 Absent", "值班员缺岗，请立即安排替班。The officer is absent; arrange a substitute now."),
        ("handover_overdue", {}, "交接超时 Handover overdue", "交接班未按时确认。A handover was not accepted in time."),
        (
            "incident_registered",
            {"incident_id": "inc-1", "title": "燃气泄漏"},
            "新突发事件 New incident: 燃气泄漏",
            "事件 inc-1，请立即处置。Incident inc-1; act now.",
        ),
        ("callback_overdue", {}, "回电/留言超时 Callback overdue", ""),
        ("callback_reminder", {"kind": "message"}, "留言待阅 A message waits for you", ""),
        ("callback_reminder", {"kind": "callback"}, "请回电 Call the caller back", ""),
    ],
)
def test_the_wording_of_the_workflows_is_kept(template: str, data: dict[str, str], subject: str, in_body: str) -> None:
    r = render(template, data, locale="", drill=False, ack=None)
    assert r.subject.startswith(subject)
    assert in_body in r.body


@pytest.mark.parametrize("template", ALL_TEMPLATES)
@pytest.mark.parametrize("locale", ["zh-CN", "en", ""])
def test_missing_data_renders_as_a_dash(template: str, locale: str) -> None:
    r = render(template, {}, locale=locale, drill=False, ack=None)
    assert MISSING in r.subject + r.body
    assert "{" not in r.body and "None" not in r.body


def test_blank_values_count_as_missing_and_braces_in_data_are_text() -> None:
    r = render("incident_registered", {"title": "  ", "place": "{severity}"}, locale="en", drill=False, ack=None)
    assert r.subject == f"New incident: {MISSING}"
    assert "Place: {severity}" in r.body


def test_a_multi_line_title_stays_on_the_subject_line() -> None:
    r = render("incident_registered", {"title": "a\r\nb"}, locale="en", drill=False, ack=None)
    assert r.subject == "New incident: a b"
    assert "\n" not in r.sms_text


@pytest.mark.parametrize("template", ALL_TEMPLATES)
@pytest.mark.parametrize("locale", ["zh-CN", "en", ""])
def test_drills_are_marked_everywhere(template: str, locale: str) -> None:
    r = render(template, DATA, locale=locale, drill=True, ack=ACK)
    assert r.subject.startswith(DRILL_PREFIX)
    assert r.body.startswith(DRILL_PREFIX)
    assert r.sms_text.startswith(DRILL_PREFIX)
    plain = render(template, DATA, locale=locale, drill=False, ack=ACK)
    assert "演练" not in plain.subject + plain.body + plain.sms_text


@pytest.mark.parametrize("locale", ["zh-CN", "en", ""])
def test_the_body_ends_with_how_to_acknowledge(locale: str) -> None:
    r = render("incident_registered", DATA, locale=locale, drill=False, ack=ACK)
    assert r.body.endswith(f"确认 Ack: dutyline notify ack {ACK.notification_id} --token {ACK.token}")
    assert r.body.endswith(ack_line(ACK))
    assert ACK.token in r.sms_text and ACK.notification_id in r.sms_text
    assert ACK.token not in render("incident_registered", DATA, locale=locale, drill=False, ack=None).body


def test_ucs2_units_count_astral_characters_twice() -> None:
    assert ucs2_units("abc") == 3
    assert ucs2_units("燃气") == 2
    assert ucs2_units("🔥") == 2


def test_a_long_sms_is_shortened_but_keeps_the_drill_marker_and_the_token() -> None:
    data = {**DATA, "title": "化工厂爆炸" * 100, "place": "🔥" * 200}
    r = render("incident_registered", data, locale="", drill=True, ack=ACK)
    assert ucs2_units(r.sms_text) <= 134
    assert r.sms_text.startswith(DRILL_PREFIX)
    assert r.sms_text.endswith(f"--token {ACK.token}")
    assert "…" in r.sms_text
    # The e-mail body is not shortened.
    assert data["title"] in r.body


def test_a_short_message_is_whole_in_the_sms() -> None:
    r = render("not_checked_in", {"person_name": "张三"}, locale="zh-CN", drill=False, ack=ACK)
    assert "…" not in r.sms_text
    assert r.sms_text.startswith("未签到：张三") and "值班员尚未签到。" in r.sms_text
    assert r.sms_text.endswith(ack_line(ACK))


def test_bilingual_sms_falls_back_to_chinese_when_both_do_not_fit() -> None:
    r = render("absent", {"person_name": "张三", "shift_name": "夜班"}, locale="", drill=False, ack=ACK)
    assert ucs2_units(r.sms_text) <= 134
    assert r.sms_text.startswith("缺岗：张三") and "…" not in r.sms_text
    roomy = render("absent", {"person_name": "张三"}, locale="", drill=False, ack=ACK, sms_max_chars=400)
    assert roomy.sms_text.startswith("缺岗 Absent: 张三")


def test_no_room_for_the_token_is_an_error_not_a_dropped_token() -> None:
    with pytest.raises(ValueError, match="no room"):
        render("generic", {"subject": "s"}, locale="en", drill=True, ack=ACK, sms_max_chars=20)


# --- properties ----------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8"), max_size=300)
_data = st.dictionaries(st.sampled_from(KEYS), _text, max_size=len(KEYS))
_ids = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=1, max_size=40)


def _minimum(ack: AckInfo, drill: bool) -> int:
    """The shortest SMS that carries the drill marker and the acknowledgement."""
    return ucs2_units(DRILL_PREFIX if drill else "") + len(f" ack {ack.notification_id} --token {ack.token}")


@settings(max_examples=300, deadline=None)
@given(
    template=st.sampled_from(ALL_TEMPLATES),
    data=_data,
    locale=st.sampled_from(["zh-CN", "en", "", "en-GB", "fr"]),
    drill=st.booleans(),
    notification_id=_ids,
    token=_ids,
    extra=st.integers(min_value=0, max_value=300),
)
def test_sms_fits_and_keeps_the_token(
    template: str, data: dict[str, str], locale: str, drill: bool, notification_id: str, token: str, extra: int
) -> None:
    ack = AckInfo(notification_id, token)
    max_chars = _minimum(ack, drill) + extra
    r = render(template, data, locale=locale, drill=drill, ack=ack, sms_max_chars=max_chars)
    assert ucs2_units(r.sms_text) <= max_chars
    assert f"{notification_id} --token {token}" in r.sms_text
    assert r.sms_text.startswith(DRILL_PREFIX) == drill
    assert r.body.endswith(ack_line(ack))


@settings(max_examples=200, deadline=None)
@given(
    template=st.sampled_from(ALL_TEMPLATES),
    data=_data,
    locale=st.sampled_from(["zh-CN", "en", ""]),
    max_chars=st.integers(min_value=len(DRILL_PREFIX), max_value=400),
)
def test_sms_without_acknowledgement_fits(template: str, data: dict[str, str], locale: str, max_chars: int) -> None:
    r = render(template, data, locale=locale, drill=True, ack=None, sms_max_chars=max_chars)
    assert ucs2_units(r.sms_text) <= max_chars
    assert r.sms_text.startswith(DRILL_PREFIX)


def test_the_daily_report_carries_its_headline_figures_and_how_to_read_it() -> None:
    data = {"site_id": "hz-01", "site_name": "杭州 Hangzhou", "local_date": "2026-12-04", "calls": "41", "missed": "2"}
    data |= {"incidents": "3", "reports_late": "1", "violations": "4", "sites": "1"}
    command = "dutyline report daily --site hz-01 --day 2026-12-04"
    zh = render("daily_report", data, locale="zh-CN", drill=False, ack=None)
    assert zh.subject == "值班日报：杭州 Hangzhou 2026-12-04"
    assert zh.body.splitlines()[1:6] == ["来电：41", "未接：2", "突发事件：3", "迟报：1", "违规：4"]
    assert command in zh.body
    en = render("daily_report", data, locale="en", drill=False, ack=None)
    assert en.body.splitlines()[1:6] == ["Calls: 41", "Missed: 2", "Incidents: 3", "Late reports: 1", "Violations: 4"]
    assert command in en.body
    # The SMS keeps the figures (the command is in the body).
    assert (
        "来电 Calls: 41" in render("daily_report", data, locale="", drill=False, ack=None, sms_max_chars=400).sms_text
    )
