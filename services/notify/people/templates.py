"""Notification templates (通知模板): subject, body and SMS text in zh-CN, English or both.

``render`` is pure. A locale of "zh-CN" or "en" gives that language; an empty (or unknown) locale
gives both, Chinese first. Drill messages (演练) carry the 【演练 DRILL】 prefix everywhere, and a
message that asks for an acknowledgement ends with the command that acknowledges it. The SMS text is
shortened to ``sms_max_chars`` UCS-2 code units; the drill prefix and the acknowledgement token are
never cut.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

MISSING = "—"
DRILL_PREFIX = "【演练 DRILL】"
ELLIPSIS = "…"
# Two concatenated UCS-2 SMS segments (2 x 67 characters).
DEFAULT_SMS_MAX_CHARS = 134

Language = Literal["zh", "en", "both"]


@dataclass(frozen=True)
class AckInfo:
    """How the recipient acknowledges: the notification id and its one-time token."""

    notification_id: str
    token: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms_text: str


@dataclass(frozen=True)
class _Field:
    label_zh: str
    label_en: str
    value: str
    # Whether the SMS text carries it (the SMS is short: only what the reader acts on).
    sms: bool = True


@dataclass(frozen=True)
class _Parts:
    """A message in both languages: subject label, a common subject tail, a lead sentence, fields."""

    label_zh: str
    label_en: str
    tail: str
    lead_zh: str
    lead_en: str
    fields: tuple[_Field, ...] = field(default_factory=tuple)
    # Whether the SMS text carries the lead sentence.
    sms_lead: bool = True


class _Data:
    """Template data: a missing or blank key reads as "—", never a KeyError."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> str:
        value = self._data.get(key)
        text = "" if value is None else str(value).strip()
        return text or MISSING


# --- the templates -------------------------------------------------------------------------------


def _incident_fields(d: _Data) -> tuple[_Field, ...]:
    return (
        _Field("标题", "Title", d["title"], sms=False),
        _Field("站点", "Site", d["site_name"]),
        _Field("地点", "Place", d["place"]),
        _Field("类别", "Category", d["category"], sms=False),
        _Field("等级", "Severity", d["severity"]),
        _Field("登记时间", "Registered at", d["registered_at"], sms=False),
    )


def _incident_registered(d: _Data) -> _Parts:
    return _Parts(
        "新突发事件",
        "New incident",
        d["title"],
        f"事件 {d['incident_id']}，请立即处置。",
        f"Incident {d['incident_id']}; act now.",
        _incident_fields(d),
        sms_lead=False,
    )


def _incident_escalated(d: _Data) -> _Parts:
    return _Parts(
        "事件升级",
        "Incident escalated",
        d["title"],
        f"事件 {d['incident_id']}，请立即处置。",
        f"Incident {d['incident_id']}; act now.",
        (_Field("步骤", "Step", d["step"], sms=False), _Field("说明", "Detail", d["detail"]), *_incident_fields(d)),
        sms_lead=False,
    )


def _deadline_missed(d: _Data) -> _Parts:
    return _Parts(
        "迟报",
        "Report overdue",
        d["title"],
        f"事件 {d['incident_id']} 的{d['report_kind']}已超过时限，请立即报送。",
        f"The {d['report_kind']} of incident {d['incident_id']} is overdue; report now.",
        (
            _Field("报告", "Report", d["report_kind"]),
            _Field("时限", "Due at", d["due_at"]),
            _Field("已超时（分钟）", "Minutes late", d["late_minutes"]),
        ),
        sms_lead=False,
    )


def _shift(label_zh: str, label_en: str, lead_zh: str, lead_en: str, *, self_addressed: bool = False) -> _Template:
    """The shift notices of workflows/shift (值班提醒, 未签到, 迟到, 缺岗, 交接超时)."""

    def template(d: _Data) -> _Parts:
        tail = (
            f"{d['shift_name']} {d['local_date']}"
            if self_addressed
            else f"{d['person_name']} ({d['shift_name']} {d['local_date']})"
        )
        return _Parts(
            label_zh,
            label_en,
            tail,
            lead_zh,
            lead_en,
            (
                _Field("值班员", "Officer", d["person_name"], sms=False),
                _Field("班次", "Shift", d["shift_name"], sms=False),
                _Field("日期", "Date", d["local_date"], sms=False),
                _Field("说明", "Detail", d["detail"]),
            ),
        )

    return template


def _callback_fields(d: _Data) -> tuple[_Field, ...]:
    return (
        _Field("编号", "Id", d["callback_id"], sms=False),
        _Field("内容", "Content", d["content"]),
        _Field("时限", "Due at", d["due_at"], sms=False),
        _Field("负责人", "Recipient", d["recipient"], sms=False),
    )


_CALLBACK_KINDS = {"message": ("留言", "message"), "callback": ("回电", "callback"), "notice": ("上级通知", "notice")}


def _kind(d: _Data) -> tuple[str, str]:
    return _CALLBACK_KINDS.get(d["kind"], (d["kind"], d["kind"]))


def _urgent(d: _Data) -> tuple[str, str]:
    urgent = d["urgent"].lower() in ("1", "true", "yes")
    return ("（紧急）", " (urgent)") if urgent else ("", "")


def _callback_reminder(d: _Data) -> _Parts:
    """The wording of workflows/callback: 留言待阅 / 请回电."""
    urgent_zh, urgent_en = _urgent(d)
    if d["kind"] == "message":
        label_zh, label_en = f"留言待阅{urgent_zh}", f"A message waits for you{urgent_en}"
        lead_zh, lead_en = f"请于 {d['due_at']} 前处理留言。", f"Handle the message by {d['due_at']}."
    elif d["kind"] == "notice":
        label_zh, label_en = f"上级通知待补全{urgent_zh}", f"Complete the notice{urgent_en}"
        lead_zh = f"请于 {d['due_at']} 前向发文单位补全通知要素。"
        lead_en = f"Ask the issuer for the missing elements by {d['due_at']}."
    else:
        label_zh, label_en = f"请回电{urgent_zh}", f"Call the caller back{urgent_en}"
        lead_zh, lead_en = f"请于 {d['due_at']} 前回电。", f"Call back by {d['due_at']}."
    return _Parts(label_zh, label_en, "", lead_zh, lead_en, _callback_fields(d))


def _callback_overdue(d: _Data) -> _Parts:
    kind_zh, kind_en = _kind(d)
    return _Parts(
        "回电/留言超时",
        "Callback overdue",
        "",
        f"{kind_zh} {d['callback_id']}（{d['recipient']}）已于 {d['due_at']} 到期，尚未完成。",
        f"The {kind_en} {d['callback_id']} for {d['recipient']} was due {d['due_at']}.",
        _callback_fields(d),
    )


def _message_taken(d: _Data) -> _Parts:
    """A message left for the recipient (留言), delivered when it is taken."""
    urgent_zh, urgent_en = _urgent(d)
    return _Parts(
        f"新留言{urgent_zh}",
        f"New message{urgent_en}",
        "",
        f"值班室为您记录了一条留言，请于 {d['due_at']} 前处理。",
        f"The duty office took a message for you; handle it by {d['due_at']}.",
        _callback_fields(d),
    )


def _message_undeliverable(d: _Data) -> _Parts:
    """To the duty leader: a message that cannot reach its recipient (retrying cannot help)."""
    kind_zh, kind_en = _kind(d)
    return _Parts(
        "留言无法送达",
        "Message undeliverable",
        "",
        f"{kind_zh} {d['callback_id']} 无法送达 {d['recipient']}，请另行转达。",
        f"The {kind_en} {d['callback_id']} cannot reach {d['recipient']}; pass it on another way.",
        (*_callback_fields(d), _Field("原因", "Reason", d["detail"], sms=False)),
    )


def _notice_incomplete(d: _Data) -> _Parts:
    """To the duty leader: a notice from a superior lacks some of its six elements (上级通知六要素)."""
    return _Parts(
        "上级通知要素不全",
        "Notice incomplete",
        "",
        f"上级通知缺少要素：{d['detail']}；须于 {d['due_at']} 前补全。",
        f"A notice from a superior lacks: {d['detail']}; to be completed by {d['due_at']}.",
        _callback_fields(d),
    )


def _escalation_acknowledged(d: _Data) -> _Parts:
    return _Parts(
        "已确认",
        "Acknowledged",
        d["title"],
        f"{d['acknowledged_by_name']} 已确认并处置，您无需再确认。",
        f"{d['acknowledged_by_name']} has acknowledged; no action is needed from you.",
    )


def _daily_report(d: _Data) -> _Parts:
    """To the superior duty office (上级值班室): a site's or region's daily report (值班日报) in headline
    figures, and the command that shows the whole report."""
    command = f"dutyline report daily --site {d['site_id']} --day {d['local_date']}"
    return _Parts(
        "值班日报",
        "Daily duty report",
        f"{d['site_name']} {d['local_date']}",
        f"{d['site_name']} {d['local_date']} 值班日报，全文：{command}",
        f"The daily report of {d['site_name']} for {d['local_date']}; in full: {command}",
        (
            _Field("来电", "Calls", d["calls"]),
            _Field("未接", "Missed", d["missed"]),
            _Field("突发事件", "Incidents", d["incidents"]),
            _Field("迟报", "Late reports", d["reports_late"]),
            _Field("违规", "Violations", d["violations"]),
            _Field("站点数", "Sites", d["sites"], sms=False),
        ),
        sms_lead=False,
    )


def _plan_fields(d: _Data) -> tuple[_Field, ...]:
    return (
        _Field("预案", "Plan", d["plan_name"], sms=False),
        _Field("响应级别", "Response level", d["response_level"]),
        _Field("地点", "Place", d["place"]),
        _Field("事件", "Incident", d["incident_id"], sms=False),
    )


def _plan_activated(d: _Data) -> _Parts:
    """To a plan's contacts (应急预案启动): the plan is in force for the incident."""
    return _Parts(
        "应急预案启动",
        "Emergency plan activated",
        d["title"],
        f"{d['plan_name']}已针对事件 {d['incident_id']} 启动，请按预案职责行动。",
        f"{d['plan_name']} is activated for incident {d['incident_id']}; act on your part of it.",
        _plan_fields(d),
    )


def _plan_task(label_zh: str, label_en: str, when_zh: str, when_en: str) -> _Template:
    """A task of an activated plan: to its owner before it is due, then overdue (to the owner, then the duty leader)."""

    def template(d: _Data) -> _Parts:
        return _Parts(
            label_zh,
            label_en,
            d["task_title"],
            f"预案任务“{d['task_title']}”{when_zh} {d['due_at']}。",
            f'The plan task "{d["task_title"]}" {when_en} {d["due_at"]}.',
            (
                _Field("任务", "Task", d["task_title"], sms=False),
                _Field("时限", "Due at", d["due_at"]),
                *_plan_fields(d),
            ),
        )

    return template


def _instruction_fields(d: _Data) -> tuple[_Field, ...]:
    return (
        _Field("批示", "Instruction", d["content"]),
        _Field("批示人", "Instructed by", d["instructed_by"], sms=False),
        _Field("承办人", "Assignee", d["assignee"], sms=False),
        _Field("时限", "Due at", d["due_at"]),
        _Field("事件", "Incident", d["title"], sms=False),
        _Field("编号", "Id", d["instruction_id"], sms=False),
    )


def _instruction_reminder(d: _Data) -> _Parts:
    """To the assignee of a leader's instruction (领导批示) before its deadline."""
    return _Parts(
        "领导批示待落实",
        "Instruction due",
        "",
        f"请于 {d['due_at']} 前落实领导批示并报告结果。",
        f"Carry out the instruction and report the result by {d['due_at']}.",
        _instruction_fields(d),
    )


def _instruction_overdue(d: _Data) -> _Parts:
    """To the duty leader and the person who instructed: a leader's instruction not carried out in time."""
    return _Parts(
        "领导批示逾期未落实",
        "Instruction overdue",
        "",
        f"领导批示 {d['instruction_id']}（承办人 {d['assignee']}）已于 {d['due_at']} 到期，尚未落实。",
        f"The instruction {d['instruction_id']} for {d['assignee']} was due {d['due_at']} and is not carried out.",
        (*_instruction_fields(d), _Field("说明", "Detail", d["detail"], sms=False)),
    )


def _generic(d: _Data) -> _Parts:
    # Free text: the same in every language.
    return _Parts(d["subject"], d["subject"], "", d["body"], d["body"])


_Template = Callable[[_Data], _Parts]

_TEMPLATES: dict[str, _Template] = {
    "incident_registered": _incident_registered,
    "incident_escalated": _incident_escalated,
    "deadline_missed": _deadline_missed,
    "shift_reminder": _shift(
        "值班提醒",
        "Duty reminder",
        "您即将值班，请提前到岗签到。",
        "Your duty starts soon; check in early.",
        self_addressed=True,
    ),
    "not_checked_in": _shift("未签到", "Not checked in", "值班员尚未签到。", "The officer on duty has not checked in."),
    "late_check_in": _shift("迟到", "Late check-in", "值班员迟到签到。", "The officer on duty checked in late."),
    "absent": _shift(
        "缺岗", "Absent", "值班员缺岗，请立即安排替班。", "The officer is absent; arrange a substitute now."
    ),
    "handover_overdue": _shift(
        "交接超时", "Handover overdue", "交接班未按时确认。", "A handover was not accepted in time."
    ),
    # To the unit head: the duty leader named did not inspect the shift (领导未查岗).
    "inspection_missed": _shift(
        "领导未查岗", "No leader's inspection", "带班领导本班次未查岗。", "The duty leader did not inspect this shift."
    ),
    "handover_missed": _shift(
        "未交接班",
        "Handover missed",
        "值班员未在交接时限内提交交接班，请督促交班并核实未结事项。",
        "The officer did not submit the handover by the end of the overlap; "
        "have it submitted and check the open items.",
    ),
    "handover_missed_incoming": _shift(
        "未收到交接班",
        "No handover received",
        "上一班未提交交接班，请向带班领导报告，并与上一班值班员核实未结事项。",
        "The previous shift did not hand over; "
        "tell the duty leader and check the open items with the previous officer.",
        self_addressed=True,
    ),
    "early_leave": _shift(
        "早退",
        "Early leave",
        "值班员在班次结束前签退，未经交接或批准。",
        "The officer checked out before the shift's end without a handover or leave.",
    ),
    "presence_check": _shift(
        "在岗确认",
        "Presence check",
        "请立即确认您在岗。",
        "Confirm now that you are at your post.",
        self_addressed=True,
    ),
    "presence_unanswered": _shift(
        "在岗确认未回复",
        "Presence check unanswered",
        "值班员未按时确认在岗，请核实。",
        "The officer did not confirm presence in time; check on them.",
    ),
    "callback_reminder": _callback_reminder,
    "callback_overdue": _callback_overdue,
    "message_taken": _message_taken,
    "message_undeliverable": _message_undeliverable,
    "notice_incomplete": _notice_incomplete,
    "escalation_acknowledged": _escalation_acknowledged,
    "daily_report": _daily_report,
    "plan_activated": _plan_activated,
    "plan_task_reminder": _plan_task("预案任务提醒", "Plan task due soon", "须完成于", "is due at"),
    "plan_task_overdue": _plan_task("预案任务超时", "Plan task overdue", "已超过时限", "was due at"),
    "generic": _generic,
    "instruction_reminder": _instruction_reminder,
    "instruction_overdue": _instruction_overdue,
}

TEMPLATES: frozenset[str] = frozenset(_TEMPLATES)


# --- rendering -----------------------------------------------------------------------------------


def language_of(locale: str) -> Language:
    """The language of a locale: zh* → Chinese, en* → English, anything else (or "") → both."""
    lowered = locale.strip().lower()
    if lowered.startswith("zh"):
        return "zh"
    if lowered.startswith("en"):
        return "en"
    return "both"


def ucs2_units(text: str) -> int:
    """Length in UCS-2/UTF-16 code units, as an SMS gateway counts it (astral characters count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _subject(parts: _Parts, lang: Language) -> str:
    if parts.label_zh == parts.label_en:
        label = parts.label_zh
    else:
        label = {"zh": parts.label_zh, "en": parts.label_en, "both": f"{parts.label_zh} {parts.label_en}"}[lang]
    if not parts.tail:
        return label
    return f"{label}：{parts.tail}" if lang == "zh" else f"{label}: {parts.tail}"


def _lead(parts: _Parts, lang: Language) -> str:
    if lang == "zh":
        return parts.lead_zh
    if lang == "en" or parts.lead_zh == parts.lead_en:
        return parts.lead_en
    return f"{parts.lead_zh}{parts.lead_en}" if parts.lead_zh.endswith("。") else f"{parts.lead_zh} {parts.lead_en}"


def _field(f: _Field, lang: Language) -> str:
    if lang == "zh":
        return f"{f.label_zh}：{f.value}"
    if lang == "en":
        return f"{f.label_en}: {f.value}"
    return f"{f.label_zh} {f.label_en}: {f.value}"


def ack_line(ack: AckInfo) -> str:
    return f"确认 Ack: dutyline notify ack {ack.notification_id} --token {ack.token}"


def _ack_forms(ack: AckInfo) -> list[str]:
    """The acknowledgement in an SMS, longest first; every form keeps the id and the token."""
    return [
        ack_line(ack),
        f"dutyline notify ack {ack.notification_id} --token {ack.token}",
        f"ack {ack.notification_id} --token {ack.token}",
    ]


def _truncate(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UCS-2 code units, with "…" when cut."""
    if ucs2_units(text) <= units:
        return text
    if units <= 0:
        return ""
    kept: list[str] = []
    used = 0
    budget = units - 1  # the ellipsis
    for char in text:
        size = ucs2_units(char)
        if used + size > budget:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS


# Room the content of an SMS should keep before a shorter acknowledgement form is used.
_MIN_SMS_CONTENT = 24


def _sms_text(contents: list[str], *, prefix: str, ack: AckInfo | None, max_chars: int) -> str:
    """prefix + content + acknowledgement within ``max_chars``; the prefix and the acknowledgement stay whole.

    A complete acknowledgement command is preferred: the longest one under which some content fits
    whole, else the longest leaving the (last, shortest) content some room to be cut to. The bare
    form (id and token only) is the last resort."""
    suffixes = [f" {form}" for form in _ack_forms(ack)] if ack is not None else [""]
    rooms = [(suffix, max_chars - ucs2_units(prefix) - ucs2_units(suffix)) for suffix in suffixes]
    groups = [rooms[:2], rooms[2:]]
    for index, group in enumerate(groups):
        usable = [(suffix, room) for suffix, room in group if room >= 0]
        for suffix, room in usable:
            for content in contents:
                if ucs2_units(content) <= room:
                    return f"{prefix}{content}{suffix}"
        last_group = index == len(groups) - 1 or not groups[index + 1]
        for suffix, room in usable:
            if room >= _MIN_SMS_CONTENT or last_group:
                cut = _truncate(contents[-1], room)
                return f"{prefix}{cut}{suffix if cut else suffix.lstrip()}"
    raise ValueError(f"sms_max_chars={max_chars} leaves no room for the drill marker and the acknowledgement")


def render(
    template: str,
    data: Mapping[str, str],
    *,
    locale: str,
    drill: bool,
    ack: AckInfo | None,
    sms_max_chars: int = DEFAULT_SMS_MAX_CHARS,
) -> Rendered:
    """Subject, body and SMS text of ``template`` filled with ``data``; ValueError for an unknown template."""
    make = _TEMPLATES.get(template)
    if make is None:
        raise ValueError(f"unknown template {template!r}; known: {', '.join(sorted(TEMPLATES))}")
    parts = make(_Data(data))
    lang = language_of(locale)
    prefix = DRILL_PREFIX if drill else ""

    subject = _one_line(_subject(parts, lang))
    lines = [_lead(parts, lang), *(_field(f, lang) for f in parts.fields)]
    body = "\n".join(lines)
    if ack is not None:
        body = f"{body}\n\n{ack_line(ack)}"

    # SMS: one line, fields that are missing left out; in both languages, fall back to Chinese only.
    def sms_content(language: Language) -> str:
        lead = [_lead(parts, language)] if parts.sms_lead else []
        known = [_field(f, language) for f in parts.fields if f.sms and f.value != MISSING]
        text = " ".join([_subject(parts, language), *lead, *known])
        return _one_line(text)

    contents = [sms_content(lang)]
    if lang == "both":
        contents.append(sms_content("zh"))
    sms_text = _sms_text(contents, prefix=prefix, ack=ack, max_chars=sms_max_chars)
    return Rendered(subject=f"{prefix}{subject}", body=f"{prefix}{body}", sms_text=sms_text)
