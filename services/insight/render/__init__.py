"""Charts and documents of insight (统计图与报表文档): PNG/SVG charts drawn with matplotlib, and a document
model rendered as XLSX (XlsxWriter) and PDF (reportlab), Chinese in a real CJK font (fonts.py)."""

from dutyline.labels import Language
from services.insight.render.charts import (
    AnswerTimeHistogram,
    CallsPerHourHeatmap,
    Chart,
    ComplianceTrend,
    ImageFormat,
    ViolationsPerPerson,
    render_chart,
)
from services.insight.render.documents import (
    Block,
    ChartImage,
    Column,
    Document,
    Field,
    KeyValues,
    Paragraph,
    Section,
    Signature,
    Table,
    Value,
    ValueKind,
)
from services.insight.render.fonts import CjkFont, CjkFontMissing, find_cjk_font
from services.insight.render.pdf import render_pdf
from services.insight.render.xlsx import render_xlsx

__all__ = [
    "AnswerTimeHistogram",
    "Block",
    "CallsPerHourHeatmap",
    "Chart",
    "ChartImage",
    "CjkFont",
    "CjkFontMissing",
    "Column",
    "ComplianceTrend",
    "Document",
    "Field",
    "ImageFormat",
    "KeyValues",
    "Language",
    "Paragraph",
    "Section",
    "Signature",
    "Table",
    "Value",
    "ValueKind",
    "ViolationsPerPerson",
    "find_cjk_font",
    "render_chart",
    "render_pdf",
    "render_xlsx",
]
