"""The words of `dutyline line …` and `dutyline call missed` in zh-CN and English, added to the CLI's
catalogue (dutyline.cli.common.i18n) when the group is loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

LINE_MESSAGES = {
    "line_state.up": ("正常", "up"),
    "line_state.ringing": ("振铃中", "ringing"),
    "line_state.in_call": ("通话中", "in a call"),
    "line_state.down": ("中断", "DOWN"),
    "line_call_state.ringing": ("振铃中", "ringing"),
    "line_call_state.answered": ("通话中", "answered"),
    "line_call_state.transferred": ("已转接", "transferred"),
    "line_call_state.ended": ("已结束", "ended"),
    "line_call_state.abandoned": ("振铃中挂断", "abandoned while ringing"),
    "line_call_state.not_answered": ("无人接听", "not answered"),
    "line.title": ("值班电话线路 {site}（{zone}）", "Duty lines of {site} ({zone})"),
    "line.none": ("没有配置值班电话线路", "No duty lines are configured."),
    "line.saved": ("线路 {id} 已保存（{count} 个分机）", "Line {id} saved ({count} extensions)"),
    "line.bad_extension": ("分机格式应为 分机号=人员编号", "an extension is EXTENSION=PERSON"),
    "line.col.line": ("线路", "Line"),
    "line.col.name": ("名称", "Name"),
    "line.col.state": ("状态", "State"),
    "line.col.heard": ("最近信号", "Last heard"),
    "line.col.current": ("当前来电", "Current call"),
    "line.col.extensions": ("分机", "Extensions"),
    "missed.title": ("未接来电 {site}（{zone}）", "Missed calls of {site} ({zone})"),
    "missed.none": ("没有未接来电", "No missed calls."),
    "missed.more": ("仅显示前 {count} 条", "Only the first {count} are shown."),
    "missed.unregistered": ("未登记", "not registered"),
    "missed.col.rang": ("振铃", "Rang"),
    "missed.col.caller": ("来电号码", "Caller"),
    "missed.col.what": ("情况", "What"),
    "missed.col.officer": ("回拨人", "Calls back"),
    "missed.col.call": ("来电记录", "Call record"),
    "missed.col.callback": ("回拨", "Callback"),
}

MESSAGES.update(LINE_MESSAGES)
