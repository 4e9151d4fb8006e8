"""A person's own choices: language, channels, reminder mode. Each function works inside the
caller's session; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from common.auth import Principal
from services.notifications.domain.enums import Language
from services.notifications.errors import refuse_duplicates
from services.notifications.models import PreferencesUpdate, Recipient


def recipient_language(session: Session, subject: str) -> str:
    person = session.get(Recipient, subject)
    return person.language if person is not None else Language.VI.value


def get_preferences(session: Session, *, principal: Principal) -> Recipient:
    """The caller's row, or the defaults they would get (not stored until they change it)."""
    person = session.get(Recipient, principal.subject)
    if person is None:
        person = Recipient(subject=principal.subject, role=principal.role.value, org=principal.org)
    return person


def update_preferences(
    session: Session, *, principal: Principal, changes: PreferencesUpdate, now: datetime
) -> Recipient:
    """Change the caller's language, channels or reminder mode. Someone unknown to the
    directory (a production user before an administrator registered them) gets a row from
    their token, so their choices are kept."""
    if changes.channels is not None:
        refuse_duplicates("channels", [c.value for c in changes.channels])
    person = session.get(Recipient, principal.subject)
    if person is None:
        person = Recipient(
            subject=principal.subject,
            role=principal.role.value,
            org=principal.org,
            name=principal.name,
            created_at=now,
        )
    if changes.language is not None:
        person.language = changes.language.value
    if changes.channels is not None:
        person.channels = [c.value for c in changes.channels]
    if changes.reminder_mode is not None:
        person.reminder_mode = changes.reminder_mode.value
    person.updated_at = now
    session.add(person)
    return person
