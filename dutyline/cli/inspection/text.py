"""The words of `dutyline inspection …` in zh-CN and English, added to the CLI's catalogue
(dutyline.cli.common.i18n) when the group is loaded."""

from __future__ import annotations

from dutyline.cli.common.i18n import MESSAGES

INSPECTION_MESSAGES = {
    "inspection.checklist_title": (
        "查岗清单 {site}（第 {version} 版）",
        "Inspection checklist of {site} (version {version})",
    ),
    "inspection.checklist_set": (
        "已更新 {site} 的查岗清单：{count} 项（第 {version} 版）",
        "Checklist of {site} set: {count} items (version {version})",
    ),
    "inspection.bad_item": (
        "清单项格式为 代码=名称，如 on_post=值班人员在岗",
        "an item is CODE=LABEL, e.g. on_post=officers on post",
    ),
    "inspection.bad_fail": (
        "不合格项格式为 代码=说明，如 log_kept=夜间来电未登记",
        "a failed item is CODE=NOTE, e.g. log_kept=night calls not logged",
    ),
    "inspection.need_results": (
        "请用 --ok、--fail 或 --all-ok 给出每一项的结果",
        "give each item's result with --ok, --fail or --all-ok",
    ),
    "inspection.recorded": (
        "已记录查岗 {id}：{shift} {date}，{verdict}",
        "Inspection {id} recorded: {shift} {date}, {verdict}",
    ),
    "inspection.all_ok": ("全部合格", "all items ok"),
    "inspection.not_ok": ("{count} 项不合格", "{count} item(s) not ok"),
    "inspection.title": ("查岗记录（{count}）", "Inspections ({count})"),
    "inspection.none": ("没有符合条件的查岗记录。", "No inspections match."),
    "inspection.more": ("还有更多：--page-token {token}", "More: --page-token {token}"),
    "inspection.ok": ("合格", "ok"),
    "inspection.col.code": ("代码", "Code"),
    "inspection.col.item": ("查岗项目", "Item"),
    "inspection.col.id": ("编号", "Id"),
    "inspection.col.at": ("查岗时间", "Inspected at"),
    "inspection.col.shift": ("班次", "Shift"),
    "inspection.col.inspector": ("带班领导", "Duty leader"),
    "inspection.col.result": ("结果", "Result"),
    "inspection.col.note": ("说明", "Note"),
}

MESSAGES.update(INSPECTION_MESSAGES)
