"""Who may see and change what (architecture.md §4), as pure decisions.

A province's officers and leader see their own province's agreements, drafts included; the
bodies consulted, the Prime Minister's office and the Ministry's registry see exactly the
agreements on which they have a task, and nothing else; admins see everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.auth import Principal, Role
from common.law.routing import acting_org, acting_role
from common.law.vocabulary import PROVINCE_ROLES


@dataclass(frozen=True)
class TaskScope:
    """The tasks addressed to the caller: those of `org` assigned to `role`."""

    org: str
    role: Role


def readable_provinces(principal: Principal) -> set[str] | None:
    """Provinces whose agreements the caller reads in full: None means all, empty means none
    (those callers read through their tasks only)."""
    if principal.role is Role.ADMIN:
        return None
    if principal.role in PROVINCE_ROLES:
        return {principal.org}
    return set()


# Those who act on tasks; admins see every task, operators none.
_TASK_ROLES = frozenset(
    {
        Role.REVIEWER,
        Role.SUPERVISOR,
        Role.PROVINCE_OFFICER,
        Role.PROVINCIAL_LEADER,
        Role.COUNCIL_CHAIR,
        Role.PM_OFFICE,
        Role.MOFA_REGISTRY,
    }
)


def task_scope(principal: Principal) -> TaskScope | None:
    """Whose tasks the caller works on (the role and organisation common/law/routing.py says
    they act as); None for admins (all) and operators (none: see `sees_tasks`)."""
    if principal.role not in _TASK_ROLES:
        return None
    return TaskScope(acting_org(principal.role, principal.org), acting_role(principal.role))


def sees_tasks(principal: Principal) -> bool:
    return principal.role is Role.ADMIN or task_scope(principal) is not None


def reads_through_tasks(principal: Principal) -> bool:
    """Callers who read an agreement only because their organisation has a task on it."""
    return principal.role in (
        Role.REVIEWER,
        Role.SUPERVISOR,
        Role.PM_OFFICE,
        Role.MOFA_REGISTRY,
    )


def can_read(principal: Principal, province: str) -> bool:
    """Reading by province (officers, leaders, admins); task holders are checked against
    their tasks by the service."""
    provinces = readable_provinces(principal)
    return provinces is None or province in provinces


def can_draft(principal: Principal, province: str) -> bool:
    """Only the proposing province's officers draft, edit, attach, submit, record the signing
    and deliver the copy."""
    return principal.role is Role.PROVINCE_OFFICER and principal.org == province
