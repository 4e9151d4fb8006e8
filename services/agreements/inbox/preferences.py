"""What a person chose for themselves on the web pages, kept by token subject so it follows
them from browser to browser: for now the language of the pages."""

from __future__ import annotations

from sqlmodel import Session

from common.auth import Principal
from common.db import utcnow
from services.agreements.models import UserPreference


def language_of(session: Session, *, principal: Principal) -> str | None:
    """The language this person chose; None when they never chose one."""
    pref = session.get(UserPreference, principal.subject)
    return pref.language if pref else None


def set_language(session: Session, *, principal: Principal, lang: str) -> None:
    pref = session.get(UserPreference, principal.subject)
    if pref is None:
        session.add(UserPreference(subject=principal.subject, language=lang))
    else:
        pref.language = lang
        pref.updated_at = utcnow()
        session.add(pref)
