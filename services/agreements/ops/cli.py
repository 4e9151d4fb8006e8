"""`python -m services.agreements ops ...`: the operator console on the command line, calling
the same use cases as /v1/ops and /ui/ops, audited under the name given with `--by` (default
the shell user's)."""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import BaseModel, ValidationError

from common.auth import Principal, Role
from common.db import Database
from common.logs import configure_logging
from common.moments import parse_moment
from services.agreements.errors import ServiceError
from services.agreements.settings import AgreementsSettings, get_settings

ops_cli = typer.Typer(
    help="Operator console: dead letters, stopped workflows, replay by range, consumer lag.",
    no_args_is_help=True,
)

By = Annotated[
    str | None, typer.Option("--by", help="who acts, for the audit log (default: $USER@cli)")
]
Reason = Annotated[str, typer.Option("--reason", help="why: kept in the audit log")]
Lang = Annotated[str, typer.Option("--lang", help="vi or en, for messages")]
AsJson = Annotated[bool, typer.Option("--json", help="print the API's JSON")]


def _operator(by: str | None) -> Principal:
    subject = by or f"{getpass.getuser()}@cli"
    return Principal(subject=subject, role=Role.OPERATOR, org="system", name=subject)


def _setup() -> tuple[AgreementsSettings, Database]:
    settings = get_settings()
    configure_logging("agreements-ops", settings.log_level)
    return settings, Database(settings.database_url, pool_size=2)


def _fail(exc: ServiceError | ValidationError, lang: str) -> typer.Exit:
    if isinstance(exc, ServiceError):
        typer.echo(exc.to_problem(lang).detail, err=True)
    else:
        typer.echo(str(exc), err=True)
    return typer.Exit(code=1)


def _print(model: BaseModel, as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(model.model_dump_json(indent=2))
    else:
        for line in lines:
            typer.echo(line)


def _moment(value: str) -> datetime:
    """An ISO 8601 time, as the API reads one (Vietnam time without an offset)."""
    try:
        return parse_moment(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r}: {exc}") from exc


@ops_cli.command("dead-letters")
def list_letters(
    state: Annotated[str, typer.Option(help="open, retried, discarded or all")] = "open",
    limit: int = 50,
    lang: Lang = "vi",
    as_json: AsJson = False,
) -> None:
    """Dead letters, newest first: id, when, consumer group, event, agreement, reason."""
    from services.agreements.ops import dead_letters

    settings, db = _setup()
    try:
        found = dead_letters.list_dead_letters(
            db,
            settings,
            principal=_operator(None),
            state=None if state == "all" else dead_letters.LetterState(state),
            limit=limit,
        )
    except ServiceError as exc:
        raise _fail(exc, lang) from exc
    finally:
        db.dispose()
    lines = [f"{found.count} {state} (open: {found.open}, read: {found.scanned})"]
    lines += [
        "\t".join(
            str(v or "-")
            for v in (
                d.id,
                d.failed_at.isoformat(timespec="seconds") if d.failed_at else None,
                d.consumer_group,
                d.event_type,
                d.agreement_id,
                d.state.value,
                d.reason[:120],
            )
        )
        for d in found.data
    ]
    _print(found, as_json, lines)


def _act_on_letters(action: str, ids: list[str], reason: str, by: str | None, lang: str) -> None:
    from services.agreements.ops import dead_letters

    settings, db = _setup()
    try:
        body = dead_letters.LettersAction(ids=ids, reason=reason)
        use_case = dead_letters.retry if action == "retry" else dead_letters.discard
        done = use_case(db, settings, principal=_operator(by), body=body)
    except (ServiceError, ValidationError) as exc:
        raise _fail(exc, lang) from exc
    finally:
        db.dispose()
    for r in done.results:
        typer.echo(f"{r.id}\t{r.outcome.value}")


@ops_cli.command()
def retry(
    ids: Annotated[list[str], typer.Argument(help="letter ids: <partition>-<offset>")],
    reason: Reason,
    by: By = None,
    lang: Lang = "vi",
) -> None:
    """Publish dead letters' original records again on agreements.events."""
    _act_on_letters("retry", ids, reason, by, lang)


@ops_cli.command()
def discard(
    ids: Annotated[list[str], typer.Argument(help="letter ids: <partition>-<offset>")],
    reason: Reason,
    by: By = None,
    lang: Lang = "vi",
) -> None:
    """Set dead letters aside for good, with the reason."""
    _act_on_letters("discard", ids, reason, by, lang)


@ops_cli.command()
def stuck(lang: Lang = "vi", as_json: AsJson = False) -> None:
    """Agreements whose workflow is missing, stopped, or has not moved past a deadline."""
    from services.agreements.ops import workflows
    from services.agreements.procedure.engine import Engine

    settings, db = _setup()
    try:
        found = asyncio.run(
            workflows.stuck(db, Engine(settings), settings, principal=_operator(None), lang=lang)
        )
    except ServiceError as exc:
        raise _fail(exc, lang) from exc
    finally:
        db.dispose()
    lines: list[str] = [] if found.temporal_reachable else ["Temporal: unreachable"]
    lines.append(f"{found.count} of {found.checked} checked")
    for item in found.data:
        lines.append(
            f"{item.agreement_id}\t{item.status.value}\t{item.workflow_status.value}\t"
            f"{item.repair.value}\t{item.temporal_url}"
        )
        lines += [f"    {d}" for d in item.details]
    _print(found, as_json, lines)


@ops_cli.command()
def repair(agreement_id: str, reason: Reason, by: By = None, lang: Lang = "vi") -> None:
    """Start a submitted agreement's workflow from its submission event (safe to repeat)."""
    from services.agreements.ops import workflows
    from services.agreements.procedure.engine import Engine

    settings, db = _setup()
    try:
        done = asyncio.run(
            workflows.repair(
                db,
                Engine(settings),
                settings,
                principal=_operator(by),
                agreement_id=agreement_id,
                body=workflows.RepairCreate(reason=reason),
            )
        )
    except (ServiceError, ValidationError) as exc:
        raise _fail(exc, lang) from exc
    finally:
        db.dispose()
    typer.echo(f"{done.agreement_id}\t{done.outcome}\t{done.temporal_url}")


@ops_cli.command()
def replay(
    since: Annotated[str, typer.Option(help="ISO time, included (Vietnam time when no offset)")],
    reason: Reason,
    until: Annotated[
        str | None,
        typer.Option(help="ISO time, excluded (Vietnam time when no offset; default now)"),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    by: By = None,
    lang: Lang = "vi",
) -> None:
    """Publish again the outbox events created in [since, until), after showing how many."""
    from services.agreements.ops import replay as replaying
    from services.agreements.unit_of_work import read

    _, db = _setup()
    principal = _operator(by)
    try:
        span = replaying.ReplayRange(
            since=_moment(since), until=_moment(until) if until else datetime.now(UTC)
        )
        preview = read(db, replaying.preview, principal=principal, span=span)
        typer.echo(
            f"{preview.count} events from {span.since.isoformat()} to {span.until.isoformat()}"
        )
        for event_type, n in preview.by_type.items():
            typer.echo(f"    {event_type}\t{n}")
        if preview.count == 0:
            return
        if not yes and not typer.confirm("Publish them again?"):
            raise typer.Exit(code=1)
        done = replaying.replay(
            db,
            principal=principal,
            body=replaying.ReplayCreate(
                since=span.since,
                until=span.until,
                reason=reason,
                confirm=True,
                expected_count=preview.count,
            ),
        )
    except (ServiceError, ValidationError) as exc:
        raise _fail(exc, lang) from exc
    finally:
        db.dispose()
    typer.echo(f"{done.count} events queued for the relay to publish again")


@ops_cli.command()
def lag(lang: Lang = "vi", as_json: AsJson = False) -> None:
    """Each consumer group's committed offset, end offset and lag per partition."""
    from services.agreements.ops.lag import consumer_lag

    settings = get_settings()
    try:
        found = consumer_lag(settings, principal=_operator(None))
    except ServiceError as exc:
        raise _fail(exc, lang) from exc
    lines = [f"{found.topic}: total lag {found.total}"]
    for group in found.groups:
        lines.append(f"{group.group}\tlag {group.lag}")
        lines += [
            f"    {p.partition}\t{'-' if p.committed is None else p.committed}\t{p.end}\t{p.lag}"
            for p in group.partitions
        ]
    _print(found, as_json, lines)
