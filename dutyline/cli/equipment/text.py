"""The words of `dutyline equipment …` and `dutyline supplies …` in zh-CN and English, added to the CLI's
catalogue (dutyline.cli.common.i18n) when the group is loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

EQUIPMENT_MESSAGES = {
    "equipment_kind.duty_phone": ("值班电话", "duty phone"),
    "equipment_kind.radio": ("对讲机", "radio"),
    "equipment_kind.fax": ("传真机", "fax"),
    "equipment_kind.computer": ("电脑", "computer"),
    "equipment_kind.generator": ("发电机", "generator"),
    "equipment_kind.other": ("其他", "other"),
    "check_period.shift": ("每班", "per shift"),
    "check_period.daily": ("每日", "daily"),
    "check_period.weekly": ("每周", "weekly"),
    "check_period.monthly": ("每月", "monthly"),
    "fault_status.open": ("未修复", "open"),
    "fault_status.resolved": ("已修复", "resolved"),
    "supply_warning.below_minimum": ("低于最低库存", "below minimum"),
    "supply_warning.expiring": ("即将过期", "expiring"),
    "supply_warning.expired": ("已过期", "expired"),
    "equipment.critical": ("关键", "critical"),
    "equipment.saved": ("已保存设备 {id}：{name}", "Equipment {id} saved: {name}"),
    "equipment.checked_ok": ("已记录检查：{name} — {check} 正常", "Check recorded: {name} — {check} OK"),
    "equipment.checked_fault": (
        "已记录检查：{name} — {check} 故障，已登记故障 {fault}",
        "Check recorded: {name} — {check} FAULT, fault {fault} opened",
    ),
    "equipment.fault_reported": ("已登记故障 {id}：{name}", "Fault {id} reported: {name}"),
    "equipment.leader_alerted": ("关键设备：已通知带班领导", "Critical item: the duty leader has been alerted"),
    "equipment.fault_resolved": ("故障 {id} 已修复", "Fault {id} resolved"),
    "equipment.bad_check": (
        "检查项格式为 名称=周期（shift/daily/weekly/monthly）",
        "a check is NAME=PERIOD (shift/daily/weekly/monthly)",
    ),
    "equipment.title": ("值班设备（{count}）", "Equipment ({count})"),
    "equipment.none": ("该站点没有登记设备。", "No equipment at this site."),
    "equipment.faults_title": ("设备故障（{count}）", "Equipment faults ({count})"),
    "equipment.no_faults": ("没有符合条件的故障。", "No faults match."),
    "equipment.more": ("还有更多：--page-token {token}", "More: --page-token {token}"),
    "equipment.col.id": ("编号", "Id"),
    "equipment.col.kind": ("类别", "Kind"),
    "equipment.col.name": ("名称", "Name"),
    "equipment.col.checks": ("检查项", "Checks"),
    "equipment.col.open_faults": ("未修复故障", "Open faults"),
    "equipment.col.reported": ("报告时间", "Reported"),
    "equipment.col.status": ("状态", "Status"),
    "equipment.col.description": ("故障描述", "Description"),
    "equipment.col.by": ("报告人", "Reported by"),
    "equipment.col.resolution": ("修复情况", "Resolution"),
    "supplies.saved": ("已保存物资 {id}：{name}", "Supply {id} saved: {name}"),
    "supplies.title": ("应急物资（{count}）", "Emergency supplies ({count})"),
    "supplies.none": ("该站点没有登记应急物资。", "No supplies at this site."),
    "supplies.col.id": ("编号", "Id"),
    "supplies.col.name": ("名称", "Name"),
    "supplies.col.quantity": ("数量", "Quantity"),
    "supplies.col.minimum": ("最低库存", "Minimum"),
    "supplies.col.expiry": ("有效期至", "Expires"),
    "supplies.col.warnings": ("提醒", "Warnings"),
}

MESSAGES.update(EQUIPMENT_MESSAGES)
