"""One use case in one transaction, for callers that hold a database rather than a session.

The use cases (service.py, cases.py, inbox/tasks.py, ...) work inside the session they are
given and queue their events in the outbox; whoever calls them commits once. The web pages
and the multi-step use cases call them through `write`, so the commit has one home; the API's
writes commit through `idempotency.execute_write`, which also keeps the response for retries.
It lives with drafting because every other concept already builds on drafting's lookups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from common.db import Database

P = ParamSpec("P")
T = TypeVar("T")


def write(
    db: Database,
    use_case: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run `use_case` in a write transaction and commit it (nothing is kept if it raises)."""
    with db.write_session() as session:
        result = use_case(session, *args, **kwargs)
        session.commit()
        return result


def read(
    db: Database,
    query: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run `query` in a read session; what it returns stays readable after the session ends."""
    with db.session() as session:
        return query(session, *args, **kwargs)
