"""The answers of insight's reads as documents, without servers: hand-made DutyLog, DailyReport,
Statistics and GetScorecardsResponse messages turned into documents in both languages (the tables carry
the figures), a statistics export read back with openpyxl, a duty log rendered as PDF (pdftoppm) with its
Chinese text found by pdftotext, and the chunks of a streamed file."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2
from dutyline.labels import label
from services.insight import documents
from services.insight.render import (
    ChartImage,
    Document,
    KeyValues,
    Language,
    Paragraph,
    Table,
    render_chart,
    render_pdf,
    render_xlsx,
)
from services.insight.rpc_export import CHUNK_BYTES, chunks, people_of_cards

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
START = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
CALL_ID = "call-01M92ZGTK0XBR6860BQFK15810"
# What an officer wrote of a call: long enough to wrap in its column.
CALL_TEXT = "询问文一路至天目山路封路情况及绕行路线，已告知交警公告内容，建议关注官方最新通告 asked about the closure"


def figures() -> insight_pb2.DutyFigures:
    return insight_pb2.DutyFigures(
        calls=37,
        calls_by_category=[
            insight_pb2.Count(key="emergency", count=5),
            insight_pb2.Count(key="consultation", count=32),
        ],
        calls_by_channel=[insight_pb2.Count(key="phone", count=35), insight_pb2.Count(key="walk_in", count=2)],
        answered=36,
        answered_late=4,
        answer_seconds_mean=6.5,
        answer_seconds_max=41.0,
        missed=1,
        incidents=2,
        incidents_by_category=[insight_pb2.Count(key="fire", count=2)],
        reports_on_time=1,
        reports_late=1,
        violations_by_kind=[insight_pb2.Count(key="late_report", count=1)],
    )


def duty_log() -> insight_pb2.DutyLog:
    return insight_pb2.DutyLog(
        id="log-1",
        site_id="hz-01",
        shift_name="白班",
        shift_start=ts(START),
        shift_end=ts(START.replace(hour=12)),
        local_date="2026-12-04",
        time_zone="Asia/Shanghai",
        version=2,
        state="built",
        officer_ids=["p-hz-officer-1"],
        leader_ids=["p-hz-leader-1"],
        figures=figures(),
        entries=[
            insight_pb2.DutyLogEntry(
                at=ts(START.replace(minute=30)),
                kind="call",
                ref_id=CALL_ID,
                person_id="p-hz-officer-1",
                channel="phone",
                category="consultation",
                answer_delay_seconds=20.0,
                late=True,
                text=CALL_TEXT,
            ),
            insight_pb2.DutyLogEntry(
                at=ts(START.replace(hour=1)),
                kind="incident",
                ref_id="inc-7",
                person_id="p-hz-officer-1",
                category="accident",
                title="西湖区仓库火灾",
                severity="III",
            ),
            insight_pb2.DutyLogEntry(
                at=ts(START.replace(hour=2)),
                kind="violation",
                ref_id="vio-3",
                person_id="p-hz-officer-1",
                violation_kind="late_report",
                late_seconds=720.0,
                detail="initial_phone report #1 of inc-7, 12 min late",
            ),
        ],
        entries_omitted=3,
        check_ins=[
            insight_pb2.DutyLogCheckIn(
                person_id="p-hz-officer-1", role="officer", status="late", checked_in_at=ts(START.replace(minute=9))
            )
        ],
        handover=insight_pb2.DutyLogHandover(outgoing_person_id="p-hz-officer-1", status="submitted", open_items=2),
        signatures=[
            insight_pb2.DutyLogSignature(
                role=insight_pb2.SIGNER_ROLE_OUTGOING_OFFICER,
                signed_by=common_pb2.Actor(person_id="p-hz-officer-1", display_name="张三"),
                signed_at=ts(START.replace(hour=12, minute=5)),
            )
        ],
        correction_reason="漏记一起来访",
        correction_remarks="补记 10:20 来访一次",
        corrects_version=1,
        corrected_by=common_pb2.Actor(person_id="p-hz-leader-1", display_name="李四"),
        built_at=ts(START.replace(hour=12)),
        people=[
            insight_pb2.PersonName(person_id="p-hz-officer-1", display_name="赵磊 Zhao Lei"),
            insight_pb2.PersonName(person_id="p-hz-leader-1", display_name="钱敏"),
        ],
    )


def table_of(document: Document, heading: str) -> Table:
    for section in document.sections:
        if section.heading == heading:
            return next(b for b in section.blocks if isinstance(b, Table))
    raise AssertionError(f"no section {heading!r} in {[s.heading for s in document.sections]}")


def fields_of(document: Document, heading: str) -> dict[str, object]:
    section = next(s for s in document.sections if s.heading == heading)
    block = next(b for b in section.blocks if isinstance(b, KeyValues))
    return {f.label: f.value for f in block.fields}


@pytest.mark.parametrize(
    ("lang", "title", "figures_heading", "calls", "compliance", "category", "emergency", "late"),
    [
        ("zh", "值班日志", "值班概况", "来电总数", "三声接听率", "来电（按类别）", "紧急/报警", "迟到"),
        ("en", "Duty log", "Figures", "Calls", "Share within three rings", "Calls by category", "Emergency", "late"),
    ],
)
def test_a_duty_log_has_its_figures_entries_check_ins_correction_and_signatures(
    lang: Language,
    title: str,
    figures_heading: str,
    calls: str,
    compliance: str,
    category: str,
    emergency: str,
    late: str,
) -> None:
    document = documents.duty_log_document(duty_log(), lang=lang, generated_at=NOW)
    assert document.title == title
    assert document.time_zone == "Asia/Shanghai"
    shown = fields_of(document, figures_heading)
    assert shown[calls] == 37
    assert shown[compliance] == pytest.approx(32 / 36)
    by_category = table_of(document, category)
    # Largest first.
    assert [list(r) for r in by_category.rows] == [
        [label("call_category", "consultation", lang), 32],
        [emergency, 5],
    ]
    assert by_category.totals is not None and by_category.totals[1] == 37
    entries = table_of(document, documents.word("entries", lang))
    assert [row[4] for row in entries.rows] == [CALL_ID, "inc-7", "vio-3"]
    assert entries.rows[0][0] == START.replace(minute=30)
    # Each line worded from its facts in the document's language, its person by name.
    assert [row[2] for row in entries.rows] == (
        [
            "电话咨询，超三声接听（20 秒）：" + CALL_TEXT,
            "西湖区仓库火灾（事故灾难，较大（III级））",
            "迟报，超时 12 分钟",
        ]
        if lang == "zh"
        else [
            "Consultation (Phone), answered after three rings (20 s): " + CALL_TEXT,
            "西湖区仓库火灾 (Accident, III (major))",
            "late report, 12 min late: initial_phone report #1 of inc-7, 12 min late",
        ]
    )
    assert {row[3] for row in entries.rows} == {"赵磊 Zhao Lei (p-hz-officer-1)"}
    check_ins = table_of(document, documents.word("check_ins", lang))
    assert check_ins.rows[0][0] == "赵磊 Zhao Lei (p-hz-officer-1)" and check_ins.rows[0][2] == late
    meta = {f.label: f.value for f in document.meta}
    assert meta[documents.word("leaders", lang)] == "钱敏 (p-hz-leader-1)"
    headings = [s.heading for s in document.sections]
    assert documents.word("correction", lang) in headings
    # The signer by roster's name (not the name the token carried).
    assert [(s.signed_by, s.signed_at) for s in document.signatures] == [
        ("赵磊 Zhao Lei (p-hz-officer-1)", START.replace(hour=12, minute=5)),
        (None, None),
    ]
    assert documents.duty_log_file_name(duty_log(), lang, "pdf") == (
        "值班日志-hz-01-2026-12-04-白班-v2.pdf" if lang == "zh" else "duty-log-hz-01-2026-12-04-白班-v2.pdf"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_version_frozen_before_entries_had_facts_shows_its_summary_and_ids(lang: Language) -> None:
    old = duty_log()
    del old.entries[:]
    del old.people[:]
    old.entries.add(at=ts(START), kind="call", ref_id="call-9", person_id="p-hz-officer-3", summary="phone complaint")
    document = documents.duty_log_document(old, lang=lang, generated_at=NOW)
    assert [row[2:4] for row in table_of(document, documents.word("entries", lang)).rows] == [
        ["phone complaint", "p-hz-officer-3"]
    ]


def daily_report() -> insight_pb2.DailyReport:
    site = insight_pb2.DailySiteSummary(
        site_id="hz-01",
        figures=figures(),
        log_ids=["log-1", "log-2"],
        logs_unsigned=1,
        highlights=[
            insight_pb2.DutyLogEntry(
                at=ts(START),
                kind="incident",
                ref_id="inc-7",
                person_id="p-hz-officer-1",
                title="仓库火灾",
                severity="IV",
            )
        ],
    )
    other = insight_pb2.DailySiteSummary(
        site_id="hz-02", figures=insight_pb2.DutyFigures(calls=3, answered=3), log_ids=["log-9"]
    )
    return insight_pb2.DailyReport(
        site_id="east",
        local_date="2026-12-04",
        time_zone="Asia/Shanghai",
        figures=insight_pb2.DutyFigures(calls=40, answered=39, answered_late=4),
        sites=[other, site],
        built_at=ts(NOW),
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_daily_report_has_a_line_per_site_with_totals_and_the_highlights(lang: Language) -> None:
    names = {"p-hz-officer-1": "赵磊"}
    document = documents.daily_report_document(daily_report(), lang=lang, generated_at=NOW, names=names)
    per_site = table_of(document, documents.word("per_site", lang))
    assert [row[:3] for row in per_site.rows] == [["hz-01", 37, 36], ["hz-02", 3, 3]]
    assert per_site.totals is not None
    assert per_site.totals[:2] == [documents.word("total", lang), 40]
    # Logs and unsigned logs are the last two columns.
    assert list(per_site.totals[-2:]) == [3, 1]
    highlights = table_of(document, documents.word("highlights", lang))
    assert highlights.rows[0][0] == "hz-01" and highlights.rows[0][4] == "赵磊 (p-hz-officer-1)"
    assert highlights.rows[0][3] == (
        "仓库火灾（未分类，一般（IV级））" if lang == "zh" else "仓库火灾 (Unclassified, IV (general))"
    )
    assert fields_of(document, documents.word("figures", lang))[documents.FIGURES[0][1 if lang == "zh" else 2]] == 40


def statistics() -> insight_pb2.Statistics:
    # Buckets start at local midnight: 2026-12-03T16:00Z and 2026-12-04T16:00Z are 12-04 and 12-05 in Shanghai.
    day1 = ts(datetime(2026, 12, 3, 16, 0, tzinfo=UTC))
    day2 = ts(datetime(2026, 12, 4, 16, 0, tzinfo=UTC))
    return insight_pb2.Statistics(
        site_id="hz-01",
        period=common_pb2.TimeRange(start=day1, end=ts(datetime(2026, 12, 5, 16, 0, tzinfo=UTC))),
        granularity=insight_pb2.GRANULARITY_DAY,
        site_ids=["hz-01"],
        time_zone="Asia/Shanghai",
        calls_by_category=[
            insight_pb2.CallCountRow(bucket_start=day1, site_id="hz-01", key="emergency", calls=4),
            insight_pb2.CallCountRow(bucket_start=day2, site_id="hz-01", key="consultation", calls=9),
        ],
        calls_by_hour=[
            insight_pb2.HourCountRow(bucket_start=day1, site_id="hz-01", hour=9, calls=3),
            insight_pb2.HourCountRow(bucket_start=day2, site_id="hz-01", hour=22, calls=9),
        ],
        answer_time_bounds_seconds=[5, 10, 15, 30],
        answer_times_by_site=[
            insight_pb2.AnswerTimeRow(
                bucket_start=day1, site_id="hz-01", answered=4, within_limit=3, histogram=[1, 1, 1, 0, 1]
            ),
            insight_pb2.AnswerTimeRow(
                bucket_start=day2, site_id="hz-01", answered=9, within_limit=9, histogram=[5, 4, 0, 0, 0]
            ),
        ],
        answer_times_by_officer=[
            insight_pb2.AnswerTimeRow(bucket_start=day1, site_id="hz-01", officer_id="p-hz-officer-1", answered=4)
        ],
        incidents=[
            insight_pb2.IncidentCountRow(
                bucket_start=day1, site_id="hz-01", category="fire", severity=common_pb2.SEVERITY_II, incidents=2
            )
        ],
        reports=[insight_pb2.ReportRow(bucket_start=day1, site_id="hz-01", due=2, on_time=1, late=1)],
        violations=[
            insight_pb2.ViolationCountRow(
                bucket_start=day1, site_id="hz-01", person_id="p-hz-officer-1", kind="late_report", violations=1
            ),
            insight_pb2.ViolationCountRow(
                bucket_start=day2, site_id="hz-01", person_id="p-hz-officer-1", kind="absence", violations=2
            ),
        ],
        as_of=ts(NOW),
    )


def test_statistics_charts_are_derived_from_the_figures() -> None:
    charts = documents.statistics_charts(statistics(), lang="zh", limit_seconds=15)
    seconds = charts.answer_times.answer_seconds
    assert len(seconds) == 13
    assert sum(1 for s in seconds if s <= 15) == 12  # 3 + 9 within the limit, as the rows say
    assert charts.calls_per_hour.days == [date(2026, 12, 4), date(2026, 12, 5)]
    assert charts.calls_per_hour.counts[0][9] == 3 and charts.calls_per_hour.counts[1][22] == 9
    assert charts.compliance.ratios == {date(2026, 12, 4): 0.75, date(2026, 12, 5): 1.0}
    assert charts.violations.counts == {"p-hz-officer-1": {"迟报": 1, "缺勤": 2}}


def test_the_violations_chart_shows_the_people_with_most_violations_only() -> None:
    stats = statistics()
    del stats.violations[:]
    day = stats.calls_by_hour[0].bucket_start
    for n in range(documents.CHART_PEOPLE + 5):  # person n has n + 1 violations
        stats.violations.append(
            insight_pb2.ViolationCountRow(
                bucket_start=day, site_id="hz-01", person_id=f"p-{n:02d}", kind="absence", violations=n + 1
            )
        )
    people = documents.statistics_charts(stats, lang="en").violations.counts
    assert sorted(people) == [f"p-{n:02d}" for n in range(5, documents.CHART_PEOPLE + 5)]


def test_the_histogram_stands_each_call_in_its_bin() -> None:
    assert documents.histogram_seconds([5, 10], [1, 2, 1]) == [2.5, 7.5, 7.5, 12.5]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_statistics_have_a_table_per_group_with_totals(lang: Language) -> None:
    document = documents.statistics_document(statistics(), lang=lang, generated_at=NOW)
    by_category = table_of(document, label("stats", "by_category", lang))
    assert [row[0] for row in by_category.rows] == [date(2026, 12, 4), date(2026, 12, 5)]
    assert [row[2:] for row in by_category.rows] == [
        [label("call_category", "emergency", lang), 4],
        [label("call_category", "consultation", lang), 9],
    ]
    assert by_category.totals is not None and by_category.totals[-1] == 13
    by_site = table_of(document, label("stats", "answers_by_site", lang))
    assert by_site.totals is not None and by_site.totals[2:5] == [13, 12, 12 / 13]
    incidents = table_of(document, label("stats", "incidents", lang))
    assert incidents.rows[0][3] == ("重大（II级）" if lang == "zh" else "II (serious)")
    reports = table_of(document, label("stats", "reports", lang))
    assert reports.rows[0][2:] == [2, 1, 1, 0, 0]
    violations = table_of(document, label("stats", "violations", lang))
    assert violations.totals is not None and violations.totals[-1] == 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_statistics_pdf_sums_the_days_per_site_and_leaves_the_hours_to_the_heat_map(lang: Language) -> None:
    stats = statistics()
    stats.answer_times_by_site[0].seconds_mean, stats.answer_times_by_site[0].seconds_max = 10.0, 30.0
    stats.answer_times_by_site[1].seconds_mean, stats.answer_times_by_site[1].seconds_max = 3.0, 8.0
    document = documents.statistics_document(stats, lang=lang, generated_at=NOW, per_site=True)
    by_category = table_of(document, label("stats", "by_category", lang))
    assert by_category.columns[0].title == documents.word("site", lang)  # no bucket column
    assert {row[1]: row[2] for row in by_category.rows} == {
        label("call_category", "emergency", lang): 4,
        label("call_category", "consultation", lang): 9,
    }
    # Two days' rows, one site: one row, the mean weighted by calls answered ((4×10 + 9×3) / 13).
    by_site = table_of(document, label("stats", "answers_by_site", lang))
    assert by_site.rows == [["hz-01", 13, 12, 12 / 13, (4 * 10 + 9 * 3) / 13, 30.0]]
    assert by_site.totals is not None and by_site.totals[1:4] == [13, 12, 12 / 13]
    violations = table_of(document, label("stats", "violations", lang))
    assert [row[3] for row in violations.rows] == [2, 1] and violations.totals is not None
    assert violations.totals[-1] == 3
    hours = next(s for s in document.sections if s.heading == label("stats", "by_hour", lang))
    assert hours.blocks == [Paragraph(documents.word("hours_in_chart", lang))]


def test_a_statistics_workbook_reads_back_with_its_figures_and_charts() -> None:
    stats = statistics()
    charts = documents.statistics_charts(stats, lang="zh")
    images = [ChartImage(render_chart(chart, lang="zh")) for chart in charts.all()]
    document = documents.statistics_document(stats, lang="zh", generated_at=NOW, charts=images)
    book = load_workbook(BytesIO(render_xlsx(document)))
    assert "来电（按类别）" in book.sheetnames and "统计图" in book.sheetnames
    cells = [row for row in book["来电（按类别）"].iter_rows(values_only=True) if any(v is not None for v in row)]
    assert ("紧急/报警", 4) in {(row[2], row[3]) for row in cells}
    assert any(row[0] == "合计" and row[3] == 13 for row in cells)
    assert len(book["统计图"]._images) == 4


def test_a_duty_log_pdf_renders_and_has_its_chinese_text(tmp_path: Path) -> None:
    path = tmp_path / "log.pdf"
    path.write_bytes(render_pdf(documents.duty_log_document(duty_log(), lang="zh", generated_at=NOW)))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("值班日志", "西湖区仓库火灾", "交班值班员", "带班领导", "漏记一起来访", "紧急/报警"):
        assert words in text
    # The log's lines in Chinese (a table cell may wrap), its people by name, no English entry wording.
    flat = "".join(text.split())
    for words in (
        "电话咨询",
        "超三声接听（20秒）",
        "迟报，超时12分钟",
        "赵磊ZhaoLei(p-hz-officer-1)",
        "钱敏(p-hz-leader-1)",
    ):
        assert words in flat, words
    for english in ("answered after", "on time", "late report", "phone consultation"):
        assert english not in text.lower(), english
    # Short columns keep their width beside a long summary: an entry's time and kind stay on one line.
    assert "2026-12-04 08:30" in text and "2026-12-04 10:00" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page*.png"))


def test_a_duty_log_pdf_names_its_site_and_keeps_labelled_signatures_with_the_last_section(tmp_path: Path) -> None:
    document = documents.duty_log_document(duty_log(), lang="zh", generated_at=NOW, site_name="杭州市总值班室")
    assert document.subtitle.startswith("杭州市总值班室 · ")
    path = tmp_path / "log.pdf"
    path.write_bytes(render_pdf(document))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:"))
    last = subprocess.run(
        ["pdftotext", "-f", pages, "-l", pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Not alone on a page of their own: the last section comes with them, and the blanks say what goes where.
    assert document.sections[-1].heading in last
    assert (
        "签字：" in last
        and "日期：" in last
        and "杭州市总值班室 (hz-01)"
        in subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    )


def cards_answer() -> insight_pb2.GetScorecardsResponse:
    annotation = insight_pb2.Annotation(id="ann-1", reason="台风停电", decided_by=common_pb2.Actor(display_name="李四"))
    return insight_pb2.GetScorecardsResponse(
        scorecards=[
            insight_pb2.Scorecard(
                subject=insight_pb2.SCORE_SUBJECT_PERSON,
                site_id="hz-01",
                person_id="p-hz-officer-1",
                period="2026-11",
                base=100,
                total=-2,
                score=98,
                lines=[
                    insight_pb2.ScoreLine(
                        kind="late_report",
                        source=insight_pb2.SourceRef(record_type="violation", record_id="vio-3"),
                        occurred_at=ts(START),
                        person_id="p-hz-officer-1",
                        rules_version=1,
                        rule_points=-2,
                        points=-2,
                    ),
                    insight_pb2.ScoreLine(
                        kind="absence",
                        source=insight_pb2.SourceRef(record_type="violation", record_id="vio-4"),
                        occurred_at=ts(START),
                        rules_version=1,
                        rule_points=-3,
                        points=0,
                        annotation=annotation,
                    ),
                ],
            ),
            insight_pb2.Scorecard(
                subject=insight_pb2.SCORE_SUBJECT_SITE, site_id="hz-02", period="2026-11", base=100, score=100
            ),
        ]
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scorecards_summarize_each_card_by_kind_and_list_every_traceable_line(lang: Language) -> None:
    answer = cards_answer()

    def document(with_lines: bool) -> Document:
        return documents.scorecards_document(
            answer,
            site_id="east",
            period="2026-11",
            lang=lang,
            generated_at=NOW,
            time_zone="Asia/Shanghai",
            names={"p-hz-officer-1": "赵磊"},
            with_lines=with_lines,
        )

    workbook = document(True)
    overview = table_of(workbook, documents.word("overview", lang))
    # Site, card, base, penalties, bonus, annotated lines, points, score.
    assert overview.rows[0] == ["hz-01", "赵磊 (p-hz-officer-1)", 100, -2, 0, 1, -2, 98]
    assert overview.rows[1] == ["hz-02", documents.word("site_card", lang), 100, 0, 0, 0, 0, 100]
    by_kind = table_of(workbook, documents.word("by_kind", lang))
    # A row per card, kind and rule version: count, rule points, annotated, points.
    assert [row[2:] for row in by_kind.rows] == [
        [label("score_kind", "absence", lang), 1, 1, -3, 1, 0],
        [label("score_kind", "late_report", lang), 1, 1, -2, 0, -2],
    ]
    annotated = table_of(workbook, documents.word("annotations", lang))
    assert [row[4] for row in annotated.rows] == ["violation:vio-4"]
    assert "台风停电" in str(annotated.rows[0][10]) and "李四" in str(annotated.rows[0][10])
    lines = table_of(workbook, documents.word("score_lines", lang))
    assert [row[4] for row in lines.rows] == ["violation:vio-3", "violation:vio-4"]
    assert [row[7:9] for row in lines.rows] == [[-2, -2], [-3, 0]]
    assert lines.rows[0][3] == ("迟报" if lang == "zh" else "late report")
    assert lines.totals is not None and lines.totals[8] == -2
    # A PDF has the summary and says where the lines are.
    pdf = document(False)
    assert documents.word("score_lines", lang) not in [s.heading for s in pdf.sections]
    assert documents.word("lines_elsewhere", lang) in [
        b.text for s in pdf.sections for b in s.blocks if isinstance(b, Paragraph)
    ]
    # The export looks up everyone the cards name: the card's person, each line's, who annotated.
    assert set(people_of_cards(answer)) == {"p-hz-officer-1", ""}
    answer.scorecards[0].lines[1].annotation.decided_by.person_id = "p-hz-leader-1"
    assert set(people_of_cards(answer)) == {"p-hz-officer-1", "p-hz-leader-1", ""}


def test_a_scorecards_pdf_of_a_card_with_many_lines_stays_a_summary_and_its_workbook_has_every_line(
    tmp_path: Path,
) -> None:
    answer = cards_answer()
    card = answer.scorecards[0]
    many = 3000
    for n in range(many):  # a month of missed calls, each a line of its own
        card.lines.append(
            insight_pb2.ScoreLine(
                kind="unanswered_call",
                source=insight_pb2.SourceRef(record_type="line_call", record_id=f"lc-{n:05d}"),
                occurred_at=ts(START),
                person_id="p-hz-officer-1",
                rules_version=2,
                rule_points=-1,
                points=-1,
            )
        )
    card.total -= many
    card.score -= many

    def document(with_lines: bool) -> Document:
        return documents.scorecards_document(
            answer,
            site_id="east",
            period="2026-11",
            lang="zh",
            generated_at=NOW,
            time_zone="Asia/Shanghai",
            with_lines=with_lines,
        )

    path = tmp_path / "cards.pdf"
    path.write_bytes(render_pdf(document(False)))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:"))) <= 2
    flat = "".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    # The card's missed calls as one line: kind, rule version 2, 3,000 × -1 = -3,000; where the lines are.
    assert "未接来电23,000-10-3,000" in flat
    assert "-3,002" in flat and "加减分明细" in flat and "lc-00001" not in flat
    book = load_workbook(BytesIO(render_xlsx(document(True))), read_only=True)
    rows = list(book["加减分明细"].iter_rows(values_only=True))
    rows = [row for row in rows if len(row) > 8]
    records = [row[4] for row in rows if isinstance(row[4], str) and row[4].startswith("line_call:")]
    assert records == [f"line_call:lc-{n:05d}" for n in range(many)]
    assert any(row[0] == "合计" and row[8] == -many - 2 for row in rows)


def test_a_file_streams_in_chunks_of_at_most_a_mebibyte_the_first_named() -> None:
    data = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 3)
    parts = chunks("值班日报-east-2026-12-04.pdf", "application/pdf", data)
    assert len(parts) == 3
    assert all(len(p.data) <= CHUNK_BYTES for p in parts)
    assert b"".join(p.data for p in parts) == data
    assert parts[0].file_name == "值班日报-east-2026-12-04.pdf" and parts[0].media_type == "application/pdf"
    assert not parts[1].file_name and not parts[2].media_type
