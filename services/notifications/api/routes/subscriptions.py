"""Webhook subscriptions of the caller and their delivery log: /v1/subscriptions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from common.db import utcnow
from common.deps import DatabaseDep
from services.notifications import subscriptions
from services.notifications.api.deps import ONE_OBJECT_PROBLEMS as _ONE_OBJECT_PROBLEMS
from services.notifications.api.deps import PROBLEM_RESPONSES as _PROBLEMS
from services.notifications.api.deps import (
    CurrentPrincipal,
    IdempotencyKeyHeader,
    ResolverDep,
    SettingsDep,
)
from services.notifications.domain.enums import DeliveryStatus
from services.notifications.models import (
    AttemptPublic,
    DeliveriesPublic,
    DeliveryPublic,
    Subscription,
    SubscriptionCreate,
    SubscriptionPublic,
    SubscriptionsPublic,
)

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])


def to_public(s: Subscription) -> SubscriptionPublic:
    return SubscriptionPublic(
        id=s.id,
        url=s.url,
        event_types=list(s.event_types),
        description=s.description,
        active=s.active,
        consecutive_failures=s.consecutive_failures,
        disabled_at=s.disabled_at,
        disabled_reason=s.disabled_reason,
        created_at=s.created_at,
    )


@router.post("", status_code=201, response_model=SubscriptionPublic, responses=_PROBLEMS)
def create_subscription(
    body: SubscriptionCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
    response: Response,
    resolver: ResolverDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> SubscriptionPublic:
    """Receive the chosen event types (those your organisation may see) as signed POSTs.

    Each POST carries the CloudEvent as JSON and `X-Agreements-Signature: t=<unix>,v1=<hex>`,
    the HMAC-SHA256 of `"<t>." + body` with your secret. Failed deliveries are retried with
    exponential backoff; after repeated failure the subscription is disabled and you are told
    in your inbox. Send an Idempotency-Key to make retries of this request safe."""
    key = (idempotency_key or "").strip() or None
    if not settings.private_webhook_targets_allowed:
        # Resolved here, before the transaction: every address the host names is checked.
        subscriptions.check_webhook_url(body.url, allow_private=False, resolve=resolver)

    def create(session: Session) -> tuple[Subscription, bool]:
        return subscriptions.create_subscription(
            session,
            principal=principal,
            body=body,
            idempotency_key=key,
            allow_private=settings.private_webhook_targets_allowed,
            max_per_owner=settings.webhook_max_subscriptions_per_owner,
            now=utcnow(),
        )

    try:
        with db.write_session() as session:
            sub, created = create(session)
            session.commit()
    except IntegrityError:
        if key is None:
            raise
        # A concurrent request with the same key won: answer with its subscription.
        with db.session() as session:
            sub, created = create(session)
    response.headers["Location"] = f"/v1/subscriptions/{sub.id}"
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return to_public(sub)


@router.get("", response_model=SubscriptionsPublic, responses=_PROBLEMS)
def list_subscriptions(principal: CurrentPrincipal, db: DatabaseDep) -> SubscriptionsPublic:
    """Your subscriptions, active and disabled (not deleted ones)."""
    with db.session() as session:
        rows = subscriptions.list_subscriptions(session, principal=principal)
    return SubscriptionsPublic(data=[to_public(s) for s in rows], count=len(rows))


@router.get("/{subscription_id}", response_model=SubscriptionPublic, responses=_ONE_OBJECT_PROBLEMS)
def get_subscription(
    subscription_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> SubscriptionPublic:
    with db.session() as session:
        return to_public(
            subscriptions.get_subscription(
                session, principal=principal, subscription_id=subscription_id
            )
        )


@router.delete("/{subscription_id}", status_code=204, responses=_ONE_OBJECT_PROBLEMS)
def delete_subscription(
    subscription_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> Response:
    """Stop and remove it; deliveries not yet made are cancelled."""
    with db.write_session() as session:
        subscriptions.delete_subscription(
            session, principal=principal, subscription_id=subscription_id, now=utcnow()
        )
        session.commit()
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/enable", response_model=SubscriptionPublic, responses=_ONE_OBJECT_PROBLEMS
)
def enable_subscription(
    subscription_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> SubscriptionPublic:
    """Turn a disabled subscription on again once its receiver works (safe to repeat)."""
    with db.write_session() as session:
        sub = subscriptions.enable_subscription(
            session, principal=principal, subscription_id=subscription_id, now=utcnow()
        )
        session.commit()
        return to_public(sub)


@router.get(
    "/{subscription_id}/deliveries", response_model=DeliveriesPublic, responses=_ONE_OBJECT_PROBLEMS
)
def list_deliveries(
    subscription_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DeliveriesPublic:
    """The delivery log, newest first: each delivery's state and every attempt."""
    with db.session() as session:
        rows, attempts, count = subscriptions.list_deliveries(
            session,
            principal=principal,
            subscription_id=subscription_id,
            status=status,
            limit=limit,
            offset=offset,
        )
    data = [
        DeliveryPublic(
            id=d.id,
            event_id=d.event_id,
            event_type=d.event_type,
            agreement_id=d.agreement_id,
            status=DeliveryStatus(d.status),
            attempts=d.attempts,
            created_at=d.created_at,
            next_attempt_at=d.next_attempt_at if d.status == DeliveryStatus.PENDING else None,
            delivered_at=d.delivered_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            attempt_log=[
                AttemptPublic(
                    number=a.number,
                    at=a.at,
                    duration_ms=a.duration_ms,
                    ok=a.ok,
                    status_code=a.status_code,
                    error=a.error,
                )
                for a in attempts[d.id]
            ],
        )
        for d in rows
    ]
    return DeliveriesPublic(data=data, count=count, limit=limit, offset=offset)
