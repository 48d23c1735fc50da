"""Messages of the command line in zh-CN and English.

The language is chosen once per command (``--lang``, else the locale: LC_ALL, LC_MESSAGES or LANG
starting with "zh" means zh-CN); ``t(key, **fmt)`` looks a message up and fills it in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from dutyline.labels import LABELS


class Lang(StrEnum):
    zh = "zh"
    en = "en"


# key: (zh-CN, English). Keys with a dot name a value of the API (a role, a status, a rule); the duty domain's
# own words (channels, categories, severities, roles, statuses...) come from the kit's vocabulary.
MESSAGES: dict[str, tuple[str, str]] = {
    **LABELS,
    # values of the API
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
    # incidents (`dutyline incident …`): values of the API
    "stage.register": ("登记", "Register"),
    "stage.verify": ("核实", "Verify"),
    "stage.escalate": ("上报", "Escalate"),
    "stage.track": ("跟踪", "Track"),
    "stage.feedback": ("反馈", "Feedback"),
    "stage.closed": ("已结案", "Closed"),
    "report.leader_notice": ("报告带班领导", "Leader notice"),
    "report.initial_phone": ("初报（电话）", "Initial report (phone)"),
    "report.initial_written": ("初报（书面）", "Initial report (written)"),
    "report.follow_up": ("续报", "Follow-up"),
    "report.final": ("终报", "Final report"),
    "entry.registered": ("登记", "registered"),
    "entry.leader_notified": ("报告带班领导", "leader notified"),
    "entry.verified": ("核实属实", "verified"),
    "entry.unfounded": ("核实不实", "unfounded"),
    "entry.reclassified": ("等级调整", "reclassified"),
    "entry.report_submitted": ("报告", "report"),
    "entry.progress": ("进展", "progress"),
    "entry.feedback_recorded": ("反馈", "feedback"),
    "entry.closed": ("结案", "closed"),
    "entry.merged": ("并入", "merged"),
    "entry.deadline_missed": ("迟报", "deadline missed"),
    "violation.late": ("迟报", "late (迟报)"),
    "violation.missed": ("漏报", "missed (漏报)"),
    "event.incident.registered": ("登记", "registered"),
    "event.incident.escalated": ("已报告带班领导", "leader notified"),
    "event.incident.verified": ("核实属实", "verified"),
    "event.incident.unfounded": ("核实不实", "unfounded"),
    "event.incident.reclassified": ("等级调整", "reclassified"),
    "event.incident.report_submitted": ("报告", "report submitted"),
    "event.incident.progress": ("进展", "progress"),
    "event.incident.feedback_recorded": ("反馈", "feedback"),
    "event.incident.closed": ("结案", "closed"),
    "event.incident.merged": ("并入", "merged"),
    "event.incident.deadline_missed": ("迟报", "deadline missed"),
    # incidents: column headers and fields
    "col.title": ("标题", "Title"),
    "col.site": ("站点", "Site"),
    "col.stage": ("阶段", "Stage"),
    "col.class": ("类别", "Class"),
    "col.severity": ("等级", "Severity"),
    "col.responsible": ("责任人", "Responsible"),
    "col.first_responder": ("第一责任人", "First responder"),
    "col.assignee": ("承办人", "Assignee"),
    "col.registered": ("登记时间", "Registered"),
    "col.verified": ("核实时间", "Verified"),
    "col.place": ("地点", "Place"),
    "col.summary": ("概要", "Summary"),
    "col.casualties": ("伤亡损失", "Casualties"),
    "col.policy": ("报告规则", "Reporting policy"),
    "col.feedback": ("反馈", "Feedback"),
    "col.closed": ("结案时间", "Closed"),
    "col.close_summary": ("结案摘要", "Closing summary"),
    "col.close_reason": ("结案说明", "Close reason"),
    "col.merged_into": ("并入", "Merged into"),
    "col.calls": ("来电", "Calls"),
    "col.next": ("下一时限", "Next deadline"),
    "col.report": ("报告", "Report"),
    "col.recipient": ("报送对象", "Recipient"),
    "col.left": ("剩余时间", "Time left"),
    "col.submitted": ("报送时间", "Submitted"),
    "col.timing": ("时效", "Timing"),
    "col.author": ("报送人", "Author"),
    "col.content": ("内容", "Content"),
    "col.at": ("时间", "At"),
    "col.actor": ("操作人", "By"),
    "col.what": ("事项", "What"),
    "col.incident": ("事件", "Incident"),
    "col.recorded": ("记录时间", "Recorded"),
    "col.late_by": ("超时", "Late by"),
    # incidents: sentences
    "incident.drill": ("【演练 DRILL】", "【演练 DRILL】"),
    "incident.title": ("事件 {id}", "Incident {id}"),
    "incident.casualties": (
        "死亡 {deaths}，重伤 {serious}，轻伤 {injuries}，下落不明 {missing}，直接经济损失 {loss} 元",
        "{deaths} dead, {serious} seriously injured, {injuries} injured, {missing} missing, loss {loss} yuan",
    ),
    "incident.overdue": ("有时限已超时", "a deadline has passed"),
    "incident.feedback_yes": ("已反馈来电人", "the caller was told"),
    "incident.suggested_same": ("与伤亡和损失相符", "as the casualties and loss suggest"),
    "incident.suggested": ("按伤亡和损失建议 {severity}", "{severity} suggested by the casualties and loss"),
    "span.days": ("{d}天{h}小时", "{d} d {h} h"),
    "span.hours": ("{h}小时{m:02d}分", "{h} h {m:02d} min"),
    "span.minutes": ("{m}分{s:02d}秒", "{m} min {s:02d} s"),
    "left.in": ("剩余 {span}", "{span} left"),
    "left.overdue": ("已超时 {span}", "overdue by {span}"),
    "left.missed": ("迟报，已超时 {span}", "missed (迟报), overdue by {span}"),
    "left.undated": ("结案前报送", "before closing"),
    "deadlines.title": ("待报时限（{zone}）", "Pending deadlines ({zone})"),
    "deadlines.none": ("没有待报时限。", "No pending deadlines."),
    "reports.title": ("已报送（{count}）", "Reports ({count})"),
    "reports.none": ("尚无报告。", "No reports yet."),
    "reported.on_time": ("按时", "on time"),
    "reported.late": ("迟报 {span}", "{span} late (迟报)"),
    "reported.done": (
        "已报送{kind}至 {recipient}（{at}）：{timing}",
        "Submitted {kind} to {recipient} at {at}: {timing}",
    ),
    "incidents.title": ("{site} 的事件（{zone}）", "Incidents of {site} ({zone})"),
    "incidents.none": ("没有符合条件的事件。", "No incidents match."),
    "incidents.more": ("仅显示前 {count} 个；可用 --limit 调整。", "Only the first {count} are shown; see --limit."),
    "verify.done": (
        "已核实，进入{stage}阶段；报告规则 {policy}",
        "Verified; now in stage {stage}; reporting policy {policy}",
    ),
    "verify.unfounded": ("已核实为不实，事件已结案。", "Marked unfounded; the incident is closed."),
    "verify.no_policy": ("无适用规则", "none applies"),
    "reclassify.done": (
        "等级已调整为{severity}；报告规则 {policy}",
        "Reclassified to {severity}; reporting policy {policy}",
    ),
    "progress.done": ("已记录进展（{at}）。", "Progress recorded at {at}."),
    "feedback.done": ("已记录反馈（{at}），事件进入{stage}阶段。", "Feedback recorded at {at}; now in stage {stage}."),
    "close.done": ("事件 {id} 已结案（{at}）。", "Incident {id} closed at {at}."),
    "close.override": ("管理员强制结案，理由：{reason}", "Closed by admin override, because: {reason}"),
    "merge.done": ("已将 {duplicate} 并入 {primary}。", "Merged {duplicate} into {primary}."),
    "merges.title": ("疑似重复事件（待带班领导决定）", "Possible duplicate incidents (for the duty leader)"),
    "merges.none": ("没有待决定的疑似重复事件。", "No possible duplicates to decide."),
    "merges.header": ("编号 保留事件 ← 重复事件 相似度 依据", "id  keep ← duplicate  score  evidence"),
    "merges.merged": ("已合并：{duplicate} 并入 {primary}。", "Merged: {duplicate} into {primary}."),
    "merges.dismissed": (
        "已驳回：{duplicate} 与 {primary} 不是同一事件。",
        "Dismissed: {duplicate} and {primary} are different events.",
    ),
    "timeline.title": ("事件 {id} 处置记录（{zone}）", "Timeline of incident {id} ({zone})"),
    "violations.reporting": ("迟报漏报（{zone}）", "Reporting violations ({zone})"),
    "violations.none": ("没有迟报漏报记录。", "No reporting violations."),
    "watch.title": ("值班看板 {site} · {at}", "Duty board {site} · {at}"),
    "watch.all_sites": ("全部可见站点", "all visible sites"),
    "watch.empty": ("暂无进行中的事件。", "No open incidents."),
    "watch.caption": ("每秒刷新；Ctrl-C 退出", "Refreshes every second; Ctrl-C ends"),
    "watch.since_start": ("（仅显示启动后有变化的事件）", "(only incidents changed since the start)"),
    "watch.stopped": ("已停止看板。", "Stopped watching."),
    # calls (`dutyline call …`): values of the API
    "call_status.registered": ("已登记", "registered"),
    "call_status.escalation_pending": ("待转事件", "escalation pending"),
    "call_status.escalated": ("已转事件", "escalated"),
    "call_status.linked": ("已关联事件", "linked"),
    "call_status.transferred": ("已转接", "transferred"),
    "callback_kind.message": ("留言", "Message"),
    "callback_kind.callback": ("承诺回电", "Callback"),
    "callback_kind.notice": ("上级通知待补全", "Notice to complete"),
    "gender.female": ("女", "female"),
    "gender.male": ("男", "male"),
    "gender.other": ("其他", "other"),
    "callback_status.open": ("待办", "open"),
    "callback_status.completed": ("已完成", "completed"),
    "callback_status.overdue": ("已超时", "overdue"),
    "transfer.connected": ("已接通", "connected"),
    "transfer.unreachable": ("未接通", "unreachable"),
    "notice.meeting_time": ("时间", "Meeting time"),
    "notice.place": ("地点", "Place"),
    "notice.content": ("内容", "Content"),
    "notice.participants": ("参加人员", "Participants"),
    "notice.issuing_unit": ("通知单位", "Issuing unit"),
    "notice.issuing_person": ("通知人", "Issuing person"),
    # calls: column headers and fields
    "col.channel": ("来电方式", "Channel"),
    "col.category": ("类别", "Category"),
    "col.caller": ("来电人", "Caller"),
    "col.phone": ("电话", "Phone"),
    "col.unit": ("单位", "Unit"),
    "col.address": ("住址", "Address"),
    "col.request": ("诉求", "Request"),
    "col.actions": ("处理情况", "Actions taken"),
    "col.rang": ("响铃", "Rang"),
    "col.answered": ("接听", "Answered"),
    "col.delay": ("接听用时", "Answer delay"),
    "col.officer": ("值班员", "Officer"),
    "col.duty": ("值班安排", "Duty assignment"),
    "col.notice": ("通知要素", "Notice"),
    "col.missing": ("缺少要素", "Missing"),
    "col.target": ("转接对象", "Transferred to"),
    "col.outcome": ("结果", "Outcome"),
    "col.briefing": ("情况说明", "Briefing"),
    "col.agreed": ("来电人同意", "Caller agreed"),
    "col.callback": ("留言/回电", "Message / callback"),
    "col.call": ("来电", "Call"),
    "col.receiver": ("接收人", "Recipient"),
    "col.score": ("相似度", "Score"),
    "col.reasons": ("依据", "Reasons"),
    "col.urgent": ("紧急", "Urgent"),
    "col.audit": ("审计编号", "Audit"),
    "col.completed": ("完成时间", "Completed"),
    "col.drill": ("演练", "Drill"),
    # calls: sentences
    "call.title": ("来电 {id}", "Call {id}"),
    "call.greeting": ("请说标准问候语：{greeting}", "Say the standard greeting: {greeting}"),
    "call.no_greeting": ("未能读取 {site} 的标准问候语。", "The standard greeting of {site} could not be read."),
    "call.missing": (
        "缺少 {fields}：请以选项给出（{why}）",
        "Missing {fields}: give them as options ({why})",
    ),
    "call.no_input": ("--no-input 不提示输入", "--no-input asks nothing"),
    "call.not_a_terminal": ("标准输入不是终端，无法提示输入", "standard input is not a terminal to ask on"),
    "prompt.category": ("来电类别", "Category of the call"),
    "prompt.summary": ("来电事由", "What happened (summary)"),
    "prompt.phone": ("来电号码（不详可留空）", "Caller's phone (empty if unknown)"),
    "prompt.caller_agreed": ("来电人同意转接吗？", "Did the caller agree to be transferred?"),
    "call.registered": ("已登记来电 {id}。", "Call {id} registered."),
    "call.replayed": (
        "此幂等键已登记过该来电，以下为首次登记的结果。",
        "This idempotency key registered the call before: this is the first answer.",
    ),
    "call.seconds": ("{s} 秒", "{s} s"),
    "call.limit": ("（时限 {limit} 秒）", " (limit {limit} s)"),
    "call.delay": ("{delay}{limit}", "{delay}{limit}"),
    "call.delay_late": ("{delay} · 超时接听{limit}", "{delay} · late{limit}"),
    "call.answered": ("{delay}后接听{limit}。", "Answered after {delay}{limit}."),
    "call.answered_late": ("超时接听：{delay}后才接听{limit}。", "Answered late: after {delay}{limit}."),
    "call.duty_gap": ("排班未能确认值班人员，已记录缺岗", "the roster could not say who was on duty: duty gap noted"),
    "call.duty_gap_line": (
        "排班系统未能确认当前值班人员：来电已登记，缺岗已记录。",
        "The roster could not say who was on duty: the call is registered and the duty gap noted.",
    ),
    "call.no_assignment": ("按排班 {officer} 当前不在岗", "{officer} is not on duty by the roster"),
    "call.assignment_line": ("值班安排 {assignment}：{officer}。", "Duty assignment {assignment}: {officer}."),
    "call.opened": ("已为此来电新建事件 {id}：{title}", "Incident {id} opened for this call: {title}"),
    "call.linked": (
        "已关联到同一事件的在办事件 {id}：{title}",
        "Linked to the open incident {id} of the same event: {title}",
    ),
    "call.pending": (
        "事件服务未应答：来电待转事件，系统将自动重试。",
        "The incident service did not answer: the escalation is pending and retried on its own.",
    ),
    "call.suggestions": ("可能为同一事件的在办事件", "Open incidents that may be the same event"),
    "call.no_suggestions": ("没有疑似同一事件的在办事件。", "No open incident seems to be the same event."),
    "call.notice_missing": ("上级通知缺少要素：{missing}", "The notice from a superior lacks: {missing}"),
    "call.notice_complete": ("上级通知六要素已齐全。", "The notice from a superior has all six elements."),
    "call.history": ("分类记录（{zone}）", "Classification history ({zone})"),
    "call.history_none": ("未调整过分类。", "Never reclassified."),
    "call.transfers": ("转接记录（{zone}）", "Transfers ({zone})"),
    "calls.title": ("{site} 的来电（{zone}）", "Calls of {site} ({zone})"),
    "calls.none": ("没有符合条件的来电。", "No calls match."),
    "calls.more": ("仅显示前 {count} 个；可用 --limit 调整。", "Only the first {count} are shown; see --limit."),
    "call.reclassified": ("来电 {id} 已改为{category}。", "Call {id} reclassified as {category}."),
    "call.transferred": ("来电 {id} 已转接 {target}：{outcome}。", "Call {id} transferred to {target}: {outcome}."),
    "call.message_taken": (
        "{target} 未接通，已留言 {callback}，期限 {due}。",
        "{target} was unreachable: message {callback} taken, due {due}.",
    ),
    "callback.title": ("{kind} {id}", "{kind} {id}"),
    "callback.done": ("已记录{kind} {id}，期限 {due}。", "{kind} {id} recorded, due {due}."),
    "callback.completed": ("{kind} {id} 已完成（{at}）：{outcome}", "{kind} {id} completed at {at}: {outcome}"),
    # A call's record after registration (来电记录): notes, completion, required fields.
    "record.caller_details": ("来电人性别/年龄", "Caller's gender / age"),
    "record.declined": ("来电人拒绝提供回拨号码", "the caller declined to give a number"),
    "record.handling": ("处理情况", "Handling"),
    "record.result": ("处理结果", "Result"),
    "record.completed": ("完成", "Completed"),
    "record.completed_by": ("{at}，{by}", "{at} by {by}"),
    "record.notes": ("处理记录", "Notes"),
    "record.missing": ("必填项未齐", "Required, missing"),
    "record.note_added": ("已为来电 {id} 添加处理记录。", "Note added to call {id}."),
    "record.complete_done": ("来电 {id} 的记录已完成：{result}", "The record of call {id} is complete: {result}"),
    "record.complete_which": (
        "请用 --outcome 完成留言/回电，或用 --result 完成来电记录（二选一）。",
        "Give --outcome to complete a message or callback, or --result to complete a call's record (one of them).",
    ),
    "callbacks.title": ("{site} 的留言与回电（{zone}）", "Messages and callbacks of {site} ({zone})"),
    "callbacks.none": ("没有留言或回电。", "No messages or callbacks."),
    "call.link_done": ("来电 {id} 已关联事件 {incident}：{title}", "Call {id} linked to incident {incident}: {title}"),
    "call.unlink_done": (
        "来电 {id} 已移出原事件，另立事件 {incident}：{title}",
        "Call {id} moved out into a new incident {incident}: {title}",
    ),
    "call.escalate_done": (
        "已为来电 {id} 新建事件 {incident}：{title}",
        "Incident {incident} opened for call {id}: {title}",
    ),
    "call.title_kept": (
        "事件服务未采用 --title，事件标题为：{title}",
        "The incident service did not take --title; the incident's title is: {title}",
    ),
    "call.revealed": ("来电人（明文）", "Caller (clear)"),
    "call.reveal_recorded": (
        "注意：本次查看已记入审计（{audit}）：查看人、时间和理由。",
        "Warning: this reveal was recorded in the audit trail ({audit}): who, when and why.",
    ),
    "call.yes": ("是", "yes"),
    "call.no": ("否", "no"),
    # notifications (`dutyline notify …`): values of the API
    "notify_status.pending": ("待发送", "pending"),
    "notify_status.sent": ("已发送", "sent"),
    "notify_status.delivered": ("已送达", "delivered"),
    "notify_status.failed": ("发送失败", "failed"),
    "notify_status.acknowledged": ("已确认", "acknowledged"),
    "notify_channel.sms": ("短信", "SMS"),
    "notify_channel.voice": ("语音电话", "Voice call"),
    "notify_channel.email": ("邮件", "Email"),
    "notify_channel.im": ("即时消息", "IM"),
    "notify_channel.webhook": ("Webhook", "Webhook"),
    "notify_channel.console": ("值班台", "Duty console"),
    "escalation_status.running": ("升级中", "running"),
    "escalation_status.acknowledged": ("已确认", "acknowledged"),
    "escalation_status.exhausted": ("无人确认", "exhausted"),
    "delivery_status.pending": ("待推送", "pending"),
    "delivery_status.acknowledged": ("已回执", "acknowledged"),
    "delivery_status.failed": ("推送失败", "failed"),
    # notifications: column headers and fields
    "col.subject": ("主题", "Subject"),
    "col.notify_channel": ("渠道", "Channel"),
    "col.acknowledged": ("确认", "Acknowledged"),
    "col.address_to": ("发送地址", "Address"),
    "col.provider_answer": ("服务商应答", "Provider answer"),
    "col.template": ("模板", "Template"),
    "col.escalation": ("升级通知", "Escalation"),
    "col.created": ("创建时间", "Created"),
    "col.step_recipient": ("通知对象", "Recipient"),
    "col.wait": ("等待确认", "Wait"),
    "col.as_step": ("--step 写法", "As --step"),
    "col.loops": ("轮次", "Loops"),
    "col.workflow": ("工作流", "Workflow"),
    "col.loop_step": ("轮/步", "Loop/step"),
    # notifications: sentences
    "notify.title": ("通知 {id}", "Notification {id}"),
    "notify.list_title": ("{site} 的通知", "Notifications of {site}"),
    "notify.all_sites": ("全部可见站点", "all visible sites"),
    "notify.zones": ("时区：{zones}", "Times in {zones}"),
    "notify.none": ("没有符合条件的通知。", "No notifications match."),
    "notify.more": ("仅显示前 {count} 条；可用 --limit 调整。", "Only the first {count} are shown; see --limit."),
    "notify.attempts": ("发送记录（{zone}）", "Delivery attempts ({zone})"),
    "notify.no_attempts": ("尚未尝试发送。", "No delivery attempt yet."),
    "notify.no_body": ("（无正文）", "(no body)"),
    "notify.acked": ("通知 {id} 已由 {by} 确认（{at}）。", "Notification {id} acknowledged by {by} at {at}."),
    "chain.title": ("{site} 的升级链", "Escalation chain of {site}"),
    "chain.default": ("（默认，站点未设置）", "(the default: the site has none of its own)"),
    "chain.repeat": ("整条链最多走 {repeat} 轮", "walked up to {repeat} time(s)"),
    "chain.updated": ("更新于 {at}", "updated {at}"),
    "chain.set": ("已设置 {site} 的升级链。", "Escalation chain of {site} set."),
    "chain.preferred": ("按本人偏好", "their preference"),
    "chain.seconds": ("{s} 秒", "{s} s"),
    "chain.person": ("人员 {person}", "person {person}"),
    "chain.superior": ("上级值班室", "Superior duty office"),
    "chain.bad_step": (
        "无法识别的一步 “{step}”：{why}。写法如 {examples}",
        "cannot read the step '{step}': {why}. Write it like {examples}",
    ),
    "chain.need_wait": ("最后须为等待确认的秒数", "it must end with the seconds to wait for an acknowledgement"),
    "chain.bad_wait": (
        "等待秒数 “{wait}” 应为 1 到 {max} 的整数",
        "the wait '{wait}' must be a whole number from 1 to {max}",
    ),
    "chain.need_person": ("person: 后须给出人员编号", "person: must be followed by a person id"),
    "chain.bad_recipient": (
        "“{recipient}” 不是接收对象：应为 {roles}[@站点]、superior 或 person:编号",
        "'{recipient}' is not a recipient: use {roles}[@SITE], superior or person:ID",
    ),
    "chain.bad_channel": (
        "“{channel}” 不是通知渠道：应为 {channels} 之一",
        "'{channel}' is not a channel: one of {channels}",
    ),
    "chain.bad_site": ("“{site}” 不是站点编号", "'{site}' is not a site id"),
    "chain.too_many_parts": (
        "接收对象与秒数之间最多一个渠道",
        "at most one channel goes between the recipient and the seconds",
    ),
    "escalation.title": ("升级通知 {id}", "Escalation {id}"),
    "escalation.loops": ("最多 {repeat} 轮，每轮自第 {first} 步起", "up to {repeat}, each from step {first}"),
    "escalation.steps": ("升级链（◀ 起始步）", "Chain (◀ the first step)"),
    "escalation.notified": ("已通知（{zone}）", "Notified ({zone})"),
    "escalation.nobody_yet": ("尚未通知任何人。", "Nobody notified yet."),
    "escalation.at": ("第{loop}轮第{step}步", "loop {loop}, step {step}"),
    "escalation.placed": ("— 为告知他人已有人确认的通知", "— marks the notices that someone acknowledged"),
    # agencies (`dutyline agency …`)
    "col.sites": ("站点", "Sites"),
    "col.events": ("事件类型", "Event types"),
    "col.webhook": ("回调地址", "Webhook"),
    "col.nats_user": ("NATS 用户", "NATS user"),
    "col.creds_file": ("凭据文件", "Creds file"),
    "col.inbox_prefix": ("收件前缀 inbox_prefix", "Inbox prefix"),
    "col.consumer": ("持久消费者", "Durable consumer"),
    "col.agency": ("机构", "Agency"),
    "col.event": ("事件", "Event"),
    "col.attempts": ("次数", "Attempts"),
    "col.receipt": ("回执", "Receipt"),
    "col.last_error": ("最近错误", "Last error"),
    "col.acked_at": ("回执时间", "Acknowledged"),
    "col.next_attempt": ("下次推送", "Next attempt"),
    "agency.title": ("机构 {id}", "Agency {id}"),
    "agency.list_title": ("外部机构", "Agencies"),
    "agency.utc": ("时间为 UTC", "Times in UTC"),
    "agency.none": ("尚未登记任何机构。", "No agencies registered."),
    "agency.added": ("已登记机构 {id}。", "Agency {id} registered."),
    "agency.secret": ("Webhook 密钥", "Webhook secret"),
    "agency.secret_warning": (
        "请立即妥善保存下面的 Webhook 密钥：它只显示这一次，用于校验每次推送的签名（HMAC-SHA256）。",
        "Store the webhook secret below now: it is shown only this once, and it signs every webhook "
        "delivery (HMAC-SHA256).",
    ),
    "agency.creds_title": ("机构 {id} 的 NATS 凭据", "NATS credentials of agency {id}"),
    "agency.creds_written": (
        "凭据已写入 {path}（仅本人可读 0600）。",
        "Credentials written to {path} (owner-only, 0600).",
    ),
    "agency.creds_warning": (
        "凭据文件含私钥：请通过安全渠道交给该机构，不要提交到代码库。",
        "The creds file holds a private key: hand it to the agency securely and never commit it.",
    ),
    "agency.write_failed": (
        "无法写入 {path}：{error}。可用 --idempotency-key {key} 重新签发同一凭据。",
        "Cannot write {path}: {error}. Issue the same credentials again with --idempotency-key {key}.",
    ),
    "agency.subjects": ("允许订阅的主题", "Subjects the server lets it subscribe to"),
    "agency.revoked": (
        "已吊销机构 {id} 的全部 NATS 凭据，NATS 服务器即刻拒绝其连接。",
        "Every NATS credential of agency {id} is revoked: the NATS servers refuse it at once.",
    ),
    "agency.rescoped": (
        "已更新机构 {id} 的站点与事件类型。",
        "Agency {id} now receives the sites and event types given.",
    ),
    "agency.rescoped_revoked": (
        "其原有 NATS 凭据（如有）携带旧主题，已吊销；请用 `dutyline agency credentials {id}` 签发新凭据。",
        "Its NATS credentials, if any, carried the old subjects and are revoked: issue new ones with "
        "`dutyline agency credentials {id}`.",
    ),
    "agency.snippet": ("用 nats-py 连接", "Connect with nats-py"),
    "agency.deliveries_title": ("Webhook 推送记录", "Webhook deliveries"),
    "agency.no_deliveries": ("没有符合条件的推送记录。", "No deliveries match."),
    # the event stream (`dutyline events tail`)
    "events.following": ("正在跟踪 {subject}（{url}），Ctrl-C 退出", "Following {subject} on {url}; Ctrl-C ends"),
    "events.stopped": ("已停止。", "Stopped."),
    "events.not_an_event": (
        "跳过 {subject} 上的非 dutyline 事件消息（{size} 字节）",
        "skipped a message on {subject} that is not a dutyline event ({size} bytes)",
    ),
    "events.answered_late": ("（超时接听）", "(answered late)"),
    "events.roster_published": ("已发布排班 {count} 条，缺岗 {gaps} 处", "{count} assignments published, {gaps} gaps"),
    "events.bad_type": (
        "“{type}” 不是事件类型：应如 incident.registered、incident.* 或 *",
        "'{type}' is not an event type: use incident.registered, incident.* or *",
    ),
    "events.cap_incidents_only": (
        "CAP 仅用于事件（incident.*），不适用于 {type}",
        "CAP renditions exist for incident events (incident.*) only, not {type}",
    ),
    "events.json_or_cap": ("--json 与 --cap 只能二选一", "use either --json or --cap"),
    "events.no_creds": ("找不到凭据文件 {path}", "No such creds file: {path}"),
    "events.connect_failed": ("无法连接 NATS {url}：{error}", "Cannot connect to NATS at {url}: {error}"),
    "events.refused": ("NATS 拒绝订阅 {subject}：{error}", "NATS refused the subscription to {subject}: {error}"),
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
    "error.bad_moment": (
        "时间格式应为 2026-12-01T09:30（无时区时按站点时区）",
        "a time like 2026-12-01T09:30 (the site's zone unless an offset is given)",
    ),
    "error.lat_lon": ("--lat 与 --lon 须同时给出", "--lat and --lon go together"),
    "error.week_or_dates": ("--week 与 --from/--to 只能二选一", "use either --week or --from/--to"),
    "error.approve_or_reject": ("请指定 --approve 或 --reject 之一", "give exactly one of --approve or --reject"),
    "error.refused": ("拒绝 {code}：{detail}", "Refused {code}: {detail}"),
    "error.verify_args": (
        "请给出 --category 和 --severity，或 --unfounded --reason 理由",
        "give --category and --severity, or --unfounded --reason REASON",
    ),
    "error.unfounded_args": (
        "--unfounded 不能与 --category、--severity 或伤亡选项同用",
        "--unfounded goes without --category, --severity and the casualty options",
    ),
    "error.person_or_mine": ("--person 与 --mine 只能二选一", "use either --person or --mine"),
    "error.token_names_nobody": ("令牌未指明人员，无法使用 --mine", "The token names no person: --mine cannot be used"),
    "error.ack_token_is_login": (
        "这是登录令牌，不是消息中的确认码：请写在命令前，如 dutyline notify --token 令牌 ack 编号",
        "this is a login token, not the one-time token of the message: give it before the command, "
        "dutyline notify --token TOKEN ack ID",
    ),
    "error.empty_ack_token": ("确认码为空", "the one-time token is empty"),
    "error.need_content": (
        "请用 --content 给出报告内容（- 表示从标准输入读取）",
        "give the report with --content TEXT (- reads standard input)",
    ),
    # dutyline ops dead-letters
    "ops.title": ("死信（{count} 条）", "Dead letters ({count})"),
    "ops.caption_unreplayed": ("仅列出未重放的；--all 列出全部", "unreplayed only; --all lists every one"),
    "ops.none": ("没有死信", "No dead letters"),
    "ops.col.seq": ("序号", "Seq"),
    "ops.col.schema": ("模式", "Schema"),
    "ops.col.source": ("来源", "Source"),
    "ops.col.subject": ("主题", "Subject"),
    "ops.col.event": ("事件编号", "Event ID"),
    "ops.col.reason": ("原因", "Reason"),
    "ops.col.at": ("时间", "At"),
    "ops.col.replayed": ("重放时间", "Replayed"),
    "ops.bad_schema": (
        "模式名无效：{schema}（intake、roster、incident、notify 或 all）",
        "not a schema: {schema} (intake, roster, incident, notify or all)",
    ),
    "ops.no_table": ("模式 {schema} 中没有死信表 dead_letters", "schema {schema} has no dead_letters table"),
    "ops.db_failed": ("无法访问数据库 {dsn}：{error}", "cannot use the database {dsn}: {error}"),
    "ops.schema_all": (
        "请用 --schema 指明一个模式（死信序号按模式编号）",
        "name one schema with --schema (sequence numbers are per schema)",
    ),
    "ops.not_found": ("{schema} 中没有这些死信：{seqs}", "no such dead letters in {schema}: {seqs}"),
    "ops.cannot_replay": (
        "无法重放 #{seq}（{source}）：消费端和推送的死信暂不支持重放"
        "——再次发布会让其他消费者重复收到；处理后请用 drop 删除",
        "cannot replay #{seq} ({source}): a consumer's or the feed's dead letter cannot be replayed yet "
        "(publishing it again would duplicate it for every other consumer); handle it, then drop it",
    ),
    "ops.already_replayed": ("#{seq} 已于 {at} 重放过", "#{seq} was replayed already, at {at}"),
    "ops.nothing_changed": ("未做任何更改", "Nothing changed."),
    "ops.replayed": (
        "已重放 #{seq} {event_id} → {subject}（已放回 {schema} 的发件箱）",
        "replayed #{seq} {event_id} → {subject} (back in the outbox of {schema})",
    ),
    "ops.need_reason": ("请用 --reason 说明删除原因", "say why with --reason"),
    "ops.drop_confirm": ("从 {schema} 删除 {count} 条死信？", "Drop {count} dead letters from {schema}?"),
    "ops.not_confirmed": ("未确认，未删除（或加 --yes）", "Not confirmed: nothing dropped (or add --yes)."),
    "ops.dropped": (
        "已删除 #{seq} {event_id}（{source}），原因：{reason}",
        "dropped #{seq} {event_id} ({source}): {reason}",
    ),
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
    """The language messages are shown in (for words made outside MESSAGES, dutyline.labels)."""
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
