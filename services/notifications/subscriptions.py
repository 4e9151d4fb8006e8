"""Webhook subscriptions: who may register which URL, idempotent creation, enabling and
disabling, and the delivery log. Each function works inside the caller's session; the caller
commits."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from services.notifications.delivery.targets import Resolver, TargetRefused, resolve_target
from services.notifications.domain.enums import OPEN_STATUSES, DeliveryStatus
from services.notifications.errors import InvalidInput, NotFound, Unprocessable, refuse_duplicates
from services.notifications.models import (
    Delivery,
    DeliveryAttempt,
    Subscription,
    SubscriptionCreate,
)


def check_webhook_url(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> None:
    """http(s) only, a host, no credentials; outside development (`allow_private` false) https
    only, and a host that is not localhost nor, resolved with `resolve` (every address it
    resolves to), a loopback, private, link-local, multicast or reserved address. Without
    `resolve` only a literal address or a localhost name is checked (inside a transaction, once
    the route has resolved it)."""
    parts = urlsplit(url.strip())
    errors: list[tuple[str, str, dict[str, Any]]] = []
    allowed = ("http", "https") if allow_private else ("https",)
    if parts.scheme not in allowed:
        errors.append(("url", "url_scheme", {"allowed": " or ".join(f"{s}://" for s in allowed)}))
    elif not parts.hostname:
        errors.append(("url", "url_host", {}))
    else:
        if parts.username or parts.password:
            errors.append(("url", "url_credentials", {}))
        if not allow_private:
            refusal = _refusal(url, parts.hostname, resolve)
            if refusal is not None:
                errors.append(("url", refusal, {"host": parts.hostname}))
    if errors:
        raise InvalidInput(errors)


def _refusal(url: str, host: str, resolve: Resolver | None) -> str | None:
    if resolve is None:
        resolve = _literal_only
    try:
        resolve_target(url, allow_private=False, resolve=resolve)
    except TargetRefused as refused:
        if refused.category == "blocked address":
            return "url_private"
        return None if resolve is _literal_only else "url_unresolvable"
    return None


def _literal_only(host: str, port: int) -> list[str]:
    """A literal address as it is written; a name is left to the full check."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return []


def subscription_fingerprint(body: SubscriptionCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_subscription(
    session: Session,
    *,
    principal: Principal,
    body: SubscriptionCreate,
    idempotency_key: str | None,
    allow_private: bool,
    max_per_owner: int,
    now: datetime,
) -> tuple[Subscription, bool]:
    """A new webhook of the caller's; (subscription, created). The same Idempotency-Key with
    the same body returns the subscription made the first time; with another body, 422."""
    fingerprint = subscription_fingerprint(body)
    if idempotency_key:
        earlier = session.exec(
            select(Subscription).where(
                Subscription.owner == principal.subject,
                Subscription.idempotency_key == idempotency_key,
            )
        ).first()
        if earlier is not None:
            if earlier.request_fingerprint != fingerprint:
                raise Unprocessable("idempotency_mismatch")
            return earlier, False
    check_webhook_url(body.url, allow_private=allow_private)
    refuse_duplicates("event_types", [t.value for t in body.event_types])
    owned = session.exec(
        select(func.count()).where(
            Subscription.owner == principal.subject, col(Subscription.deleted_at).is_(None)
        )
    ).one()
    if owned >= max_per_owner:
        raise Unprocessable("too_many_subscriptions", limit=max_per_owner)
    sub = Subscription(
        owner=principal.subject,
        owner_role=principal.role.value,
        owner_org=principal.org,
        url=body.url.strip(),
        event_types=[t.value for t in body.event_types],
        secret=body.secret,
        description=body.description,
        created_at=now,
        updated_at=now,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    session.add(sub)
    return sub, True


def list_subscriptions(session: Session, *, principal: Principal) -> list[Subscription]:
    rows = session.exec(
        select(Subscription)
        .where(Subscription.owner == principal.subject, col(Subscription.deleted_at).is_(None))
        .order_by(col(Subscription.created_at))
    ).all()
    return list(rows)


def get_subscription(
    session: Session, *, principal: Principal, subscription_id: str
) -> Subscription:
    """The caller's own subscription (any, for an administrator); someone else's is answered
    like a missing one."""
    sub = session.get(Subscription, subscription_id)
    if (
        sub is None
        or sub.deleted_at is not None
        or (sub.owner != principal.subject and principal.role is not Role.ADMIN)
    ):
        raise NotFound("subscription_not_found", id=subscription_id)
    return sub


def _cancel_open_deliveries(session: Session, subscription_id: str, reason: str) -> int:
    result = session.exec(
        update(Delivery)
        .where(
            col(Delivery.subscription_id) == subscription_id,
            col(Delivery.status).in_([s.value for s in OPEN_STATUSES]),
        )
        .values(status=DeliveryStatus.CANCELLED.value, last_error=reason, lease_until=None)
    )
    return int(result.rowcount or 0)


def delete_subscription(
    session: Session, *, principal: Principal, subscription_id: str, now: datetime
) -> None:
    """Stop it and hide it; its delivery log is kept for the record."""
    sub = get_subscription(session, principal=principal, subscription_id=subscription_id)
    sub.deleted_at = now
    sub.active = False
    sub.updated_at = now
    session.add(sub)
    _cancel_open_deliveries(session, sub.id, "subscription deleted")


def enable_subscription(
    session: Session, *, principal: Principal, subscription_id: str, now: datetime
) -> Subscription:
    """Turn a disabled subscription on again (its receiver was fixed); events that happened
    while it was off are not sent."""
    sub = get_subscription(session, principal=principal, subscription_id=subscription_id)
    sub.active = True
    sub.consecutive_failures = 0
    sub.disabled_at = None
    sub.disabled_reason = None
    sub.updated_at = now
    session.add(sub)
    return sub


def disable_subscription(session: Session, *, sub: Subscription, reason: str, now: datetime) -> int:
    """Switch a subscription off after repeated failure; returns the deliveries cancelled."""
    sub.active = False
    sub.disabled_at = now
    sub.disabled_reason = reason
    sub.updated_at = now
    session.add(sub)
    return _cancel_open_deliveries(session, sub.id, "subscription disabled")


def list_deliveries(
    session: Session,
    *,
    principal: Principal,
    subscription_id: str,
    status: DeliveryStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[Delivery], Mapping[str, list[DeliveryAttempt]], int]:
    """A subscription's delivery log, newest first, with every attempt of each delivery."""
    sub = get_subscription(session, principal=principal, subscription_id=subscription_id)
    query = select(Delivery).where(Delivery.subscription_id == sub.id)
    counter = select(func.count()).where(Delivery.subscription_id == sub.id)
    if status is not None:
        query = query.where(Delivery.status == status.value)
        counter = counter.where(Delivery.status == status.value)
    rows = list(
        session.exec(
            query.order_by(col(Delivery.created_at).desc(), col(Delivery.id))
            .limit(limit)
            .offset(offset)
        ).all()
    )
    attempts: dict[str, list[DeliveryAttempt]] = {r.id: [] for r in rows}
    if rows:
        for attempt in session.exec(
            select(DeliveryAttempt)
            .where(col(DeliveryAttempt.delivery_id).in_(list(attempts)))
            .order_by(col(DeliveryAttempt.delivery_id), col(DeliveryAttempt.number))
        ).all():
            attempts[attempt.delivery_id].append(attempt)
    return rows, attempts, int(session.exec(counter).one())
