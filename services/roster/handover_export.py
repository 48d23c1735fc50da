"""The handover register (交接班登记簿) as a file: one row per handover with both signatures and the
leader's countersignature (who and when), the open items it carried and the notes. XLSX through
XlsxWriter (times stay times, in the site's zone) or CSV; headers in zh-CN, English or both. Pure:
handovers in, bytes out."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import xlsxwriter

from dutyline.labels import Language, label
from services.roster.duty_store import HandoverRow

# (zh-CN, English) of each column, in order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("交接班编号", "Handover"),
    ("交班时间", "Submitted at"),
    ("交班人", "Outgoing officer"),
    ("交班班次", "Outgoing assignment"),
    ("接班人", "Incoming officer"),
    ("接班班次", "Incoming assignment"),
    ("接班时间", "Accepted at"),
    ("状态", "Status"),
    ("超时接班", "Accepted late"),
    ("带班领导签字", "Countersigned by"),
    ("签字时间", "Countersigned at"),
    ("未结事项数", "Open items"),
    ("未结事项", "Open items carried"),
    ("值班记录", "Shift log"),
    ("备注", "Notes"),
    ("接班意见", "Incoming remarks"),
    ("领导意见", "Leader's remarks"),
)
TIME_COLUMNS = {1, 6, 10}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str


def _language(language: str) -> Language | None:
    """None: both languages."""
    languages: dict[str, Language] = {"zh-CN": "zh", "en": "en"}
    return languages.get(language)


def headers(language: str) -> list[str]:
    lang = _language(language)
    return [zh if lang == "zh" else en if lang == "en" else f"{zh} {en}" for zh, en in COLUMNS]


def _status(value: str, lang: Language | None) -> str:
    if lang is None:
        return f"{label('status', value, 'zh')} {label('status', value, 'en')}"
    return label("status", value, lang)


def _local(at: datetime | None, zone: ZoneInfo) -> datetime | None:
    return at.astimezone(zone).replace(tzinfo=None) if at else None


def rows(handovers: Sequence[HandoverRow], *, zone: ZoneInfo, language: str) -> list[list[object]]:
    """The register's cells, times as naive local datetimes of the site's zone (None when unset)."""
    lang = _language(language)
    late = {"zh": "是", "en": "Yes", None: "是 Yes"}[lang]
    return [
        [
            h.id,
            _local(h.submitted_at, zone),
            h.outgoing_person_id,
            h.outgoing_assignment_id,
            h.incoming_person_id,
            h.incoming_assignment_id,
            _local(h.accepted_at, zone),
            _status(h.status, lang),
            late if h.overdue else "",
            h.countersigned_by_id or "",
            _local(h.countersigned_at, zone),
            len(h.open_items),
            "\n".join(f"[{i.kind}] {i.text}" for i in h.open_items),
            h.shift_log,
            h.notes,
            h.remarks,
            h.countersign_remarks,
        ]
        for h in handovers
    ]


def _text(cell: object) -> object:
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    return "" if cell is None else cell


def export(
    handovers: Sequence[HandoverRow], *, site_id: str, zone: ZoneInfo, language: str, fmt: str, stamp: str
) -> Export:
    """The register as XLSX (``fmt`` "" or "xlsx") or CSV; ``stamp`` names the file (e.g. the period)."""
    header = headers(language)
    cells = rows(handovers, zone=zone, language=language)
    name = f"handovers-{site_id}-{stamp}"
    if fmt == "csv":
        text = StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([[_text(c) for c in r] for r in cells])
        # With a BOM: spreadsheet programs then read the Chinese as UTF-8.
        return Export(text.getvalue().encode("utf-8-sig"), f"{name}.csv", CSV_TYPE)
    out = BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet("交接班登记 Handovers")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(cells, start=1):
        for c, value in enumerate(row):
            if c in TIME_COLUMNS:
                if value is not None:
                    sheet.write_datetime(r, c, value, moment)
            else:
                sheet.write(r, c, value, wrapped)
    sheet.set_column(0, len(header) - 1, 18)
    sheet.set_column(12, 13, 48)
    workbook.close()
    return Export(out.getvalue(), f"{name}.xlsx", XLSX_TYPE)
