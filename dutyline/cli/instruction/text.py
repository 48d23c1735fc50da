"""The words of `dutyline instruction …` in zh-CN and English, added to the CLI's catalogue
(dutyline.cli.common.i18n) when the group is loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

INSTRUCTION_MESSAGES = {
    "instruction_status.open": ("待落实", "open"),
    "instruction_status.completed": ("已落实", "completed"),
    "instruction.overdue": ("已超时", "OVERDUE"),
    "instruction.recorded": (
        "已记录领导批示 {id}：承办人 {assignee}，时限 {due}",
        "Instruction {id} recorded: for {assignee}, due {due}",
    ),
    "instruction.completed": ("批示 {id} 已落实（{at}）", "Instruction {id} carried out ({at})"),
    "instruction.completed_late": ("批示 {id} 已落实，但已逾期（{at}）", "Instruction {id} carried out late ({at})"),
    "instruction.title": ("领导批示（{count}）", "Leaders' instructions ({count})"),
    "instruction.none": ("没有符合条件的领导批示。", "No instructions match."),
    "instruction.more": ("还有更多：--page-token {token}", "More: --page-token {token}"),
    "instruction.need_due": ("请用 --due 或 --within 指定时限", "give the deadline with --due or --within"),
    "instruction.need_by": (
        "请用 --by（批示人，如上级领导）或 --by-person（人员编号）指明批示人",
        "name who instructed with --by (e.g. a superior) or --by-person (a person id)",
    ),
    "instruction.col.id": ("编号", "Id"),
    "instruction.col.due": ("时限", "Due"),
    "instruction.col.status": ("状态", "Status"),
    "instruction.col.assignee": ("承办人", "Assignee"),
    "instruction.col.by": ("批示人", "Instructed by"),
    "instruction.col.content": ("批示内容", "Instruction"),
    "instruction.col.incident": ("事件", "Incident"),
    "instruction.col.result": ("落实情况", "Result"),
}

MESSAGES.update(INSTRUCTION_MESSAGES)
