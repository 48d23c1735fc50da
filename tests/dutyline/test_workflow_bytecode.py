"""The worker caches its workflow modules' bytecode: the sandbox imports a workflow module afresh for every
run, and without cached bytecode each of those imports compiles the source again."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from dutyline.temporal_sandbox import cache_bytecode

SOURCE = """
from temporalio import workflow


@workflow.defn(name="BytecodeProbe")
class BytecodeProbe:
    @workflow.run
    async def run(self) -> None:
        return None
"""


def _import_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[type, Path]:
    source = tmp_path / "bytecode_probe.py"
    source.write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as under PYTHONDONTWRITEBYTECODE
    monkeypatch.delitem(sys.modules, "bytecode_probe", raising=False)
    module = importlib.import_module("bytecode_probe")
    return module.BytecodeProbe, Path(importlib.util.cache_from_source(str(source)))


def test_the_bytecode_of_a_workflow_module_is_written_once_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe, cached = _import_probe(tmp_path, monkeypatch)
    assert not cached.exists()
    cache_bytecode([probe])
    assert cached.exists()
    # Up to date: left as it is.
    written = cached.stat().st_mtime_ns
    cache_bytecode([probe])
    assert cached.stat().st_mtime_ns == written


def test_a_tree_it_cannot_write_only_goes_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    probe, cached = _import_probe(tmp_path, monkeypatch)
    cached.parent.write_text("")  # __pycache__ a file: no bytecode can go there (as a read-only image)
    cache_bytecode([probe])
    assert cached.parent.is_file()
