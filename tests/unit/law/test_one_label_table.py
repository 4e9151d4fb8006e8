"""Guards: codes of the law are named only in common/law/labels.py, and counts people read use
plural rules rather than "(s)"."""

from __future__ import annotations

import ast
import inspect
import re
from enum import StrEnum
from pathlib import Path

from common.law import vocabulary

ROOT = Path(__file__).resolve().parents[3]
THE_TABLE = ROOT / "common" / "law" / "labels.py"

ENUMS = {
    name: obj
    for name, obj in vars(vocabulary).items()
    if inspect.isclass(obj) and issubclass(obj, StrEnum) and obj.__module__ == vocabulary.__name__
}
CODES = {member.value for enum in ENUMS.values() for member in enum}


def _is_code(key: ast.expr | None) -> bool:
    """ "IN_CONSULTATION" or AgreementStatus.IN_CONSULTATION (or vocabulary.X.Y)."""
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value in CODES
    if isinstance(key, ast.Attribute):
        owner = key.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        return name in ENUMS and key.attr in ENUMS[name].__members__
    return False


def _is_bilingual_pair(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Tuple)
        and len(value.elts) == 2
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts)
    )


def own_labels(source: str) -> list[str]:
    """Line and code of each dict entry mapping a code of the law to a (vi, en) pair."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _is_code(key) and _is_bilingual_pair(value):
                    found.append(f"{node.lineno}: {ast.unparse(key)}")  # type: ignore[arg-type]
    return found


def test_the_guard_finds_a_copied_label_in_either_spelling() -> None:
    assert own_labels('LABELS = {"IN_CONSULTATION": ("Đang lấy ý kiến", "In consultation")}')
    assert own_labels('X = {"t": {SignatoryLevel.PROVINCIAL_COMMITTEE: ("UBND", "Committee")}}')
    assert own_labels("{vocabulary.Outcome.AGREE: ('Nhất trí', 'Agree')}")
    assert not own_labels('TEXTS = {"list.status": ("Trạng thái", "Status")}')
    assert not own_labels('STEPS = {"IN_CONSULTATION": "consultation"}')


def test_no_module_but_the_shared_table_labels_a_code_of_the_law() -> None:
    offenders = {}
    for folder in ("services", "common", "workflows"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == THE_TABLE or "migrations" in path.parts:
                continue
            found = own_labels(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "label codes of the law in common/law/labels.py only"


# "day(s)", "error(s)", "reminder(es)": a count worded without the language's plural rules.
NAIVE_PLURAL = re.compile(r"\w\((?:s|es)\)")
# The texts people read: the surfaces' tables and templates, and the rules' wording.
USER_FACING = [
    "common/law/labels.py",
    "common/law/messages.py",
    "services/agreements/ui/i18n.py",
    "services/reporting/domain/labels.py",
    "services/notifications/rendering.py",
]


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


def test_no_text_people_read_counts_with_parenthesised_plurals() -> None:
    found = [
        f"{name}: {text!r}"
        for name in USER_FACING
        for text in _strings(ROOT / name)
        if NAIVE_PLURAL.search(text)
    ]
    templates = [
        path
        for pattern in ("services/*/templates/**/*", "services/*/*/templates/**/*")
        for path in ROOT.glob(pattern)
        if path.is_file()
    ]
    assert templates
    found += [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in templates
        for line in path.read_text(encoding="utf-8").splitlines()
        if NAIVE_PLURAL.search(line)
    ]
    assert found == []
