"""Event names, CloudEvents types and topic names: the one place they are spelt."""

from __future__ import annotations

import re
from enum import StrEnum

EVENTS_TOPIC = "agreements.events"
DEAD_LETTER_TOPIC = "agreements.events.dlt"
CE_TYPE_PREFIX = "vn.gov.agreements."

_CE_TYPE = re.compile(
    r"^vn\.gov\.agreements\.(?P<name>[a-z_]+\.[a-z_]+)\.v(?P<version>[1-9][0-9]*)$"
)


class EventType(StrEnum):
    """Every event the agreements service emits, named `<subject>.<what happened>`."""

    # Drafting and submission.
    AGREEMENT_DRAFTED = "agreement.drafted"
    AGREEMENT_UPDATED = "agreement.updated"
    AGREEMENT_DELETED = "agreement.deleted"
    DOCUMENT_ATTACHED = "document.attached"
    AGREEMENT_SUBMITTED = "agreement.submitted"
    AGREEMENT_IMPORTED = "agreement.imported"
    # Consultation (domain.md §2.2, §2.3).
    CONSULTATION_REQUESTED = "consultation.requested"
    CONSULTATION_REMINDER = "consultation.reminder"
    CONSULTATION_OVERDUE = "consultation.overdue"
    CONSULTATION_ANSWERED = "consultation.answered"
    AGREEMENT_RETURNED = "agreement.returned"
    # The Prime Minister's opinion on a disagreement, then the leader's decision.
    PM_OPINION_REQUESTED = "pm_opinion.requested"
    PM_OPINION_GIVEN = "pm_opinion.given"
    PM_OPINION_OVERDUE = "pm_opinion.overdue"
    DECISION_REQUESTED = "decision.requested"
    AGREEMENT_APPROVED = "agreement.approved"
    AGREEMENT_REJECTED = "agreement.rejected"
    # Signing and the duties after it.
    AGREEMENT_SIGNED = "agreement.signed"
    AGREEMENT_TEXT_CHANGED = "agreement.text_changed"
    AGREEMENT_COPY_REMINDER = "agreement.copy_reminder"
    AGREEMENT_COPY_DELIVERED = "agreement.copy_delivered"
    AGREEMENT_COPY_RECEIVED = "agreement.copy_received"
    AGREEMENT_COPY_OVERDUE = "agreement.copy_overdue"
    # In force.
    AGREEMENT_IN_FORCE = "agreement.in_force"
    AGREEMENT_PLAN_DUE = "agreement.plan_due"
    AGREEMENT_EXPIRING = "agreement.expiring"
    AGREEMENT_EXPIRED = "agreement.expired"
    # Changes decided on a linked case (amendment, supplement, extension, termination,
    # withdrawal, suspension): the case itself runs as an agreement of its own kind.
    AGREEMENT_AMENDED = "agreement.amended"
    AGREEMENT_TERMINATED = "agreement.terminated"
    # A suspension ended by a resumption case: the agreement is in force again.
    AGREEMENT_RESUMED = "agreement.resumed"


def ce_type(event: EventType | str, version: int = 1) -> str:
    """`agreement.submitted`, 1 -> `vn.gov.agreements.agreement.submitted.v1`."""
    return f"{CE_TYPE_PREFIX}{event}.v{version}"


def parse_ce_type(value: str) -> tuple[str, int]:
    """The inverse of ce_type; ValueError for a type that is not ours."""
    match = _CE_TYPE.match(value)
    if not match:
        raise ValueError(f"not an agreements event type: {value!r}")
    return match["name"], int(match["version"])
