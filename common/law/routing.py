"""Who does what in the procedure (domain.md §1, §2.2): the bodies consulted on a draft, when
the Prime Minister gives an opinion, who decides, who receives the signed copy or the notice,
and who may act on a task. The workflow, the activities, the API and the consumers ask these
functions; nobody else decides it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from common.bodies import get_body
from common.law.vocabulary import (
    PROVINCIAL_LEVELS,
    Outcome,
    Role,
    SignatoryLevel,
    Touch,
)

# Organisations of the central level that receive tasks.
MOFA: Final = "mofa"  # Bộ Ngoại giao
MPS: Final = "mps"  # Bộ Công an
MOD: Final = "mod"  # Bộ Quốc phòng
MOF: Final = "mof"  # Bộ Tài chính
PM_OFFICE: Final = "pm-office"  # Văn phòng Chính phủ, for the Prime Minister
MOFA_REGISTRY: Final = "mofa-registry"  # the Ministry of Foreign Affairs' registry of copies


@dataclass(frozen=True)
class Assignee:
    """Who may act on a task: a role within an organisation (a body, a province, or one of
    the central offices)."""

    role: Role
    org: str


def provincial_foreign_affairs(province: str) -> str:
    """The province's foreign-affairs body (Sở Ngoại vụ, or the office of the provincial
    Committee where there is none)."""
    return f"{province}.foreign-affairs"


def consulted_bodies(
    *,
    signatory_level: SignatoryLevel | str,
    province: str,
    touches: Iterable[Touch | str] = (),
    related_bodies: Iterable[str] = (),
) -> list[str]:
    """The bodies asked for a written opinion, in a stable order, without duplicates.

    - Council or Committee: the Ministry of Foreign Affairs always; Public Security and/or
      National Defence for security, defence or border content.
    - Department, and a provincial body of an organisation (decided by the same Chairman, so
      routed the same way): the provincial foreign-affairs body; Public Security, National
      Defence or Finance for security, defence or investment; the Ministry of Foreign Affairs
      for sensitive content; border content goes to both security ministries.
    - Border commune: the provincial police, military command and border-guard command,
      through the provincial foreign-affairs body (which is consulted too, as it gathers the
      opinions for the Chairman).
    In every case the bodies the proposer names as related to the content are added.
    """
    level = SignatoryLevel(signatory_level)
    content = {Touch(t) for t in touches}
    bodies: list[str] = []
    if level in PROVINCIAL_LEVELS:
        bodies.append(MOFA)
        if content & {Touch.SECURITY, Touch.BORDER}:
            bodies.append(MPS)
        if content & {Touch.DEFENCE, Touch.BORDER}:
            bodies.append(MOD)
    elif level is SignatoryLevel.BORDER_COMMUNE:
        bodies += [
            provincial_foreign_affairs(province),
            f"{province}.police",
            f"{province}.military",
            f"{province}.border-guard",
        ]
    else:
        bodies.append(provincial_foreign_affairs(province))
        if content & {Touch.SECURITY, Touch.BORDER}:
            bodies.append(MPS)
        if content & {Touch.DEFENCE, Touch.BORDER}:
            bodies.append(MOD)
        if Touch.INVESTMENT in content:
            bodies.append(MOF)
        if Touch.SENSITIVE in content:
            bodies.append(MOFA)
    bodies += list(related_bodies)
    unknown = [b for b in bodies if get_body(b) is None]
    if unknown:
        raise ValueError(f"unknown consulted bodies {unknown}: refusing to route to no one")
    return list(dict.fromkeys(bodies))


def needs_pm_opinion(level: SignatoryLevel | str, outcomes: Iterable[Outcome | str]) -> bool:
    """At provincial level any disagreement goes to the Prime Minister before the decision;
    below it the leader decides with the disagreement on record."""
    return SignatoryLevel(level) in PROVINCIAL_LEVELS and Outcome.DISAGREE in {
        Outcome(o) for o in outcomes
    }


def committee_chair(province: str) -> Assignee:
    """The Chairman of the provincial People's Committee."""
    return Assignee(Role.PROVINCIAL_LEADER, province)


def decider(
    level: SignatoryLevel | str,
    province: str,
    *,
    provincial_org_decider: Role | str = Role.PROVINCIAL_LEADER,
) -> Assignee:
    """Who decides (domain.md §1): the Chairman of the provincial People's Council for the
    Council's own agreements; the Chairman of the provincial People's Committee for the
    Committee, its departments and border communes; for provincial bodies of organisations
    whoever the setting names (`Timing.provincial_org_decider`, the Committee's Chairman by
    default). An amendment or an ending is decided by the same decider as the agreement."""
    match SignatoryLevel(level):
        case SignatoryLevel.PROVINCIAL_COUNCIL:
            return Assignee(Role.COUNCIL_CHAIR, province)
        case SignatoryLevel.PROVINCIAL_ORG:
            return Assignee(Role(provincial_org_decider), province)
    return committee_chair(province)


def consultation_assignee(body: str) -> Assignee:
    return Assignee(Role.REVIEWER, body)


def pm_assignee() -> Assignee:
    return Assignee(Role.PM_OFFICE, PM_OFFICE)


def province_duty_assignee(province: str) -> Assignee:
    """The province's own duties: completing a returned dossier, recording the signing,
    sending the copy or the notice."""
    return Assignee(Role.PROVINCE_OFFICER, province)


def copy_recipient(
    level: SignatoryLevel | str, province: str, *, to_mofa_for_all_levels: bool
) -> Assignee:
    """Who receives the signed copy or the notice: the Ministry of Foreign Affairs' registry
    for the provincial level, the provincial foreign-affairs body below it (domain.md marks
    that configurable: `Timing.copy_to_mofa_for_all_levels`)."""
    if to_mofa_for_all_levels or SignatoryLevel(level) in PROVINCIAL_LEVELS:
        return Assignee(Role.MOFA_REGISTRY, MOFA_REGISTRY)
    return Assignee(Role.REVIEWER, provincial_foreign_affairs(province))


def acting_role(role: Role | str) -> Role:
    """The role a person acts in on tasks: a body's supervisor answers for it like its
    reviewers."""
    role = Role(role)
    return Role.REVIEWER if role is Role.SUPERVISOR else role


def acting_org(role: Role | str, org: str) -> str:
    """The organisation whose tasks a person works on: the central offices have one each,
    whatever organisation the person's token names."""
    match Role(role):
        case Role.PM_OFFICE:
            return PM_OFFICE
        case Role.MOFA_REGISTRY:
            return MOFA_REGISTRY
    return org


def may_act_on(assignee: Assignee, *, role: Role | str, org: str) -> bool:
    """Whether a person (role, organisation) may answer or do a task given to `assignee`."""
    return acting_role(role) is assignee.role and acting_org(role, org) == assignee.org
