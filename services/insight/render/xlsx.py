"""A document as an XLSX workbook (openpyxl): a summary sheet (title, meta lines, signatures), then one
sheet per section with its blocks top to bottom. Numbers stay numbers and times are dates, with
number formats; the header row of a sheet's first table is frozen; charts are pictures anchored in
the sheet (a native chart could not show the same rendering, CJK included)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.insight.render.documents import (
    ChartImage,
    Document,
    Field,
    KeyValues,
    Paragraph,
    Section,
    Table,
    Value,
    ValueKind,
    display,
    local_time,
)
from services.insight.render.words import WORDS

# Pictures are shown 720 px wide; a default row is 20 px high.
IMAGE_WIDTH_PX = 720
ROW_HEIGHT_PX = 20
MIN_WIDTH, MAX_WIDTH = 8, 60
SHEET_NAME_LENGTH = 31

TITLE_FONT = Font(bold=True, size=16)
HEADING_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
CAPTION_FONT = Font(italic=True, color="4A5568")
HEADER_FILL = PatternFill("solid", fgColor="E2E8F0")
TOTALS_FILL = PatternFill("solid", fgColor="F1F5F9")
THIN = Side(style="thin", color="A0AEC0")


def number_format(kind: ValueKind, decimals: int) -> str:
    fraction = "." + "0" * decimals if decimals else ""
    return {
        ValueKind.TEXT: "@",
        ValueKind.INTEGER: "#,##0",
        ValueKind.DECIMAL: f"#,##0{fraction}",
        ValueKind.PERCENT: f"0{fraction}%",
        ValueKind.DATE: "yyyy-mm-dd",
        ValueKind.DATETIME: "yyyy-mm-dd hh:mm",
    }[kind]


def _text_width(text: str) -> int:
    # Wide (CJK) characters take two columns of a spreadsheet's width unit.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Sheet:
    """Writes rows top to bottom and remembers the widest text of each column."""

    def __init__(self, sheet: Worksheet, time_zone: str) -> None:
        self.sheet = sheet
        self.time_zone = time_zone
        self.row = 1
        self.widths: dict[int, int] = {}
        self.frozen = False

    def put(self, column: int, value: Value, kind: ValueKind, decimals: int = 1, measure: bool = True) -> None:
        cell = self.sheet.cell(
            self.row, column, local_time(value, self.time_zone) if isinstance(value, datetime) else value
        )
        if value is not None and kind is not ValueKind.TEXT:
            cell.number_format = number_format(kind, decimals)
        if measure:
            width = _text_width(display(value, kind, self.time_zone, decimals))
            self.widths[column] = max(self.widths.get(column, 0), width)

    def text(self, text: str, font: Font | None = None) -> None:
        # Long lines overflow into the empty cells beside them: not measured.
        self.put(1, text, ValueKind.TEXT, measure=False)
        if font is not None:
            self.sheet.cell(self.row, 1).font = font
        self.row += 1

    def fields(self, fields: Sequence[Field]) -> None:
        for item in fields:
            self.put(1, item.label, ValueKind.TEXT)
            self.sheet.cell(self.row, 1).font = BOLD
            self.put(2, item.value, item.resolved_kind, item.decimals)
            self.row += 1

    def table(self, table: Table) -> None:
        if table.caption:
            self.text(table.caption, CAPTION_FONT)
        for column, heading in enumerate(table.columns, start=1):
            self.put(column, heading.title, ValueKind.TEXT)
            cell = self.sheet.cell(self.row, column)
            cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, Border(bottom=THIN)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if not self.frozen:
            self.sheet.freeze_panes = self.sheet.cell(self.row + 1, 1)
            self.frozen = True
        self.row += 1
        for line in table.rows:
            self._line(table, line)
        if table.totals is not None:
            self._line(table, table.totals)
            for column in range(1, len(table.columns) + 1):
                cell = self.sheet.cell(self.row - 1, column)
                cell.font, cell.fill, cell.border = BOLD, TOTALS_FILL, Border(top=THIN)

    def _line(self, table: Table, line: Sequence[Value]) -> None:
        for column, (heading, value) in enumerate(zip(table.columns, line, strict=True), start=1):
            self.put(column, value, heading.kind, heading.decimals)
        self.row += 1

    def image(self, chart: ChartImage) -> None:
        picture = Image(BytesIO(chart.png))
        scale = IMAGE_WIDTH_PX / picture.width
        picture.width, picture.height = IMAGE_WIDTH_PX, round(picture.height * scale)
        self.sheet.add_image(picture, f"A{self.row}")
        self.row += math.ceil(picture.height / ROW_HEIGHT_PX)
        if chart.caption:
            self.text(chart.caption, CAPTION_FONT)

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def _sheet_name(heading: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", heading).strip().strip("'") or "-"
    name, n = base[:SHEET_NAME_LENGTH], 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _section(sheet: _Sheet, section: Section) -> None:
    sheet.text(section.heading, HEADING_FONT)
    for block in section.blocks:
        sheet.row += 1
        match block:
            case Paragraph():
                for line in block.text.splitlines() or [""]:
                    sheet.text(line)
            case KeyValues():
                sheet.fields(block.fields)
            case Table():
                sheet.table(block)
            case ChartImage():
                sheet.image(block)


def render_xlsx(document: Document) -> bytes:
    """The document as XLSX bytes."""
    book = Workbook()
    book.properties.title = document.title
    book.properties.creator = "dutyline"
    book.properties.created = local_time(document.generated_at, "UTC")
    taken: set[str] = set()
    summary = _Sheet(book.active, document.time_zone)
    summary.sheet.title = _sheet_name(WORDS[document.lang]["summary_sheet"], taken)
    summary.text(document.title, TITLE_FONT)
    if document.subtitle:
        summary.text(document.subtitle)
    summary.row += 1
    summary.fields(document.meta)
    if document.signatures:
        summary.row += 1
        for signature in document.signatures:
            summary.put(1, signature.role, ValueKind.TEXT)
            summary.sheet.cell(summary.row, 1).font = BOLD
            summary.put(2, signature.signed_by, ValueKind.TEXT)
            summary.put(3, signature.signed_at, ValueKind.DATETIME)
            summary.row += 1
    summary.finish()
    for section in document.sections:
        sheet = _Sheet(book.create_sheet(_sheet_name(section.heading, taken)), document.time_zone)
        _section(sheet, section)
        sheet.finish()
    out = BytesIO()
    book.save(out)
    return out.getvalue()
