"""The words of `dutyline plan …` in zh-CN and English, added to the CLI's catalogue
(dutyline.cli.common.i18n) when the group is loaded; with the labels of the plan's timeline entries
and events, which `dutyline incident timeline` and the live board show."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

PLAN_MESSAGES = {
    "plan.title": ("应急预案（{count}）", "Emergency plans ({count})"),
    "plan.none": ("没有应急预案。", "No emergency plans."),
    "plan.unknown": ("没有应急预案 {id}。", "There is no plan {id}."),
    "plan.saved": ("已保存应急预案 {id} 第 {version} 版：{name}", "Plan {id} saved as version {version}: {name}"),
    "plan.bad_file": ("文件 {path} 无法读取：{problem}", "Cannot read {path}: {problem}"),
    "plan.any": ("不限", "any"),
    "plan.contacts": ("启动时通知", "Notified on activation"),
    "plan.tasks": ("任务清单", "Checklist"),
    "plan.after": ("启动后 {time}", "{time} after activation"),
    "plan.activated": (
        "已启动应急预案 {plan}（第 {version} 版），启动编号 {id}；已通知联系人，任务如下：",
        "Plan {plan} (version {version}) activated as {id}; its contacts are being notified. Tasks:",
    ),
    "plan.activations_none": ("该事件未启动应急预案。", "No plan is activated on this incident."),
    "plan.activation_title": ("{plan}（{id}，{status}）", "{plan} ({id}, {status})"),
    "plan.task_done": ("任务“{task}”已完成。", 'Task "{task}" done.'),
    "plan.declared": ("已启动{level}。", "{level} declared."),
    "plan.lifted": ("已解除应急响应。", "The response level is lifted."),
    "plan.level": ("{level}级响应", "Level {level} response"),
    "plan.overdue": ("已超时", "OVERDUE"),
    "plan.col.id": ("编号", "Id"),
    "plan.col.version": ("版本", "Version"),
    "plan.col.name": ("名称", "Name"),
    "plan.col.fits": ("适用", "For"),
    "plan.col.level": ("响应级别", "Response"),
    "plan.col.tasks": ("任务数", "Tasks"),
    "plan.col.contact": ("联系人", "Contact"),
    "plan.col.reached": ("通知方式", "Reached as"),
    "plan.col.task": ("任务", "Task"),
    "plan.col.owner": ("责任人", "Owner"),
    "plan.col.due": ("时限", "Due"),
    "plan.col.status": ("状态", "Status"),
    "plan.col.result": ("结果", "Result"),
    "plan.superior": ("上级值班室", "superior duty office"),
    "plan.directory": ("通讯录 {id}", "directory {id}"),
    "plan.role": ("{role}（在岗）", "{role} (on duty)"),
    "plan_status.active": ("执行中", "active"),
    "plan_status.completed": ("已完成", "completed"),
    "plan_status.ended": ("已终止（事件结案）", "ended (incident closed)"),
    "task_status.open": ("待办", "open"),
    "task_status.done": ("已完成", "done"),
    # timeline entries and events on the incident
    "entry.plan_activated": ("启动应急预案", "plan activated"),
    "entry.plan_contacts_notified": ("通知预案联系人", "plan contacts notified"),
    "entry.plan_task_reminder": ("预案任务提醒", "plan task reminder"),
    "entry.plan_task_overdue": ("预案任务超时", "plan task overdue"),
    "entry.plan_task_escalation": ("预案任务上报领导", "plan task escalated"),
    "entry.plan_task_done": ("预案任务完成", "plan task done"),
    "entry.plan_completed": ("预案执行完毕", "plan completed"),
    "entry.plan_ended": ("预案终止", "plan ended"),
    "entry.response_declared": ("启动响应", "response declared"),
    "entry.response_lifted": ("解除响应", "response lifted"),
    "event.incident.plan_activated": ("启动应急预案", "plan activated"),
    "event.incident.plan_task_changed": ("预案任务变化", "plan task changed"),
    "event.incident.response_declared": ("启动响应", "response declared"),
    "event.incident.response_lifted": ("解除响应", "response lifted"),
}

MESSAGES.update(PLAN_MESSAGES)
