"""The benchmark report: rich tables on the terminal and the same figures as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# A raw ceiling that moved more than this between the start and the end of a run: the host changed
# speed while it ran, and the figures between are judged against a ceiling that no longer held.
DRIFT_WARNING = 0.15


@dataclass(frozen=True)
class Ceiling:
    """A raw component rate measured in this run, beside the figure DESIGN.md §8 quotes."""

    key: str
    name: str
    rate: float | None  # None: the measurement failed
    unit: str
    design_reference: float
    detail: dict[str, Any] = field(default_factory=dict)
    # The same measurement again at the end of the run (None: not measured again, or it failed).
    rate_at_end: float | None = None

    @property
    def drift(self) -> float | None:
        """How much the ceiling moved from the start of the run to its end (-0.2: 20 % lower at the end)."""
        if not self.rate or self.rate_at_end is None:
            return None
        return self.rate_at_end / self.rate - 1.0


@dataclass
class Figure:
    """A dutyline figure, its budget and (for ratio budgets) the raw ceiling it is compared with."""

    name: str
    value: float | None  # None: the phase failed
    unit: str
    budget: str
    passed: bool | None = None
    ceiling: Ceiling | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    # CPU of every platform process per operation (bench.cpu.CpuMonitor.cpu_ms_per_op).
    cpu_ms: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.ceiling is None or not self.ceiling.rate:
            return None
        return self.value / self.ceiling.rate

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "ERROR"
        if self.passed is None:
            return "-"
        return "PASS" if self.passed else "MISS"


@dataclass
class Report:
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    startup_seconds: dict[str, float] = field(default_factory=dict)
    memory_mb: dict[str, dict[str, float]] = field(default_factory=dict)
    ceilings: dict[str, Ceiling] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    cpu_cores: dict[str, dict[str, float]] = field(default_factory=dict)
    machine_cores: dict[str, float] = field(default_factory=dict)
    log_findings: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    total_seconds: float = 0.0
    # Processes of each service and worker (the replicas profile: ≥ 2, with a 3-node NATS cluster).
    replicas: int = 1

    # --- terminal ------------------------------------------------------------------------

    def startup_line(self) -> str:
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in self.startup_seconds.items() if k != "total")
        return f"platform started in {_num(self.startup_seconds.get('total'), '.1f')} s ({steps})"

    def print(self, console: Console) -> None:
        # A run without the platform (bench.insight: its own servers) has neither table.
        if self.startup_seconds or self.memory_mb:
            console.print(self.startup_line())
            console.print(self._startup_table())
        if self.ceilings:
            console.print(self._ceiling_table())
            for line in self.drift_warnings():
                console.print(f"[yellow]{line}[/yellow]")
        console.print(self._figure_table())
        if self.cpu_cores:
            console.print(self._cpu_table())
        if self.log_findings:
            console.print(self._log_table())
        for problem in self.problems:
            console.print(f"[red]problem:[/red] {problem}")

    def _startup_table(self) -> Table:
        table = Table(title="Platform memory", title_justify="left")
        table.add_column("process")
        stages = list(self.memory_mb)
        for stage in stages:
            table.add_column(f"PSS MiB {stage}", justify="right")
        names = sorted({n for by_name in self.memory_mb.values() for n in by_name})
        for name in names:
            table.add_row(name, *(_num(self.memory_mb[s].get(name), ".0f") for s in stages))
        table.add_row(
            "[bold]total[/bold]",
            *(_num(sum(self.memory_mb[s].values()), ".0f") for s in stages),
            end_section=True,
        )
        table.caption = "PSS: memory shared between processes is counted once"
        return table

    def drift_warnings(self) -> list[str]:
        """One line per raw ceiling that moved more than DRIFT_WARNING during the run."""
        lines = []
        for c in self.ceilings.values():
            drift = c.drift
            if drift is not None and abs(drift) > DRIFT_WARNING:
                lines.append(
                    f"the host changed speed during the run: {c.name} {_num(c.rate, ',.0f')} → "
                    f"{_num(c.rate_at_end, ',.0f')} {c.unit} ({drift:+.0%}); the figures measured in between "
                    "are judged against the first"
                )
        return lines

    def _ceiling_table(self) -> Table:
        table = Table(title="Raw ceilings (same run, same servers)", title_justify="left")
        table.add_column("component")
        table.add_column("measured", justify="right")
        table.add_column("at the end", justify="right")
        table.add_column("DESIGN §8", justify="right")
        table.add_column("errors", justify="right")
        for ceiling in self.ceilings.values():
            drift = ceiling.drift
            table.add_row(
                ceiling.name,
                f"{_num(ceiling.rate, ',.0f')} {ceiling.unit}",
                f"{_num(ceiling.rate_at_end, ',.0f')} ({drift:+.0%})" if drift is not None else "",
                f"≈ {ceiling.design_reference:,.0f}",
                str(ceiling.detail.get("errors", "-")),
            )
        return table

    def _figure_table(self) -> Table:
        table = Table(title="dutyline against its budgets", title_justify="left")
        table.add_column("figure")
        table.add_column("value", justify="right")
        table.add_column("raw ceiling", justify="right")
        table.add_column("ratio", justify="right")
        table.add_column("budget")
        table.add_column("result")
        table.add_column("CPU ms/op", justify="right")
        table.add_column("note")
        colour = {"PASS": "green", "MISS": "red", "ERROR": "red", "-": "dim"}
        for figure in self.figures:
            ceiling = figure.ceiling
            verdict = figure.verdict
            table.add_row(
                figure.name,
                f"{_num(figure.value, ',.1f')} {figure.unit}",
                f"{_num(ceiling.rate, ',.0f')} {ceiling.unit}" if ceiling else "",
                _num(figure.ratio * 100.0, ".0f") + " %" if figure.ratio is not None else "",
                figure.budget,
                f"[{colour[verdict]}]{verdict}[/{colour[verdict]}]",
                _num(figure.cpu_ms, ".2f"),
                figure.note,
            )
        return table

    def _cpu_table(self) -> Table:
        table = Table(
            title=f"CPU per process during each phase (cores; the machine has {os.cpu_count()})",
            title_justify="left",
        )
        table.add_column("phase")
        names = sorted({n for by_name in self.cpu_cores.values() for n in by_name})
        for name in names:
            table.add_column(name, justify="right")
        table.add_column("sum", justify="right")
        table.add_column("machine", justify="right")
        for phase, by_name in self.cpu_cores.items():
            table.add_row(
                phase,
                *(_num(by_name.get(n), ".2f") for n in names),
                _num(sum(by_name.values()), ".2f"),
                _num(self.machine_cores.get(phase), ".2f"),
            )
        table.caption = "machine: every process and the kernel (softirq, loopback networking) together"
        return table

    def _log_table(self) -> Table:
        table = Table(title="Warnings and errors in the platform's logs during the run", title_justify="left")
        table.add_column("process")
        table.add_column("lines", justify="right")
        table.add_column("message")
        for process, messages in self.log_findings.items():
            for message, count in sorted(messages.items(), key=lambda kv: -kv[1])[:5]:
                table.add_row(process, str(count), message)
        return table

    # --- JSON ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "total_seconds": round(self.total_seconds, 1),
            "replicas": self.replicas,
            "host": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "platform": platform.platform(),
            },
            "startup_seconds": {k: round(v, 2) for k, v in self.startup_seconds.items()},
            "memory_mb": {s: {k: round(v, 1) for k, v in d.items()} for s, d in self.memory_mb.items()},
            "raw_ceilings": {
                c.key: {
                    "name": c.name,
                    "rate": _round(c.rate),
                    "rate_at_end": _round(c.rate_at_end),
                    "drift": _round(c.drift, 3),
                    "unit": c.unit,
                    "design_reference": c.design_reference,
                    **c.detail,
                }
                for c in self.ceilings.values()
            },
            "figures": [
                {
                    "name": f.name,
                    "value": _round(f.value),
                    "unit": f.unit,
                    "ceiling": f.ceiling.key if f.ceiling else None,
                    "ceiling_rate": _round(f.ceiling.rate) if f.ceiling else None,
                    "ratio": _round(f.ratio, 3),
                    "budget": f.budget,
                    "result": f.verdict,
                    "cpu_ms_per_op": _round(f.cpu_ms, 3),
                    "note": f.note,
                    **f.detail,
                }
                for f in self.figures
            ],
            "cpu_cores": self.cpu_cores,
            "machine_cores": self.machine_cores,
            "log_warnings": self.log_findings,
            "problems": self.problems,
            "all_passed": all(f.verdict == "PASS" for f in self.figures if f.verdict != "-"),
        }

    def write_json(self, path: Path | None = None) -> Path:
        path = path or RESULTS_DIR / "latest.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        return path


def _num(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
