"""`python -m services.agreements import FILE`: the historical import from the command line.
`--dry-run` shows what would be imported (per conference cycle and unit, each value as read,
errors and warnings by row) and stores nothing; otherwise every row is imported or none (or
the valid ones with `--partial`) in one transaction, with a progress bar. Same checks as
POST /v1/agreements/import; a re-run leaves out what was imported before."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from common.auth import Principal, Role
from common.logs import configure_logging
from services.agreements.importer.summary import ImportSummary

_TEXTS = {
    "cycles": ("Theo kỳ Hội nghị Ngoại vụ", "By conference cycle"),
    "provinces": ("Theo tỉnh, thành phố hiện nay", "By current province"),
    "former": ("Theo đơn vị trước sáp nhập", "By former unit"),
    "readings": ("Giá trị đã hiểu", "Values as read"),
    "errors": ("Lỗi", "Errors"),
    "warnings": ("Cảnh báo", "Warnings"),
    "totals": (
        "{total} dòng: {to_import} sẽ nhập, {already} đã nhập trước đây, {repeated} lặp lại, "
        "{rejected} không hợp lệ",
        "{total} rows: {to_import} to import, {already} imported before, {repeated} repeated, "
        "{rejected} invalid",
    ),
    "refused": (
        "Không nhập dòng nào: {rejected} dòng không hợp lệ (dùng --partial để nhập các dòng hợp "
        "lệ).",
        "Nothing imported: {rejected} rows are invalid (use --partial to import the valid rows).",
    ),
    "unreadable": (
        "Không đọc được tệp; không nhập dòng nào.",
        "Unreadable file; nothing imported.",
    ),
    "done": ("Đã nhập {imported} thỏa thuận.", "{imported} agreements imported."),
    "importing": ("Đang nhập", "Importing"),
}


def _t(key: str, lang: str, **params: object) -> str:
    vi, en = _TEXTS[key]
    return (vi if lang == "vi" else en).format(**params)


def show(summary: ImportSummary, lang: str) -> None:
    """The preview as tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, highlight=False)
    for key, counts in (
        ("cycles", summary.by_cycle),
        ("provinces", summary.by_province),
        ("former", summary.by_former_unit),
    ):
        if counts:
            table = Table(title=_t(key, lang))
            table.add_column("")
            table.add_column("#", justify="right")
            for c in counts:
                table.add_row(c.label, str(c.rows))
            console.print(table)
    if summary.readings:
        table = Table(title=_t("readings", lang))
        for name in ("column", "text", "→", "#"):
            table.add_column(name, justify="right" if name == "#" else "left")
        for r in summary.readings:
            if r.text != r.code:
                table.add_row(r.column, r.text, r.meaning, str(r.rows))
        console.print(table)
    for key, notes, total in (
        ("warnings", summary.warnings, summary.warnings_total),
        ("errors", summary.errors, summary.errors_total),
    ):
        if notes:
            console.print(f"[bold]{_t(key, lang)} ({total})[/bold]")
            for n in notes:
                console.print(f"  row {n.row}, {n.column} [{n.rule}]: {n.message}", markup=False)
    console.print(
        _t(
            "totals",
            lang,
            total=summary.total_rows,
            to_import=summary.to_import,
            already=summary.already_imported,
            repeated=summary.repeated_rows,
            rejected=summary.rejected,
        )
    )


def import_csv(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="UTF-8 CSV or XLSX register")
    ],
    partial: Annotated[
        bool, typer.Option(help="import the valid rows even when others are invalid")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be imported; store nothing")
    ] = False,
    operator: Annotated[
        str, typer.Option("--as", help="who the records are imported by (audit trail)")
    ] = "cli",
    lang: Annotated[str, typer.Option(help="language of the messages: vi or en")] = "vi",
) -> None:
    """Import signed agreements from a register (CSV or XLSX) into the agreements database."""
    from rich.progress import Progress

    from common.db import Database
    from services.agreements.importer.service import Importer, ImportRefused
    from services.agreements.importer.summary import summarise
    from services.agreements.settings import get_settings

    settings = get_settings()
    configure_logging("agreements-import", settings.log_level)
    principal = Principal(f"cli:{operator}", Role.ADMIN, "system", operator)
    job = Importer(principal, settings.conference_calendar())
    parsed = job.parse(file.read_bytes())
    db = Database(settings.database_url, pool_size=1)
    try:
        if dry_run:
            with db.session() as session:
                plan = job.plan(session, parsed)
            show(summarise(plan, lang), lang)
            raise typer.Exit(1 if plan.file_errors or (plan.errors and not partial) else 0)
        with Progress(transient=True) as bar, db.write_session() as session:
            task = bar.add_task(_t("importing", lang), total=len(parsed.rows))
            try:
                plan, ids = job.apply(
                    session, parsed, partial=partial, progress=lambda n: bar.advance(task, n)
                )
            except ImportRefused as refused:
                bar.stop()
                show(summarise(refused.plan, lang), lang)
                key = "unreadable" if refused.plan.file_errors else "refused"
                typer.echo(_t(key, lang, rejected=refused.plan.rejected_rows), err=True)
                raise typer.Exit(1) from refused
            session.commit()
        show(summarise(plan, lang, ids), lang)
        typer.echo(_t("done", lang, imported=len(ids)))
    finally:
        db.dispose()
