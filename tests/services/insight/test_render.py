"""Charts and documents of insight, without servers: every chart in both languages as PNG and SVG, drawn
in the CJK font; a duty-log-like document as XLSX (read back with openpyxl) and as PDF (read back with
poppler's pdftotext, pdftoppm and pdffonts)."""

from __future__ import annotations

import subprocess
import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from matplotlib import font_manager
from openpyxl import load_workbook
from PIL import Image

from services.insight.render import (
    AnswerTimeHistogram,
    CallsPerHourHeatmap,
    Chart,
    ChartImage,
    CjkFontMissing,
    Column,
    ComplianceTrend,
    Document,
    Field,
    KeyValues,
    Language,
    Paragraph,
    Section,
    Signature,
    Table,
    ValueKind,
    ViolationsPerPerson,
    find_cjk_font,
    render_chart,
    render_pdf,
    render_xlsx,
)
from services.insight.render.charts import cjk_font_family
from services.insight.render.fonts import DEBIAN_PACKAGE

SVG = "{http://www.w3.org/2000/svg}"
DAY = date(2026, 11, 1)

CHARTS: dict[str, Chart] = {
    "histogram": AnswerTimeHistogram([2.0, 4.5, 7.0, 9.5, 14.0, 15.0, 16.5, 31.0, 75.0, 400.0], limit_seconds=15),
    "heatmap": CallsPerHourHeatmap([[(d * 7 + h * 3) % 11 for h in range(24)] for d in range(7)]),
    "heatmap-days": CallsPerHourHeatmap(
        [[h % 5 for h in range(24)]] * 3, days=[DAY, DAY + timedelta(1), DAY + timedelta(2)]
    ),
    # A period without a call: no day to draw.
    "heatmap-empty": CallsPerHourHeatmap([], days=[]),
    "trend": ComplianceTrend({DAY + timedelta(i): 0.8 + 0.01 * i for i in range(15)}, target=0.9),
    "violations": ViolationsPerPerson({"张三": {"迟报": 2, "漏报": 1}, "李四": {"缺勤": 3}, "Wang Wu": {}}),
}


def test_the_cjk_font_is_truetype_and_matplotlib_resolves_its_family_to_it() -> None:
    font = find_cjk_font()
    assert font.path.is_file() and font.path.suffix.lower() in {".ttf", ".ttc"}
    resolved = font_manager.findfont(font_manager.FontProperties(family=cjk_font_family()), fallback_to_default=False)
    assert Path(resolved) == font.path


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_renders_as_png_and_svg_with_every_glyph(name: str, lang: Language) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_chart(CHARTS[name], lang=lang, fmt="png")
        svg = render_chart(CHARTS[name], lang=lang, fmt="svg")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    image = Image.open(BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size[0] == 960 and 400 <= image.size[1] <= 1500
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    # Text drawn as paths: the SVG shows right on a machine without the font.
    assert not list(root.iter(f"{SVG}text"))


def test_charts_are_deterministic_and_differ_by_language() -> None:
    chart = CHARTS["trend"]
    assert render_chart(chart, fmt="svg") == render_chart(chart, fmt="svg")
    assert render_chart(chart) == render_chart(chart)
    assert render_chart(chart, lang="zh") != render_chart(chart, lang="en")


def test_charts_reject_figures_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="24 hours"):
        CallsPerHourHeatmap([[1] * 23] * 7)
    with pytest.raises(ValueError, match="rows"):
        CallsPerHourHeatmap([[1] * 24] * 2)
    with pytest.raises(ValueError):
        ComplianceTrend({DAY: 95.0})
    with pytest.raises(ValueError):
        AnswerTimeHistogram([-1.0])


def test_without_a_truetype_cjk_font_it_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # fontconfig knows only Noto CJK, whose CFF outlines reportlab cannot embed.
    fc_list = tmp_path / "fc-list"
    fc_list.write_text("#!/bin/sh\nprintf '/usr/share/fonts/NotoSansCJK-Regular.ttc\\t0\\tNoto Sans CJK JP\\tCFF\\n'\n")
    fc_list.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CjkFontMissing, match=DEBIAN_PACKAGE):
        find_cjk_font.__wrapped__()


def test_document_values_are_checked_against_their_kind() -> None:
    with pytest.raises(TypeError, match="row 1, 来电数"):
        Table([Column("来电数", ValueKind.INTEGER)], [["12"]])
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        Table([Column("来电数", ValueKind.INTEGER)], [[1, 2]])
    # Every cell, whatever its type: a yes/no is not a count, nor a number a text, nor a naive time a time.
    with pytest.raises(TypeError, match="boolean"):
        Table([Column("来电数", ValueKind.INTEGER)], [[1], [None], [True]])
    with pytest.raises(TypeError, match="row 3, 站点"):
        Table([Column("站点", ValueKind.TEXT)], [["hz-01"], [None], [Decimal("1")]])
    with pytest.raises(TypeError, match=r"row 2, 时间: .*no time zone"):
        Table([Column("时间", ValueKind.DATETIME)], [[datetime(2026, 12, 5, tzinfo=UTC)], [datetime(2026, 12, 5)]])
    with pytest.raises(TypeError, match="row 1, 日期"):
        Table([Column("日期", ValueKind.DATE)], [[datetime(2026, 12, 5, tzinfo=UTC)]])
    with pytest.raises(TypeError, match="totals, 来电数"):
        Table([Column("站点"), Column("来电数", ValueKind.INTEGER)], [["hz-01", 1]], totals=["合计", 1.5])
    fine = Table(
        [Column("站点"), Column("比例", ValueKind.PERCENT), Column("日期", ValueKind.DATE)],
        [["hz-01", 1, date(2026, 12, 5)], [None, Decimal("0.5"), None]],
        totals=["合计", 0.75, "—"],
    )
    assert len(fine.rows) == 2
    with pytest.raises(TypeError, match="no time zone"):
        Field("生成时间", datetime(2026, 12, 5, 8, 0))
    with pytest.raises(ValueError, match="PNG"):
        ChartImage(b"<svg/>")


SHIFT_START = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
CALL_ROWS = 120


def duty_log(lang: Language = "zh") -> Document:
    zh = lang == "zh"
    columns = [
        Column("序号" if zh else "No.", ValueKind.INTEGER),
        Column("来电时间" if zh else "Rang at", ValueKind.DATETIME),
        Column("类别" if zh else "Category"),
        Column("接听用时（秒）" if zh else "Answered in (s)", ValueKind.DECIMAL),
        Column("三环内" if zh else "Within three rings", ValueKind.PERCENT),
    ]
    rows = [
        [
            i + 1,
            SHIFT_START + timedelta(minutes=5 * i),
            "咨询" if zh else "Consultation",
            3.5 + i % 20,
            float(i % 20 < 12),
        ]
        for i in range(CALL_ROWS)
    ]
    totals = ["合计" if zh else "Total", None, None, 12.25, 0.6]
    chart = render_chart(CHARTS["histogram"], lang=lang)
    return Document(
        title="值班日志" if zh else "Duty log",
        lang=lang,
        time_zone="Asia/Shanghai",
        generated_at=SHIFT_START + timedelta(hours=12),
        subtitle="东城区应急管理局 · 白班" if zh else "Dongcheng emergency bureau · day shift",
        meta=[
            Field("站点" if zh else "Site", "东城区" if zh else "Dongcheng"),
            Field("生成时间" if zh else "Generated at", SHIFT_START + timedelta(hours=12)),
            Field("版本" if zh else "Version", 2),
        ],
        sections=[
            Section(
                "概况" if zh else "Overview",
                [
                    Paragraph(
                        "本班次共接听来电 120 个。\n无重大突发事件。"
                        if zh
                        else "120 calls answered.\nNo major incident."
                    ),
                    KeyValues(
                        [
                            Field("来电总数" if zh else "Calls", CALL_ROWS),
                            Field("三环接听率" if zh else "Within three rings", 0.6, ValueKind.PERCENT),
                        ]
                    ),
                    ChartImage(chart, "接听时间分布" if zh else "Answer times"),
                ],
            ),
            Section(
                "来电登记" if zh else "Calls", [Table(columns, rows, totals, caption="来电明细" if zh else "Calls")]
            ),
        ],
        signatures=[
            Signature("交班值班员" if zh else "Outgoing officer", "张三", SHIFT_START + timedelta(hours=12)),
            Signature("带班领导" if zh else "Duty leader"),
        ],
    )


def test_xlsx_has_the_figures_typed_in_their_cells() -> None:
    book = load_workbook(BytesIO(render_xlsx(duty_log())))
    assert book.sheetnames == ["概要", "概况", "来电登记"]
    summary = book["概要"]
    assert summary["A1"].value == "值班日志"
    assert summary["A2"].value == "东城区应急管理局 · 白班"
    # Meta lines from row 4: times shown in the site's zone, as dates; numbers as numbers.
    assert [summary.cell(r, 1).value for r in (4, 5, 6)] == ["站点", "生成时间", "版本"]
    assert summary["B5"].value == datetime(2026, 12, 4, 20, 0) and summary["B5"].is_date
    assert summary["B6"].value == 2
    assert [summary.cell(8, c).value for c in (1, 2, 3)] == ["交班值班员", "张三", datetime(2026, 12, 4, 20, 0)]
    assert summary["A9"].value == "带班领导" and summary["B9"].value is None

    overview = book["概况"]
    assert overview["A1"].value == "概况"
    assert [overview["A3"].value, overview["A4"].value] == ["本班次共接听来电 120 个。", "无重大突发事件。"]
    assert (overview["A6"].value, overview["B6"].value) == ("来电总数", CALL_ROWS)
    assert overview["B7"].value == 0.6 and overview["B7"].number_format == "0.0%"
    (picture,) = overview._images
    assert picture.anchor._from.row + 1 == 9 and picture.anchor._from.col == 0

    calls = book["来电登记"]
    assert calls["A3"].value == "来电明细"
    assert [c.value for c in calls[4]] == ["序号", "来电时间", "类别", "接听用时（秒）", "三环内"]
    assert calls.freeze_panes == "A5"
    first = [c.value for c in calls[5]]
    assert first == [1, datetime(2026, 12, 4, 8, 0), "咨询", 3.5, 1.0]
    assert isinstance(first[0], int) and calls["B5"].number_format == "yyyy-mm-dd hh:mm"
    assert calls["D5"].number_format == "#,##0.0"
    assert [c.value for c in calls[5 + CALL_ROWS]] == ["合计", None, None, 12.25, 0.6]
    assert calls.column_dimensions["D"].width > calls.column_dimensions["A"].width


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def test_pdf_embeds_the_cjk_font_repeats_table_headers_and_numbers_pages(tmp_path: Path) -> None:
    path = tmp_path / "duty-log.pdf"
    path.write_bytes(render_pdf(duty_log()))
    pages = pdf_pages(path)
    assert pages >= 3
    text = pdf_text(path)
    for words in [
        "值班日志",
        "东城区应急管理局",
        "本班次共接听来电",
        "来电总数",
        "60.0%",
        "合计",
        "交班值班员",
        "张三",
    ]:
        assert words in text
    assert "2026-12-04 20:00" in text  # generated_at in Shanghai time
    for page in range(1, pages + 1):
        assert f"第 {page} 页，共 {pages} 页" in pdf_text(path, page)
    # The calls table runs over the last pages, its header on each of them.
    for page in range(pages - 1, pages + 1):
        on_page = pdf_text(path, page)
        assert "序号" in on_page and "接听用时（秒）" in on_page
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # Embedded as a subset (reportlab also lists its default Helvetica, which no text uses).
    assert any("WenQuanYi" in line and line.split()[2:5] == ["WinAnsi", "yes", "yes"] for line in fonts.splitlines())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    (png,) = tmp_path.glob("page*.png")
    page_image = Image.open(png).convert("L")
    assert page_image.size[0] > 250 and min(page_image.tobytes()) < 128  # something dark printed on it


def test_pdf_in_english_and_deterministic(tmp_path: Path) -> None:
    document = duty_log("en")
    pdf = render_pdf(document)
    assert pdf == render_pdf(document)
    path = tmp_path / "duty-log.pdf"
    path.write_bytes(pdf)
    pages = pdf_pages(path)
    text = pdf_text(path)
    assert f"Page 1 of {pages}" in text and "Duty log" in text and "Outgoing officer" in text and "张三" in text
