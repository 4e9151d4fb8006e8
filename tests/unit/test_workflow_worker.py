"""The workflow worker leaves bytecode beside each workflow module, which the sandbox's fresh
import of the module for every workflow run then loads instead of compiling the source."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from workflows.worker import ensure_bytecode


def test_bytecode_is_written_beside_a_workflow_module_even_when_python_would_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    source = tmp_path / "some_workflow.py"
    source.write_text("class SomeWorkflow:\n    pass\n", encoding="utf-8")
    # A part of the workflow in its own module, imported inside the sandbox too.
    part = tmp_path / "some_workflow_timers.py"
    part.write_text("class TimersMixin:\n    pass\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("some_workflow", source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "some_workflow", module)
    spec.loader.exec_module(module)

    ensure_bytecode([module.SomeWorkflow])

    assert Path(importlib.util.cache_from_source(str(source))).is_file()
    assert Path(importlib.util.cache_from_source(str(part))).is_file()
