"""The words and the table of report corrections (`dutyline incident correct`, `… versions`) in zh-CN and
English, added to the CLI's catalogue (dutyline.cli.common.i18n) when the incident group is loaded."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.markup import escape
from rich.text import Text

from dutyline.cli.common.i18n import MESSAGES, t
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import when
from dutyline.incident.v1 import incident_pb2

CORRECTION_MESSAGES = {
    "figure.deaths": ("死亡", "deaths"),
    "figure.serious_injuries": ("重伤", "serious injuries"),
    "figure.injuries": ("轻伤", "injuries"),
    "figure.missing": ("下落不明", "missing"),
    "figure.loss_yuan": ("直接经济损失（元）", "loss (yuan)"),
    "figure.severity": ("等级", "severity"),
    "figure.cause": ("原因", "cause"),
    "correct.done": ("已更正报告 {id}，现为第 {version} 版。", "Report {id} corrected; now version {version}."),
    "correct.wrong_report": (
        "重要数据超出更正时限，记错报一次（{person}）。",
        "A material figure was corrected too late: recorded as a wrong report (错报) of {person}.",
    ),
    "correct.need_something": (
        "请说明更正的内容：--content、伤亡数字、事故报告要素、--severity 或 --cause",
        "say what is corrected: --content, the casualty figures, the accident items, --severity or --cause",
    ),
    "versions.title": ("报告 {id} 的版本（{zone}）", "Versions of report {id} ({zone})"),
    "versions.none": ("没有该报告的版本。", "No versions of this report."),
    "versions.first": ("首报", "as submitted"),
    "versions.wording": ("仅文字更正", "wording only"),
    "versions.late": ("错报（超出更正时限）", "wrong report (corrected too late)"),
    "versions.added": ("补充", "added"),
    "entry.report_corrected": ("更正", "report corrected"),
    "event.incident.report_corrected": ("报告更正", "report corrected"),
    "violation.wrong_report": ("错报", "wrong report (错报)"),
    "col.version": ("版本", "Version"),
    "col.changes": ("变化", "Changes"),
}
MESSAGES.update(CORRECTION_MESSAGES)


def change_text(change: incident_pb2.FigureChange) -> str:
    """ "死亡 1 → 3", with a figure stated for the first time marked as added."""
    line = f"{t('figure.' + change.figure)} {change.before or '—'} → {change.after or '—'}"
    return line if change.material else f"{line} ({t('versions.added')})"


def versions_table(report_id: str, versions: Iterable[incident_pb2.ReportVersion], zone: ZoneInfo) -> RenderableType:
    """Every version, oldest first, with what changed from the one before and why."""
    items = list(versions)
    if not items:
        return Text(t("versions.none"))
    table = list_table(
        t("versions.title", id=report_id, zone=zone.key),
        t("col.version"),
        t("col.time"),
        Ids(t("col.author")),
        t("col.changes"),
        t("col.reason"),
        t("col.content"),
    )
    for v in items:
        if v.version == 1:
            changes = Text(t("versions.first"))
        else:
            lines = [change_text(c) for c in v.changes] or [t("versions.wording")]
            changes = Text("\n".join(lines), style="red" if v.late else "")
            if v.late:
                changes.append("\n" + t("versions.late"))
        table.add_row(
            f"v{v.version}",
            when(v, "recorded_at", zone),
            escape(v.author_id),
            changes,
            escape(v.reason),
            escape(v.content),
        )
    return table
