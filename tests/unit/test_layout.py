"""The tree keeps its shape: no module reaches into another module's private names, the web
pages (and the API routes) leave the database to the use cases, and modules stay small
enough to read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("common", "services", "workflows")
# Entry points that translate a request, call a use case and render: no queries, no commits.
HANDLERS = ("services/agreements/ui", "services/agreements/api/routes")
# The operator's export reads the outbox and the tables as they are, for read-model rebuilds;
# it has no use case of its own yet.
HANDLERS_NOT_YET_THIN = frozenset({"services/agreements/api/routes/export.py"})
# Calls that only a database session answers, whatever it is called.
SESSION_ONLY = frozenset({"exec", "execute", "commit", "flush", "scalars", "write_session"})
# Calls that a session answers among others (dict.get, form.get): flagged on a session's name.
SESSION_TOO = frozenset({"get", "add", "delete", "scalar"})
SESSION_NAMES = frozenset({"session", "s", "db_session"})
# What a query is built from (a handler may still name `Session` in a type, or catch an error).
QUERY_PARTS = frozenset({"select", "insert", "update", "delete", "text", "col", "func", "or_"})
MAX_LINES = 500
# Tables of text, schema history and table definitions grow with what they describe.
LONG_BY_NATURE = frozenset(
    {
        "services/agreements/ui/i18n.py",
        "common/law/labels.py",
        "common/law/messages.py",
    }
)


def modules(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (ROOT / root).rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_project(module: str | None, level: int) -> bool:
    return level > 0 or (module or "").split(".")[0] in PACKAGES


def private_names_used(path: Path) -> list[str]:
    """`from x import _name`, and `x._name` where x came from a module of this project."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_project(node.module, node.level):
            for alias in node.names:
                imported.add(alias.asname or alias.name)
                if is_private(alias.name):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_project(alias.name, 0):
                    imported.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def database_work(path: Path) -> list[str]:
    """Queries built, sessions asked, transactions committed: what a handler leaves to the
    use cases it calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "sqlmodel",
            "sqlalchemy",
        ):
            found.extend(
                f"{node.lineno}: imports {a.name} from {node.module}"
                for a in node.names
                if a.name in QUERY_PARTS
            )
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            found.append(f"{node.lineno}: {func.id}(...)")
        elif isinstance(func, ast.Attribute):
            receiver = func.value.id if isinstance(func.value, ast.Name) else None
            if func.attr in SESSION_ONLY or (
                func.attr in SESSION_TOO and receiver in SESSION_NAMES
            ):
                found.append(f"{node.lineno}: {receiver or '...'}.{func.attr}(...)")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = {name_of(p): used for p in modules(*PACKAGES) if (used := private_names_used(p))}
    assert offenders == {}, "make the name public under a proper name, or move the code"


def test_page_handlers_and_api_routes_leave_queries_and_commits_to_the_use_cases() -> None:
    checked = [p for p in modules(*HANDLERS) if name_of(p) not in HANDLERS_NOT_YET_THIN]
    assert any(name_of(p).startswith("services/agreements/ui/routes/") for p in checked)
    offenders = {name_of(p): work for p in checked if (work := database_work(p))}
    assert offenders == {}, "call a use case (drafting/, procedure/, inbox/) instead"


def test_the_layout_checks_catch_what_they_forbid(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from services.agreements.api.routes.tasks import _check\n"
        "from services.agreements.drafting import service\n"
        "from sqlmodel import select\n"
        "service._facts(a)\n"
        "rows = session.exec(select(Task))\n"
        "pref = session.get(UserPreference, subject)\n"
        "db_session.commit()\n"
        "value = form.get('x')\n",
        encoding="utf-8",
    )
    assert sorted(private_names_used(probe)) == [
        "1: from services.agreements.api.routes.tasks import _check",
        "4: service._facts",
    ]
    assert sorted(database_work(probe)) == [
        "3: imports select from sqlmodel",
        "5: select(...)",
        "5: session.exec(...)",
        "6: session.get(...)",
        "7: db_session.commit(...)",
    ]


def long_modules() -> dict[str, int]:
    out: dict[str, int] = {}
    for p in modules(*PACKAGES):
        name = name_of(p)
        if name in LONG_BY_NATURE or "/migrations/" in name:
            continue
        lines = len(p.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            out[name] = lines
    return out


def test_no_module_is_longer_than_500_lines() -> None:
    assert long_modules() == {}
