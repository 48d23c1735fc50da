"""The import contracts (.importlinter) name the runtime kit module by module: a new module of
dutyline/ must be placed in a layer, or it would escape every contract."""

from __future__ import annotations

import configparser
import pkgutil
from pathlib import Path

import dutyline

ROOT = Path(__file__).resolve().parents[1]
GENERATED = {"common", "events", "incident", "intake", "notify", "roster", "insight"}
ABOVE_THE_KIT = {"launch", "cli", "stack"}


def contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter", encoding="utf-8")
    return parser


def listed(section: str, key: str) -> set[str]:
    return {line.strip() for line in contracts()[section][key].splitlines() if line.strip()}


def test_every_module_of_dutyline_is_in_a_layer() -> None:
    kit = listed("importlinter:contract:kit", "source_modules")
    modules = {m.name for m in pkgutil.iter_modules(dutyline.__path__)}
    unplaced = sorted(m for m in modules - GENERATED - ABOVE_THE_KIT if f"dutyline.{m}" not in kit)
    assert not unplaced, f"place these in .importlinter (the kit contract, or above it): {unplaced}"
    gone = sorted(m for m in kit if m.removeprefix("dutyline.") not in modules)
    assert not gone, f".importlinter names modules that do not exist: {gone}"


def test_generated_code_may_import_no_kit_module() -> None:
    kit = listed("importlinter:contract:kit", "source_modules")
    assert kit <= listed("importlinter:contract:generated", "forbidden_modules")
