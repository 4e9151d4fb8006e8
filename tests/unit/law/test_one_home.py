"""Each figure of domain.md §2.3 has one home, `common.law.deadlines.Timing`, and Vietnam's time
zone and reminder hour one home, `common.law.calendar`: the settings, the workflow's input, the
pages and the reports derive from them, and a second definition anywhere fails here."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.law.deadlines import Timing
from common.settings import CommonSettings
from workflows.lifecycle.state import LifecycleInput
from workflows.settings import WorkflowSettings

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ("common", "services", "workflows", "deploy/local", "bench")
TIMING_FIELDS = frozenset(f.name for f in dataclasses.fields(Timing))
# The settings that override configurable figures name them after the figure.
SETTING_NAMES = frozenset({"consultation_reminder_working_days_before"} | TIMING_FIELDS) - {
    "copy_to_mofa_for_all_levels"
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_NAMES | {"copy_to_mofa_for_all_levels"}:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("ENV", "test")


def test_settings_without_overrides_give_the_law_s_figures(clean_env: None) -> None:
    assert CommonSettings().timing() == Timing()
    assert WorkflowSettings().timing() == Timing()


def test_settings_override_only_the_configurable_figures(clean_env: None) -> None:
    timing = CommonSettings(
        consultation_reminder_working_days_before=3,
        copy_reminder_days_before=[1, 7],
        expiry_reminder_days=[30, 365],
        plan_reminder_days_before=14,
        copy_to_mofa_for_all_levels=True,
    ).timing()
    assert timing.reminder_working_days_before == 3
    assert timing.copy_reminder_days_before == (7, 1)
    assert timing.expiry_reminder_days == (365, 30)
    assert timing.plan_reminder_days_before == 14
    assert timing.copy_to_mofa_for_all_levels is True
    # The law's own figures are not settings.
    law = Timing()
    for name in (
        "consultation_working_days",
        "reduced_working_days",
        "pm_working_days",
        "copy_calendar_days",
        "notice_calendar_days",
        "plan_due_month",
        "plan_due_day",
    ):
        assert getattr(timing, name) == getattr(law, name)


def test_a_workflow_started_without_settings_runs_with_the_law_s_figures() -> None:
    assert LifecycleInput(agreement_id="a").timing == Timing()


def _python_files() -> Iterator[Path]:
    for top in SOURCES:
        yield from (ROOT / top).rglob("*.py")


def _is_figure(node: ast.AST) -> bool:
    """A number, or a tuple or list of numbers, written in the source."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.Tuple | ast.List):
        return bool(node.elts) and all(_is_figure(e) for e in node.elts)
    if isinstance(node, ast.Call) and node.args == [] and node.keywords:
        return False
    if isinstance(node, ast.Lambda):
        return _is_figure(node.body)
    return False


def _second_definitions(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        value: ast.AST | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
            if name in SETTING_NAMES and value is not None and _is_figure(value):
                yield f"{path.relative_to(ROOT)}:{target.lineno} sets {name}"
        if isinstance(node, ast.keyword) and node.arg in SETTING_NAMES and _is_figure(node.value):
            yield f"{path.relative_to(ROOT)}:{node.value.lineno} passes {node.arg}"
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if called == "ZoneInfo" and "Asia/Ho_Chi_Minh" in texts:
                yield f"{path.relative_to(ROOT)}:{node.lineno} defines Vietnam's time zone"
            hours = [k for k in node.keywords if k.arg == "hours" and _is_figure(k.value)]
            if called == "timedelta" and hours and ast.literal_eval(hours[0].value) == 7:
                yield f"{path.relative_to(ROOT)}:{node.lineno} defines UTC+7"
            if called == "time" and texts[:1] == [8]:
                yield f"{path.relative_to(ROOT)}:{node.lineno} defines the 08:00 reminder hour"


def test_no_figure_time_zone_or_reminder_hour_is_defined_twice() -> None:
    homes = {ROOT / "common/law/deadlines.py", ROOT / "common/law/calendar.py"}
    found = [
        line
        for path in _python_files()
        if path not in homes and ".venv" not in path.parts
        for line in _second_definitions(path)
    ]
    assert found == [], "a second definition of a rule of domain.md §2.3:\n" + "\n".join(found)
