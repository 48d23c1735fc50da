"""Charts (统计图) rendered on the server with matplotlib's Agg and SVG backends: the answer-time
histogram, calls per hour, the three-ring compliance trend and violations per person, as PNG or SVG
bytes, with titles, axes and legends in zh-CN or English and Chinese drawn in a real CJK font.

A chart is a plain frozen dataclass of figures; `render_chart` draws it. SVG text is drawn as paths,
so it displays the same on a machine without the font. Output is deterministic (no dates, fixed ids).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Literal

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from services.insight.render.fonts import CjkFontMissing, find_cjk_font
from services.insight.render.words import WEEKDAYS, WORDS, Language

ImageFormat = Literal["png", "svg"]

PNG_DPI = 120
WIDTH_INCHES = 8.0
HOURS = 24
# Bars inside the limit, beyond it, and the marks of a target missed.
WITHIN_COLOUR = "#2b6cb0"
BEYOND_COLOUR = "#c53030"


@dataclass(frozen=True)
class AnswerTimeHistogram:
    """接听时间分布: seconds from the first ring to the answer, one per answered call; the three-ring
    limit (三声 ≈ 15 s by default, per site) is drawn as a line."""

    answer_seconds: Sequence[float]
    limit_seconds: float = 15.0

    def __post_init__(self) -> None:
        if self.limit_seconds <= 0:
            raise ValueError("limit_seconds must be positive")
        if any(not math.isfinite(s) or s < 0 for s in self.answer_seconds):
            raise ValueError("answer_seconds must be finite and not negative")


@dataclass(frozen=True)
class CallsPerHourHeatmap:
    """每小时来电量: call counts, one row of 24 hours (local time) per weekday (Monday first, when `days`
    is None) or per date of `days`."""

    counts: Sequence[Sequence[int]]
    days: Sequence[date] | None = None

    def __post_init__(self) -> None:
        rows = 7 if self.days is None else len(self.days)
        if len(self.counts) != rows:
            raise ValueError(f"counts has {len(self.counts)} rows, expected {rows}")
        if any(len(row) != HOURS for row in self.counts):
            raise ValueError("every row of counts has 24 hours")
        if any(c < 0 for row in self.counts for c in row):
            raise ValueError("counts are not negative")


@dataclass(frozen=True)
class ComplianceTrend:
    """三声接听率趋势: per day, the share of calls answered within the limit (a ratio from 0 to 1), against
    the target share."""

    ratios: Mapping[date, float]
    target: float = 0.9

    def __post_init__(self) -> None:
        if any(not 0 <= r <= 1 for r in [*self.ratios.values(), self.target]):
            raise ValueError("ratios and target are between 0 and 1")


@dataclass(frozen=True)
class ViolationsPerPerson:
    """违规次数（按人员）: per person, the count of each kind of violation (迟报, 漏报, absence, ...),
    stacked; names and kinds are display text in the caller's language."""

    counts: Mapping[str, Mapping[str, int]]

    def __post_init__(self) -> None:
        if any(c < 0 for kinds in self.counts.values() for c in kinds.values()):
            raise ValueError("counts are not negative")


Chart = AnswerTimeHistogram | CallsPerHourHeatmap | ComplianceTrend | ViolationsPerPerson

# matplotlib's global state (rcParams, font cache) is not thread-safe: one chart at a time.
_LOCK = threading.Lock()


@functools.cache
def cjk_font_family() -> str:
    """Registers the CJK font with matplotlib and returns the family name matplotlib knows it by."""
    font = find_cjk_font()
    font_manager.fontManager.addfont(str(font.path))
    for entry in font_manager.fontManager.ttflist:
        if Path(entry.fname) == font.path and entry.index == font.index:
            return entry.name
    raise CjkFontMissing(f"matplotlib could not load {font.path} (face {font.index})")


def render_chart(chart: Chart, *, lang: Language = "zh", fmt: ImageFormat = "png") -> bytes:
    """The chart as PNG (120 dpi, 960 px wide) or SVG bytes."""
    words = WORDS[lang]
    rc = {
        "font.family": [cjk_font_family()],
        "font.size": 10,
        "svg.fonttype": "path",
        "svg.hashsalt": "dutyline",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with _LOCK, matplotlib.rc_context(rc):  # type: ignore[arg-type]
        figure = Figure(figsize=(WIDTH_INCHES, _height(chart)), layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        match chart:
            case AnswerTimeHistogram():
                _histogram(axes, chart, words)
            case CallsPerHourHeatmap():
                _heatmap(figure, axes, chart, words, lang)
            case ComplianceTrend():
                _trend(axes, chart, words)
            case ViolationsPerPerson():
                _violations(figure, axes, chart, words)
        out = BytesIO()
        metadata = {"Software": None} if fmt == "png" else {"Date": None}
        figure.savefig(out, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return out.getvalue()


def _height(chart: Chart) -> float:
    match chart:
        case CallsPerHourHeatmap():
            return max(3.6, 0.3 * len(chart.counts) + 1.8)
        case ViolationsPerPerson():
            return max(3.6, 0.35 * len(chart.counts) + 1.6)
    return 4.5


def _share(ratio: float) -> str:
    return f"{ratio:.1%}"


def _no_data(axes: Axes, words: Mapping[str, str]) -> None:
    axes.text(0.5, 0.5, words["no_data"], transform=axes.transAxes, ha="center", va="center", color="grey")


def _histogram(axes: Axes, chart: AnswerTimeHistogram, words: Mapping[str, str]) -> None:
    limit = chart.limit_seconds
    values = np.asarray(chart.answer_seconds, dtype=float)
    # Bins of a fifth of the limit, so that the limit falls on an edge; the long tail beyond the 98th
    # percentile (or four limits) is gathered in the last bin rather than flattening the rest.
    width = limit / 5
    upper = max(4 * limit, float(np.percentile(values, 98)) if values.size else 0.0)
    width *= math.ceil(upper / width / 60)
    edges = np.arange(0, math.ceil(upper / width) * width + width / 2, width)
    counts, _ = np.histogram(np.minimum(values, edges[-1]), edges)
    colours = [WITHIN_COLOUR if left < limit else BEYOND_COLOUR for left in edges[:-1]]
    axes.bar(edges[:-1], counts, width=width, align="edge", color=colours, edgecolor="white", linewidth=0.5)
    line = axes.axvline(limit, color="black", linestyle="--", linewidth=1.2)
    handles: list[Artist] = [line]
    labels = [words["limit"].format(seconds=f"{limit:g}")]
    if values.size:
        within = float(np.mean(values <= limit))
        handles += [Patch(color=WITHIN_COLOUR), Patch(color=BEYOND_COLOUR)]
        labels += [words["within"].format(share=_share(within)), words["beyond"].format(share=_share(1 - within))]
        if values.max() > edges[-1]:
            axes.annotate(f"≥{edges[-2]:g}", (edges[-2] + width / 2, counts[-1]), ha="center", va="bottom", fontsize=8)
    else:
        _no_data(axes, words)
    axes.set_title(words["histogram_title"])
    axes.set_xlabel(words["histogram_x"])
    axes.set_ylabel(words["histogram_y"])
    axes.set_xlim(0, edges[-1])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(handles, labels, loc="upper right")


def _heatmap(figure: Figure, axes: Axes, chart: CallsPerHourHeatmap, words: Mapping[str, str], lang: Language) -> None:
    axes.set_title(words["heatmap_title"])
    axes.set_xlabel(words["heatmap_x"])
    if not chart.counts:
        # A period without a call has no day to draw (imshow refuses an empty grid).
        axes.set_xlim(-0.5, HOURS - 0.5)
        axes.set_yticks([])
        _no_data(axes, words)
        return
    counts = np.asarray(chart.counts, dtype=int)
    image = axes.imshow(counts, cmap="YlOrRd", aspect="auto", vmin=0, vmax=max(1, int(counts.max())))
    axes.set_xticks(range(HOURS), [str(h) for h in range(HOURS)], fontsize=8)
    if chart.days is None:
        row_labels = list(WEEKDAYS[lang])
        axes.set_ylabel(words["weekday_axis"])
    else:
        row_labels = [f"{d:%m-%d} {WEEKDAYS[lang][d.weekday()]}" for d in chart.days]
        axes.set_ylabel(words["date_axis"])
    axes.set_yticks(range(len(row_labels)), row_labels, fontsize=8)
    # Figures in the cells while they stay legible (a week, a fortnight).
    if len(row_labels) <= 14:
        dark = 0.6 * counts.max()
        for (row, hour), count in np.ndenumerate(counts):
            colour = "white" if count > dark else "black"
            axes.text(hour, row, str(count), ha="center", va="center", fontsize=6, color=colour)
    axes.spines[:].set_visible(False)
    figure.colorbar(image, ax=axes, label=words["calls"])


def _trend(axes: Axes, chart: ComplianceTrend, words: Mapping[str, str]) -> None:
    days = sorted(chart.ratios)
    ratios = [chart.ratios[d] for d in days]
    axes.axhline(
        chart.target,
        color="black",
        linestyle="--",
        linewidth=1.2,
        label=words["target"].format(share=_share(chart.target)),
    )
    if days:
        x = mdates.date2num(days)
        axes.plot(x, ratios, marker="o", markersize=3, color=WITHIN_COLOUR, label=words["trend_series"])
        below = [i for i, r in enumerate(ratios) if r < chart.target]
        if below:
            below_x, below_y = [x[i] for i in below], [ratios[i] for i in below]
            axes.scatter(below_x, below_y, color=BEYOND_COLOUR, zorder=3, s=18, label=words["below_target"])
        axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=12))
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    else:
        _no_data(axes, words)
    axes.set_ylim(max(0.0, min([*ratios, chart.target]) - 0.05), 1.02)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_title(words["trend_title"])
    axes.set_xlabel(words["date_axis"])
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="lower left")


def _violations(figure: Figure, axes: Axes, chart: ViolationsPerPerson, words: Mapping[str, str]) -> None:
    totals = {person: sum(by_kind.values()) for person, by_kind in chart.counts.items()}
    # Most violations at the top: barh draws the first row at the bottom.
    people = sorted(totals, key=lambda p: (-totals[p], p))[::-1]
    kind_totals: dict[str, int] = {}
    for by_kind in chart.counts.values():
        for kind, count in by_kind.items():
            kind_totals[kind] = kind_totals.get(kind, 0) + count
    kinds = sorted(kind_totals, key=lambda k: (-kind_totals[k], k))
    left = np.zeros(len(people))
    colours = matplotlib.colormaps["tab10"]
    for i, kind in enumerate(kinds):
        widths = np.array([chart.counts[p].get(kind, 0) for p in people], dtype=float)
        axes.barh(people, widths, left=left, color=colours(i % 10), label=kind, height=0.6)
        left += widths
    for row, person in enumerate(people):
        axes.text(totals[person], row, f" {totals[person]}", va="center", fontsize=8)
    if people:
        axes.set_xlim(0, max(totals.values(), default=0) * 1.08 + 0.5)
    else:
        _no_data(axes, words)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(words["violations_title"])
    axes.set_xlabel(words["violations_x"])
    if kinds:
        figure.legend(loc="outside right upper")
