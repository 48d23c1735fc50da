"""The words of `dutyline insight …` in zh-CN and English, added to the CLI's catalogue
(dutyline.cli.common.i18n) when the group is loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

INSIGHT_MESSAGES = {
    "score_kind.late_report": ("迟报", "late report"),
    "score_kind.missed_report": ("漏报", "missed report"),
    "score_kind.wrong_report": ("错报", "wrong report"),
    "score_kind.concealment": ("瞒报", "concealment"),
    "score_kind.absence": ("缺勤", "absence"),
    "score_kind.late_check_in": ("迟到", "late check-in"),
    "score_kind.early_leave": ("早退", "early leave"),
    "score_kind.unanswered_call": ("未接来电", "unanswered call"),
    "score_kind.late_answer": ("超三声接听", "answered after three rings"),
    "score_kind.unregistered_call": ("接听未登记", "call not registered"),
    "score_kind.case_overdue": ("工单超期", "case overdue"),
    "score_kind.callback_overdue": ("回电超期", "callback overdue"),
    "score_kind.handover_missed": ("未交接班", "handover not submitted"),
    "score_kind.handover_overdue": ("交接超时", "handover accepted late"),
    "score_kind.month_without_violation": ("当月无违规", "a month without violation"),
    "insight.rules_title": ("考核细则版本", "Scoring rules: versions"),
    "insight.points_title": (
        "考核细则 第 {version} 版（{since} 起）",
        "Scoring rules, version {version} (from {since})",
    ),
    "insight.in_force": ("现行", "in force"),
    "insight.pending": ("待生效", "not yet in force"),
    "insight.superseded": ("已停用", "superseded"),
    "insight.built_in": ("内置", "built in"),
    "insight.penalty": ("扣分", "penalty"),
    "insight.bonus": ("加分", "bonus"),
    "insight.rules_saved": (
        "考核细则第 {version} 版已保存，{since} 起生效",
        "Scoring rules version {version} saved, in force from {since}",
    ),
    "insight.replayed": ("（重复请求，返回首次结果）", " (a retry: the first answer)"),
    "insight.bad_points": ("格式应为 类型=分值，如 late_report=-2", "give KIND=POINTS, e.g. late_report=-2"),
    "insight.unknown_kind": (
        "未知类型 {kind}；可选：{kinds}",
        "unknown kind {kind}; one of {kinds}",
    ),
    "insight.no_version": ("没有第 {version} 版", "there is no version {version}"),
    "insight.bad_record": ("格式应为 记录类型:编号，如 violation:vio-…", "give TYPE:ID, e.g. violation:vio-…"),
    "insight.annotated": (
        "已记录特殊情况说明 {id}（{site}，{count} 条记录不计分），决定人 {who}",
        "Annotation {id} recorded ({site}, {count} records waived), decided by {who}",
    ),
    "insight.status_title": (
        "读模型投影状态（事件流末尾 {sequence}，{at}）",
        "Read model projections (stream at {sequence}, {at})",
    ),
    "insight.no_projections": ("还没有投影", "No projections yet."),
    "insight.unknown": ("未知", "unknown"),
    "insight.col.version": ("版本", "Version"),
    "insight.col.from": ("生效时间", "In force from"),
    "insight.col.state": ("状态", "State"),
    "insight.col.changed_by": ("修改人", "Changed by"),
    "insight.col.changed_at": ("修改时间", "Changed"),
    "insight.col.kind": ("类型", "Kind"),
    "insight.col.what": ("含义", "What"),
    "insight.col.points": ("分值", "Points"),
    "insight.col.projection": ("投影", "Projection"),
    "insight.col.sequence": ("位置", "Sequence"),
    "insight.col.last_event": ("最后事件", "Last event"),
    "insight.col.lag_events": ("积压事件", "Events behind"),
    "insight.col.lag_seconds": ("积压秒数", "Seconds behind"),
}

MESSAGES.update(INSIGHT_MESSAGES)
