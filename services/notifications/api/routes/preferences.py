"""The caller's own notification preferences: /v1/preferences."""

from __future__ import annotations

from fastapi import APIRouter

from common.db import utcnow
from common.deps import DatabaseDep
from services.notifications import preferences
from services.notifications.api.deps import PROBLEM_RESPONSES as _PROBLEMS
from services.notifications.api.deps import CurrentPrincipal
from services.notifications.domain.enums import Channel, Language, ReminderMode
from services.notifications.models import PreferencesPublic, PreferencesUpdate, Recipient

router = APIRouter(prefix="/v1/preferences", tags=["preferences"])


def to_public(r: Recipient) -> PreferencesPublic:
    return PreferencesPublic(
        language=Language(r.language),
        channels=[Channel(c) for c in r.channels],
        reminder_mode=ReminderMode(r.reminder_mode),
        email=r.email,
    )


@router.get("", response_model=PreferencesPublic, responses=_PROBLEMS)
def get_preferences(principal: CurrentPrincipal, db: DatabaseDep) -> PreferencesPublic:
    """Language (vi by default), channels (inbox, email) and how reminders are e-mailed
    (immediate, or one daily digest)."""
    with db.session() as session:
        return to_public(preferences.get_preferences(session, principal=principal))


@router.patch("", response_model=PreferencesPublic, responses=_PROBLEMS)
def update_preferences(
    body: PreferencesUpdate, principal: CurrentPrincipal, db: DatabaseDep
) -> PreferencesPublic:
    """Change any of them; fields not sent keep their value (safe to repeat)."""
    with db.write_session() as session:
        person = preferences.update_preferences(
            session, principal=principal, changes=body, now=utcnow()
        )
        session.commit()
        return to_public(person)
