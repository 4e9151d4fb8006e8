"""Daily digests: the reminders a person chose to receive once a day, gathered into one e-mail
at DIGEST_HOUR (Vietnam time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from common.db import Database
from common.law.calendar import TZ
from services.notifications.domain.enums import Channel, DeliveryStatus
from services.notifications.models import Delivery, Recipient
from services.notifications.rendering import Renderer, format_date


def digest_cutoff(now: datetime, digest_hour: int) -> datetime:
    """The last digest moment at or before `now` (`digest_hour`, Vietnam time)."""
    local = now.astimezone(TZ)
    cutoff = local.replace(hour=digest_hour, minute=0, second=0, microsecond=0)
    if local < cutoff:
        cutoff -= timedelta(days=1)
    return cutoff.astimezone(UTC)


def make_digests(
    db: Database, renderer: Renderer, *, now: datetime, digest_hour: int, limit: int = 500
) -> int:
    """Gather each person's held reminders from before the last digest moment into one
    e-mail; returns how many digests were queued. The held rows are marked in the same
    transaction as the digest is queued, and only if still held, so two dispatchers never mail
    the same reminder twice."""
    cutoff = digest_cutoff(now, digest_hour)
    held = (
        col(Delivery.status) == DeliveryStatus.HELD.value,
        col(Delivery.created_at) < cutoff,
    )
    with db.session() as session:
        people = list(
            session.exec(select(Delivery.recipient).where(*held).distinct().limit(limit)).all()
        )
    made = 0
    for subject in people:
        if subject is None:
            continue
        with db.write_session() as session:
            rows = list(
                session.exec(
                    select(Delivery)
                    .where(*held, Delivery.recipient == subject)
                    .order_by(col(Delivery.created_at))
                ).all()
            )
            if not rows:
                continue
            person = session.get(Recipient, subject)
            ids = [r.id for r in rows]
            if person is None or not person.email or not person.active:
                session.exec(
                    update(Delivery)
                    .where(col(Delivery.id).in_(ids), *held)
                    .values(status=DeliveryStatus.CANCELLED.value, last_error="no e-mail")
                )
                session.commit()
                continue
            lang = person.language
            message = renderer.render_system(
                "digest",
                lang,
                items=[{"subject": r.subject or "", "body": r.body} for r in rows],
                day=format_date(cutoff.astimezone(TZ).date(), lang),
            )
            digest = Delivery(
                dedupe_key=f"digest|{subject}|{cutoff.isoformat()}|{rows[0].id}",
                channel=Channel.EMAIL.value,
                event_id=f"digest|{subject}|{cutoff.isoformat()}",
                event_type="digest",
                recipient=subject,
                target=person.email,
                language=lang,
                subject=message.subject,
                body=message.body,
                next_attempt_at=now,
                event_time=now,
                created_at=now,
            )
            session.add(digest)
            marked = session.exec(
                update(Delivery)
                .where(col(Delivery.id).in_(ids), *held)
                .values(status=DeliveryStatus.DIGESTED.value, digest_id=digest.id)
            )
            if (marked.rowcount or 0) != len(ids):
                session.rollback()  # another dispatcher took some: it sends them
                continue
            session.commit()
            made += 1
    return made
