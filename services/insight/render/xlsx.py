"""A document as an XLSX workbook (XlsxWriter): a summary sheet (title, meta lines, signatures), then one
sheet per section with its blocks top to bottom. Numbers stay numbers and times are dates, with
number formats; the header row of a sheet's first table is frozen; charts are pictures anchored in
the sheet (a native chart could not show the same rendering, CJK included). XlsxWriter writes about
twice as fast as openpyxl's write-only mode, and faster still with its shared strings (a workbook's
many repeated names and kinds) than streamed: a region's month of score lines is hundreds of thousands
of cells (bench.insight), held until the file is saved (some 50 MB for 400,000 cells)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import xlsxwriter
from PIL import Image
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

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
# A column's width is measured on its first rows only: a long table's later rows look like its first.
MEASURED_ROWS = 500

GRID = "#A0AEC0"
TITLE = {"bold": True, "font_size": 16}
HEADING = {"bold": True, "font_size": 13}
BOLD = {"bold": True}
CAPTION = {"italic": True, "font_color": "#4A5568"}
HEADER = {
    "bold": True,
    "bg_color": "#E2E8F0",
    "bottom": 1,
    "bottom_color": GRID,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
TOTALS = {"bold": True, "bg_color": "#F1F5F9", "top": 1, "top_color": GRID}


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


class _Formats:
    """The workbook's cell formats, one per number format and style (XlsxWriter wants them shared)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.made: dict[tuple[ValueKind, int, int], Format] = {}

    def get(self, kind: ValueKind, decimals: int, style: Mapping[str, object] | None) -> Format | None:
        if kind is ValueKind.TEXT and style is None:
            return None
        key = (kind, decimals, id(style))
        if key not in self.made:
            properties: dict[str, Any] = dict(style or {})
            if kind is not ValueKind.TEXT:
                properties["num_format"] = number_format(kind, decimals)
            self.made[key] = self.book.add_format(properties)
        return self.made[key]


class _Sheet:
    """Writes cells top to bottom and remembers the widest text of each column."""

    def __init__(self, sheet: Worksheet, time_zone: str, formats: _Formats) -> None:
        self.sheet = sheet
        self.time_zone = time_zone
        self.formats = formats
        self.row = 1
        self.widths: dict[int, int] = {}
        self.measured: dict[int, int] = {}
        self.frozen = False

    def put(
        self,
        column: int,
        value: Value,
        kind: ValueKind,
        decimals: int = 1,
        measure: bool = True,
        style: Mapping[str, object] | None = None,
    ) -> None:
        fmt = self.formats.get(kind if value is not None else ValueKind.TEXT, decimals, style)
        _write(self.sheet, self.row - 1, column - 1, value, fmt, self.time_zone)
        if measure and self.measured.get(column, 0) < MEASURED_ROWS:
            self.measured[column] = self.measured.get(column, 0) + 1
            width = _text_width(display(value, kind, self.time_zone, decimals))
            self.widths[column] = max(self.widths.get(column, 0), width)

    def text(self, text: str, style: Mapping[str, object] | None = None) -> None:
        # Long lines overflow into the empty cells beside them: not measured.
        self.put(1, text, ValueKind.TEXT, measure=False, style=style)
        self.row += 1

    def fields(self, fields: Sequence[Field]) -> None:
        for item in fields:
            self.put(1, item.label, ValueKind.TEXT, style=BOLD)
            self.put(2, item.value, item.resolved_kind, item.decimals)
            self.row += 1

    def table(self, table: Table) -> None:
        if table.caption:
            self.text(table.caption, CAPTION)
        for column, heading in enumerate(table.columns, start=1):
            self.put(column, heading.title, ValueKind.TEXT, style=HEADER)
        if not self.frozen:
            self.sheet.freeze_panes(self.row, 0)  # the rows down to the first table's header stay in view
            self.frozen = True
        self.row += 1
        columns = [(c.kind, c.decimals) for c in table.columns]
        # The body's cells straight to the sheet, a format per column: a month by day is ~650,000 cells.
        formats = [self.formats.get(kind, decimals, None) for kind, decimals in columns]
        for n, line in enumerate(table.rows):
            if n < MEASURED_ROWS:
                for column, ((kind, decimals), value) in enumerate(zip(columns, line, strict=True), start=1):
                    width = _text_width(display(value, kind, self.time_zone, decimals))
                    self.widths[column] = max(self.widths.get(column, 0), width)
            for column, (fmt, value) in enumerate(zip(formats, line, strict=True)):
                if value is not None:
                    _write(self.sheet, self.row - 1, column, value, fmt, self.time_zone)
            self.row += 1
        if table.totals is not None:
            for column, ((kind, decimals), value) in enumerate(zip(columns, table.totals, strict=True), start=1):
                self.put(column, value, kind, decimals, style=TOTALS)
            self.row += 1

    def image(self, chart: ChartImage) -> None:
        width, height = Image.open(BytesIO(chart.png)).size
        scale = IMAGE_WIDTH_PX / width
        self.sheet.insert_image(
            self.row - 1, 0, "chart.png", {"image_data": BytesIO(chart.png), "x_scale": scale, "y_scale": scale}
        )
        self.row += math.ceil(height * scale / ROW_HEIGHT_PX)
        if chart.caption:
            self.text(chart.caption, CAPTION)

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.sheet.set_column(column - 1, column - 1, min(MAX_WIDTH, max(MIN_WIDTH, width + 2)))


def _write(sheet: Worksheet, row: int, column: int, value: Value, fmt: Format | None, time_zone: str) -> None:
    match value:
        case None:
            if fmt is not None:  # a styled empty cell (a totals row's)
                sheet.write_blank(row, column, None, fmt)
        case str():
            # A string stays a string: never a formula, whatever it starts with.
            sheet.write_string(row, column, value, fmt)
        case datetime():
            sheet.write_datetime(row, column, local_time(value, time_zone), fmt)
        case date():
            sheet.write_datetime(row, column, value, fmt)
        case int() | float() | Decimal():
            sheet.write_number(row, column, float(value) if isinstance(value, Decimal) else value, fmt)


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
    sheet.text(section.heading, HEADING)
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
    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties(
        {"title": document.title, "author": "dutyline", "created": local_time(document.generated_at, "UTC")}
    )
    formats = _Formats(book)
    taken: set[str] = set()
    summary_name = _sheet_name(WORDS[document.lang]["summary_sheet"], taken)
    summary = _Sheet(book.add_worksheet(summary_name), document.time_zone, formats)
    summary.text(document.title, TITLE)
    if document.subtitle:
        summary.text(document.subtitle)
    summary.row += 1
    summary.fields(document.meta)
    if document.signatures:
        summary.row += 1
        for signature in document.signatures:
            summary.put(1, signature.role, ValueKind.TEXT, style=BOLD)
            summary.put(2, signature.signed_by, ValueKind.TEXT)
            summary.put(3, signature.signed_at, ValueKind.DATETIME)
            summary.row += 1
    summary.finish()
    for section in document.sections:
        sheet = _Sheet(book.add_worksheet(_sheet_name(section.heading, taken)), document.time_zone, formats)
        _section(sheet, section)
        sheet.finish()
    book.close()
    return out.getvalue()
