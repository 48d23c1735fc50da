"""Messages of the command line in zh-CN and English.

The language is chosen once per command (``--lang``, else the locale: LC_ALL, LC_MESSAGES or LANG
starting with "zh" means zh-CN); ``t(key, **fmt)`` looks a message up and fills it in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from enum import StrEnum


class Lang(StrEnum):
    zh = "zh"
    en = "en"


# key: (zh-CN, English). Keys with a dot name a value of the API (a role, a status, a rule).
MESSAGES: dict[str, tuple[str, str]] = {
    # values of the API
    "role.officer": ("值班员", "Officer"),
    "role.leader": ("带班领导", "Duty leader"),
    "status.pending": ("未签到", "not checked in"),
    "status.on_time": ("准时", "on time"),
    "status.late": ("迟到", "late"),
    "status.absent": ("缺勤", "absent"),
    "status.requested": ("待审批", "requested"),
    "status.approved": ("已批准", "approved"),
    "status.rejected": ("已驳回", "rejected"),
    "status.submitted": ("待接班", "submitted"),
    "status.accepted": ("已接班", "accepted"),
    "status.overdue": ("超时未接班", "overdue"),
    "rule.overlapping_shifts": ("班次重叠", "overlapping shifts"),
    "rule.shift_without_leader": ("无带班领导", "shift without a leader"),
    "rule.too_many_consecutive_shifts": ("连续值班过多", "too many shifts in a row"),
    "open_item.incident": ("事件", "incident"),
    "open_item.deadline": ("时限", "deadline"),
    "open_item.notification": ("通知", "notification"),
    "open_item.callback": ("回访", "callback"),
    # column headers
    "col.role": ("角色", "Role"),
    "col.name": ("姓名", "Name"),
    "col.person": ("人员编号", "Person"),
    "col.shift": ("班次", "Shift"),
    "col.assignment": ("值班安排", "Assignment"),
    "col.date": ("日期", "Date"),
    "col.time": ("时间", "Time"),
    "col.officers": ("值班员", "Officers"),
    "col.leaders": ("带班领导", "Duty leader"),
    "col.from": ("开始", "From"),
    "col.to": ("结束", "To"),
    "col.present": ("在岗/应到", "Present/required"),
    "col.id": ("编号", "ID"),
    "col.status": ("状态", "Status"),
    "col.substitute": ("替班人", "Substitute"),
    "col.other": ("对方安排", "Other assignment"),
    "col.requested_by": ("申请人", "Requested by"),
    "col.requested_at": ("申请时间", "Requested"),
    "col.decided": ("审批", "Decided"),
    "col.reason": ("事由", "Reason"),
    "col.remark": ("备注", "Remark"),
    "col.rule": ("规则", "Rule"),
    "col.detail": ("说明", "Detail"),
    "col.kind": ("类型", "Kind"),
    "col.ref": ("关联", "Reference"),
    "col.due": ("期限", "Due"),
    "col.outgoing": ("交班", "Outgoing"),
    "col.incoming": ("接班", "Incoming"),
    "col.submitted_at": ("交班时间", "Submitted"),
    "col.accept_by": ("接班时限", "Accept by"),
    "col.accepted_at": ("接班时间", "Accepted"),
    "col.shift_log": ("值班日志", "Shift log"),
    "col.notes": ("交班说明", "Notes"),
    # titles and sentences
    "on_duty.title": ("{site} 当前值班 {at}", "On duty at {site}, {at}"),
    "on_duty.until": ("至 {at} 换班前有效", "valid until the shift change at {at}"),
    "on_duty.nobody": ("当前无人值班！", "Nobody is on duty!"),
    "roster.title": ("{site} 排班 {first} 至 {last}（{zone}）", "Roster of {site}, {first} to {last} ({zone})"),
    "roster.empty": ("该时段没有排班。", "No assignments in this period."),
    "substitute_for": ("替 {person}", "for {person}"),
    "gaps.title": ("{site} 缺岗 {first} 至 {last}（{zone}）", "Coverage gaps of {site}, {first} to {last} ({zone})"),
    "gaps.none": ("{site} 在 {first} 至 {last} 无缺岗。", "No coverage gaps at {site} from {first} to {last}."),
    "violations.title": ("违反值班规则", "Duty rule violations"),
    "publish.done": (
        "已发布 {site} {first} 至 {last} 的排班：{count} 条值班安排，发布编号 {id}",
        "Published the roster of {site} for {first} to {last}: {count} assignments, publication {id}",
    ),
    "publish.override": ("存在缺岗，按说明理由发布：{reason}", "Published despite gaps, because: {reason}"),
    "publish.refused": (
        "未发布：排班存在缺岗，未写入任何内容。请补齐，或用 --override 说明理由后发布。",
        "Not published: the roster has gaps, nothing was written. Fill them, or publish with --override REASON.",
    ),
    "leave.title": ("请假申请", "Leave request"),
    "swap.title": ("换班申请", "Swap request"),
    "leave.none": ("没有请假申请。", "No leave requests."),
    "swap.none": ("没有换班申请。", "No swap requests."),
    "checkin.done": (
        "已签到（{status}）：{at}，{shift} {date}，安排 {assignment}",
        "Checked in ({status}) at {at}: {shift} {date}, assignment {assignment}",
    ),
    "checkin.late": ("{minutes} 分钟", "{minutes} min"),
    "handover.title": ("交接班 {id}", "Handover {id}"),
    "handover.open_items": ("未结事项", "Open items"),
    "handover.no_items": ("没有未结事项。", "No open items."),
    "handover.gathering": ("以下内容未能收集，清单可能不全：", "Could not gather everything; the list may be short:"),
    # problems
    "error": ("错误 {code}：{detail}", "Error {code}: {detail}"),
    "error.retry": ("可用 --idempotency-key {key} 安全重试。", "Retry safely with --idempotency-key {key}."),
    "error.no_token": (
        "没有令牌：请用 --token、环境变量 DUTYLINE_TOKEN，或先运行 `dutyline up`（{path}）。",
        "No token: pass --token, set DUTYLINE_TOKEN, or run `dutyline up` first ({path}).",
    ),
    "error.need_site": ("请用 --site 指定站点（{why}）。", "Name the site with --site ({why})."),
    "error.not_a_site": ("{site} 不是站点", "{site} is not a site"),
    "error.no_default_site": ("令牌未指定单一站点", "the token names no single site"),
    "error.bad_date": ("日期格式应为 2026-12-01", "a date like 2026-12-01"),
    "error.week_or_dates": ("--week 与 --from/--to 只能二选一", "use either --week or --from/--to"),
    "error.approve_or_reject": ("请指定 --approve 或 --reject 之一", "give exactly one of --approve or --reject"),
}

WEEKDAYS = {Lang.zh: "一二三四五六日", Lang.en: ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}

_language = Lang.en


def from_locale(environ: Mapping[str, str] | None = None) -> Lang:
    """zh-CN when the locale names Chinese (LC_ALL, then LC_MESSAGES, then LANG), else English."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return Lang.zh if value.lower().startswith("zh") else Lang.en
    return Lang.en


def set_language(lang: Lang) -> None:
    global _language
    _language = lang


def language() -> Lang:
    return _language


def t(key: str, /, **fmt: object) -> str:
    zh, en = MESSAGES[key]
    text = zh if _language is Lang.zh else en
    return text.format(**fmt) if fmt else text


def label(kind: str, value: str) -> str:
    """The translated name of an API value (``label("status", "late")``), or the value itself."""
    key = f"{kind}.{value}"
    return t(key) if key in MESSAGES else value


def weekday(day: date) -> str:
    name = WEEKDAYS[_language][day.weekday()]
    return f"周{name}" if _language is Lang.zh else name
