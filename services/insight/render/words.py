"""The fixed words of charts and documents in both languages (zh-CN default, English); everything else
(headings, names, labels of figures) is text the caller supplies in the language it chose."""

from __future__ import annotations

from dutyline.labels import Language

WORDS: dict[Language, dict[str, str]] = {
    "zh": {
        "no_data": "无数据",
        "histogram_title": "接听时间分布",
        "histogram_x": "接听用时（秒）",
        "histogram_y": "来电数",
        "limit": "三声限时 {seconds} 秒",
        "within": "限时内接听 {share}",
        "beyond": "超时接听 {share}",
        "heatmap_title": "每小时来电量",
        "heatmap_x": "时（当地时间）",
        "weekday_axis": "星期",
        "date_axis": "日期",
        "calls": "来电数",
        "trend_title": "三声接听率趋势",
        "trend_series": "三声接听率",
        "target": "目标 {share}",
        "below_target": "低于目标",
        "violations_title": "违规次数（按人员）",
        "violations_x": "次数",
        "page": "第 {page} 页，共 {pages} 页",
        "signatures": "签字",
        "sign_here": "签字：",
        "sign_date": "日期：",
        "summary_sheet": "概要",
    },
    "en": {
        "no_data": "No data",
        "histogram_title": "Answer time distribution",
        "histogram_x": "Time to answer (s)",
        "histogram_y": "Calls",
        "limit": "Three-ring limit {seconds} s",
        "within": "Answered within limit {share}",
        "beyond": "Answered late {share}",
        "heatmap_title": "Calls per hour",
        "heatmap_x": "Hour (local time)",
        "weekday_axis": "Weekday",
        "date_axis": "Date",
        "calls": "Calls",
        "trend_title": "Three-ring compliance trend",
        "trend_series": "Answered within three rings",
        "target": "Target {share}",
        "below_target": "Below target",
        "violations_title": "Violations per person",
        "violations_x": "Count",
        "page": "Page {page} of {pages}",
        "signatures": "Signatures",
        "sign_here": "Signed: ",
        "sign_date": "Date: ",
        "summary_sheet": "Summary",
    },
}

WEEKDAYS: dict[Language, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
