"""Who does what in the procedure (domain.md §1, §2.2): the bodies consulted on a draft, when
the Prime Minister gives an opinion, who decides, who receives the signed copy or the notice,
and who may act on a task. The workflow, the activities, the API and the consumers ask these
functions; nobody else decides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from common.bodies import get_body
from common.fields import Field as CooperationField
from common.law.vocabulary import (
    PROVINCIAL_LEVELS,
    Duty,
    Outcome,
    Role,
    RouteReason,
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


@dataclass(frozen=True)
class RoutedBody:
    """A body the draft will be sent to, and why (every reason that applies)."""

    code: str
    reasons: tuple[RouteReason, ...]


# Fields of cooperation whose content widens the route as if the draft said it touches it.
_FIELD_TOUCHES: Final[Mapping[str, tuple[tuple[Touch, RouteReason], ...]]] = {
    CooperationField.SECURITY_BORDER: (
        (Touch.SECURITY, RouteReason.SECURITY_BORDER_FIELD),
        (Touch.BORDER, RouteReason.SECURITY_BORDER_FIELD),
    ),
    CooperationField.INVESTMENT: ((Touch.INVESTMENT, RouteReason.INVESTMENT_FIELD),),
}
_TOUCH_REASON: Final[Mapping[Touch, RouteReason]] = {
    Touch.SECURITY: RouteReason.SECURITY,
    Touch.DEFENCE: RouteReason.DEFENCE,
    Touch.BORDER: RouteReason.BORDER,
    Touch.INVESTMENT: RouteReason.INVESTMENT,
    Touch.SENSITIVE: RouteReason.SENSITIVE,
}


def content_of(
    touches: Iterable[Touch | str], fields: Iterable[str]
) -> dict[Touch, list[RouteReason]]:
    """What the draft's content touches, and why: what the proposer said, and what its
    fields of cooperation imply even when `touches` was left empty."""
    content: dict[Touch, list[RouteReason]] = {}
    for t in touches:
        content.setdefault(Touch(t), []).append(_TOUCH_REASON[Touch(t)])
    for f in fields:
        for touch, reason in _FIELD_TOUCHES.get(str(f), ()):
            content.setdefault(touch, []).append(reason)
    return content


def consultation_route(
    *,
    signatory_level: SignatoryLevel | str,
    province: str,
    touches: Iterable[Touch | str] = (),
    fields: Iterable[str] = (),
    related_bodies: Iterable[str] = (),
) -> list[RoutedBody]:
    """The bodies asked for a written opinion, in a stable order, each with its reasons.

    - Council or Committee: the Ministry of Foreign Affairs always; Public Security and/or
      National Defence for security, defence or border content.
    - Department, and a provincial body of an organisation (decided by the same Chairman, so
      routed the same way): the provincial foreign-affairs body; Public Security, National
      Defence or Finance for security, defence or investment; the Ministry of Foreign Affairs
      for sensitive content; border content goes to both security ministries.
    - Border commune: the provincial police, military command and border-guard command,
      through the provincial foreign-affairs body (which is consulted too, as it gathers the
      opinions for the Chairman).
    Content counts whether the proposer ticked it or a field of cooperation implies it. In
    every case the bodies the proposer names as related to the content are added.
    """
    level = SignatoryLevel(signatory_level)
    content = content_of(touches, fields)
    route: dict[str, list[RouteReason]] = {}

    def ask(code: str, *reasons: RouteReason) -> None:
        route[code] = list(dict.fromkeys([*route.get(code, []), *reasons]))

    def because(*touched: Touch) -> list[RouteReason]:
        return [r for t in touched for r in content.get(t, [])]

    if level in PROVINCIAL_LEVELS:
        ask(MOFA, RouteReason.ALWAYS_MOFA)
        if reasons := because(Touch.SECURITY, Touch.BORDER):
            ask(MPS, *reasons)
        if reasons := because(Touch.DEFENCE, Touch.BORDER):
            ask(MOD, *reasons)
    elif level is SignatoryLevel.BORDER_COMMUNE:
        ask(provincial_foreign_affairs(province), RouteReason.FOREIGN_AFFAIRS_BODY)
        for role in ("police", "military", "border-guard"):
            ask(f"{province}.{role}", RouteReason.BORDER_COMMUNE)
    else:
        ask(provincial_foreign_affairs(province), RouteReason.FOREIGN_AFFAIRS_BODY)
        if reasons := because(Touch.SECURITY, Touch.BORDER):
            ask(MPS, *reasons)
        if reasons := because(Touch.DEFENCE, Touch.BORDER):
            ask(MOD, *reasons)
        if reasons := because(Touch.INVESTMENT):
            ask(MOF, *reasons)
        if reasons := because(Touch.SENSITIVE):
            ask(MOFA, *reasons)
    for code in related_bodies:
        ask(code, RouteReason.RELATED)
    unknown = [b for b in route if get_body(b) is None]
    if unknown:
        raise ValueError(f"unknown consulted bodies {unknown}: refusing to route to no one")
    return [RoutedBody(code, tuple(reasons)) for code, reasons in route.items()]


def consulted_bodies(
    *,
    signatory_level: SignatoryLevel | str,
    province: str,
    touches: Iterable[Touch | str] = (),
    fields: Iterable[str] = (),
    related_bodies: Iterable[str] = (),
) -> list[str]:
    """The codes of the bodies `consultation_route` asks, in its order."""
    return [
        body.code
        for body in consultation_route(
            signatory_level=signatory_level,
            province=province,
            touches=touches,
            fields=fields,
            related_bodies=related_bodies,
        )
    ]


def change_case_touches(
    agreement_touches: Iterable[Touch | str], case_touches: Iterable[Touch | str]
) -> list[Touch]:
    """A change case (amendment, supplement, extension, ending) is consulted on at least the
    content the agreement it changes touched (Art. 33: the same procedure), plus its own."""
    return list(dict.fromkeys(Touch(t) for t in (*agreement_touches, *case_touches)))


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


def duties_after_signing(level: SignatoryLevel | str) -> list[Duty]:
    """What signing owes within 15 days: the copy, and at provincial level the report to the
    Prime Minister as well (Art. 19)."""
    if SignatoryLevel(level) in PROVINCIAL_LEVELS:
        return [Duty.COPY, Duty.REPORT]
    return [Duty.COPY]


def duty_recipient(
    duty: Duty | str, level: SignatoryLevel | str, province: str, *, to_mofa_for_all_levels: bool
) -> Assignee:
    """Who receives and acknowledges a duty: the Prime Minister's office the report, the
    Ministry's registry the yearly plan, the copy's recipient the copy and the notice."""
    match Duty(duty):
        case Duty.REPORT:
            return pm_assignee()
        case Duty.PLAN:
            return Assignee(Role.MOFA_REGISTRY, MOFA_REGISTRY)
    return copy_recipient(level, province, to_mofa_for_all_levels=to_mofa_for_all_levels)


def may_open_mandatory_termination(
    *,
    role: Role | str,
    org: str,
    level: SignatoryLevel | str,
    province: str,
    provincial_org_decider: Role | str = Role.PROVINCIAL_LEADER,
) -> bool:
    """A termination the law makes mandatory (Art. 34: implementing the agreement would
    breach the law's principles) may be opened by the Ministry of Foreign Affairs (its
    reviewers and head, or its registry) or by the agreement's decider."""
    if Role(role) is Role.MOFA_REGISTRY or (acting_role(role) is Role.REVIEWER and org == MOFA):
        return True
    deciding = decider(level, province, provincial_org_decider=provincial_org_decider)
    return may_act_on(deciding, role=role, org=org)


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


# --- claims on a task ------------------------------------------------------------------------


def claim_stops(claimed_by: str | None, *, subject: str, role: Role | str) -> bool:
    """Whether a colleague's claim stops this person answering or claiming the task: it does
    unless they hold it themselves or supervise the body (who may always act for it). A
    member who must act anyway takes the task over, which the timeline records."""
    return bool(claimed_by) and claimed_by != subject and Role(role) is not Role.SUPERVISOR


def may_release_claim(claimed_by: str | None, *, subject: str, role: Role | str) -> bool:
    """A claim is given back by whoever holds it, the body's supervisor or an administrator."""
    return not claimed_by or claimed_by == subject or Role(role) in (Role.SUPERVISOR, Role.ADMIN)
