"""Which events a webhook subscriber may receive: what their organisation is entitled to see
(domain.md §5: a province never sees another province's drafts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.auth import Role
from common.law.routing import MOFA_REGISTRY


def may_receive(role: Role | str, org: str, event_name: str, data: Mapping[str, Any]) -> bool:
    """True when a subscriber with this role and organisation may be sent this event.

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
    if role in (Role.PROVINCE_OFFICER, Role.PROVINCIAL_LEADER):
        return data.get("province") == org
    if role in (Role.REVIEWER, Role.SUPERVISOR):
        return org in (data.get("body"), data.get("recipient"))
    if role is Role.PM_OFFICE:
        return event_name.startswith("pm_opinion.")
    if role is Role.MOFA_REGISTRY:
        return data.get("recipient") == MOFA_REGISTRY
    return False
