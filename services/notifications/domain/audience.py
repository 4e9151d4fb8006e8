"""Who must be told of each event in the app and by e-mail (the project's decision, issue #4).

An audience is a role within an organisation; the service turns it into people through its
recipients table. Webhook subscribers are not an audience: they choose event types themselves
(see access.py for what each may receive).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from pydantic import BaseModel

from common.auth import Role
from common.events.payloads import DecisionRequestedV1
from common.events.types import EventType
from common.law.routing import MOFA_REGISTRY, PM_OFFICE
from services.notifications.domain.parties import OfBody, OfProvince, OfRecipient


@dataclass(frozen=True)
class Audience:
    """Everyone holding `role` in `org`; `org` None means every holder of the role (the
    Ministry's registry is one national office, whatever organisation code its people carry)."""

    role: Role
    org: str | None


# A rule takes the payload model of the event types it is listed for (each rule's parameter
# says which fields it reads).
Rule = Callable[[Any], tuple[Audience, ...]]


def _nobody(_: BaseModel) -> tuple[Audience, ...]:
    return ()


def _reviewers(payload: OfBody) -> tuple[Audience, ...]:
    return (Audience(Role.REVIEWER, payload.body),)


def _supervisor_and_reviewers(payload: OfBody) -> tuple[Audience, ...]:
    # domain.md §2.3: once overdue, escalate to the agency's supervisor; its reviewers still
    # hold the task, so they are told too.
    return (Audience(Role.SUPERVISOR, payload.body), Audience(Role.REVIEWER, payload.body))


def _officers(payload: OfProvince) -> tuple[Audience, ...]:
    return (Audience(Role.PROVINCE_OFFICER, payload.province),)


def _decider(payload: DecisionRequestedV1) -> tuple[Audience, ...]:
    """Whoever decides: the event names the decider's role (older events: the Committee's
    Chairman, who decided every agreement then)."""
    role = Role(payload.decider_role or Role.PROVINCIAL_LEADER)
    return (Audience(role, payload.province),)


def _pm_office(_: BaseModel) -> tuple[Audience, ...]:
    return (Audience(Role.PM_OFFICE, PM_OFFICE),)


def copy_recipient_audience(recipient: str) -> Audience:
    """The receiver of a signed copy or a notice: the Ministry's registry, or the reviewers of
    the provincial foreign-affairs body (`<province>.foreign-affairs`)."""
    if recipient == MOFA_REGISTRY:
        return Audience(Role.MOFA_REGISTRY, None)
    if recipient == PM_OFFICE:  # the report to the Prime Minister
        return Audience(Role.PM_OFFICE, PM_OFFICE)
    return Audience(Role.REVIEWER, recipient)


def _copy_recipient(payload: OfRecipient) -> tuple[Audience, ...]:
    return (copy_recipient_audience(payload.recipient),)


E = EventType
RULES: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        # Drafting and submission concern the province's own desk: webhooks only.
        E.AGREEMENT_DRAFTED: _nobody,
        E.AGREEMENT_UPDATED: _nobody,
        E.AGREEMENT_DELETED: _nobody,
        E.DOCUMENT_ATTACHED: _nobody,
        E.AGREEMENT_IMPORTED: _nobody,
        E.AGREEMENT_SUBMITTED: _nobody,
        E.AGREEMENT_TEXT_CHANGED: _nobody,
        # Consultation.
        E.CONSULTATION_REQUESTED: _reviewers,
        E.CONSULTATION_REMINDER: _reviewers,
        E.CONSULTATION_OVERDUE: _supervisor_and_reviewers,
        E.CONSULTATION_ANSWERED: _officers,
        E.AGREEMENT_RETURNED: _officers,
        # Prime Minister's opinion and the decision.
        E.PM_OPINION_REQUESTED: _pm_office,
        E.PM_OPINION_GIVEN: _officers,
        E.PM_OPINION_OVERDUE: _pm_office,
        E.DECISION_REQUESTED: _decider,
        E.AGREEMENT_APPROVED: _officers,
        E.AGREEMENT_REJECTED: _officers,
        # Signing and the duties after it.
        E.AGREEMENT_SIGNED: _officers,
        E.AGREEMENT_COPY_REMINDER: _officers,
        E.AGREEMENT_COPY_DELIVERED: _copy_recipient,
        E.AGREEMENT_COPY_RECEIVED: _officers,
        E.AGREEMENT_COPY_OVERDUE: _officers,
        # In force and changes.
        E.AGREEMENT_IN_FORCE: _officers,
        E.AGREEMENT_PLAN_DUE: _officers,
        E.AGREEMENT_EXPIRING: _officers,
        E.AGREEMENT_EXPIRED: _officers,
        E.AGREEMENT_AMENDED: _officers,
        E.AGREEMENT_TERMINATED: _officers,
        E.AGREEMENT_RESUMED: _officers,
    }
)

# Reminders may wait for a person's daily digest by e-mail; everything else is sent at once.
REMINDERS: Final = frozenset(
    {
        E.CONSULTATION_REMINDER,
        E.AGREEMENT_COPY_REMINDER,
        E.AGREEMENT_PLAN_DUE,
        E.AGREEMENT_EXPIRING,
    }
)


def audiences(event_name: str, payload: BaseModel) -> tuple[Audience, ...]:
    """Who is told in the app and by e-mail of an event, given its payload model; nobody for
    an event type without a rule, which then reaches webhook subscribers only."""
    rule = RULES.get(event_name, _nobody)
    return rule(payload)


def is_reminder(event_name: str) -> bool:
    return event_name in REMINDERS
