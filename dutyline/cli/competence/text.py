"""The words of `dutyline competence …` and `dutyline drill …` in zh-CN and English, added to the CLI's
catalogue (dutyline.cli.common.i18n) when the groups are loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

COMPETENCE_MESSAGES = {
    "qualification_state.valid": ("有效", "valid"),
    "qualification_state.expiring": ("即将到期", "expiring"),
    "qualification_state.expired": ("已过期", "expired"),
    "qualification_state.missing": ("未取得", "missing"),
    "drill_status.scheduled": ("待开展", "scheduled"),
    "drill_status.held": ("已开展", "held"),
    "competence.required": ("{site} 的资格要求：", "Qualifications required at {site}:"),
    "competence.required_none": ("{site} 不要求任何资格。", "{site} requires no qualification."),
    "competence.requirement": (
        "{role}：{qualification}（有效期 {days} 天）",
        "{role}: {qualification} (valid {days} days)",
    ),
    "competence.trained": (
        "已记录培训 {id}：{person} 的「{qualification}」有效至 {until}",
        'Training {id} recorded: {person}\'s "{qualification}" valid until {until}',
    ),
    "competence.title": ("{site} 人员资格（{count}）", "Qualifications at {site} ({count})"),
    "competence.none": ("没有符合条件的资格记录。", "No qualifications match."),
    "competence.col.qualification": ("资格", "Qualification"),
    "competence.col.valid_until": ("有效期至", "Valid until"),
    "competence.col.state": ("状态", "State"),
    "drill.scheduled": ("已安排演练 {id}：{subject}，{at}", "Drill {id} scheduled: {subject}, {at}"),
    "drill.recorded": (
        "演练 {id} 已记录：到场 {attended}/{participants} 人",
        "Drill {id} recorded: {attended} of {participants} attended",
    ),
    "drill.title": ("{site} 演练计划（{count}）", "Drills at {site} ({count})"),
    "drill.none": ("没有符合条件的演练。", "No drills match."),
    "drill.col.when": ("时间", "When"),
    "drill.col.subject": ("演练科目", "Subject"),
    "drill.col.participants": ("参演人员", "Participants"),
    "drill.col.attended": ("到场", "Attended"),
    "drill.col.review": ("演练总结", "After-action review"),
}

MESSAGES.update(COMPETENCE_MESSAGES)
