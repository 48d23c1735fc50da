"""A document as an A4 PDF (reportlab): the CJK TrueType font embedded (subset), so that Chinese reads
and extracts as text on any machine; tables wrap their cells, break across pages and repeat their
header row; every page numbered "第 n 页，共 m 页" / "Page n of m". Output is deterministic."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as Para
from reportlab.platypus import Table as Grid

from services.insight.render.documents import (
    ChartImage,
    Document,
    Field,
    KeyValues,
    Paragraph,
    Signature,
    Table,
    Value,
    ValueKind,
    display,
)
from services.insight.render.fonts import find_cjk_font
from services.insight.render.words import WORDS

FONT = "DutylineCJK"
MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
CHART_MAX_HEIGHT = 150 * mm
# Table cells' left and right padding (6 pt each), and a little air.
CELL_PADDING = 14
SIGNATURE_BLANK = "_" * 16
GRID_COLOUR = colors.HexColor("#A0AEC0")
HEADER_FILL = colors.HexColor("#E2E8F0")
TOTALS_FILL = colors.HexColor("#F1F5F9")
MUTED = colors.HexColor("#4A5568")
NUMERIC = {ValueKind.INTEGER, ValueKind.DECIMAL, ValueKind.PERCENT}


@functools.cache
def _register_font() -> str:
    font = find_cjk_font()
    pdfmetrics.registerFont(TTFont(FONT, str(font.path), subfontIndex=font.index))
    return FONT


def _style(name: str, size: float, **extra: Any) -> ParagraphStyle:
    # wordWrap CJK: Chinese breaks between any two characters, not only at spaces.
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.4, wordWrap="CJK", **extra)


TITLE = _style("title", 18, alignment=TA_CENTER, spaceAfter=4)
SUBTITLE = _style("subtitle", 12, alignment=TA_CENTER, spaceAfter=6, textColor=MUTED)
HEADING = _style("heading", 13, spaceBefore=10, spaceAfter=4, keepWithNext=1, textColor=colors.HexColor("#1A365D"))
BODY = _style("body", 10, spaceAfter=4)
CAPTION = _style("caption", 8.5, alignment=TA_CENTER, textColor=MUTED, spaceAfter=6)
LABEL = _style("label", 9, textColor=MUTED)
CELL = _style("cell", 8.5)
CELL_RIGHT = _style("cell-right", 8.5, alignment=TA_RIGHT)


def _para(text: str, style: ParagraphStyle) -> Para:
    return Para(escape(text).replace("\n", "<br/>"), style)


class _NumberedCanvas(Canvas):
    """Keeps every page until the end, to number them "n of m" (reportlab's numbered-canvas recipe)."""

    def __init__(self, *args: Any, footer: str, header: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer, self._header = footer, header
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawCentredString(A4[0] / 2, MARGIN / 2, self._footer.format(page=number, pages=len(self._pages)))
            if number > 1:
                self.drawRightString(A4[0] - MARGIN, A4[1] - MARGIN / 2, self._header)
            super().showPage()
        super().save()


def _widths(natural: Sequence[float]) -> list[float]:
    # Columns as wide as their widest text, filling the frame. Too wide together, only the widest
    # shrink, to one common width, and their cells wrap: short columns (a time, a kind, a name) keep
    # theirs rather than breaking a date or a word in two.
    if sum(natural) <= FRAME_WIDTH:
        return [w * FRAME_WIDTH / sum(natural) for w in natural]
    remaining, cap = FRAME_WIDTH, 0.0
    ordered = sorted(natural)
    for i, width in enumerate(ordered):
        cap = remaining / (len(ordered) - i)
        if width > cap:
            break
        remaining -= width
    return [min(w, cap) for w in natural]


def _table(table: Table, time_zone: str) -> list[Flowable]:
    kinds = [c.kind for c in table.columns]
    lines: list[Sequence[Value]] = [*table.rows, *([table.totals] if table.totals is not None else [])]
    texts = [[c.title for c in table.columns]] + [
        [display(v, c.kind, time_zone, c.decimals) for v, c in zip(line, table.columns, strict=True)] for line in lines
    ]
    measured = [[pdfmetrics.stringWidth(t, FONT, CELL.fontSize) + CELL_PADDING for t in row] for row in texts]
    natural = [max(row[i] for row in measured) for i in range(len(kinds))]
    widths = _widths(natural)
    # A cell whose text fits its column on one line is a plain string the table draws itself; only
    # the others are paragraphs (CJK line breaking), which made a month of 50 sites' figures minutes long.
    data: list[list[str | Para]] = [
        [
            t if "\n" not in t and needed <= width else _para(t, CELL_RIGHT if kind in NUMERIC else CELL)
            for t, needed, width, kind in zip(row, needs, widths, kinds, strict=True)
        ]
        for row, needs in zip(texts, measured, strict=True)
    ]
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, CELL.fontSize, CELL.leading),
        *(("ALIGN", (i, 0), (i, -1), "RIGHT") for i, kind in enumerate(kinds) if kind in NUMERIC),
        ("GRID", (0, 0), (-1, -1), 0.25, GRID_COLOUR),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if table.totals is not None:
        style += [("BACKGROUND", (0, -1), (-1, -1), TOTALS_FILL), ("LINEABOVE", (0, -1), (-1, -1), 1, MUTED)]
    grid = Grid(data, colWidths=widths, repeatRows=1, style=style, hAlign="LEFT")
    return ([_para(table.caption, CAPTION)] if table.caption else []) + [grid, Spacer(1, 6)]


def _fields(fields: Sequence[Field], time_zone: str) -> Grid:
    rows = [
        [_para(f.label, LABEL), _para(display(f.value, f.resolved_kind, time_zone, f.decimals), BODY)] for f in fields
    ]
    label_width = max((pdfmetrics.stringWidth(f.label, FONT, LABEL.fontSize) for f in fields), default=0) + CELL_PADDING
    label_width = min(label_width, FRAME_WIDTH * 0.4)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    return Grid(rows, colWidths=[label_width, FRAME_WIDTH - label_width], style=style, hAlign="LEFT")


def _chart(chart: ChartImage) -> Flowable:
    picture = Image(BytesIO(chart.png))
    scale = min(FRAME_WIDTH / picture.imageWidth, CHART_MAX_HEIGHT / picture.imageHeight)
    picture.drawWidth, picture.drawHeight = picture.imageWidth * scale, picture.imageHeight * scale
    return KeepTogether([picture, *([_para(chart.caption, CAPTION)] if chart.caption else [])])


def _signatures(signatures: Sequence[Signature], time_zone: str, words: dict[str, str]) -> list[Flowable]:
    """The signature block under its heading: a line a role, what was signed in the system, else blanks
    labelled for a pen (签字、日期)."""
    rows = [
        [
            _para(s.role, LABEL),
            _para(words["sign_here"] + (s.signed_by or SIGNATURE_BLANK), BODY),
            _para(words["sign_date"] + (display(s.signed_at, ValueKind.DATETIME, time_zone) or SIGNATURE_BLANK), BODY),
        ]
        for s in signatures
    ]
    style = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 14)]
    grid = Grid(rows, colWidths=[FRAME_WIDTH * w for w in (0.3, 0.35, 0.35)], style=style, hAlign="LEFT")
    return [Spacer(1, 6), _para(words["signatures"], HEADING), grid]


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (A4)."""
    _register_font()
    tz = document.time_zone
    words = WORDS[document.lang]
    story: list[Flowable] = [_para(document.title, TITLE)]
    if document.subtitle:
        story.append(_para(document.subtitle, SUBTITLE))
    if document.meta:
        story += [_fields(document.meta, tz), Spacer(1, 6)]
    last_section = len(story)
    for section in document.sections:
        last_section = len(story)
        story.append(_para(section.heading, HEADING))
        for block in section.blocks:
            match block:
                case Paragraph():
                    story.append(_para(block.text, BODY))
                case KeyValues():
                    story += [_fields(block.fields, tz), Spacer(1, 6)]
                case Table():
                    story += _table(block, tz)
                case ChartImage():
                    story.append(_chart(block))
    if document.signatures:
        # Signatures never stand alone on a last page: they keep to the section above them.
        story[last_section:] = [KeepTogether([*story[last_section:], *_signatures(document.signatures, tz, words)])]
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=document.title,
        author="dutyline",
        creator="dutyline",
        lang="zh-CN" if document.lang == "zh" else "en",
        invariant=1,
        # Each page starts in the CJK font rather than Helvetica, which is not embedded.
        initialFontName=FONT,
        initialFontSize=BODY.fontSize,
    )
    footer = words["page"]
    template.build(story, canvasmaker=functools.partial(_NumberedCanvas, footer=footer, header=document.title))
    return out.getvalue()
