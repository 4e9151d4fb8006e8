"""Idempotency-Key for writes: the first response is stored with the change it made, in the
same transaction, and a retry with the same key gets that response again without a second
change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.agreements.errors import Unprocessable
from services.agreements.models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"


def fingerprint(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class IdempotencyKey:
    """What a route knows about the key of the current request (None: no key was sent)."""

    key: str | None
    principal: str

    def replay(self, session: Session, fp: str) -> Response | None:
        if not self.key:
            return None
        record = session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.principal == self.principal, IdempotencyRecord.key == self.key
            )
        ).first()
        if record is None:
            return None
        if record.fingerprint != fp:
            raise Unprocessable("idempotency_mismatch")
        headers = dict(record.headers) | {REPLAY_HEADER: "true"}
        return Response(
            content=record.body,
            status_code=record.status_code,
            headers=headers,
            media_type="application/json" if record.body else None,
        )

    def seen(self, db: Any) -> bool:
        """Whether a response is already stored under this key (False without a key)."""
        if not self.key:
            return False
        with db.session() as session:
            return (
                session.exec(
                    select(IdempotencyRecord.key).where(
                        IdempotencyRecord.principal == self.principal,
                        IdempotencyRecord.key == self.key,
                    )
                ).first()
                is not None
            )

    def remember(
        self, session: Session, fp: str, status_code: int, body: str, headers: dict[str, str]
    ) -> None:
        if self.key:
            session.add(
                IdempotencyRecord(
                    principal=self.principal,
                    key=self.key,
                    fingerprint=fp,
                    status_code=status_code,
                    body=body,
                    headers=headers,
                )
            )


def is_duplicate_key(exc: IntegrityError) -> bool:
    return "idempotency" in str(exc.orig).lower() or "uq_idempotency" in str(exc).lower()


def execute_write(
    db: Any,
    idem: IdempotencyKey,
    fingerprint_of: Callable[[], str],
    action: Any,
) -> Response:
    """Run `action(session) -> (status, body_json, headers)` in one write transaction that also
    stores the response under the Idempotency-Key; replay a stored response instead when the
    key was seen. Two racing requests with one key: the loser's transaction rolls back whole
    (its change included) and it answers with the winner's response. The request's
    fingerprint is asked of `fingerprint_of` only when a key was sent."""
    fp = fingerprint_of() if idem.key else ""
    if idem.key:
        with db.session() as session:
            if (replayed := idem.replay(session, fp)) is not None:
                return replayed
    try:
        with db.write_session() as session:
            status_code, body, headers = action(session)
            idem.remember(session, fp, status_code, body, headers)
            session.commit()
    except IntegrityError as exc:
        if idem.key and is_duplicate_key(exc):
            with db.session() as session:
                if (replayed := idem.replay(session, fp)) is not None:
                    return replayed
        raise
    return Response(
        content=body,
        status_code=status_code,
        headers=headers,
        media_type="application/json" if body else None,
    )
