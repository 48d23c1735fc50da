"""The words of `dutyline signals …` in zh-CN and English, added to the CLI's catalogue
(dutyline.cli.common.i18n) when the group is loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

SIGNAL_MESSAGES = {
    "signal_kind.call_reclassified": ("紧急来电被改类", "emergency call reclassified"),
    "signal_kind.unfounded": ("核实不实", "found unfounded"),
    "signal_kind.unverified_overdue": ("超时未核实", "unverified past deadline"),
    "signal_kind.severity_lowered": ("等级调低", "severity lowered"),
    "signal_kind.casualties_above_reported": ("来电伤亡远高于上报", "casualties far above reported"),
    "signal_kind.closed_by_override": ("强制结案", "closed by override"),
    "signal_finding.open": ("待认定", "open"),
    "signal_finding.none": ("未发现瞒报", "nothing concealed"),
    "signal_finding.confirmed": ("认定瞒报", "concealment confirmed"),
    "signal_role.call_officer": ("接警员", "took the call"),
    "signal_role.reclassified_by": ("改类人", "reclassified it"),
    "signal_role.responsible": ("第一责任人", "responsible"),
    "signal_role.decided_by": ("决定人", "decided it"),
    "signal_role.closed_by": ("结案人", "closed it"),
    "signals.title": ("瞒报信号（{count}）", "Concealment signals ({count})"),
    "signals.none": ("没有符合条件的瞒报信号。", "No concealment signals match."),
    "signals.more": ("还有更多：--page-token {token}", "More: --page-token {token}"),
    "signals.need_finding": ("请用 --none 或 --confirmed 给出认定", "give the finding with --none or --confirmed"),
    "signals.need_note": ("认定瞒报须用 --note 说明理由", "a confirmed concealment needs --note saying why"),
    "signals.decided_none": ("信号 {id}：未发现瞒报", "Signal {id}: nothing concealed"),
    "signals.decided_confirmed": (
        "信号 {id}：认定瞒报，记违规 {count} 条",
        "Signal {id}: concealment confirmed, {count} violation(s) recorded",
    ),
    "signals.col.id": ("编号", "Id"),
    "signals.col.raised": ("发现时间", "Raised"),
    "signals.col.kind": ("类型", "Kind"),
    "signals.col.what": ("情况与证据", "What and evidence"),
    "signals.col.people": ("涉及人员", "People involved"),
    "signals.col.finding": ("认定", "Finding"),
    "signals.col.incident": ("事件/来电", "Incident / call"),
}

MESSAGES.update(SIGNAL_MESSAGES)
