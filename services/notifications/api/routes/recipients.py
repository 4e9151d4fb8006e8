"""The recipients directory, for administrators: /v1/recipients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from common.db import utcnow
from common.deps import DatabaseDep
from services.notifications import recipients
from services.notifications.api.deps import ONE_OBJECT_PROBLEMS as _ONE_OBJECT_PROBLEMS
from services.notifications.api.deps import PROBLEM_RESPONSES as _PROBLEMS
from services.notifications.api.deps import CurrentPrincipal
from services.notifications.models import (
    Recipient,
    RecipientPublic,
    RecipientPut,
    RecipientsPublic,
)

router = APIRouter(prefix="/v1/recipients", tags=["recipients"])


def to_public(r: Recipient) -> RecipientPublic:
    return RecipientPublic(
        subject=r.subject,
        role=r.role,
        org=r.org,
        name=r.name,
        email=r.email,
        language=r.language,
        channels=list(r.channels),
        reminder_mode=r.reminder_mode,
        active=r.active,
    )


@router.get("", response_model=RecipientsPublic, responses=_PROBLEMS)
def list_recipients(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    role: Annotated[str | None, Query(max_length=40)] = None,
    org: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RecipientsPublic:
    """Who can be told, filtered by role and organisation (administrators only)."""
    with db.session() as session:
        rows, count = recipients.list_recipients(
            session, principal=principal, role=role, org=org, limit=limit, offset=offset
        )
    return RecipientsPublic(
        data=[to_public(r) for r in rows], count=count, limit=limit, offset=offset
    )


@router.put("/{subject}", response_model=RecipientPublic, responses=_ONE_OBJECT_PROBLEMS)
def put_recipient(
    subject: Annotated[str, Path(max_length=200)],
    body: RecipientPut,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    response: Response,
) -> RecipientPublic:
    """Register or update a person: the token subject they log in with, their role,
    organisation and e-mail address (administrators only; safe to repeat)."""
    with db.write_session() as session:
        person, created = recipients.put_recipient(
            session, principal=principal, subject=subject, data=body, now=utcnow()
        )
        session.commit()
    response.status_code = 201 if created else 200
    return to_public(person)
