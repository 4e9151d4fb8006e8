"""The recipients directory: administrators register people, development seeds its logins.
Each function works inside the caller's session; the caller commits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from services.notifications.errors import Forbidden, InvalidInput
from services.notifications.models import Recipient, RecipientPut

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def put_recipient(
    session: Session, *, principal: Principal, subject: str, data: RecipientPut, now: datetime
) -> tuple[Recipient, bool]:
    """An administrator registers or updates a person; their own preferences are kept."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("admin_only")
    errors: list[tuple[str, str, dict[str, Any]]] = []
    if data.role not in {r.value for r in Role}:
        errors.append(("role", "role", {"allowed": ", ".join(r.value for r in Role)}))
    if data.email is not None and not _EMAIL.match(data.email):
        errors.append(("email", "email", {}))
    if errors:
        raise InvalidInput(errors)
    person = session.get(Recipient, subject)
    created = person is None
    if person is None:
        person = Recipient(subject=subject, role=data.role, org=data.org, created_at=now)
    person.role, person.org, person.name = data.role, data.org, data.name
    person.email, person.active, person.updated_at = data.email, data.active, now
    session.add(person)
    return person, created


def list_recipients(
    session: Session,
    *,
    principal: Principal,
    role: str | None,
    org: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Recipient], int]:
    if principal.role is not Role.ADMIN:
        raise Forbidden("admin_only")
    query = select(Recipient)
    counter = select(func.count()).select_from(Recipient)
    for column, value in ((Recipient.role, role), (Recipient.org, org)):
        if value is not None:
            query = query.where(column == value)
            counter = counter.where(column == value)
    rows = session.exec(query.order_by(col(Recipient.subject)).limit(limit).offset(offset)).all()
    return list(rows), int(session.exec(counter).one())


def dev_email(subject: str, domain: str) -> str:
    """officer@ha-noi -> officer@ha-noi.agreements.test: readable, and undeliverable outside."""
    return f"{subject}.{domain}" if "@" in subject else f"{subject}@{domain}"


def seed_directory(
    session: Session, *, people: Iterable[Principal], email_domain: str, now: datetime
) -> int:
    """Add the people of the development directory that are missing; existing rows (and the
    preferences in them) are left alone. Returns how many were added."""
    existing = set(session.exec(select(Recipient.subject)).all())
    added = 0
    for p in people:
        if p.subject in existing:
            continue
        session.add(
            Recipient(
                subject=p.subject,
                role=p.role.value,
                org=p.org,
                name=p.name,
                email=dev_email(p.subject, email_domain),
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    return added
