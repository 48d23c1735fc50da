"""The duty domain's words in zh-CN and English (值班用语): the names of the API's values (a call's channel and
category, an incident's category and severity, a violation kind, a role, a status, a duty log's state and
entries) and the titles of the statistics' families. One vocabulary for the CLI's messages
(dutyline.cli.common.i18n) and the services' documents (services/insight/documents.py), which may not
import the CLI.

Keys are "kind.value", as the API spells the value: `label("channel", "walk_in", "zh")` → "来访".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from dutyline.insight.v1 import insight_pb2

Language = Literal["zh", "en"]

LABELS: dict[str, tuple[str, str]] = {
    # how a call came in (来电方式)
    "channel.phone": ("电话", "Phone"),
    "channel.sms": ("短信", "SMS"),
    "channel.fax": ("传真", "Fax"),
    "channel.web": ("网络", "Web"),
    "channel.radio": ("无线电", "Radio"),
    "channel.walk_in": ("来访", "Walk-in"),
    "channel.superior_notice": ("上级通知", "Notice from a superior"),
    "channel.unspecified": ("未知", "Unknown"),
    "channel.unknown": ("未知", "Unknown"),
    # what a call is about (来电类别)
    "call_category.consultation": ("咨询", "Consultation"),
    "call_category.complaint": ("投诉", "Complaint"),
    "call_category.emergency": ("紧急/报警", "Emergency"),
    "call_category.notice": ("通知", "Notice"),
    "call_category.message": ("留言", "Message"),
    "call_category.other": ("其他", "Other"),
    "call_category.unspecified": ("未分类", "Unclassified"),
    # an incident's category (突发事件类别) and severity (事件等级)
    "incident_category.natural_disaster": ("自然灾害", "Natural disaster"),
    "incident_category.accident": ("事故灾难", "Accident"),
    "incident_category.public_health": ("公共卫生事件", "Public health"),
    "incident_category.social_safety": ("社会安全事件", "Social safety"),
    "incident_category.unspecified": ("未分类", "Unclassified"),
    "incident_category.uncategorized": ("未分类", "Unclassified"),
    "severity.unrated": ("未定级", "unrated"),
    "severity.I": ("特别重大（I级）", "I (particularly serious)"),
    "severity.II": ("重大（II级）", "II (serious)"),
    "severity.III": ("较大（III级）", "III (major)"),
    "severity.IV": ("一般（IV级）", "IV (general)"),
    # what a scorecard counts (考核项目): the violation kinds and the bonus
    "score_kind.late_report": ("迟报", "late report"),
    "score_kind.missed_report": ("漏报", "missed report"),
    "score_kind.wrong_report": ("错报", "wrong report"),
    "score_kind.concealment": ("瞒报", "concealment"),
    "score_kind.unverified": ("未及时核实", "not verified in time"),
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
    "score_kind.inspection_missed": ("领导未查岗", "no leader's inspection"),
    "score_kind.month_without_violation": ("当月无违规", "a month without violation"),
    # roles (岗位)
    "role.officer": ("值班员", "Officer"),
    "role.leader": ("带班领导", "Duty leader"),
    "role.unit_head": ("单位负责人", "Unit head"),
    "role.supervisor": ("总值班室", "Supervisor"),
    "role.admin": ("管理员", "Admin"),
    # statuses of a check-in (签到), a leave or swap request (请假、换班) and a handover (交接班)
    "status.pending": ("未签到", "not checked in"),
    "status.on_time": ("准时", "on time"),
    "status.late": ("迟到", "late"),
    "status.absent": ("缺勤", "absent"),
    "status.requested": ("待审批", "requested"),
    "status.approved": ("已批准", "approved"),
    "status.rejected": ("已驳回", "rejected"),
    "status.not_submitted": ("未交班", "not submitted"),
    "status.submitted": ("待接班", "submitted"),
    "status.accepted": ("已接班", "accepted"),
    "status.overdue": ("超时未接班", "overdue"),
    # a duty log (值班日志): its state and the kinds of its entries
    "log_state.open": ("值班中", "in progress"),
    "log_state.built": ("待签字", "awaiting signatures"),
    "log_state.signed": ("已签字", "signed"),
    "log_entry.call": ("来电", "call"),
    "log_entry.missed_call": ("未接来电", "missed call"),
    "log_entry.callback": ("回电", "callback"),
    "log_entry.incident": ("事件", "incident"),
    "log_entry.report": ("报告", "report"),
    "log_entry.case": ("工单", "case"),
    "log_entry.notice": ("通知", "notice"),
    "log_entry.escalation": ("升级通知", "escalation"),
    "log_entry.acknowledgement": ("确认收到", "acknowledgement"),
    "log_entry.check_in": ("签到", "check-in"),
    "log_entry.handover": ("交接班", "handover"),
    "log_entry.violation": ("违规", "violation"),
    # what a log's line says of its record (值班记事)
    "missed_state.not_answered": ("未接听", "not answered"),
    "missed_state.abandoned": ("振铃中挂断", "hung up while ringing"),
    "callback_done.callback": ("已回电", "Called back"),
    "callback_done.message": ("留言已转达", "Message passed on"),
    "callback_done.notice": ("通知要素已补全", "Notice completed"),
    "report_kind.leader_notice": ("报告带班领导", "duty leader told"),
    "report_kind.initial_phone": ("电话初报", "initial report by phone"),
    "report_kind.initial_written": ("书面初报", "written initial report"),
    "report_kind.follow_up": ("续报", "follow-up report"),
    "report_kind.final": ("终报", "final report"),
    "report_kind.unspecified": ("报告", "report"),
    "log_event.case_opened": ("受理工单", "Case opened"),
    "log_event.case_answered": ("工单办结", "Case answered"),
    "log_event.notice_incomplete": ("通知要素不全，缺", "Notice missing"),
    "log_event.escalation": ("启动升级通知", "Escalation started"),
    "log_event.acknowledgement": ("确认收到升级通知", "Escalation acknowledged"),
    # the statistics (值班统计): buckets and the families' titles
    "granularity.day": ("按日", "by day"),
    "granularity.week": ("按周", "by week"),
    "granularity.month": ("按月", "by month"),
    "stats.by_category": ("来电（按类别）", "Calls by category"),
    "stats.by_channel": ("来电（按渠道）", "Calls by channel"),
    "stats.by_hour": ("来电（按时段）", "Calls by hour of day"),
    "stats.answers_by_site": ("接听时长（按站点）", "Answer times by site"),
    "stats.answers_by_line": ("接听时长（按线路）", "Answer times by line"),
    "stats.answers_by_officer": ("接听时长（按值班员）", "Answer times by officer"),
    "stats.missed": ("未接来电与回电", "Missed calls and callbacks"),
    "stats.cases": ("工单", "Cases"),
    "stats.incidents": ("突发事件（按类别、级别）", "Incidents by category and severity"),
    "stats.reports": ("信息报送", "Reports"),
    "stats.violations": ("违规（按类型、人员）", "Violations by kind and person"),
    "stats.handovers": ("交接班", "Handovers"),
    "stats.coverage_gaps": ("排班缺口", "Coverage gaps"),
}


def label(kind: str, value: str, lang: Language) -> str:
    """A value of the API in the language; one the vocabulary lacks as it is."""
    pair = LABELS.get(f"{kind}.{value}")
    return value if pair is None else pair[0 if lang == "zh" else 1]


# The sentences of a duty log's lines (值班记事), the facts in braces.
SENTENCES: dict[str, tuple[str, str]] = {
    "call": ("{channel}{category}", "{category} ({channel})"),
    "call_late": ("，超三声接听（{delay}）", ", answered after three rings ({delay})"),
    "text": ("：{text}", ": {text}"),
    "callback_late": ("（超时）", " (late)"),
    "incident": ("{title}（{category}，{severity}）", "{title} ({category}, {severity})"),
    "report": ("{incident} 第 {number} 次报送：{kind}", "{kind} #{number} of {incident}"),
    "on_time": ("，按时", ", on time"),
    "report_late": ("，迟报 {late}", ", {late} late"),
    "violation_late": ("，超时 {late}", ", {late} late"),
    "seconds": ("{n} 秒", "{n} s"),
    "minutes": ("{n} 分钟", "{n} min"),
}


def _sentence(key: str, lang: Language, **facts: object) -> str:
    return SENTENCES[key][0 if lang == "zh" else 1].format(**facts)


def duration(seconds: float, lang: Language) -> str:
    """ "20 秒", "12 分钟": seconds up to two minutes, whole minutes beyond."""
    if seconds < 120:
        return _sentence("seconds", lang, n=f"{seconds:.0f}")
    return _sentence("minutes", lang, n=f"{seconds / 60:.0f}")


def log_line(entry: insight_pb2.DutyLogEntry, lang: Language) -> str:
    """A duty log's line worded from its facts in the language; a line frozen before the entries carried
    facts has only its English summary, shown as it is."""
    if entry.summary:
        return entry.summary
    kind = entry.kind
    if kind == "call":
        head = _sentence(
            "call",
            lang,
            channel=label("channel", entry.channel or "unknown", lang),
            category=label("call_category", entry.category or "unspecified", lang),
        )
        late = _sentence("call_late", lang, delay=duration(entry.answer_delay_seconds, lang)) if entry.late else ""
        return head + late + (_sentence("text", lang, text=entry.text) if entry.text else "")
    if kind == "missed_call":
        return label("missed_state", entry.state, lang)
    if kind == "callback":
        return label("callback_done", entry.category, lang) + (_sentence("callback_late", lang) if entry.late else "")
    if kind == "incident":
        return _sentence(
            "incident",
            lang,
            title=entry.title,
            category=label("incident_category", entry.category or "uncategorized", lang),
            severity=label("severity", entry.severity or "unrated", lang),
        )
    if kind == "report":
        line = _sentence(
            "report",
            lang,
            incident=entry.incident_id,
            number=entry.report_number,
            kind=label("report_kind", entry.report_kind or "unspecified", lang),
        )
        if entry.late:
            return line + _sentence("report_late", lang, late=duration(entry.late_seconds, lang))
        return line + _sentence("on_time", lang)
    if kind == "violation":
        line = label("score_kind", entry.violation_kind, lang)
        if entry.late_seconds > 0:
            line += _sentence("violation_late", lang, late=duration(entry.late_seconds, lang))
        # The rule's own note is English: a Chinese line keeps to the kind and how late.
        return line + (_sentence("text", lang, text=entry.detail) if lang == "en" and entry.detail else "")
    text = entry.text
    if entry.state in ("escalation", "acknowledgement"):
        # "incident inc-…": the escalated record's kind and id.
        ref_kind, _, ref_id = text.partition(" ")
        text = f"{label('log_entry', ref_kind, lang)} {ref_id}".strip()
    head = label("log_event", entry.state, lang)
    return head + (_sentence("text", lang, text=text) if text else "")


def person(person_id: str, names: Mapping[str, str]) -> str:
    """A person as a reader knows them, "赵磊 (p-hz-officer-3)"; the id alone when no name is known."""
    name = names.get(person_id, "")
    return f"{name} ({person_id})" if name and person_id else person_id


def people(person_ids: str, names: Mapping[str, str]) -> str:
    """Comma-separated ids (an escalation's people) each as `person` gives them."""
    return ", ".join(person(p, names) for p in person_ids.split(",") if p)
