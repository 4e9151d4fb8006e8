"""Whose figures a caller may see (issue #5 §4), as a pure decision."""

from __future__ import annotations

from common.auth import Principal, Role
from common.bodies import get_body
from common.law.vocabulary import PROVINCE_ROLES

# Central offices see every province's figures.
_SEE_ALL = frozenset({Role.ADMIN, Role.OPERATOR, Role.MOFA_REGISTRY, Role.PM_OFFICE})


class NotYourProvince(Exception):
    """The caller asked for another province's figures."""

    def __init__(self, own: str) -> None:
        super().__init__(own)
        self.own = own


def visible_province(principal: Principal) -> str | None:
    """The one province whose figures the caller may see; None when they see all.

    Province officers and leaders see their province. Reviewers and supervisors see all when
    their body is a ministry, and their province when it is a provincial body (its police,
    military command, foreign-affairs or border-guard body). A caller of an unknown body is
    limited to its organisation code, which matches no province: it sees only zeros.
    """
    if principal.role in _SEE_ALL:
        return None
    if principal.role in PROVINCE_ROLES:
        return principal.org
    body = get_body(principal.org)
    if body is not None and body.province is None:
        return None
    return body.province if body is not None and body.province else principal.org


def scoped_province(principal: Principal, requested: str | None) -> str | None:
    """The province filter to apply: the caller's own province when they are limited to one
    (refusing another), or whatever they asked for."""
    own = visible_province(principal)
    if own is None:
        return requested
    if requested is not None and requested != own:
        raise NotYourProvince(own)
    return own
