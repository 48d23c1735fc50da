"""Warnings and errors the dutyline processes logged during the run (the state dir, and with it the
logs, is removed afterwards)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

LEVELS = {"warning", "error", "critical", "exception"}


def _finding(line: str) -> str | None:
    """The message of a warning or error line (structlog JSON or stdlib "LEVEL name message")."""
    line = line.strip()
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if str(record.get("level", "")).lower() in LEVELS:
            return str(record.get("event", ""))[:120]
        return None
    level, _, rest = line.partition(" ")
    if level.lower() in LEVELS:
        return rest[:120]
    return None


def scan(log_dir: Path, processes: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in processes:
        path = log_dir / f"{name}.log"
        if not path.is_file():
            continue
        found: Counter[str] = Counter()
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                message = _finding(line)
                if message is not None:
                    found[message] += 1
        if found:
            out[name] = dict(found)
    return out
