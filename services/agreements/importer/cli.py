"""`python -m services.agreements import FILE`: the historical import from the command line,
with a progress bar. Same checks as POST /v1/agreements/import; it stores in batches of its own
transactions, and a re-run skips the references already present, so an interrupted import is
finished by running it again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from common.auth import Principal, Role
from common.db import utcnow
from common.law.calendar import TZ
from common.law.labels import plural
from common.logs import configure_logging


def import_csv(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="UTF-8 CSV register")],
    partial: Annotated[
        bool, typer.Option(help="import the valid rows even when others are invalid")
    ] = False,
    operator: Annotated[
        str, typer.Option("--as", help="who the records are imported by (audit trail)")
    ] = "cli",
    lang: Annotated[str, typer.Option(help="language of the messages: vi or en")] = "vi",
) -> None:
    """Import signed agreements from a CSV register into the agreements database."""
    from rich.progress import Progress

    from common.db import Database
    from services.agreements.importer import register as importer
    from services.agreements.settings import get_settings

    settings = get_settings()
    configure_logging("agreements-import", settings.log_level)
    principal = Principal(f"cli:{operator}", Role.ADMIN, "system", operator)
    parsed = importer.parse_csv(
        file.read_bytes(), today=utcnow().astimezone(TZ).date(), own_province=None
    )
    for error in parsed.errors[: importer.MAX_ERRORS_SHOWN]:
        typer.echo(
            f"row {error.row}, {error.column} [{error.rule}]: {error.message(lang)}", err=True
        )
    if parsed.file_errors or (parsed.errors and not partial):
        typer.echo(
            f"{parsed.rejected_rows} of {_rows(parsed.total_rows)} invalid: nothing imported"
            + ("" if parsed.file_errors else " (use --partial to import the valid rows)"),
            err=True,
        )
        raise typer.Exit(1)
    db = Database(settings.database_url, pool_size=1)
    imported = skipped = 0
    with Progress() as bar:
        task = bar.add_task("importing", total=len(parsed.rows))
        for start in range(0, len(parsed.rows), importer.BATCH * 4):
            chunk = parsed.rows[start : start + importer.BATCH * 4]
            with db.write_session() as session:
                outcome = importer.store_rows(
                    session,
                    principal=principal,
                    rows=chunk,
                    progress=lambda n: bar.advance(task, n),
                )
                session.commit()
            imported += len(outcome.imported)
            skipped += len(outcome.skipped_existing)
    db.dispose()
    typer.echo(
        f"{imported} imported, {skipped} skipped (reference already present), "
        f"{parsed.rejected_rows} rejected, of {_rows(parsed.total_rows)}"
    )


def _rows(n: int) -> str:
    return plural(n, "en", vi="", en_one="{n} row", en_other="{n} rows")
