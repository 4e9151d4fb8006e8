"""Which events a webhook subscriber may receive: what their organisation is entitled to see
(domain.md §5: a province never sees another province's drafts)."""

from __future__ import annotations

from pydantic import BaseModel

from common.auth import Role
from common.law.routing import MOFA_REGISTRY
from common.law.vocabulary import PROVINCE_ROLES
from services.notifications.domain.parties import OfBody, OfProvince, OfRecipient


def may_receive(role: Role | str, org: str, event_name: str, payload: BaseModel) -> bool:
    """True when a subscriber with this role and organisation may be sent this event (its
    payload model says whom it names).

    - administrators and operators: every event (system integrations);
    - province officers and leaders: events of their own province;
    - reviewers and supervisors: events naming their body as consulted body or as recipient
      of a copy or notice;
    - the Prime Minister's office: its opinion tasks and their outcome;
    - the Ministry's registry: copies and notices addressed to it.
    """
    role = Role(role)
    if role in (Role.ADMIN, Role.OPERATOR):
        return True
    if role in PROVINCE_ROLES:
        return isinstance(payload, OfProvince) and payload.province == org
    if role in (Role.REVIEWER, Role.SUPERVISOR):
        return (isinstance(payload, OfBody) and payload.body == org) or (
            isinstance(payload, OfRecipient) and payload.recipient == org
        )
    if role is Role.PM_OFFICE:
        return event_name.startswith("pm_opinion.")
    if role is Role.MOFA_REGISTRY:
        return isinstance(payload, OfRecipient) and payload.recipient == MOFA_REGISTRY
    return False
