"""The document model (文档) of duty logs, daily reports, statistics and scorecards: a title, meta lines,
sections of paragraphs, key-value lists, tables and charts, and the signatures of a duty log. It carries
text in the language the caller chose; `render_xlsx` and `render_pdf` (xlsx.py, pdf.py) lay it out.

Values keep their types (numbers, dates, times) so that a spreadsheet gets numbers, not text. Times
must be aware; the renderers show them in the document's time zone (the site's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.insight.render.words import Language

Value = str | int | float | Decimal | date | datetime | None

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ValueKind(StrEnum):
    """How a value is typed and shown: PERCENT is a ratio (0.952 shows as 95.2 %)."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"


FRACTIONAL = frozenset({ValueKind.DECIMAL, ValueKind.PERCENT})


def infer_kind(value: Value) -> ValueKind:
    """The kind of a value by its Python type (a float is a DECIMAL; say PERCENT explicitly)."""
    match value:
        case bool():
            raise TypeError("a boolean is not a document value: give its text")
        case int():
            return ValueKind.INTEGER
        case float() | Decimal():
            return ValueKind.DECIMAL
        case datetime():
            return ValueKind.DATETIME
        case date():
            return ValueKind.DATE
    return ValueKind.TEXT


def check_value(value: Value, kind: ValueKind, where: str) -> None:
    """Raises TypeError when `value` (None is an empty cell) is not of `kind` (an int is a DECIMAL too)."""
    if value is None:
        return
    if isinstance(value, datetime) and value.tzinfo is None:
        raise TypeError(f"{where}: {value!r} has no time zone")
    fits = infer_kind(value) in ({ValueKind.INTEGER, ValueKind.DECIMAL} if kind in FRACTIONAL else {kind})
    if not fits:
        raise TypeError(f"{where}: {value!r} is not {kind.value}")


# The types whose values fit a kind whatever they are (check_value decides for the others: a time
# without a zone, a subclass, a misfit).
PLAIN_TYPES: Mapping[ValueKind, frozenset[type]] = {
    ValueKind.TEXT: frozenset({type(None), str}),
    ValueKind.INTEGER: frozenset({type(None), int}),
    ValueKind.DECIMAL: frozenset({type(None), int, float, Decimal}),
    ValueKind.PERCENT: frozenset({type(None), int, float, Decimal}),
    ValueKind.DATE: frozenset({type(None), date}),
    ValueKind.DATETIME: frozenset({type(None)}),
}


def local_time(value: datetime, time_zone: str) -> datetime:
    """An aware time as the naive wall-clock time of `time_zone` (spreadsheets hold no zones)."""
    return value.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)


def display(value: Value, kind: ValueKind, time_zone: str, decimals: int = 1) -> str:
    """A value as text, the same in both languages: 1,234 · 12.5 · 95.2% · 2026-12-05 · 2026-12-05 08:00."""
    match value:
        case None:
            return ""
        case datetime():
            return f"{local_time(value, time_zone):%Y-%m-%d %H:%M}"
        case date():
            return value.isoformat()
        case int() if kind is ValueKind.INTEGER:
            return f"{value:,}"
        case int() | float() | Decimal() if kind is ValueKind.PERCENT:
            return f"{float(value):.{decimals}%}"
        case int() | float() | Decimal():
            return f"{value:,.{decimals}f}"
    return str(value)


@dataclass(frozen=True)
class Field:
    """A labelled value (项): a meta line (site, period, generated at, version) or a key-value row;
    `kind` defaults to the value's type."""

    label: str
    value: Value
    kind: ValueKind | None = None
    decimals: int = 1

    def __post_init__(self) -> None:
        check_value(self.value, self.resolved_kind, self.label)

    @property
    def resolved_kind(self) -> ValueKind:
        return self.kind if self.kind is not None else infer_kind(self.value)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; line breaks are kept."""

    text: str


@dataclass(frozen=True)
class KeyValues:
    """A list of labelled values (a duty log's figures at a glance)."""

    fields: Sequence[Field]


@dataclass(frozen=True)
class Column:
    """A table column: its heading and the kind of its values; `decimals` for DECIMAL and PERCENT."""

    title: str
    kind: ValueKind = ValueKind.TEXT
    decimals: int = 1


@dataclass(frozen=True)
class Table:
    """A table (表格); `totals` is a last row set apart (合计), as long as a row, label included."""

    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]
    totals: Sequence[Value] | None = None
    caption: str | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("a table has columns")
        width = len(self.columns)
        for n, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"row {n} has {len(row)} values for {width} columns")
        # Column by column, the common values by their type alone: a region's month is millions of cells.
        for index, column in enumerate(self.columns):
            plain = PLAIN_TYPES[column.kind]
            for n, row in enumerate(self.rows, start=1):
                value = row[index]
                if type(value) not in plain:
                    check_value(value, column.kind, f"row {n}, {column.title}")
        if self.totals is not None:
            if len(self.totals) != width:
                raise ValueError(f"totals has {len(self.totals)} values for {width} columns")
            for column, value in zip(self.columns, self.totals, strict=True):
                # The totals row's label (合计) may stand in any column.
                if not isinstance(value, str):
                    check_value(value, column.kind, f"totals, {column.title}")


@dataclass(frozen=True)
class ChartImage:
    """A chart as PNG bytes (charts.render_chart), with an optional caption."""

    png: bytes
    caption: str | None = None

    def __post_init__(self) -> None:
        if not self.png.startswith(PNG_SIGNATURE):
            raise ValueError("a chart image is PNG")


Block = Paragraph | KeyValues | Table | ChartImage


@dataclass(frozen=True)
class Section:
    """A section (节) under its heading."""

    heading: str
    blocks: Sequence[Block]


@dataclass(frozen=True)
class Signature:
    """A line of the signature block (签字) of a duty log: who signs in which role (交班值班员, 带班领导),
    and when; unsigned lines are left blank to be signed by hand on paper."""

    role: str
    signed_by: str | None = None
    signed_at: datetime | None = None

    def __post_init__(self) -> None:
        check_value(self.signed_at, ValueKind.DATETIME, self.role)


@dataclass(frozen=True)
class Document:
    """A document: `lang` picks the renderer's few fixed words (page numbers, the summary sheet);
    `time_zone` (IANA) is where times are shown; `generated_at` is the file's creation time."""

    title: str
    lang: Language
    time_zone: str
    generated_at: datetime
    subtitle: str | None = None
    meta: Sequence[Field] = ()
    sections: Sequence[Section] = ()
    signatures: Sequence[Signature] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)
        check_value(self.generated_at, ValueKind.DATETIME, "generated_at")
